// What the control channel asks of a view's cache: how much a flush removed (`rndc flush`, `flushname`,
// `flushtree`), and what the cache holds for one name and why (`cairn ctl cache NAME [TYPE]`, beyond
// BIND). The texts are for operators; the structures are for tests and the statistics channel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::resolver {

struct FlushCounts {
    std::uint64_t positive = 0;  // RRsets
    std::uint64_t negative = 0;  // NXDOMAIN and NODATA entries
    std::uint64_t failures = 0;  // cached resolution failures (servfail-ttl)
    std::uint64_t servers = 0;   // infrastructure-cache entries (flush of the whole view only)
    std::uint64_t total() const { return positive + negative + failures; }
    FlushCounts& operator+=(const FlushCounts& o) {
        positive += o.positive;
        negative += o.negative;
        failures += o.failures;
        servers += o.servers;
        return *this;
    }
};
// "removed 3 RRsets, 1 negative entry, 0 failures"
std::string to_text(const FlushCounts& counts);

// One cache entry as `cache NAME [TYPE]` shows it.
struct CacheReportEntry {
    enum class Kind : std::uint8_t { rrset, nxdomain, nodata, failure, stale_hold };
    Kind kind = Kind::rrset;
    dns::Name owner;
    dns::RRType type = dns::RRType::A;     // for nxdomain: the type that was asked when it was learnt
    std::int64_t ttl_left = 0;             // seconds; negative once expired (stale or waiting for eviction)
    bool stale = false;                    // expired, but kept for serve-stale (answerable as stale)
    std::uint32_t original_ttl = 0;        // as cached, after the TTL clamps
    std::string rank;                      // "authoritative answer", "glue", ...
    std::string security;                  // DNSSEC: "secure", "insecure", "bogus", "not validated"...
    std::optional<dns::IpAddress> source;  // the server it came from
    std::int64_t cached_at = 0;            // Unix time
    std::vector<std::string> records;      // presentation form, each "owner ttl IN TYPE rdata"
    std::string soa;                       // negative entries: the SOA record as it is answered
    std::string cause;                     // failures: the reason (the EDE text when cached)
    std::uint16_t ede_code = 0;            // failures: the EDE code of the original failure; others: the
                                           // EDE of an insecure answer (1, 2, 27), 0 for none
    std::vector<std::string> proof;        // DNSSEC: the SOA's RRSIGs, NSEC/NSEC3 records (DO answers)
    std::string to_text() const;
};

struct CacheReport {
    dns::Name name;
    std::vector<CacheReportEntry> entries;
    std::string to_text() const;  // one block per entry, empty report: "NAME: nothing cached"
};

}  // namespace cairn::resolver
