#include "dnssec/keys.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstring>

#include "dnssec/algorithm.hpp"

namespace cairn::dnssec {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuild = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using EcGroup = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using EcPoint = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) {
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

Bignum bignum(Bytes octets) {
    return Bignum(BN_bin2bn(octets.data(), static_cast<int>(octets.size()), nullptr));
}

std::vector<std::uint8_t> octets_of(const BIGNUM* n, std::size_t width = 0) {
    const std::size_t size = static_cast<std::size_t>(BN_num_bytes(n));
    std::vector<std::uint8_t> out(std::max(size, width));
    BN_bn2binpad(n, out.data(), static_cast<int>(out.size()));
    return out;
}

// The digests are fetched once: an implicit fetch per operation costs a lock and a lookup.
const EVP_MD* digest_for(std::uint8_t algorithm) {
    static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    switch (algorithm) {
        case 5:
        case 7:
            return sha1;
        case 8:
        case 13:
            return sha256;
        case 14:
            return sha384;
        case 10:
            return sha512;
        default:
            return nullptr;  // EdDSA hashes internally
    }
}

const char* curve_of(std::uint8_t algorithm) {
    return algorithm == 13 ? "prime256v1" : "secp384r1";
}
int ed_type(std::uint8_t algorithm) {
    return algorithm == 15 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448;
}

std::shared_ptr<EVP_PKEY> from_params(const char* type, int selection, OSSL_PARAM_BLD* build) {
    const Params params(OSSL_PARAM_BLD_to_param(build));
    const PkeyContext ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* key = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1) {
        return nullptr;
    }
    return own(key);
}

std::shared_ptr<EVP_PKEY> rsa_public(Bytes key) {
    // RFC 3110 §2: exponent length (one octet, or zero and two octets), exponent, modulus.
    if (key.empty()) return nullptr;
    std::size_t at = 1;
    std::size_t exponent_size = key[0];
    if (exponent_size == 0) {
        if (key.size() < 3) return nullptr;
        exponent_size = static_cast<std::size_t>((key[1] << 8) | key[2]);
        at = 3;
    }
    if (exponent_size == 0 || key.size() <= at + exponent_size) return nullptr;
    const auto modulus = key.subspan(at + exponent_size);
    if (modulus[0] == 0) return nullptr;
    const std::size_t bits = modulus.size() * 8;
    if (bits < 512 || bits > 4096) return nullptr;
    const Bignum n = bignum(modulus), e = bignum(key.subspan(at, exponent_size));
    const ParamBuild build(OSSL_PARAM_BLD_new());
    if (!n || !e || !build || !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
        !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get())) {
        return nullptr;
    }
    return from_params("RSA", EVP_PKEY_PUBLIC_KEY, build.get());
}

std::shared_ptr<EVP_PKEY> ec_public(std::uint8_t algorithm, Bytes key) {
    if (key.size() != public_key_size(algorithm)) return nullptr;
    std::uint8_t point[1 + 96];
    point[0] = 0x04;  // uncompressed: x then y, as DNSKEY holds them (RFC 6605 §4)
    std::memcpy(point + 1, key.data(), key.size());
    const ParamBuild build(OSSL_PARAM_BLD_new());
    if (!build ||
        !OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_of(algorithm), 0) ||
        !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point, 1 + key.size())) {
        return nullptr;
    }
    return from_params("EC", EVP_PKEY_PUBLIC_KEY, build.get());
}

std::shared_ptr<EVP_PKEY> ed_public(std::uint8_t algorithm, Bytes key) {
    if (key.size() != public_key_size(algorithm)) return nullptr;
    EVP_PKEY* k = EVP_PKEY_new_raw_public_key(ed_type(algorithm), nullptr, key.data(), key.size());
    return k ? own(k) : nullptr;
}

// ECDSA signatures: DNSSEC carries r and s as two fixed-size integers (RFC 6605 §4), OpenSSL uses DER.
bool ecdsa_to_der(Bytes signature, std::size_t half, std::uint8_t* out, std::size_t& out_size) {
    if (signature.size() != 2 * half) return false;
    EcdsaSig sig(ECDSA_SIG_new());
    Bignum r = bignum(signature.first(half)), s = bignum(signature.subspan(half));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
    r.release();
    s.release();
    const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (size <= 0 || static_cast<std::size_t>(size) > out_size) return false;
    unsigned char* p = out;
    out_size = static_cast<std::size_t>(i2d_ECDSA_SIG(sig.get(), &p));
    return true;
}

std::vector<std::uint8_t> der_to_ecdsa(Bytes der, std::size_t half) {
    const unsigned char* p = der.data();
    const EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) throw KeyError("OpenSSL made an unreadable ECDSA signature");
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::vector<std::uint8_t> out(2 * half);
    if (BN_bn2binpad(r, out.data(), static_cast<int>(half)) < 0 ||
        BN_bn2binpad(s, out.data() + half, static_cast<int>(half)) < 0) {
        throw KeyError("ECDSA signature integer too large");
    }
    return out;
}

bool is_ecdsa(std::uint8_t algorithm) {
    return algorithm == 13 || algorithm == 14;
}
bool is_eddsa(std::uint8_t algorithm) {
    return algorithm == 15 || algorithm == 16;
}

std::vector<std::uint8_t> bn_param(EVP_PKEY* key, const char* name) {
    BIGNUM* n = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &n) != 1) throw KeyError(std::string("key has no ") + name);
    const Bignum owned(n);
    return octets_of(n);
}

}  // namespace

std::optional<PublicKey> PublicKey::from_dnskey(std::uint8_t algorithm, Bytes key) {
    if (!can_verify(algorithm)) return std::nullopt;
    std::shared_ptr<EVP_PKEY> k;
    if (is_rsa(algorithm)) {
        k = rsa_public(key);
    } else if (is_ecdsa(algorithm)) {
        k = ec_public(algorithm, key);
    } else {
        k = ed_public(algorithm, key);
    }
    if (!k) return std::nullopt;
    return PublicKey(algorithm, std::move(k));
}

std::optional<PublicKey> PublicKey::from_dnskey_rdata(Bytes rdata) {
    if (rdata.size() < 4) return std::nullopt;
    return from_dnskey(rdata[3], rdata.subspan(4));
}

unsigned PublicKey::bits() const {
    return static_cast<unsigned>(EVP_PKEY_get_bits(key_.get()));
}

bool PublicKey::verify(Bytes data, Bytes signature) const {
    const DigestContext ctx(EVP_MD_CTX_new());
    if (!ctx) return false;
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(algorithm_), nullptr, key_.get()) != 1)
        return false;
    if (is_ecdsa(algorithm_)) {
        std::uint8_t der[2 * 48 + 16];
        std::size_t der_size = sizeof der;
        if (!ecdsa_to_der(signature, public_key_size(algorithm_) / 2, der, der_size)) return false;
        return EVP_DigestVerify(ctx.get(), der, der_size, data.data(), data.size()) == 1;
    }
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
}

PrivateKey PrivateKey::generate(std::uint8_t algorithm, unsigned bits) {
    if (!can_sign(algorithm)) throw KeyError("cannot make keys of algorithm " + std::to_string(algorithm));
    EVP_PKEY* key = nullptr;
    if (is_rsa(algorithm)) {
        if (bits == 0) bits = 2048;
        if (bits < 1024 || bits > 4096) throw KeyError("RSA keys have 1024 to 4096 bits");
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
    } else if (is_ecdsa(algorithm)) {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", algorithm == 13 ? "P-256" : "P-384");
    } else {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm == 15 ? "ED25519" : "ED448");
    }
    if (key == nullptr) throw KeyError("OpenSSL could not make a key");
    return PrivateKey(algorithm, own(key));
}

PrivateKey PrivateKey::from_fields(std::uint8_t algorithm, const PrivateFields& f) {
    if (!can_sign(algorithm) && !can_verify(algorithm))
        throw KeyError("unsupported algorithm " + std::to_string(algorithm));
    std::shared_ptr<EVP_PKEY> key;
    if (is_rsa(algorithm)) {
        const ParamBuild build(OSSL_PARAM_BLD_new());
        std::vector<Bignum> numbers;
        const std::pair<const char*, const std::vector<std::uint8_t>*> parts[] = {
            {OSSL_PKEY_PARAM_RSA_N, &f.modulus},           {OSSL_PKEY_PARAM_RSA_E, &f.public_exponent},
            {OSSL_PKEY_PARAM_RSA_D, &f.private_exponent},  {OSSL_PKEY_PARAM_RSA_FACTOR1, &f.prime1},
            {OSSL_PKEY_PARAM_RSA_FACTOR2, &f.prime2},      {OSSL_PKEY_PARAM_RSA_EXPONENT1, &f.exponent1},
            {OSSL_PKEY_PARAM_RSA_EXPONENT2, &f.exponent2}, {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &f.coefficient},
        };
        for (const auto& [name, value] : parts) {
            if (value->empty()) throw KeyError(std::string("RSA private key lacks ") + name);
            numbers.push_back(bignum(*value));
            if (!numbers.back() || !OSSL_PARAM_BLD_push_BN(build.get(), name, numbers.back().get()))
                throw KeyError("OpenSSL refused an RSA key field");
        }
        key = from_params("RSA", EVP_PKEY_KEYPAIR, build.get());
    } else if (is_ecdsa(algorithm)) {
        const std::size_t half = public_key_size(algorithm) / 2;
        if (f.private_key.size() != half) throw KeyError("ECDSA private key of the wrong size");
        const EcGroup group(
            EC_GROUP_new_by_curve_name(algorithm == 13 ? NID_X9_62_prime256v1 : NID_secp384r1));
        const Bignum scalar = bignum(f.private_key);
        const EcPoint point(group ? EC_POINT_new(group.get()) : nullptr);
        std::uint8_t encoded[1 + 96];
        if (!group || !scalar || !point ||
            EC_POINT_mul(group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) != 1 ||
            EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, encoded,
                               sizeof encoded, nullptr) != 1 + 2 * half) {
            throw KeyError("ECDSA private key is not a valid scalar");
        }
        const ParamBuild build(OSSL_PARAM_BLD_new());
        if (!build ||
            !OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_of(algorithm),
                                             0) ||
            !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) ||
            !OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded, 1 + 2 * half)) {
            throw KeyError("OpenSSL refused an ECDSA key");
        }
        key = from_params("EC", EVP_PKEY_KEYPAIR, build.get());
    } else if (is_eddsa(algorithm)) {
        if (f.private_key.size() != public_key_size(algorithm))
            throw KeyError("EdDSA private key of the wrong size");
        EVP_PKEY* k = EVP_PKEY_new_raw_private_key(ed_type(algorithm), nullptr, f.private_key.data(),
                                                   f.private_key.size());
        if (k != nullptr) key = own(k);
    }
    if (!key) throw KeyError("OpenSSL refused the private key");
    if (is_rsa(algorithm)) {
        const PkeyContext check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
        if (!check || EVP_PKEY_pairwise_check(check.get()) != 1)
            throw KeyError("RSA private key fields do not make one key");
    }
    return PrivateKey(algorithm, std::move(key));
}

std::vector<std::uint8_t> PrivateKey::public_key_field() const {
    EVP_PKEY* k = key_.get();
    if (is_rsa(algorithm_)) {
        const auto n = bn_param(k, OSSL_PKEY_PARAM_RSA_N);
        const auto e = bn_param(k, OSSL_PKEY_PARAM_RSA_E);
        std::vector<std::uint8_t> out;
        if (e.size() <= 255) {
            out.push_back(static_cast<std::uint8_t>(e.size()));
        } else {
            out.push_back(0);
            out.push_back(static_cast<std::uint8_t>(e.size() >> 8));
            out.push_back(static_cast<std::uint8_t>(e.size()));
        }
        out.insert(out.end(), e.begin(), e.end());
        out.insert(out.end(), n.begin(), n.end());
        return out;
    }
    if (is_ecdsa(algorithm_)) {
        std::uint8_t point[1 + 96];
        std::size_t size = 0;
        if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &size) != 1 ||
            size != 1 + public_key_size(algorithm_) || point[0] != 0x04) {
            throw KeyError("cannot read the ECDSA public key");
        }
        return {point + 1, point + size};
    }
    std::vector<std::uint8_t> out(public_key_size(algorithm_));
    std::size_t size = out.size();
    if (EVP_PKEY_get_raw_public_key(k, out.data(), &size) != 1 || size != out.size())
        throw KeyError("cannot read the EdDSA public key");
    return out;
}

PrivateFields PrivateKey::fields() const {
    EVP_PKEY* k = key_.get();
    PrivateFields f;
    if (is_rsa(algorithm_)) {
        f.modulus = bn_param(k, OSSL_PKEY_PARAM_RSA_N);
        f.public_exponent = bn_param(k, OSSL_PKEY_PARAM_RSA_E);
        f.private_exponent = bn_param(k, OSSL_PKEY_PARAM_RSA_D);
        f.prime1 = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR1);
        f.prime2 = bn_param(k, OSSL_PKEY_PARAM_RSA_FACTOR2);
        f.exponent1 = bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT1);
        f.exponent2 = bn_param(k, OSSL_PKEY_PARAM_RSA_EXPONENT2);
        f.coefficient = bn_param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
    } else if (is_ecdsa(algorithm_)) {
        BIGNUM* n = nullptr;
        if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &n) != 1) throw KeyError("no ECDSA scalar");
        const Bignum owned(n);
        f.private_key = octets_of(n, public_key_size(algorithm_) / 2);
    } else {
        f.private_key.resize(public_key_size(algorithm_));
        std::size_t size = f.private_key.size();
        if (EVP_PKEY_get_raw_private_key(k, f.private_key.data(), &size) != 1 || size != f.private_key.size())
            throw KeyError("cannot read the EdDSA private key");
    }
    return f;
}

std::vector<std::uint8_t> PrivateKey::sign(Bytes data) const {
    const DigestContext ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(algorithm_), nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, data.data(), data.size()) != 1) {
        throw KeyError("OpenSSL could not sign");
    }
    std::vector<std::uint8_t> out(size);
    if (EVP_DigestSign(ctx.get(), out.data(), &size, data.data(), data.size()) != 1)
        throw KeyError("OpenSSL could not sign");
    out.resize(size);
    if (is_ecdsa(algorithm_)) return der_to_ecdsa(out, public_key_size(algorithm_) / 2);
    return out;
}

}  // namespace cairn::dnssec
