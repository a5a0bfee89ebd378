// What a recursive resolver (one per view) takes from named.conf, as plain values with BIND 9.18's
// defaults (`named -C` prints them): root hints, forwarding and static-stub zones, the cache limits and TTL
// clamps, serve-stale (RFC 8767), QNAME minimisation (RFC 9156), the bounds on work per client query and
// DNSSEC validation (validation_settings.hpp).
// The configuration layer fills these in; nothing here parses named.conf.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/name.hpp"
#include "resolver/validation_settings.hpp"

namespace cairn::resolver {

// An upstream server: an address and a port (forwarders and static-stub server-addresses may carry one;
// name servers found by iteration are always on 53).
struct ServerAddress {
    dns::IpAddress address;
    std::uint16_t port = 53;
    bool operator==(const ServerAddress&) const = default;
};

// One root server of the hints (`zone "." { type hint; file ...; }` or the built-in list).
struct RootHint {
    dns::Name name;                         // a.root-servers.net.
    std::vector<dns::IpAddress> addresses;  // its A and AAAA
};

enum class ForwardPolicy : std::uint8_t {
    first,  // ask the forwarders, then iterate from the hints when none of them answers (BIND's default)
    only,   // ask the forwarders only; when none answers the query fails (SERVFAIL, EDE 22)
};

// `forwarders { ... }; forward first|only;` in options or a view (zone "."), or a `type forward` zone. An
// empty forwarder list turns forwarding off below `zone` (BIND: `forwarders { };` in a zone).
struct ForwardZone {
    dns::Name zone;
    ForwardPolicy policy = ForwardPolicy::first;
    std::vector<ServerAddress> forwarders;
};

// `zone "..." { type static-stub; server-addresses { ... }; };`: the zone's authoritative servers are
// these, whatever the parent delegates to.
struct StaticStubZone {
    dns::Name zone;
    std::vector<ServerAddress> servers;
};

enum class QnameMinimization : std::uint8_t {
    strict,    // minimise always; an NXDOMAIN for an ancestor ends the resolution (RFC 8020)
    relaxed,   // minimise, and send the full name after an error or NXDOMAIN (BIND's default)
    disabled,  // send the full name
    off,       // as disabled (BIND keeps both words)
};

struct CacheSettings {
    std::uint64_t max_cache_size = 0;      // bytes; 0: unlimited. BIND's default is 90% of memory: the
                                           // configuration layer turns percentages into bytes
    std::uint32_t max_cache_ttl = 604800;  // seconds (1 week)
    std::uint32_t min_cache_ttl = 0;       // BIND allows at most 90
    std::uint32_t max_ncache_ttl = 10800;  // 3 hours
    std::uint32_t min_ncache_ttl = 0;      // BIND allows at most 90
    std::uint32_t servfail_ttl = 1;        // RFC 9520 failure caching; at most 30; 0 turns it off
};

// RFC 8767. stale-answer-client-timeout: nullopt is "off" (BIND 9.18's default): stale data is only
// answered once the resolution failed; 0 answers it at once and refreshes behind the answer.
struct StaleSettings {
    bool answer_enable = false;  // stale-answer-enable
    bool cache_enable = false;   // stale-cache-enable: keep expired data for max_stale_ttl
    std::uint32_t answer_ttl = 30;
    std::uint32_t max_stale_ttl = 86400;
    std::optional<std::uint32_t> client_timeout_ms;  // stale-answer-client-timeout
    std::uint32_t refresh_time = 30;                 // stale-refresh-time: after a failed refresh,
                                                     // answer stale data at once for this long
};

// `prefetch TRIGGER [ELIGIBLE]` (BIND: 2 9): a hit whose remaining TTL is at most `trigger` seconds, on
// an RRset whose original TTL was at least `eligible`, asks the driver to refresh it. trigger 0: off.
struct PrefetchSettings {
    std::uint32_t trigger = 2;
    std::uint32_t eligible = 9;
};

// What a client whose fetch went over fetches-per-zone / fetches-per-server gets (BIND's `drop | fail`).
enum class QuotaResponse : std::uint8_t {
    drop,  // no answer at all (the client retries, by then the burst may be over)
    fail,  // SERVFAIL at once
};

// Bounds on the work one client query may cause. BIND 9.18's defaults where BIND has the knob.
struct WorkLimits {
    std::uint32_t max_recursion_depth = 7;          // nested lookups of name server addresses
    std::uint32_t max_recursion_queries = 50;       // upstream queries while looking up one name
    std::uint32_t max_query_count = 200;            // upstream queries for one client query, all lookups
    std::uint32_t max_query_restarts = 11;          // CNAME/DNAME links followed
    std::uint32_t max_referrals = 30;               // referrals followed for one name (no BIND knob)
    std::uint32_t max_glueless_per_delegation = 5;  // NS names whose address one delegation may ask for
                                                    // (the NXNS bound, RFC 9156 §2.3's "limit")
    std::uint32_t max_parallel_glueless = 3;        // at a time (Unbound's TARGET_FETCH_STOP)
    std::uint32_t max_ns_per_delegation = 13;       // NS names of one delegation considered at all
    // fetches-per-zone: fetches (a task chasing one name, BIND's fetch context) at once under one zone cut,
    // all clients; fetches-per-server: upstream queries in flight to one server. 0: no limit.
    std::uint32_t fetches_per_zone = 0;
    std::uint32_t fetches_per_server = 0;
    QuotaResponse zone_quota_response = QuotaResponse::drop;    // BIND's defaults: drop for the zone,
    QuotaResponse server_quota_response = QuotaResponse::fail;  // SERVFAIL for the server
};

struct ResolverSettings {
    std::vector<RootHint> root_hints;  // empty: the built-in hints (root_hints.hpp)
    std::vector<ForwardZone> forward_zones;
    std::vector<StaticStubZone> static_stubs;
    CacheSettings cache;
    StaleSettings stale;
    PrefetchSettings prefetch;
    WorkLimits limits;
    QnameMinimization qname_minimization = QnameMinimization::relaxed;
    ValidationSettings validation;  // DNSSEC (validation_settings.hpp); off unless the configuration says

    std::uint32_t resolver_query_timeout_ms = 10000;  // resolver-query-timeout (BIND: 10 s; 301 ms..30 s)
    std::uint32_t retry_interval_ms = 800;            // resolver-retry-interval: first timeout of a
                                                      // server we know nothing about
    std::uint32_t nonbackoff_tries = 3;               // resolver-nonbackoff-tries: tries of one server
                                                      // before its timeout doubles
    std::uint16_t edns_udp_size = 1232;               // advertised upstream
    std::uint16_t max_udp_size = 1232;                // most we send a client over UDP
    bool send_cookie = true;         // RFC 7873 client cookies to every server (BIND's send-cookie yes)
    bool dnssec_ok_upstream = true;  // set DO upstream and keep RRSIGs (as BIND with validation on)
    bool use_ipv4 = true;            // ask name servers over IPv4
    bool use_ipv6 = true;            // and IPv6 (the driver turns this off without IPv6 sockets)
    std::uint32_t infra_ttl = 900;   // seconds the infrastructure cache remembers a server (Unbound's
                                     // infra-host-ttl; BIND's lame-ttl 0 only disables the lame list)
    std::uint64_t random_seed = 0;   // 0: seeded from the system; tests fix it
};

}  // namespace cairn::resolver
