// The settings of one view's response rate limiter: BIND 9's `rate-limit { ... }` block, its defaults and
// the ranges BIND accepts (bin/named/server.c, configure_rrl). A rate of 0 means "not limited".
#pragma once

#include <cstdint>

namespace cairn::rrl {

inline constexpr std::uint32_t kMaxRate = 1000;    // BIND's DNS_RRL_MAX_RATE, per second
inline constexpr std::uint32_t kMaxWindow = 3600;  // seconds
inline constexpr std::uint32_t kMaxSlip = 10;
inline constexpr std::uint32_t kMaxTableSize = 1u
                                               << 24;  // entries; BIND has no ceiling, we allocate up front

struct Limits {
    std::uint32_t responses_per_second = 0;  // non-empty answers, per (client block, qname, qtype)
    std::uint32_t referrals_per_second = 0;  // per (client block, delegation point)
    std::uint32_t nodata_per_second = 0;     // per (client block, qname)
    std::uint32_t nxdomains_per_second = 0;  // per (client block, zone)
    std::uint32_t errors_per_second = 0;     // per client block: every error but NXDOMAIN is one response
    std::uint32_t all_per_second = 0;        // per client block, every UDP response; limited ones are dropped
    std::uint32_t window = 15;               // seconds: the account floors at -window x rate
    std::uint32_t slip = 2;                  // every slip-th limited response goes out truncated (0: none)
    std::uint8_t ipv4_prefix_length = 24;    // 8..32
    std::uint8_t ipv6_prefix_length = 56;    // 16..64
    bool log_only = false;                   // decide and count, but send every response
    std::uint32_t max_table_size = 20000;    // accounts tracked at once, at most
    std::uint32_t min_table_size = 500;      // accounts the table starts with; it grows under pressure
    std::uint32_t qps_scale = 0;  // above this many queries per second overall, rates shrink in proportion

    bool operator==(const Limits&) const = default;
};

}  // namespace cairn::rrl
