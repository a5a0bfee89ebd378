// EDNS(0) (RFC 6891): the OPT pseudo-record's fields, option codes, and the payloads of the options cairn
// reads or writes (COOKIE RFC 7873, EDE RFC 8914, EXPIRE RFC 7314, NSID RFC 5001).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::dns {

enum class EdnsOptionCode : std::uint16_t {
    NSID = 3,
    EXPIRE = 9,
    COOKIE = 10,
    TCP_KEEPALIVE = 11,
    PADDING = 12,
    EDE = 15,
};

// RFC 8914 §4 and the IANA "Extended DNS Error Codes" registry.
enum class EdeCode : std::uint16_t {
    OtherError = 0,
    UnsupportedDnskeyAlgorithm = 1,
    UnsupportedDsDigestType = 2,
    StaleAnswer = 3,
    ForgedAnswer = 4,
    DnssecIndeterminate = 5,
    DnssecBogus = 6,
    SignatureExpired = 7,
    SignatureNotYetValid = 8,
    DnskeyMissing = 9,
    RrsigsMissing = 10,
    NoZoneKeyBitSet = 11,
    NsecMissing = 12,
    CachedError = 13,
    NotReady = 14,
    Blocked = 15,
    Censored = 16,
    Filtered = 17,
    Prohibited = 18,
    StaleNxdomainAnswer = 19,
    NotAuthoritative = 20,
    NotSupported = 21,
    NoReachableAuthority = 22,
    NetworkError = 23,
    InvalidData = 24,
    SignatureExpiredBeforeValid = 25,
    TooEarly = 26,
    UnsupportedNsec3Iterations = 27,
    UnableToConformToPolicy = 28,
    Synthesized = 29,
};

inline constexpr std::size_t kOptFixedSize = 11;         // root owner, type, class, ttl, rdlength
inline constexpr std::size_t kEdnsOptionHeaderSize = 4;  // code, length
inline constexpr std::uint16_t kMinUdpPayload = 512;     // RFC 6891 §6.2.5: smaller values mean 512
inline constexpr std::size_t kCookieClientSize = 8;
inline constexpr std::size_t kCookieServerMinSize = 8;
inline constexpr std::size_t kCookieServerMaxSize = 32;
inline constexpr std::size_t kCookieMaxSize = kCookieClientSize + kCookieServerMaxSize;

// The OPT TTL field: extended rcode (high 8 bits of 12), version, DO bit and the other 15 flag bits.
inline constexpr std::uint16_t kEdnsFlagDo = 0x8000;

// RFC 7873 §4: 8 octets of client cookie alone, or followed by 8 to 32 octets of server cookie.
constexpr bool cookie_size_valid(std::size_t size) {
    return size == kCookieClientSize ||
           (size >= kCookieClientSize + kCookieServerMinSize && size <= kCookieMaxSize);
}

struct EdnsOption {
    std::uint16_t code = 0;
    std::vector<std::uint8_t> data;
    bool operator==(const EdnsOption&) const = default;
};

// A decoded OPT record, as the full message parser returns it.
struct Edns {
    std::uint16_t udp_payload = kMinUdpPayload;  // as sent; see effective_udp_payload()
    std::uint8_t extended_rcode = 0;             // the high 8 bits of the 12-bit rcode
    std::uint8_t version = 0;
    bool dnssec_ok = false;
    std::uint16_t other_flags = 0;  // the Z bits after DO, kept for round trips
    std::vector<EdnsOption> options;

    std::uint16_t effective_udp_payload() const {
        return udp_payload < kMinUdpPayload ? kMinUdpPayload : udp_payload;
    }
    const EdnsOption* find(EdnsOptionCode code) const;
    bool operator==(const Edns&) const = default;
};

struct ExtendedError {
    std::uint16_t info_code = 0;
    std::string extra_text;  // UTF-8, not NUL-terminated on the wire
    bool operator==(const ExtendedError&) const = default;
};

// Option payload decoders; nullopt when the payload has the wrong shape.
std::optional<ExtendedError> parse_ede(std::span<const std::uint8_t> data);
std::optional<std::uint32_t> parse_expire(
    std::span<const std::uint8_t> data);  // nullopt also for the empty query form

// "Stale Answer" for 3; empty for codes the registry does not name.
std::string_view ede_code_name(std::uint16_t code);
// "COOKIE", "EDE", ... or "OPTnnn".
std::string edns_option_name(std::uint16_t code);

// Walks the options of OPT rdata, calling `visit(code, data)` for each. Returns false when an option runs
// past the end of the rdata (the whole OPT record is then malformed).
template <typename Visit>
bool for_each_edns_option(std::span<const std::uint8_t> rdata, Visit&& visit) {
    std::size_t pos = 0;
    while (pos < rdata.size()) {
        if (rdata.size() - pos < kEdnsOptionHeaderSize) return false;
        const auto code = static_cast<std::uint16_t>((rdata[pos] << 8) | rdata[pos + 1]);
        const std::size_t length = static_cast<std::size_t>((rdata[pos + 2] << 8) | rdata[pos + 3]);
        pos += kEdnsOptionHeaderSize;
        if (rdata.size() - pos < length) return false;
        visit(code, rdata.subspan(pos, length));
        pos += length;
    }
    return true;
}

}  // namespace cairn::dns
