#include "stats/resolver_report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "dns/edns.hpp"
#include "stats/prom_writer.hpp"

namespace cairn::stats {

namespace {

std::string ede_name(std::uint16_t code) {
    const std::string_view name = dns::ede_code_name(code);
    return name.empty() ? "EDE " + std::to_string(code) : std::string(name);
}

// Each family's samples for every view's busiest servers; `value` nullopt leaves a server out.
template <typename Value>
void per_server(PromWriter& w, const RecursionGauge& gauge, std::string_view name, std::string_view type,
                std::string_view help, Value value) {
    w.family(name, type, help);
    for (const ResolverGauge& view : gauge.views) {
        for (const UpstreamServerGauge& server : view.servers) {
            if (const std::optional<double> v = value(server))
                w.sample(name, {{"view", view.view}, {"server", server.server}}, *v);
        }
    }
}

void render_servers_prometheus(const RecursionGauge& gauge, PromWriter& w) {
    per_server(w, gauge, "cairn_resolver_upstream_server_srtt_seconds", "gauge",
               "Smoothed round-trip time of an upstream server (RFC 6298), for the busiest servers.",
               [](const UpstreamServerGauge& s) {
                   return s.rtt_known ? std::optional(s.srtt_ms / 1000.0) : std::nullopt;
               });
    per_server(w, gauge, "cairn_resolver_upstream_server_rttvar_seconds", "gauge",
               "Variance of an upstream server's round-trip time (RFC 6298).",
               [](const UpstreamServerGauge& s) {
                   return s.rtt_known ? std::optional(s.rttvar_ms / 1000.0) : std::nullopt;
               });
    per_server(w, gauge, "cairn_resolver_upstream_server_queries_total", "counter",
               "Queries sent to an upstream server since the resolver last forgot it (infra TTL).",
               [](const UpstreamServerGauge& s) { return std::optional(static_cast<double>(s.queries)); });
    per_server(w, gauge, "cairn_resolver_upstream_server_timeouts_total", "counter",
               "Queries to an upstream server that got no answer in time or failed on the network.",
               [](const UpstreamServerGauge& s) { return std::optional(static_cast<double>(s.failures)); });
    per_server(w, gauge, "cairn_resolver_upstream_server_held_down", "gauge",
               "1 when an upstream server is held down after repeated timeouts (tried last).",
               [](const UpstreamServerGauge& s) { return std::optional(s.held_down ? 1.0 : 0.0); });
}

double failure_share(const UpstreamServerGauge& s) {
    return s.queries == 0 ? 0.0 : static_cast<double>(s.failures) / static_cast<double>(s.queries);
}

}  // namespace

bool worse_server(const UpstreamServerGauge& a, const UpstreamServerGauge& b) {
    if (a.held_down != b.held_down) return a.held_down;
    if (failure_share(a) != failure_share(b)) return failure_share(a) > failure_share(b);
    return a.srtt_ms > b.srtt_ms;
}

std::string upstream_servers_html(const RecursionGauge& gauge) {
    if (gauge.views.empty()) return {};
    std::vector<std::pair<const ResolverGauge*, const UpstreamServerGauge*>> ordered;
    for (const ResolverGauge& view : gauge.views) {
        for (const UpstreamServerGauge& server : view.servers)
            ordered.emplace_back(&view, &server);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return worse_server(*a.second, *b.second); });
    std::string rows;
    for (const auto& [view, server] : ordered) {
        const UpstreamServerGauge& s = *server;
        rows += fmt::format(
            "<tr class=\"server\" data-server=\"{}\" data-view=\"{}\"><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            html_escape(s.server), html_escape(view->view), html_escape(s.server), html_escape(view->view),
            s.rtt_known ? fmt::format("{} ms (&plusmn;{})", s.srtt_ms, s.rttvar_ms) : std::string("&ndash;"),
            s.queries, s.failures, s.consecutive_failures, s.held_down ? "held down" : "");
    }
    return fmt::format(
        "<h2>Upstream servers</h2>\n<p>The {} busiest per view, worst first.</p>\n"
        "<table id=\"servers\"><thead><tr><th>Server</th><th>View</th><th>Smoothed RTT</th><th>Queries</th>"
        "<th>Failed</th><th>Failing now</th><th>State</th></tr></thead>\n<tbody>\n{}</tbody></table>\n",
        kUpstreamServersShown, rows);
}

void render_resolver_prometheus(const RecursionGauge& gauge, std::string& out) {
    if (gauge.views.empty()) return;
    PromWriter w;
    const auto per_view = [&](std::string_view name, std::string_view type, std::string_view help,
                              auto value) {
        w.family(name, type, help);
        for (const ResolverGauge& view : gauge.views)
            w.sample(name, {{"view", view.view}}, static_cast<double>(value(view)));
    };
    per_view("cairn_resolver_cache_hits_total", "counter", "Queries answered from the resolver's cache.",
             [](const ResolverGauge& v) { return v.cache_hits; });
    per_view("cairn_resolver_cache_misses_total", "counter", "Queries the cache could not answer (resolved).",
             [](const ResolverGauge& v) { return v.cache_misses; });
    per_view("cairn_resolver_cache_entries", "gauge", "RRsets, negative and failure entries in the cache.",
             [](const ResolverGauge& v) { return v.cache_entries; });
    per_view("cairn_resolver_cache_bytes", "gauge", "Memory the cache holds, in octets.",
             [](const ResolverGauge& v) { return v.cache_bytes; });
    per_view("cairn_resolver_cache_max_bytes", "gauge", "max-cache-size in octets (0: unlimited).",
             [](const ResolverGauge& v) { return v.cache_max_bytes; });
    per_view("cairn_resolver_cache_evictions_total", "counter",
             "Entries evicted to stay within max-cache-size.",
             [](const ResolverGauge& v) { return v.cache_evictions; });
    per_view("cairn_resolver_upstream_queries_total", "counter",
             "Queries sent to authoritative servers and forwarders.",
             [](const ResolverGauge& v) { return v.upstream_queries; });
    per_view("cairn_resolver_upstream_tcp_total", "counter", "Of the upstream queries, those over TCP.",
             [](const ResolverGauge& v) { return v.upstream_tcp; });
    per_view("cairn_resolver_upstream_timeouts_total", "counter",
             "Upstream queries that got no answer in time.",
             [](const ResolverGauge& v) { return v.upstream_timeouts; });
    per_view("cairn_resolver_upstream_errors_total", "counter",
             "Upstream queries that failed on the network (unreachable, connection lost).",
             [](const ResolverGauge& v) { return v.upstream_errors; });
    per_view("cairn_resolver_edns_fallbacks_total", "counter", "Upstream queries retried without EDNS.",
             [](const ResolverGauge& v) { return v.edns_fallbacks; });
    per_view("cairn_resolver_stale_answers_total", "counter", "Stale answers served (RFC 8767, EDE 3 or 19).",
             [](const ResolverGauge& v) { return v.stale_answers; });
    per_view("cairn_resolver_prefetches_total", "counter", "Cache hits that started a refresh before expiry.",
             [](const ResolverGauge& v) { return v.prefetches; });
    per_view("cairn_resolver_resolutions_total", "counter", "Resolutions begun.",
             [](const ResolverGauge& v) { return v.resolutions; });
    per_view("cairn_resolver_nxdomain_total", "counter", "NXDOMAIN answers resolutions wrote.",
             [](const ResolverGauge& v) { return v.nxdomain; });
    per_view("cairn_resolver_zone_quota_total", "counter",
             "Fetches spilled at fetches-per-zone (BIND's ZoneQuota).",
             [](const ResolverGauge& v) { return v.zone_quota; });
    per_view("cairn_resolver_server_quota_total", "counter",
             "Fetches that found every server at fetches-per-server (BIND's ServerQuota).",
             [](const ResolverGauge& v) { return v.server_quota; });
    per_view("cairn_resolver_upstream_cookies_sent_total", "counter",
             "Upstream queries with a DNS Cookie (ours alone or the server's too).",
             [](const ResolverGauge& v) { return v.cookies_new + v.cookies_out; });
    per_view("cairn_resolver_upstream_server_cookies_sent_total", "counter",
             "Upstream queries that sent a server cookie back (BIND's CookieOut).",
             [](const ResolverGauge& v) { return v.cookies_out; });
    per_view("cairn_resolver_upstream_cookies_received_total", "counter",
             "Upstream replies that gave a server cookie (BIND's CookieIn).",
             [](const ResolverGauge& v) { return v.cookies_in; });
    per_view("cairn_resolver_upstream_badcookie_total", "counter", "Upstream BADCOOKIE replies.",
             [](const ResolverGauge& v) { return v.bad_cookies; });
    per_view("cairn_resolver_upstream_cookie_mismatch_total", "counter",
             "Upstream replies dropped because their client cookie was not ours.",
             [](const ResolverGauge& v) { return v.cookie_mismatches; });
    per_view("cairn_resolver_quota_drops_total", "counter",
             "Client queries left unanswered by a fetch quota's drop response.",
             [](const ResolverGauge& v) { return v.quota_drops; });

    w.family("cairn_resolver_servfail_total", "counter",
             "SERVFAIL answers, by the Extended DNS Error (RFC 8914) that says why.");
    for (const ResolverGauge& view : gauge.views) {
        for (const auto& [code, count] : view.servfail_by_ede)
            w.sample("cairn_resolver_servfail_total",
                     {{"view", view.view}, {"ede", std::to_string(code)}, {"reason", ede_name(code)}},
                     static_cast<double>(count));
        if (view.servfail_without_ede != 0)
            w.sample("cairn_resolver_servfail_total",
                     {{"view", view.view}, {"ede", "none"}, {"reason", "none"}},
                     static_cast<double>(view.servfail_without_ede));
    }

    w.family("cairn_resolver_validation_answers_total", "counter",
             "Answers by DNSSEC validation state (secure, insecure, bogus, indeterminate).");
    for (const ResolverGauge& view : gauge.views) {
        for (const auto& [state, count] :
             {std::pair{"secure", view.secure}, std::pair{"insecure", view.insecure},
              std::pair{"bogus", view.bogus}, std::pair{"indeterminate", view.indeterminate}})
            w.sample("cairn_resolver_validation_answers_total", {{"view", view.view}, {"state", state}},
                     static_cast<double>(count));
    }
    w.family("cairn_resolver_validation_bogus_total", "counter",
             "Bogus answers, by the Extended DNS Error that says why.");
    for (const ResolverGauge& view : gauge.views) {
        for (const auto& [code, count] : view.bogus_by_ede)
            w.sample("cairn_resolver_validation_bogus_total",
                     {{"view", view.view}, {"ede", std::to_string(code)}, {"reason", ede_name(code)}},
                     static_cast<double>(count));
    }
    per_view("cairn_resolver_dnssec_verifications_total", "counter", "DNSSEC signature verifications done.",
             [](const ResolverGauge& v) { return v.dnssec_verifications; });
    per_view("cairn_resolver_nsec3_hashes_total", "counter", "NSEC3 hashes computed.",
             [](const ResolverGauge& v) { return v.nsec3_hashes; });
    render_servers_prometheus(gauge, w);

    w.family("cairn_resolver_upstream_rtt_seconds", "histogram",
             "Round-trip time of answered upstream queries.");
    for (const ResolverGauge& view : gauge.views) {
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < view.rtt_buckets.size(); ++b) {
            cumulative += view.rtt_buckets[b];
            const std::string le =
                b < view.rtt_bounds_ms.size() ? fmt::format("{}", view.rtt_bounds_ms[b] / 1000.0) : "+Inf";
            w.sample("cairn_resolver_upstream_rtt_seconds_bucket", {{"view", view.view}, {"le", le}},
                     static_cast<double>(cumulative));
        }
        w.sample("cairn_resolver_upstream_rtt_seconds_count", {{"view", view.view}},
                 static_cast<double>(cumulative));
    }

    w.family("cairn_resolver_clients_waiting", "gauge",
             "Clients waiting for a resolution (recursive-clients).");
    w.sample("cairn_resolver_clients_waiting", {}, static_cast<double>(gauge.clients_waiting));
    w.family("cairn_resolver_clients_dropped_total", "counter", "Queries dropped over recursive-clients.");
    w.sample("cairn_resolver_clients_dropped_total", {}, static_cast<double>(gauge.clients_dropped));
    w.family("cairn_resolver_coalesced_clients_total", "counter",
             "Clients that joined a resolution of the same question already running.");
    w.sample("cairn_resolver_coalesced_clients_total", {}, static_cast<double>(gauge.coalesced_clients));
    w.family("cairn_resolver_coalesced_upstream_total", "counter",
             "Upstream questions that waited for an identical one in flight instead of being sent.");
    w.sample("cairn_resolver_coalesced_upstream_total", {}, static_cast<double>(gauge.coalesced_upstream));
    w.family("cairn_resolver_upstream_ignored_total", "counter",
             "Upstream responses dropped for a wrong ID, question or source (RFC 5452).");
    w.sample("cairn_resolver_upstream_ignored_total", {}, static_cast<double>(gauge.upstream_ignored));
    w.family("cairn_resolver_upstream_truncated_total", "counter",
             "Truncated UDP answers asked again over TCP.");
    w.sample("cairn_resolver_upstream_truncated_total", {}, static_cast<double>(gauge.upstream_truncated));
    out += w.take();
}

nlohmann::json resolver_json(const RecursionGauge& gauge) {
    using nlohmann::json;
    if (gauge.views.empty()) return nullptr;
    json views = json::object();
    for (const ResolverGauge& v : gauge.views) {
        json by_ede = json::object();
        for (const auto& [code, count] : v.servfail_by_ede)
            by_ede[std::to_string(code)] = {{"reason", ede_name(code)}, {"count", count}};
        json bogus_by_ede = json::object();
        for (const auto& [code, count] : v.bogus_by_ede)
            bogus_by_ede[std::to_string(code)] = {{"reason", ede_name(code)}, {"count", count}};
        json rtt = json::array();
        for (std::size_t b = 0; b < v.rtt_buckets.size(); ++b)
            rtt.push_back({{"le_ms", b < v.rtt_bounds_ms.size() ? json(v.rtt_bounds_ms[b]) : json("+Inf")},
                           {"count", v.rtt_buckets[b]}});
        json servers = json::array();
        for (const UpstreamServerGauge& s : v.servers)
            servers.push_back({{"server", s.server},
                               {"srtt_ms", s.rtt_known ? json(s.srtt_ms) : json(nullptr)},
                               {"rttvar_ms", s.rtt_known ? json(s.rttvar_ms) : json(nullptr)},
                               {"queries", s.queries},
                               {"timeouts", s.failures},
                               {"consecutive_timeouts", s.consecutive_failures},
                               {"held_down", s.held_down}});
        views[v.view] = {
            {"cache",
             {{"hits", v.cache_hits},
              {"misses", v.cache_misses},
              {"entries", v.cache_entries},
              {"bytes", v.cache_bytes},
              {"max_bytes", v.cache_max_bytes},
              {"evictions", v.cache_evictions}}},
            {"upstream",
             {{"queries", v.upstream_queries},
              {"tcp", v.upstream_tcp},
              {"timeouts", v.upstream_timeouts},
              {"errors", v.upstream_errors},
              {"edns_fallbacks", v.edns_fallbacks},
              {"rtt_ms", rtt},
              {"servers", servers}}},
            {"servfail",
             {{"total", v.servfail}, {"by_ede", by_ede}, {"without_ede", v.servfail_without_ede}}},
            {"stale_answers", v.stale_answers},
            {"prefetches", v.prefetches},
            {"resolutions", v.resolutions},
            {"nxdomain", v.nxdomain},
            {"cookies",
             {{"new", v.cookies_new},
              {"out", v.cookies_out},
              {"in", v.cookies_in},
              {"badcookie", v.bad_cookies},
              {"mismatch", v.cookie_mismatches}}},
            {"fetch_quota",
             {{"zone_quota", v.zone_quota}, {"server_quota", v.server_quota}, {"dropped", v.quota_drops}}},
            {"validation",
             {{"secure", v.secure},
              {"insecure", v.insecure},
              {"bogus", v.bogus},
              {"indeterminate", v.indeterminate},
              {"bogus_by_ede", bogus_by_ede},
              {"verifications", v.dnssec_verifications},
              {"nsec3_hashes", v.nsec3_hashes}}},
        };
    }
    return {{"views", views},
            {"clients_waiting", gauge.clients_waiting},
            {"clients_dropped", gauge.clients_dropped},
            {"coalesced_clients", gauge.coalesced_clients},
            {"coalesced_upstream", gauge.coalesced_upstream},
            {"upstream_ignored", gauge.upstream_ignored},
            {"upstream_truncated", gauge.upstream_truncated}};
}

}  // namespace cairn::stats
