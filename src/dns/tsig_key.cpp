// TSIG algorithms, keys, the keyring and the HMAC context (OpenSSL 3 EVP_MAC).
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

#include "dns/text.hpp"
#include "dns/tsig.hpp"

namespace cairn::dns {
namespace {

struct AlgorithmInfo {
    TsigAlgorithm algorithm;
    std::string_view config_name;
    std::string_view wire_name;
    const char* digest;  // OpenSSL digest name
    std::size_t length;
};

constexpr std::array<AlgorithmInfo, 6> kAlgorithms{{
    {TsigAlgorithm::HmacMd5, "hmac-md5", "HMAC-MD5.SIG-ALG.REG.INT.", "MD5", 16},
    {TsigAlgorithm::HmacSha1, "hmac-sha1", "hmac-sha1.", "SHA1", 20},
    {TsigAlgorithm::HmacSha224, "hmac-sha224", "hmac-sha224.", "SHA224", 28},
    {TsigAlgorithm::HmacSha256, "hmac-sha256", "hmac-sha256.", "SHA256", 32},
    {TsigAlgorithm::HmacSha384, "hmac-sha384", "hmac-sha384.", "SHA384", 48},
    {TsigAlgorithm::HmacSha512, "hmac-sha512", "hmac-sha512.", "SHA512", 64},
}};

const AlgorithmInfo& info(TsigAlgorithm algorithm) {
    return kAlgorithms[static_cast<std::size_t>(algorithm)];
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(lower_ascii(static_cast<std::uint8_t>(c)));
    return out;
}

EVP_MAC* hmac_method() {
    static EVP_MAC* const method = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (method == nullptr) throw std::runtime_error("OpenSSL has no HMAC");
    return method;
}

}  // namespace

const Name& tsig_algorithm_name(TsigAlgorithm algorithm) {
    static const std::array<Name, kAlgorithms.size()> names = [] {
        std::array<Name, kAlgorithms.size()> out;
        for (std::size_t i = 0; i < kAlgorithms.size(); ++i)
            out[i] = Name::from_text(kAlgorithms[i].wire_name);
        return out;
    }();
    return names[static_cast<std::size_t>(algorithm)];
}

std::string_view tsig_algorithm_config_name(TsigAlgorithm algorithm) {
    return info(algorithm).config_name;
}

std::size_t tsig_digest_length(TsigAlgorithm algorithm) {
    return info(algorithm).length;
}

std::size_t tsig_min_mac_length(TsigAlgorithm algorithm) {
    return std::max<std::size_t>(10, (tsig_digest_length(algorithm) + 1) / 2);
}

std::optional<TsigAlgorithm> tsig_algorithm_from_name(const Name& wire_name) {
    for (const auto& a : kAlgorithms) {
        if (tsig_algorithm_name(a.algorithm) == wire_name) return a.algorithm;
    }
    return std::nullopt;
}

TsigAlgorithmSpec parse_tsig_algorithm(std::string_view text) {
    std::string lower = lowercase(text);
    if (!lower.empty() && lower.back() == '.') lower.pop_back();
    if (lower == "hmac-md5.sig-alg.reg.int") return {TsigAlgorithm::HmacMd5, 16};
    for (const auto& a : kAlgorithms) {
        if (lower == a.config_name) return {a.algorithm, a.length};
        if (!lower.starts_with(a.config_name) || lower.size() <= a.config_name.size() + 1 ||
            lower[a.config_name.size()] != '-') {
            continue;
        }
        const std::string_view digits = std::string_view(lower).substr(a.config_name.size() + 1);
        unsigned bits = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (ec != std::errc() || end != digits.data() + digits.size()) break;
        const std::string where = "TSIG algorithm '" + std::string(text) + "': ";
        if (bits % 8 != 0) throw ParseError(where + "truncation must be a whole number of octets");
        if (bits / 8 > a.length) {
            throw ParseError(where + "truncation longer than the " + std::to_string(a.length * 8) +
                             "-bit digest");
        }
        if (bits / 8 < tsig_min_mac_length(a.algorithm)) {
            throw ParseError(where + "truncation below the RFC 8945 minimum of " +
                             std::to_string(tsig_min_mac_length(a.algorithm) * 8) + " bits");
        }
        return {a.algorithm, bits / 8};
    }
    throw ParseError(
        "unknown TSIG algorithm '" + std::string(text) +
        "' (expected hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512)");
}

TsigKey TsigKey::from_config(std::string_view name, std::string_view algorithm,
                             std::string_view base64_secret) {
    TsigKey key;
    const Name root;
    key.name = Name::from_text(name, root);  // key names in named.conf are absolute with or without the dot
    const TsigAlgorithmSpec spec = parse_tsig_algorithm(algorithm);
    key.algorithm = spec.algorithm;
    key.mac_length = spec.mac_length == tsig_digest_length(spec.algorithm) ? 0 : spec.mac_length;
    // BIND lets a secret be split by white space.
    std::string compact;
    for (const char c : base64_secret) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact.push_back(c);
    }
    if (!decode_base64(compact, key.secret)) {
        throw ParseError("TSIG key '" + std::string(name) + "': secret is not valid base64");
    }
    if (key.secret.empty()) throw ParseError("TSIG key '" + std::string(name) + "': empty secret");
    return key;
}

bool TsigKeyring::add(TsigKey key) {
    const Name name = key.name;
    return keys_.emplace(name, std::move(key)).second;
}

std::vector<Name> TsigKeyring::names() const {
    std::vector<Name> out;
    for (const auto& [name, key] : keys_)
        out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
}

const TsigKey* TsigKeyring::find(const Name& name) const {
    const auto it = keys_.find(name);
    return it == keys_.end() ? nullptr : &it->second;
}

const TsigKey* TsigKeyring::find(const Name& name, const Name& algorithm_name) const {
    const TsigKey* key = find(name);
    if (key == nullptr) return nullptr;
    const auto algorithm = tsig_algorithm_from_name(algorithm_name);
    return algorithm == key->algorithm ? key : nullptr;
}

TsigHmac::TsigHmac(const TsigKey& key)
    : ctx_(EVP_MAC_CTX_new(hmac_method()), EVP_MAC_CTX_free),
      secret_(key.secret),
      digest_(info(key.algorithm).digest),
      length_(tsig_digest_length(key.algorithm)) {
    if (!ctx_) throw std::runtime_error("EVP_MAC_CTX_new failed");
    start();
}

TsigHmac::TsigHmac(TsigHmac&&) noexcept = default;
TsigHmac& TsigHmac::operator=(TsigHmac&&) noexcept = default;
TsigHmac::~TsigHmac() = default;

void TsigHmac::start() {
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_), 0),
        OSSL_PARAM_construct_end(),
    };
    static const std::uint8_t no_secret = 0;
    if (EVP_MAC_init(ctx_.get(), secret_.empty() ? &no_secret : secret_.data(), secret_.size(), params) !=
        1) {
        throw std::runtime_error(std::string("HMAC initialisation failed for ") + digest_);
    }
}

void TsigHmac::update(std::span<const std::uint8_t> data) {
    if (data.empty()) return;
    if (EVP_MAC_update(ctx_.get(), data.data(), data.size()) != 1)
        throw std::runtime_error("HMAC update failed");
}

void TsigHmac::update_u16(std::uint16_t value) {
    const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
    update(bytes);
}

std::vector<std::uint8_t> TsigHmac::finish() {
    std::vector<std::uint8_t> out(length_);
    std::size_t written = 0;
    if (EVP_MAC_final(ctx_.get(), out.data(), &written, out.size()) != 1 || written != length_) {
        throw std::runtime_error("HMAC finalisation failed");
    }
    start();
    return out;
}

}  // namespace cairn::dns
