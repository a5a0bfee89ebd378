// TSIG (RFC 8945): HMAC keys, signing and verifying whole messages as raw wire bytes, and the chained
// MACs of multi-message answers (zone transfers). Works on bytes, not on a parsed message, so that the
// digest covers exactly what went over the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dns/name.hpp"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX, kept out of this header

namespace cairn::dns {

enum class TsigAlgorithm : std::uint8_t { HmacMd5, HmacSha1, HmacSha224, HmacSha256, HmacSha384, HmacSha512 };

inline constexpr std::uint16_t kTsigDefaultFudge = 300;
inline constexpr std::size_t kTsigMaxMacLength = 64;  // SHA-512
// RFC 8945 §5.3.1: a client accepts at most 99 unsigned messages in a row inside a signed stream.
inline constexpr std::size_t kTsigMaxUnsignedRun = 99;

// Name as on the wire ("hmac-sha256.", "HMAC-MD5.SIG-ALG.REG.INT.").
const Name& tsig_algorithm_name(TsigAlgorithm algorithm);
// BIND's named.conf spelling ("hmac-sha256", "hmac-md5").
std::string_view tsig_algorithm_config_name(TsigAlgorithm algorithm);
std::size_t tsig_digest_length(TsigAlgorithm algorithm);  // octets of the full HMAC output
// RFC 8945 §5.2.2.1: a MAC shorter than this is malformed (except the empty MAC of an error answer).
std::size_t tsig_min_mac_length(TsigAlgorithm algorithm);
std::optional<TsigAlgorithm> tsig_algorithm_from_name(const Name& wire_name);  // case-insensitive

// An algorithm as configured: the full HMAC, or BIND's truncated form ("hmac-sha256-128": MACs of 128
// bits are sent, and shorter ones than that are refused with BADTRUNC).
struct TsigAlgorithmSpec {
    TsigAlgorithm algorithm = TsigAlgorithm::HmacSha256;
    std::size_t mac_length = 0;  // octets sent; tsig_digest_length() when not truncated
};

// Accepts BIND's spellings (hmac-md5, hmac-sha1 ... hmac-sha512, with an optional "-BITS" truncation)
// and the RFC 8945 names, with or without the trailing dot, in any case. Throws ParseError with the
// reason (unknown algorithm, truncation not a multiple of 8, below the RFC 8945 minimum, above the hash).
TsigAlgorithmSpec parse_tsig_algorithm(std::string_view text);

struct TsigKey {
    Name name;
    TsigAlgorithm algorithm = TsigAlgorithm::HmacSha256;
    std::vector<std::uint8_t> secret;
    std::size_t mac_length = 0;  // 0: the algorithm's full digest length

    // What a named.conf `key` statement gives: key name, algorithm and base64 secret. Throws ParseError.
    static TsigKey from_config(std::string_view name, std::string_view algorithm,
                               std::string_view base64_secret);

    std::size_t sent_mac_length() const {
        return mac_length != 0 ? mac_length : tsig_digest_length(algorithm);
    }
    bool truncated() const { return sent_mac_length() < tsig_digest_length(algorithm); }
};

// Keys by name; a name has at most one key, and a lookup with another algorithm finds nothing (BADKEY).
class TsigKeyring {
  public:
    bool add(TsigKey key);  // false when a key of that name is already there
    const TsigKey* find(const Name& name, const Name& algorithm_name) const;
    const TsigKey* find(const Name& name) const;
    std::size_t size() const { return keys_.size(); }
    std::vector<Name> names() const;  // every key's name, in canonical order

  private:
    std::unordered_map<Name, TsigKey, NameHash> keys_;
};

// The fields of a TSIG record (RFC 8945 §4.2).
struct TsigRecord {
    Name key_name;
    Name algorithm_name;
    std::uint64_t time_signed = 0;  // 48 bits, seconds since the epoch
    std::uint16_t fudge = kTsigDefaultFudge;
    std::vector<std::uint8_t> mac;
    std::uint16_t original_id = 0;
    std::uint16_t error = 0;  // a TsigStatus value or another rcode
    std::vector<std::uint8_t> other_data;
};

// Outcomes of verification. The TSIG error codes keep their RFC 8945 values.
enum class TsigStatus : std::uint16_t {
    Ok = 0,
    FormErr = 1,  // malformed or misplaced TSIG: answer FORMERR without a TSIG
    BadSig = 16,
    BadKey = 17,
    BadTime = 18,
    BadTrunc = 22,
    NotSigned = 0xFFFF,  // no TSIG record at all
};
std::string_view tsig_status_to_text(TsigStatus status);  // "NOERROR", "BADSIG", ...

// Where the TSIG record of a message sits. RFC 8945 §5.2: it must be the one last record of the
// additional section; anywhere else, or twice, is FORMERR.
struct TsigLocation {
    TsigStatus status = TsigStatus::NotSigned;  // Ok (found), NotSigned or FormErr
    std::size_t offset = 0;  // first octet of the TSIG RR; the message without it ends here
    TsigRecord record;
};
TsigLocation find_tsig(std::span<const std::uint8_t> message);

// The query path's cheap test: true when the last record of `message` has type TSIG. An empty additional
// section answers at once; otherwise the records are stepped over without building anything. A malformed
// message gives false (the query parser answers it FORMERR).
bool tsig_present(std::span<const std::uint8_t> message) noexcept;

struct TsigVerification {
    TsigStatus status = TsigStatus::NotSigned;
    const TsigKey* key = nullptr;  // the matching key, when there is one; points into the keyring
    std::size_t tsig_offset = 0;
    TsigRecord record;      // the received TSIG, when status is not NotSigned/FormErr
    std::uint64_t now = 0;  // our clock at verification: the Other Data of a BADTIME answer
};

// Server side (RFC 8945 §5.2): checks in the RFC's order key, MAC (with the §5.2.2.1 length rules),
// time, truncation policy.
TsigVerification tsig_verify_request(std::span<const std::uint8_t> message, const TsigKeyring& keyring,
                                     std::uint64_t now);

// Octets that tsig_sign_response() may add to the answer to `request` (a bound, not the exact size), so
// that the answer can be sized to leave room for the signature.
std::size_t tsig_response_reserve(const TsigVerification& request);

// Client side (RFC 8945 §5.4) for a single answer to a request signed with `key` whose MAC was
// `request_mac`. NotSigned (no TSIG at all) must be treated as FORMERR by a client that signed. An unsigned
// error answer (the server's BADSIG/BADKEY) authenticates nothing: BadSig, with the server's report in
// record.error. A signed answer with a nonzero record.error (the server's BADTIME/BADTRUNC) verifies Ok: the
// caller must still look at record.error.
TsigVerification tsig_verify_response(std::span<const std::uint8_t> message, const TsigKey& key,
                                      std::span<const std::uint8_t> request_mac, std::uint64_t now);

struct TsigSignOptions {
    std::uint64_t time_signed = 0;
    std::uint16_t fudge = kTsigDefaultFudge;
    std::optional<std::uint16_t> original_id;  // default: the message's ID
    std::uint16_t error = 0;
    std::span<const std::uint8_t> other_data;
    std::span<const std::uint8_t> request_mac;  // answers: the request's MAC as received; empty for requests
};

// Appends a TSIG record to `message` (a complete message without one; ARCOUNT not counting it),
// increments ARCOUNT and returns the MAC as sent (the request MAC for verifying the answer, or the prior
// MAC of a stream). A truncating key sends its configured length, but never less than the request MAC's.
// Throws ParseError when `message` is shorter than a header.
std::vector<std::uint8_t> tsig_sign(std::vector<std::uint8_t>& message, const TsigKey& key,
                                    const TsigSignOptions& options);

// A server's TSIG on its answer to a request verified as `request` (RFC 8945 §5.3): Ok is signed with the
// request MAC; BADTIME and BADTRUNC answers are signed too (BADTIME echoes the request's time and puts
// ours in Other Data, §5.2.3); BADSIG and BADKEY answers carry an empty MAC. For the errors the header
// rcode becomes NOTAUTH. Returns the MAC sent (empty when unsigned). Not for FormErr or NotSigned.
std::vector<std::uint8_t> tsig_sign_response(std::vector<std::uint8_t>& response,
                                             const TsigVerification& request, std::uint64_t now);

// Holds a running HMAC across the messages of a stream.
class TsigHmac {
  public:
    explicit TsigHmac(const TsigKey& key);
    TsigHmac(TsigHmac&&) noexcept;
    TsigHmac& operator=(TsigHmac&&) noexcept;
    ~TsigHmac();

    void update(std::span<const std::uint8_t> data);
    void update_u16(std::uint16_t value);
    // The full digest; the context then starts over with the same key.
    std::vector<std::uint8_t> finish();

  private:
    void start();
    std::unique_ptr<evp_mac_ctx_st, void (*)(evp_mac_ctx_st*)> ctx_;
    std::vector<std::uint8_t> secret_;
    const char* digest_;
    std::size_t length_;
};

// Server side of a multi-message answer (AXFR/IXFR, RFC 8945 §5.3.1): the first signed message carries
// the full TSIG variables and the request MAC; each later signed one covers the prior MAC, the unsigned
// messages since, itself and the timers. RFC 8945 wants every message signed; skip() exists for tests and
// for interoperating with peers that sign sparsely.
class TsigStreamSigner {
  public:
    TsigStreamSigner(const TsigKey& key, std::span<const std::uint8_t> request_mac,
                     std::uint16_t fudge = kTsigDefaultFudge);
    std::vector<std::uint8_t> sign(std::vector<std::uint8_t>& message, std::uint64_t now);
    void skip(std::span<const std::uint8_t> message);

  private:
    const TsigKey& key_;
    std::vector<std::uint8_t> request_mac_;
    std::uint16_t fudge_;
    TsigHmac hmac_;
    std::size_t mac_length_ = 0;
    bool first_ = true;
};

// Client side of a multi-message answer: verify() each message in order. The first and the last must be
// signed (complete()), and at most 99 unsigned ones may follow each other; an unsigned message within
// that limit returns NotSigned (accepted, not yet authenticated). After any failure every later message
// fails too.
class TsigStreamVerifier {
  public:
    TsigStreamVerifier(const TsigKey& key, std::span<const std::uint8_t> request_mac);
    TsigVerification verify(std::span<const std::uint8_t> message, std::uint64_t now);
    bool complete() const { return !failed_ && !first_ && unsigned_run_ == 0; }

  private:
    const TsigKey& key_;
    std::vector<std::uint8_t> request_mac_;
    TsigHmac hmac_;
    bool first_ = true;
    bool failed_ = false;
    std::size_t unsigned_run_ = 0;
};

}  // namespace cairn::dns
