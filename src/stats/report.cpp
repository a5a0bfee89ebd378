#include "stats/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dns/types.hpp"
#include "stats/prom_writer.hpp"
#include "stats/resolver_report.hpp"
#include "stats/secondaries_report.hpp"

namespace cairn::stats {

namespace {

std::string type_name(std::uint16_t type) {
    return dns::type_to_text(static_cast<dns::RRType>(type));
}
std::string rcode_name(std::size_t rcode) {
    return dns::rcode_to_text(static_cast<dns::Rcode>(static_cast<std::uint16_t>(rcode)));
}
std::string_view protocol_name(std::size_t index) {
    return index == 0 ? "udp" : "tcp";
}

std::string countdown(std::int64_t seconds) {
    const bool past = seconds < 0;
    std::uint64_t left = static_cast<std::uint64_t>(past ? -seconds : seconds);
    std::string text;
    if (left >= 86400) text += fmt::format("{}d", left / 86400);
    left %= 86400;
    if (left >= 3600 || !text.empty()) text += fmt::format("{}h", left / 3600);
    left %= 3600;
    text += fmt::format("{}m{}s", left / 60, left % 60);
    return past ? text + " ago" : "in " + text;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

ZoneHealth zone_health(const lifecycle::ZoneState& zone, std::int64_t now) {
    using lifecycle::ZonePhase;
    if (zone.phase == ZonePhase::expired) return ZoneHealth::expired;
    if (!zone.served_serial)
        return zone.phase == ZonePhase::refresh_failing ? ZoneHealth::refresh_failing
                                                        : ZoneHealth::not_loaded;
    if (zone.role == lifecycle::ZoneRole::secondary && zone.timers.expire_at != 0) {
        if (zone.timers.expire_at <= now) return ZoneHealth::expired;
        if (zone.timers.expire_at - now < kExpiringSoonSeconds) return ZoneHealth::expiring_soon;
    }
    if (zone.signatures_expire != 0 && zone.signatures_expire - now <= kSignaturesWarningSeconds)
        return ZoneHealth::signatures_expiring;
    if (zone.phase == ZonePhase::refresh_failing) return ZoneHealth::refresh_failing;
    if (lagging_secondaries(zone) != 0) return ZoneHealth::secondary_lagging;
    return ZoneHealth::healthy;
}

namespace {

using ZoneStatePtr = std::shared_ptr<const lifecycle::ZoneState>;

std::optional<std::int64_t> set_time(std::int64_t at) {
    return at == 0 ? std::nullopt : std::optional<std::int64_t>(at);
}
std::optional<std::int64_t> last_refresh_time(const lifecycle::ZoneState& z) {
    return set_time(z.timers.last_refresh);
}
std::optional<std::int64_t> next_refresh_time(const lifecycle::ZoneState& z) {
    return z.role == lifecycle::ZoneRole::secondary ? set_time(z.timers.next_refresh) : std::nullopt;
}
std::optional<std::int64_t> expiry_time(const lifecycle::ZoneState& z) {
    return z.role == lifecycle::ZoneRole::secondary ? set_time(z.timers.expire_at) : std::nullopt;
}
std::string role_text(const lifecycle::ZoneState& z) {
    return std::string(lifecycle::to_string(z.role));
}

constexpr lifecycle::ZonePhase kPhases[] = {
    lifecycle::ZonePhase::loading,    lifecycle::ZonePhase::loaded,          lifecycle::ZonePhase::failed,
    lifecycle::ZonePhase::refreshing, lifecycle::ZonePhase::refresh_failing, lifecycle::ZonePhase::expired};

}  // namespace

std::string_view to_string(ZoneHealth health) {
    switch (health) {
        case ZoneHealth::healthy:
            return "healthy";
        case ZoneHealth::secondary_lagging:
            return "secondary lagging";
        case ZoneHealth::signatures_expiring:
            return "signatures expiring";
        case ZoneHealth::refresh_failing:
            return "refresh failing";
        case ZoneHealth::expiring_soon:
            return "expiring soon";
        case ZoneHealth::expired:
            return "expired";
        case ZoneHealth::not_loaded:
            return "not loaded";
    }
    return "unknown";
}

std::string render_prometheus(const Report& report) {
    PromWriter w;
    const QuerySnapshot& q = report.queries;
    w.family("cairn_start_time_seconds", "gauge", "Start time of cairnd since the Unix epoch in seconds.");
    w.sample("cairn_start_time_seconds", {}, static_cast<double>(report.started_at));

    w.family("cairn_queries_total", "counter", "Queries answered, by query type.");
    for (std::size_t t = 0; t < q.qtype.size(); ++t) {
        if (q.qtype[t] != 0) w.sample("cairn_queries_total", {{"type", type_name(t)}}, q.qtype[t]);
    }
    if (q.qtype_other != 0) w.sample("cairn_queries_total", {{"type", "other"}}, q.qtype_other);

    w.family("cairn_queries_by_protocol_total", "counter", "Queries received, by transport protocol.");
    for (std::size_t p = 0; p < q.protocol.size(); ++p)
        w.sample("cairn_queries_by_protocol_total", {{"protocol", protocol_name(p)}}, q.protocol[p]);

    w.family("cairn_queries_by_view_total", "counter", "Queries received, by the view that answered them.");
    for (const auto& [view, count] : q.views)
        w.sample("cairn_queries_by_view_total", {{"view", view}}, count);

    w.family("cairn_queries_dropped_total", "counter", "Queries that got no reply at all.");
    w.sample("cairn_queries_dropped_total", {}, q.dropped);

    w.family("cairn_rate_limited_responses_total", "counter",
             "UDP replies response rate limiting truncated (slipped) or dropped, by view; logged: what "
             "log-only would have limited.");
    for (const auto& [view, actions] : q.rate_limited) {
        static constexpr std::array<std::string_view, kRateLimitActions> kActions = {"slipped", "dropped",
                                                                                     "logged"};
        for (std::size_t a = 0; a < kRateLimitActions; ++a)
            w.sample("cairn_rate_limited_responses_total", {{"view", view}, {"action", kActions[a]}},
                     actions[a]);
    }

    w.family("cairn_responses_total", "counter", "Replies sent, by response code.");
    for (std::size_t r = 0; r < q.rcode.size(); ++r) {
        if (q.rcode[r] != 0 || r == 0)
            w.sample("cairn_responses_total", {{"rcode", rcode_name(r)}}, q.rcode[r]);
    }

    w.family("cairn_response_size_bytes", "histogram", "Size of the replies sent, in octets.");
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kSizeBuckets.size(); ++b) {
        cumulative += q.size_bucket[b];
        w.sample("cairn_response_size_bytes_bucket", {{"le", std::to_string(kSizeBuckets[b])}}, cumulative);
    }
    cumulative += q.size_bucket.back();
    w.sample("cairn_response_size_bytes_bucket", {{"le", "+Inf"}}, cumulative);
    w.sample("cairn_response_size_bytes_sum", q.size_sum);
    w.sample("cairn_response_size_bytes_count", cumulative);

    const TransferSnapshot& t = report.transfers;
    w.family("cairn_transfers_in_total", "counter", "Incoming zone transfers, by outcome.");
    w.sample("cairn_transfers_in_total", {{"result", "success"}}, t.in_success);
    w.sample("cairn_transfers_in_total", {{"result", "failure"}}, t.in_failure);
    w.family("cairn_transfers_out_total", "counter", "Outgoing zone transfers, by outcome.");
    w.sample("cairn_transfers_out_total", {{"result", "success"}}, t.out_success);
    w.sample("cairn_transfers_out_total", {{"result", "failure"}}, t.out_failure);

    w.family("cairn_udp_reads_total", "counter", "UDP receive calls that read at least one datagram.");
    w.sample("cairn_udp_reads_total", {}, report.udp.reads);
    w.family("cairn_udp_datagrams_total", "counter", "UDP datagrams read; over reads, the mean batch.");
    w.sample("cairn_udp_datagrams_total", {}, report.udp.datagrams);
    w.family("cairn_udp_coalescing_pauses_total", "counter",
             "Pauses UDP threads took between batches so that queries would gather.");
    w.sample("cairn_udp_coalescing_pauses_total", {}, report.udp.pauses);

    w.family("cairn_build_info", "gauge", "The running build: its version in the label, value 1.");
    w.sample("cairn_build_info", {{"version", report.version}}, 1);
    w.family(
        "cairn_config_last_reload_successful", "gauge",
        "1 when the last reload (or the start) applied the configuration and every zone loaded, else 0.");
    w.sample("cairn_config_last_reload_successful", {}, report.last_reload_ok.value_or(true) ? 1 : 0);

    w.family("cairn_zones", "gauge", "Zones configured.");
    w.sample("cairn_zones", {}, report.zones.size());

    const auto per_zone = [&](std::string_view name, std::string_view type, std::string_view help,
                              auto value) {
        w.family(name, type, help);
        for (const ZoneStatePtr& zone : report.zones) {
            const std::optional<double> v = value(*zone);
            if (v) {
                const std::string zone_name = zone->origin.to_text();
                const std::string role = role_text(*zone);
                w.sample(name, {{"zone", zone_name}, {"view", zone->view}, {"role", role}}, *v);
            }
        }
    };
    per_zone("cairn_zone_serial", "gauge", "SOA serial of the zone being served.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 if (!z.served_serial) return std::nullopt;
                 return static_cast<double>(*z.served_serial);
             });
    per_zone("cairn_zone_loaded", "gauge", "1 when the zone is loaded and served, 0 otherwise.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> { return z.served() ? 1.0 : 0.0; });
    w.family(
        "cairn_zone_state", "gauge",
        "The zone's state: 1 for the state it is in (loading, loaded, failed, refreshing, refresh failing, "
        "expired), 0 for the others.");
    for (const ZoneStatePtr& zone : report.zones) {
        const std::string zone_name = zone->origin.to_text();
        const std::string role = role_text(*zone);
        for (const lifecycle::ZonePhase phase : kPhases) {
            const std::string state(lifecycle::to_string(phase));
            w.sample("cairn_zone_state",
                     {{"zone", zone_name}, {"view", zone->view}, {"role", role}, {"state", state}},
                     zone->phase == phase ? 1 : 0);
        }
    }
    per_zone("cairn_zone_seconds_since_refresh", "gauge",
             "Seconds since the zone was last loaded or refreshed successfully.",
             [&](const lifecycle::ZoneState& z) -> std::optional<double> {
                 const auto at = last_refresh_time(z) ? last_refresh_time(z) : set_time(z.loaded_at);
                 if (!at) return std::nullopt;
                 return static_cast<double>(report.now - *at);
             });
    per_zone("cairn_zone_seconds_until_expiry", "gauge",
             "Seconds until a secondary zone expires (negative: expired).",
             [&](const lifecycle::ZoneState& z) -> std::optional<double> {
                 const auto at = expiry_time(z);
                 if (!at) return std::nullopt;
                 return static_cast<double>(*at - report.now);
             });
    per_zone(
        "cairn_zone_signatures_seconds_until_expiry", "gauge",
        "Signed zones: seconds until the earliest RRSIG of the version served expires (negative: expired).",
        [&](const lifecycle::ZoneState& z) -> std::optional<double> {
            if (z.signatures_expire == 0) return std::nullopt;
            return static_cast<double>(z.signatures_expire - report.now);
        });
    per_zone("cairn_zone_signatures_expiry_warning_days", "gauge",
             "Signed zones: 14 or 7 while the earliest RRSIG expires within that many days (7 once expired), "
             "else 0.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 if (z.signatures_expire == 0) return std::nullopt;
                 return static_cast<double>(z.signatures_warning_days);
             });
    per_zone("cairn_zone_load_failures_total", "counter",
             "Loads of the zone's file that failed (missing, broken, or refused: serial not newer).",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 return static_cast<double>(z.counters.load_failures);
             });
    per_zone("cairn_zone_refresh_failures_total", "counter",
             "Refreshes of a secondary zone that failed with every primary.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 if (z.role != lifecycle::ZoneRole::secondary) return std::nullopt;
                 return static_cast<double>(z.counters.refresh_failures);
             });
    w.family("cairn_zone_transfers_in_total", "counter", "Incoming transfers of the zone, by outcome.");
    for (const ZoneStatePtr& zone : report.zones) {
        if (zone->role != lifecycle::ZoneRole::secondary) continue;
        const std::string zone_name = zone->origin.to_text();
        w.sample("cairn_zone_transfers_in_total",
                 {{"zone", zone_name}, {"view", zone->view}, {"result", "success"}},
                 static_cast<double>(zone->counters.transfers_in));
        w.sample("cairn_zone_transfers_in_total",
                 {{"zone", zone_name}, {"view", zone->view}, {"result", "failure"}},
                 static_cast<double>(zone->counters.transfers_in_failed));
    }
    per_zone(
        "cairn_zone_primary_serial_lower", "gauge",
        "1 while a secondary's primary answers a serial lower than the one served (retransfer fixes it).",
        [](const lifecycle::ZoneState& z) -> std::optional<double> {
            if (z.role != lifecycle::ZoneRole::secondary) return std::nullopt;
            return z.serial_warning.empty() ? 0.0 : 1.0;
        });
    per_zone("cairn_zone_notifies_sent_total", "counter",
             "NOTIFY messages sent for the zone, retries included.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 return static_cast<double>(z.counters.notifies_sent);
             });
    per_zone("cairn_zone_notifies_failed_total", "counter",
             "NOTIFY messages for the zone that got no answer or an error answer.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 return static_cast<double>(z.counters.notifies_failed);
             });
    per_zone("cairn_zone_notifies_pending", "gauge",
             "Secondaries of the zone not yet notified of its current serial (still being retried).",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 return static_cast<double>(z.notifies_pending);
             });
    render_secondaries_prometheus(report, w);
    per_zone("cairn_zone_rrsig_earliest_expiry_timestamp_seconds", "gauge",
             "Signed zones: when the earliest RRSIG of the served version expires (Unix time); alert well "
             "before it comes near.",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 if (!z.rrsig_earliest_expiry) return std::nullopt;
                 return static_cast<double>(*z.rrsig_earliest_expiry);
             });
    per_zone("cairn_zone_next_resign_timestamp_seconds", "gauge",
             "Signed zones: when the zone is signed again (Unix time).",
             [](const lifecycle::ZoneState& z) -> std::optional<double> {
                 if (z.next_resign == 0) return std::nullopt;
                 return static_cast<double>(z.next_resign);
             });
    std::string out = w.take();
    render_resolver_prometheus(report.recursion, out);
    return out;
}

std::string render_json(const Report& report) {
    using nlohmann::json;
    const QuerySnapshot& q = report.queries;
    json by_type = json::object();
    for (std::size_t t = 0; t < q.qtype.size(); ++t) {
        if (q.qtype[t] != 0) by_type[type_name(t)] = q.qtype[t];
    }
    if (q.qtype_other != 0) by_type["other"] = q.qtype_other;
    json by_rcode = json::object();
    for (std::size_t r = 0; r < q.rcode.size(); ++r) {
        if (q.rcode[r] != 0) by_rcode[rcode_name(r)] = q.rcode[r];
    }
    json by_view = json::object();
    for (const auto& [view, count] : q.views)
        by_view[view] = count;
    json buckets = json::array();
    for (std::size_t b = 0; b < q.size_bucket.size(); ++b) {
        buckets.push_back({{"le", b < kSizeBuckets.size() ? json(kSizeBuckets[b]) : json("+Inf")},
                           {"count", q.size_bucket[b]}});
    }
    json zones = json::array();
    for (const ZoneStatePtr& zone : report.zones) {
        const lifecycle::ZoneState& z = *zone;
        const auto outcome = [](const lifecycle::Outcome& o) {
            if (o.at == 0) return json(nullptr);
            return json{{"at", o.at}, {"ok", o.ok}, {"detail", o.detail}};
        };
        json entry = {{"name", z.origin.to_text()},
                      {"view", z.view},
                      {"role", role_text(z)},
                      {"file", z.file},
                      {"state", lifecycle::to_string(z.phase)},
                      {"problem", z.problem},
                      {"health", to_string(zone_health(z, report.now))},
                      {"refresh_failing", z.phase == lifecycle::ZonePhase::refresh_failing},
                      {"serial_warning", z.serial_warning},
                      {"last_load", outcome(z.last_load)},
                      {"last_refresh", outcome(z.last_refresh)},
                      {"last_transfer", outcome(z.last_transfer)},
                      {"load_failures", z.counters.load_failures},
                      {"refresh_failures", z.counters.refresh_failures},
                      {"transfers_in",
                       {{"success", z.counters.transfers_in}, {"failure", z.counters.transfers_in_failed}}},
                      {"notifies_sent", z.counters.notifies_sent},
                      {"notifies_failed", z.counters.notifies_failed},
                      {"notifies_pending", z.notifies_pending}};
        const auto optional = [&](const char* key, const auto& value) {
            entry[key] = value ? json(*value) : json(nullptr);
        };
        optional("serial", z.served_serial);
        optional("primary_serial", z.primary_serial);
        optional("unsigned_serial", z.unsigned_serial);
        optional("rrsig_earliest_expiry", z.rrsig_earliest_expiry);
        optional("next_resign", set_time(z.next_resign));
        optional("next_key_event", set_time(z.next_key_event));
        entry["dnssec_policy"] = z.dnssec_policy.empty() ? json(nullptr) : json(z.dnssec_policy);
        json keys = json::array();
        for (const lifecycle::SigningKeyStatus& key : z.signing_keys)
            keys.push_back({{"tag", key.tag},
                            {"algorithm", key.algorithm},
                            {"role", key.role},
                            {"file", key.file},
                            {"created", key.created},
                            {"lifetime", key.lifetime ? json(*key.lifetime) : json(nullptr)}});
        entry["signing_keys"] = std::move(keys);
        entry["last_sign"] = outcome(z.last_sign);
        optional("loaded_at", set_time(z.loaded_at));
        optional("last_refresh_at", last_refresh_time(z));
        optional("next_refresh", next_refresh_time(z));
        optional("expires", expiry_time(z));
        const auto at = last_refresh_time(z) ? last_refresh_time(z) : set_time(z.loaded_at);
        entry["seconds_since_refresh"] = at ? json(report.now - *at) : json(nullptr);
        entry["seconds_until_expiry"] = expiry_time(z) ? json(*expiry_time(z) - report.now) : json(nullptr);
        entry["secondaries"] = secondaries_json(z, report.now);
        optional("signatures_expire", set_time(z.signatures_expire));
        entry["seconds_until_signatures_expiry"] =
            z.signatures_expire != 0 ? json(z.signatures_expire - report.now) : json(nullptr);
        entry["signatures_warning_days"] =
            z.signatures_warning_days != 0 ? json(z.signatures_warning_days) : json(nullptr);
        zones.push_back(std::move(entry));
    }
    json rate_limited = json::object();
    for (const auto& [view, actions] : q.rate_limited)
        rate_limited[view] = {{"slipped", actions[0]}, {"dropped", actions[1]}, {"logged", actions[2]}};
    const TransferSnapshot& t = report.transfers;
    const json doc = {
        {"version", report.version},
        {"now", report.now},
        {"started_at", report.started_at},
        {"queries",
         {{"total", q.queries()},
          {"by_type", by_type},
          {"by_protocol", {{"udp", q.protocol[0]}, {"tcp", q.protocol[1]}}},
          {"by_view", by_view},
          {"dropped", q.dropped}}},
        {"rate_limited", rate_limited},
        {"responses", {{"total", q.responses}, {"by_rcode", by_rcode}}},
        {"response_sizes", {{"buckets", buckets}, {"sum", q.size_sum}, {"count", q.responses}}},
        {"transfers",
         {{"in", {{"success", t.in_success}, {"failure", t.in_failure}}},
          {"out", {{"success", t.out_success}, {"failure", t.out_failure}}}}},
        {"udp",
         {{"reads", report.udp.reads},
          {"datagrams", report.udp.datagrams},
          {"coalescing_pauses", report.udp.pauses}}},
        {"zones", zones},
        {"last_reload_successful", report.last_reload_ok.value_or(true)},
        {"resolver", resolver_json(report.recursion)},
    };
    return doc.dump(2) + "\n";
}

std::string render_html(const Report& report) {
    // The worst zones first (ZoneHealth goes from the best to the worst); configuration order otherwise.
    std::vector<std::pair<ZoneHealth, const lifecycle::ZoneState*>> ordered;
    for (const ZoneStatePtr& zone : report.zones)
        ordered.emplace_back(zone_health(*zone, report.now), zone.get());
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string rows;
    for (const auto& [health, zone] : ordered) {
        const lifecycle::ZoneState& z = *zone;
        const std::string_view colour = health == ZoneHealth::healthy               ? "#2e7d32"
                                        : health == ZoneHealth::secondary_lagging   ? "#9e9d24"
                                        : health == ZoneHealth::refresh_failing     ? "#f9a825"
                                        : health == ZoneHealth::signatures_expiring ? "#ef6c00"
                                        : health == ZoneHealth::expiring_soon       ? "#ef6c00"
                                                                                    : "#c62828";
        const auto when = [&](const std::optional<std::int64_t>& at) {
            if (!at) return std::string("&ndash;");
            return fmt::format("<span class=\"countdown\" data-at=\"{}\">{}</span>", *at,
                               countdown(*at - report.now));
        };
        const std::string name = z.origin.to_text();
        std::string why = z.problem;
        if (!z.serial_warning.empty()) why += (why.empty() ? "" : "; ") + z.serial_warning;
        if (z.signatures_warning_days != 0)
            why += fmt::format("{}the earliest RRSIG expires {}", why.empty() ? "" : "; ",
                               countdown(z.signatures_expire - report.now));
        rows += fmt::format(
            "<tr class=\"zone\" data-zone=\"{}\" data-health=\"{}\" data-state=\"{}\"><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"notifies\">{} sent, {} "
            "failed, {} "
            "pending</td><td class=\"secondaries\">{}</td><td><span class=\"health\" "
            "style=\"background:{}\">{}</span></td>"
            "<td class=\"problem\">{}</td></tr>\n",
            html_escape(name), to_string(health), lifecycle::to_string(z.phase), html_escape(name),
            html_escape(z.view), role_text(z), z.served_serial ? std::to_string(*z.served_serial) : "&ndash;",
            when(last_refresh_time(z) ? last_refresh_time(z) : set_time(z.loaded_at)),
            when(next_refresh_time(z)), when(expiry_time(z)), z.counters.notifies_sent,
            z.counters.notifies_failed, z.notifies_pending, secondaries_html(z, report.now), colour,
            health == ZoneHealth::secondary_lagging || health == ZoneHealth::signatures_expiring
                ? to_string(health)
                : lifecycle::to_string(z.phase),
            html_escape(why));
    }
    const QuerySnapshot& q = report.queries;
    return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30"><title>cairnd status</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ padding: 0.3em 0.8em; border-bottom: 1px solid #ddd; text-align: left; }}
.health {{ color: white; padding: 0.1em 0.5em; border-radius: 0.3em; }}
.lagging {{ color: #c62828; }}
</style></head><body>
<h1>cairnd {}</h1>
<p>Queries: <span id="queries">{}</span> (UDP {}, TCP {}); transfers in {} ({} failed), out {} ({} failed).</p>
<table id="zones"><thead><tr><th>Zone</th><th>View</th><th>Role</th><th>Serial</th><th>Last load/refresh</th>
<th>Next refresh</th><th>Expires</th><th>Notifies</th><th>Secondaries</th><th>State</th><th>Why</th></tr></thead>
<tbody>
{}</tbody></table>
<p><a href="/metrics">metrics</a> &middot; <a href="/json">json</a></p>
<script>
const served = {};
const shown = Date.now() / 1000;
function span(s) {{
  const past = s < 0; s = Math.abs(Math.round(s));
  let t = (s >= 86400 ? Math.floor(s / 86400) + 'd' : '') + (s >= 3600 ? Math.floor(s % 86400 / 3600) + 'h' : '') +
          Math.floor(s % 3600 / 60) + 'm' + (s % 60) + 's';
  return past ? t + ' ago' : 'in ' + t;
}}
setInterval(() => {{
  const now = served + (Date.now() / 1000 - shown);
  for (const e of document.querySelectorAll('.countdown')) e.textContent = span(Number(e.dataset.at) - now);
}}, 1000);
</script>
</body></html>
)",
                       html_escape(report.version), q.queries(), q.protocol[0], q.protocol[1],
                       report.transfers.in_success, report.transfers.in_failure, report.transfers.out_success,
                       report.transfers.out_failure, rows, report.now);
}

}  // namespace cairn::stats
