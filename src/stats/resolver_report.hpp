// The recursive resolver's part of the statistics channel: per view, the cache (hits, misses, entries,
// bytes, evictions), upstream queries, timeouts and their RTT histogram, SERVFAILs by EDE code, stale
// answers served; and the resolution threads' figures (clients waiting and dropped, work shared). Plain
// numbers filled by the server, rendered into /metrics and /json beside the rest.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cairn::stats {

struct ResolverGauge {
    std::string view;
    std::uint64_t cache_hits = 0, cache_misses = 0, cache_entries = 0, cache_bytes = 0, cache_max_bytes = 0,
                  cache_evictions = 0;
    std::uint64_t upstream_queries = 0, upstream_timeouts = 0, upstream_errors = 0, upstream_tcp = 0,
                  edns_fallbacks = 0;
    std::uint64_t stale_answers = 0, prefetches = 0, resolutions = 0, servfail = 0, nxdomain = 0;
    // fetches-per-zone / fetches-per-server: fetches spilled (BIND's ZoneQuota, ServerQuota), clients
    // dropped.
    std::uint64_t zone_quota = 0, server_quota = 0, quota_drops = 0;
    // Upstream DNS Cookies (RFC 7873).
    std::uint64_t cookies_new = 0, cookies_out = 0, cookies_in = 0, bad_cookies = 0, cookie_mismatches = 0;
    std::vector<std::uint32_t> rtt_bounds_ms;  // upper bounds of the RTT buckets; one more bucket above
    std::vector<std::uint64_t> rtt_buckets;    // not cumulative
    std::vector<std::pair<std::uint16_t, std::uint64_t>> servfail_by_ede;  // code, count (non-zero only)
    std::uint64_t servfail_without_ede = 0;
    // DNSSEC validation: answers by state, bogus ones by EDE, and the work done.
    std::uint64_t secure = 0, insecure = 0, bogus = 0, indeterminate = 0;
    std::vector<std::pair<std::uint16_t, std::uint64_t>> bogus_by_ede;  // code, count (non-zero only)
    std::uint64_t dnssec_verifications = 0, nsec3_hashes = 0;
};

struct RecursionGauge {
    std::vector<ResolverGauge> views;
    std::uint64_t clients_waiting = 0, clients_dropped = 0;
    std::uint64_t clients_limit = 1000;  // recursive-clients (BIND's default)
    std::uint64_t coalesced_clients = 0, coalesced_upstream = 0;
    std::uint64_t upstream_ignored = 0;    // responses dropped: wrong ID, question or source
    std::uint64_t upstream_truncated = 0;  // UDP answers with TC, asked again over TCP
};

// Appends the resolver's families in the Prometheus text format (nothing without recursive views).
void render_resolver_prometheus(const RecursionGauge& gauge, std::string& out);
// The "resolver" member of /json (null without recursive views).
nlohmann::json resolver_json(const RecursionGauge& gauge);

}  // namespace cairn::stats
