// The recursive resolver's part of the statistics channel: per view, the cache (hits, misses, entries,
// bytes, evictions), upstream queries, timeouts and their RTT histogram, SERVFAILs by EDE code, stale
// answers served; the busiest upstream servers (RTT estimate, queries, failures); and the resolution
// threads' figures (clients waiting and dropped, work shared). Plain numbers filled by the server, rendered
// into /metrics and /json beside the rest, and the upstream servers on the status page, worst first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cairn::stats {

// The per-server families are bounded: at most this many servers per view, those sent the most queries
// (a resolver iterating the Internet meets thousands; the busy ones are those that matter).
inline constexpr std::size_t kUpstreamServersShown = 20;

// One upstream server as the view's infrastructure cache knows it (resolver/infra_cache.hpp).
struct UpstreamServerGauge {
    std::string server;  // "192.0.2.1#53"
    bool rtt_known = false;
    std::uint32_t srtt_ms = 0, rttvar_ms = 0;  // RFC 6298's smoothed RTT and its variance
    std::uint64_t queries = 0, failures = 0;   // failures: timed out, or failed on the network
    std::uint32_t consecutive_failures = 0;    // since its last answer
    bool held_down = false;                    // tried only when nothing else is left
};

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
    std::vector<UpstreamServerGauge> servers;  // the busiest, at most kUpstreamServersShown
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
// Worst first: held down, then the larger share of failed queries, then the slower smoothed RTT.
bool worse_server(const UpstreamServerGauge& a, const UpstreamServerGauge& b);
// The status page's upstream servers table (empty without recursive views).
std::string upstream_servers_html(const RecursionGauge& gauge);

}  // namespace cairn::stats
