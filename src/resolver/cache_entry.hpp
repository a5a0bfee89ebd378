// One cache entry: an RRset, a negative answer (RFC 2308) or a cached failure (RFC 9520), in a single
// allocation that never changes once published (a replacement is a new entry), so readers need no lock.
//
// The records are kept pre-rendered in the form they take in a response: for each record the owner as a
// 2-octet compression pointer (C0 0C, the question name, patched when the owner is elsewhere), type,
// class, a TTL patched with the time left, rdlength and uncompressed rdata. Answering is a memcpy and a
// few patches. RRSIGs covering the RRset are kept the same way beside it, for DO clients, and `security`
// holds the DNSSEC validator's verdict (validator.hpp) so that a validated hit costs what an unvalidated
// one does. Records with owners of their own (the SOA's RRSIGs and the NSEC/NSEC3 records of a negative
// answer, the NSEC/NSEC3 records that prove a wildcard answer) follow in a proof block, each as its
// lowercased wire owner then the rendered record: DO clients get them in the authority section, and the
// validator reads denials back from them.
//
// Ranks follow RFC 2181 §5.4.1 as BIND orders its trust levels: data from a lower rank never replaces
// fresh data of a higher one, and only `answer` and above are ever given to clients (glue and referral NS
// records only lead the resolver to servers).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "dns/ip_address.hpp"

namespace cairn::resolver {

enum class Rank : std::uint8_t {
    none = 0,
    glue = 1,            // additional section: addresses of name servers
    referral = 2,        // NS records in a referral's authority section (the parent's view)
    authority = 3,       // authority section of a non-authoritative answer
    answer = 4,          // answer section without AA (a forwarder's answer)
    auth_authority = 5,  // authority section of an authoritative answer (its NS, a negative answer's SOA)
    auth_answer = 6,     // answer section of an authoritative answer
};
constexpr bool answerable(Rank r) {
    return r >= Rank::answer;
}
std::string_view to_string(Rank r);

// DNSSEC status (RFC 4035 §4.3). `unchecked`: not validated (validation off, or data only used to find
// servers). `indeterminate`: validation could not finish (a key lookup failed, the work budget ran out);
// answered like bogus data.
enum class Security : std::uint8_t { unchecked = 0, insecure, secure, bogus, indeterminate };
constexpr bool failed_validation(Security s) {
    return s == Security::bogus || s == Security::indeterminate;
}
// The EDE codes of DNSSEC outcomes (RFC 8914: 1, 2, 5-12, 25, 27): a cached validation failure is
// answered with its own code again, not "Cached Error".
constexpr bool dnssec_ede(std::uint16_t code) {
    return (code >= 1 && code <= 12 && code != 3 && code != 4) || code == 25 || code == 27;
}
std::string_view to_string(Security s);

// stale_hold: RFC 8767's failure recheck timer (stale-refresh-time): after a refresh failed and stale data
// was answered, stale data is answered at once, without trying again, until it runs out.
enum class EntryKind : std::uint8_t { rrset, nxdomain, nodata, failure, stale_hold };

// Keys: (owner, key type). RRsets and NODATA use the RR type; an NXDOMAIN (which denies every type) uses
// kNxdomainKey; failures live in their own space so that a failure never displaces the stale data that
// serve-stale answers with.
inline constexpr std::uint32_t kNxdomainKey = 0x10000;
inline constexpr std::uint32_t kFailureKeyBit = 0x20000;
inline constexpr std::uint32_t kStaleHoldKeyBit = 0x40000;
constexpr std::uint32_t failure_key(std::uint16_t type) {
    return kFailureKeyBit | type;
}
constexpr std::uint32_t stale_hold_key(std::uint16_t type) {
    return kStaleHoldKeyBit | type;
}

inline constexpr std::size_t kRenderedRrHeader = 12;  // owner pointer, type, class, ttl, rdlength

struct CacheEntry {
    std::uint64_t hash = 0;
    std::uint32_t key_type = 0;
    std::uint32_t expire = 0;       // monotonic seconds: fresh while now < expire
    std::uint32_t stale_until = 0;  // kept (answerable stale) while now < stale_until; >= expire
    std::uint32_t stored_at = 0;    // monotonic seconds
    std::int64_t stored_wall = 0;   // Unix time, for operators
    std::uint32_t original_ttl = 0;
    std::uint32_t alloc_size = 0;  // octets accounted to the cache for this entry
    EntryKind kind = EntryKind::rrset;
    Rank rank = Rank::none;
    Security security = Security::unchecked;
    mutable std::atomic<std::uint8_t> referenced{0};      // CLOCK eviction's second-chance bit
    mutable std::atomic<std::uint8_t> prefetch_asked{0};  // a hit already asked for a refresh
    std::uint8_t owner_size = 0;                          // lowercased wire owner
    std::uint16_t type = 0;                               // the RR type (the asked type for negatives)
    std::uint16_t rr_count = 0;
    std::uint16_t sig_count = 0;
    std::uint16_t ede_code = 0;  // failures: the failure's EDE; RRsets and negatives: an EDE for an
                                 // insecure answer (1, 2, 27: why it is not secure), 0 for none
    std::uint32_t records_size = 0;
    std::uint32_t sigs_size = 0;
    std::uint32_t extra_size = 0;
    dns::IpAddress source;         // the server it came from (AF_UNSPEC: synthesised or unknown)
    std::uint16_t proof_size = 0;  // octets of the proof block (in what was padding)

    // The payload follows the structure in the same allocation: owner | records | sigs | extra | proof.
    // Extra: for negatives the SOA owner (wire) then its rendered record; for failures the cause text; for
    // a CNAME synthesised from a DNAME the DNAME's owner (wire). Proof: owned records (see above).
    const std::uint8_t* payload() const { return reinterpret_cast<const std::uint8_t*>(this + 1); }
    std::uint8_t* payload() { return reinterpret_cast<std::uint8_t*>(this + 1); }
    std::span<const std::uint8_t> owner() const { return {payload(), owner_size}; }
    std::span<const std::uint8_t> records() const { return {payload() + owner_size, records_size}; }
    std::span<const std::uint8_t> sigs() const { return {payload() + owner_size + records_size, sigs_size}; }
    std::span<const std::uint8_t> extra() const {
        return {payload() + owner_size + records_size + sigs_size, extra_size};
    }
    std::span<const std::uint8_t> proof() const {
        return {payload() + owner_size + records_size + sigs_size + extra_size, proof_size};
    }
    bool fresh(std::uint32_t now) const { return now < expire; }
    bool kept(std::uint32_t now) const { return now < stale_until; }
    std::uint32_t ttl_left(std::uint32_t now) const { return now < expire ? expire - now : 0; }
    void touch() const {
        if (referenced.load(std::memory_order_relaxed) == 0) referenced.store(1, std::memory_order_relaxed);
    }
    // True for the first caller only: one prefetch per entry.
    bool claim_prefetch() const {
        return prefetch_asked.load(std::memory_order_relaxed) == 0 &&
               prefetch_asked.exchange(1, std::memory_order_relaxed) == 0;
    }
};

}  // namespace cairn::resolver
