// DNSSEC public and private keys over OpenSSL 3 (EVP): the DNSKEY public key encodings (RFC 3110 RSA,
// RFC 6605 ECDSA, RFC 8080 EdDSA), signature encodings (RSA PKCS#1 v1.5, ECDSA r|s, EdDSA), key
// generation, and signing and verifying raw data. What the data is (RFC 4034 §3.1.8.1) is signature.hpp's
// business. Algorithms: as algorithm.hpp says (sign 8 10 13 14 15 16; verify those and 5 7).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

struct evp_pkey_st;

namespace cairn::dnssec {

using Bytes = std::span<const std::uint8_t>;

// A key that cannot be made or used (unsupported algorithm, malformed material, an OpenSSL failure).
class KeyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A verification key. Copies share the OpenSSL key; verify() may run on many threads at once.
class PublicKey {
  public:
    // From an algorithm number and the DNSKEY public key field; nullopt when the algorithm is one cairn
    // does not verify (can_verify) or the key is malformed (an RSA modulus under 512 or over 4096 bits
    // included, as BIND refuses them).
    static std::optional<PublicKey> from_dnskey(std::uint8_t algorithm, Bytes public_key);
    // From whole DNSKEY rdata.
    static std::optional<PublicKey> from_dnskey_rdata(Bytes rdata);

    // Checks `signature` (DNSSEC encoding) over `data`. Never throws.
    bool verify(Bytes data, Bytes signature) const;

    std::uint8_t algorithm() const { return algorithm_; }
    unsigned bits() const;  // the size BIND writes as "Length:" (RSA modulus bits, 256 for P-256 ...)

  private:
    PublicKey(std::uint8_t algorithm, std::shared_ptr<evp_pkey_st> key) : algorithm_(algorithm), key_(key) {}
    std::uint8_t algorithm_ = 0;
    std::shared_ptr<evp_pkey_st> key_;
    friend class PrivateKey;
};

// The private fields of a key as BIND's .private file carries them (Private-key-format v1.3): RSA's eight
// integers, or the ECDSA scalar / EdDSA seed. Big-endian octets without leading zeros for RSA; fixed size
// for the others.
struct PrivateFields {
    std::vector<std::uint8_t> modulus, public_exponent, private_exponent, prime1, prime2, exponent1,
        exponent2, coefficient;             // RSA
    std::vector<std::uint8_t> private_key;  // ECDSA, EdDSA
};

// A signing key. Copies share the OpenSSL key.
class PrivateKey {
  public:
    // A fresh key. `bits` is the RSA modulus size (1024-4096; 0: 2048, BIND's default) and ignored for the
    // others. Throws KeyError.
    static PrivateKey generate(std::uint8_t algorithm, unsigned bits = 0);
    // From the fields of a .private file; checks that they make one consistent key. Throws KeyError.
    static PrivateKey from_fields(std::uint8_t algorithm, const PrivateFields& fields);

    std::uint8_t algorithm() const { return algorithm_; }
    unsigned bits() const { return public_key().bits(); }
    // The DNSKEY public key field.
    std::vector<std::uint8_t> public_key_field() const;
    PublicKey public_key() const { return PublicKey(algorithm_, key_); }
    PrivateFields fields() const;

    // The DNSSEC signature of `data`. Throws KeyError (only on an OpenSSL failure).
    std::vector<std::uint8_t> sign(Bytes data) const;

  private:
    PrivateKey(std::uint8_t algorithm, std::shared_ptr<evp_pkey_st> key) : algorithm_(algorithm), key_(key) {}
    std::uint8_t algorithm_ = 0;
    std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace cairn::dnssec
