// The resolver's counters for /metrics and `cairn ctl status`, one set per view. Threads count into their
// own shard (relaxed increments on a cache line no other thread writes) so that a cache hit never writes a
// shared line; a snapshot sums the shards.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "resolver/read_section.hpp"

namespace cairn::resolver {

enum class Counter : std::uint8_t {
    cache_hits,               // answered from the cache by answer_from_cache (positive, negative or failure)
    cache_misses,             // answer_from_cache said miss
    cache_evictions,          // entries evicted to stay within max-cache-size
    upstream_queries,         // UpstreamQuery produced
    upstream_timeouts,        // consume_failure(timeout)
    upstream_errors,          // consume_failure(unreachable / connection_lost)
    upstream_tcp,             // of upstream_queries, over TCP
    upstream_edns_fallbacks,  // retries without EDNS
    stale_answers,            // stale answers served (EDE 3 or 19)
    prefetches,               // hits that asked for a refresh
    resolutions,              // Resolutions begun
    servfail,                 // SERVFAIL answers written (any EDE)
    nxdomain,                 // NXDOMAIN answers written by resolutions
    zone_quota,               // fetches spilled at fetches-per-zone (BIND's ZoneQuota)
    server_quota,             // fetches failed with every server at fetches-per-server (BIND's ServerQuota)
    quota_drops,              // client queries left unanswered by a quota's `drop` response
    // DNS Cookies towards upstream servers (RFC 7873; BIND's CookieNew, CookieOut, CookieIn, BadCookie).
    upstream_cookies_new,        // queries with our client cookie alone
    upstream_cookies_out,        // queries with the server's cookie too
    upstream_cookies_in,         // replies that gave a server cookie
    upstream_bad_cookies,        // BADCOOKIE replies
    upstream_cookie_mismatches,  // replies whose client cookie was not ours: dropped as spoofed
    // DNSSEC, while validating: answers (resolutions and cache hits) by the state of what they carry.
    answers_secure,
    answers_insecure,
    answers_bogus,          // SERVFAIL for a DNSSEC failure, or bogus data to a CD client
    answers_indeterminate,  // validation could not finish (EDE 5)
    synthesised_answers,    // NXDOMAIN / NODATA made from cached NSEC/NSEC3 (RFC 8198)
    dnssec_verifications,   // signature verifications done (KeyTrap bounds them per answer and query)
    dnssec_nsec3_hashes,    // NSEC3 hashes computed
    count_,
};

// Upper bounds (ms) of the RTT histogram's buckets; the last bucket counts everything above.
inline constexpr std::array<std::uint32_t, 11> kRttBucketBoundsMs = {1,   2,   5,   10,   20,  50,
                                                                     100, 200, 500, 1000, 2000};
inline constexpr std::size_t kRttBuckets = kRttBucketBoundsMs.size() + 1;
inline constexpr std::size_t kEdeCodes = 32;  // SERVFAILs by EDE code 0..31 (the registry's codes so far)

struct StatsSnapshot {
    std::array<std::uint64_t, static_cast<std::size_t>(Counter::count_)> counters{};
    std::array<std::uint64_t, kRttBuckets> rtt_histogram{};
    std::array<std::uint64_t, kEdeCodes> servfail_by_ede{};
    std::uint64_t servfail_without_ede = 0;               // should stay 0: every SERVFAIL carries a reason
    std::array<std::uint64_t, kEdeCodes> bogus_by_ede{};  // answers that failed validation, by EDE code
    std::uint64_t cache_entries = 0;                      // now
    std::uint64_t cache_bytes = 0;                        // now, allocations and tables
    std::uint64_t cache_max_bytes = 0;                    // max-cache-size (0: unlimited)
    std::uint64_t infra_servers = 0;                      // servers the infrastructure cache remembers
    std::uint64_t value(Counter c) const { return counters[static_cast<std::size_t>(c)]; }
};

class Stats {
  public:
    void add(Counter c, std::uint64_t n = 1) { bump(shard().counters[static_cast<std::size_t>(c)], n); }
    void rtt(std::uint32_t ms);
    void servfail(std::uint16_t ede_code);  // counts Counter::servfail too
    void servfail_without_ede();
    // An answer's DNSSEC state (Security): counts answers_*; a failure also by its EDE code.
    void validation(std::uint8_t security, std::uint16_t ede_code);
    StatsSnapshot snapshot() const;  // counters only; the context fills in the cache figures

  private:
    static constexpr unsigned kShards = 32;  // threads beyond this share shards (still exact)
    struct alignas(64) Shard {
        std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Counter::count_)> counters{};
        std::array<std::atomic<std::uint64_t>, kRttBuckets> rtt{};
        std::array<std::atomic<std::uint64_t>, kEdeCodes + 1> servfail{};  // the last: no EDE
        std::array<std::atomic<std::uint64_t>, kEdeCodes> bogus{};
    };
    static void bump(std::atomic<std::uint64_t>& v, std::uint64_t n) {
        v.fetch_add(n, std::memory_order_relaxed);
    }
    Shard& shard() { return shards_[thread_slot() % kShards]; }
    std::array<Shard, kShards> shards_{};
};

}  // namespace cairn::resolver
