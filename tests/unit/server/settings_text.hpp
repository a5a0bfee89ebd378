// Every field of server::Settings written out as text, for tests that compare what two configurations make
// the daemon do (clause_audit_test.cpp). Access lists are written as their verdicts on a fixed set of
// addresses. A field added to Settings (or to the structs it holds) belongs here too: a clause applied
// through a field this text leaves out would look unapplied to the audit.
#pragma once

#include <string>

#include "server/settings.hpp"

namespace cairn::server::testing {

inline std::string acl_text(const AccessList& list) {
    static const char* const kProbes[] = {"127.0.0.1",    "192.0.2.1", "192.0.2.2",       "192.0.2.77",
                                          "198.51.100.1", "::1",       "::ffff:192.0.2.1"};
    std::string out = list.allows_everyone() ? "any:" : "acl:";
    for (const char* probe : kProbes)
        out += list.allows(AccessList::candidate(*dns::IpAddress::parse(probe)), nullptr) ? "1" : "0";
    return out;
}

inline std::string source_text(const std::optional<config::SocketAddress>& source) {
    return source ? source->to_string() : "-";
}

template <typename T>
std::string optional_text(const std::optional<T>& value) {
    return value ? std::to_string(*value) : "-";
}

inline std::string remotes_text(const std::vector<xfr::Primary>& remotes) {
    std::string out;
    for (const auto& remote : remotes)
        out += remote.to_text() + (remote.key != nullptr ? "/" + remote.key->name.to_text() : "") + ",";
    return out;
}

inline std::string rule_text(const lifecycle::ServerRule& rule) {
    return rule.prefix.to_string() + (rule.in_view ? " view" : "") +
           " key=" + (rule.key != nullptr ? rule.key->name.to_text() : "-") +
           " bogus=" + optional_text(rule.bogus) + " edns=" + optional_text(rule.edns) +
           " request-ixfr=" + optional_text(rule.request_ixfr) +
           " provide-ixfr=" + optional_text(rule.provide_ixfr) +
           " one-answer=" + std::to_string(rule.one_answer) + " transfers=" + optional_text(rule.transfers) +
           " sources=" + source_text(rule.transfer_source) + "," + source_text(rule.transfer_source_v6) +
           "," + source_text(rule.notify_source) + "," + source_text(rule.notify_source_v6);
}

inline std::string zone_text(const ZoneSettings& settings) {
    const lifecycle::ZoneConfig& z = settings.zone;
    std::string out =
        "zone " + z.view + "/" + z.origin.to_text() + " class=" + dns::class_to_text(z.rclass) +
        " role=" + std::string(lifecycle::to_string(z.role)) + " file=" + z.file +
        " raw=" + std::to_string(z.raw) + " ixfr=" + std::to_string(z.ixfr_from_differences) +
        " max-zone-ttl=" + optional_text(z.max_zone_ttl) + " journal=" + optional_text(z.max_journal_bytes) +
        " max-records=" + optional_text(z.max_records) +
        " notify=" + std::to_string(static_cast<int>(z.notify)) + " also=" + remotes_text(z.also_notify) +
        " notify-delay=" + std::to_string(z.notify_delay) +
        " secondary-check-interval=" + std::to_string(z.secondary_check_interval) +
        " secondary-lag-warning=" + std::to_string(z.secondary_lag_warning) +
        " notify-source=" + source_text(z.notify_source) + "," + source_text(z.notify_source_v6) +
        " primaries=" + remotes_text(z.primaries) +
        " bounds=" + std::to_string(z.refresh_bounds.min_refresh) + "," +
        std::to_string(z.refresh_bounds.max_refresh) + "," + std::to_string(z.refresh_bounds.min_retry) +
        "," + std::to_string(z.refresh_bounds.max_retry) + " request-ixfr=" + std::to_string(z.request_ixfr) +
        " try-tcp=" + std::to_string(z.try_tcp_refresh) + " multi-master=" + std::to_string(z.multi_master) +
        " in=" + std::to_string(z.max_transfer_time_in) + "," + std::to_string(z.max_transfer_idle_in) +
        " edns-udp=" + std::to_string(z.edns_udp_size) +
        " transfer-source=" + source_text(z.transfer_source) + "," + source_text(z.transfer_source_v6) + "\n";
    if (z.dnssec_policy) {
        const config::DnssecPolicy& p = *z.dnssec_policy;
        out += "  dnssec-policy=" + p.name + " key-directory=" + z.key_directory +
               " dnskey-ttl=" + std::to_string(p.dnskey_ttl) +
               " refresh=" + std::to_string(p.signatures_refresh) +
               " validity=" + std::to_string(p.signatures_validity) + "," +
               std::to_string(p.signatures_validity_dnskey) +
               " jitter=" + std::to_string(p.signatures_jitter) +
               " safety=" + std::to_string(p.publish_safety) + "," + std::to_string(p.retire_safety) +
               " purge=" + std::to_string(p.purge_keys) + " max-ttl=" + std::to_string(p.max_zone_ttl) +
               " propagation=" + std::to_string(p.zone_propagation_delay) + "," +
               std::to_string(p.parent_propagation_delay) +
               " parent-ds-ttl=" + std::to_string(p.parent_ds_ttl) + " nsec3=" +
               (p.nsec3 ? std::to_string(p.nsec3->iterations) + "," + std::to_string(p.nsec3->optout) + "," +
                              std::to_string(p.nsec3->salt_length)
                        : "-") +
               " keys=";
        for (const auto& key : p.keys)
            out += std::to_string(static_cast<int>(key.role)) + ":" + std::to_string(key.algorithm) + ":" +
                   std::to_string(key.bits) + ":" + optional_text(key.lifetime) + ";";
        out += "\n";
    }
    for (const auto& rule : z.servers)
        out += "  server " + rule_text(rule) + "\n";
    out += "  allow-query=" + acl_text(settings.allow_query.clients) +
           " on=" + acl_text(settings.allow_query.destinations) +
           " allow-transfer=" + acl_text(settings.allow_transfer) +
           " allow-notify=" + acl_text(settings.allow_notify) +
           " provide-ixfr=" + std::to_string(settings.provide_ixfr) +
           " out=" + std::to_string(settings.max_transfer_time_out) + "," +
           std::to_string(settings.max_transfer_idle_out) + "\n";
    return out;
}

inline std::string recursion_text(const RecursionSettings& r) {
    const config::ResolvedRecursion& c = r.resolved;
    const auto flag = [](bool value) { return std::to_string(value); };
    const auto number = [](auto value) { return std::to_string(value); };
    std::string out = "  recursion allow=" + acl_text(r.access.recursion.clients) +
                      " on=" + acl_text(r.access.recursion.destinations) +
                      " cache=" + acl_text(r.access.cache.clients) +
                      " cache-on=" + acl_text(r.access.cache.destinations) + " hints=" + r.hint_file +
                      " forward=" + number(static_cast<int>(c.forward)) + " forwarders=";
    for (const auto& remote : c.forwarders)
        out += remote.address.to_string() + "#" + number(remote.port) + ",";
    out += " cache-size=" + number(static_cast<int>(c.max_cache_size.kind)) + ":" +
           number(c.max_cache_size.value) + " ttl=" + number(c.max_cache_ttl) + "," +
           number(c.min_cache_ttl) + "," + number(c.max_ncache_ttl) + "," + number(c.min_ncache_ttl) + "," +
           number(c.servfail_ttl) + " prefetch=" + number(c.prefetch_trigger) + "," +
           number(c.prefetch_eligible) + " timeout=" + number(c.resolver_query_timeout_ms) +
           " qname-min=" + number(static_cast<int>(c.qname_minimization)) +
           " depth=" + number(c.max_recursion_depth) + " queries=" + number(c.max_recursion_queries) +
           " fetches=" + number(c.fetches_per_zone.limit) +
           (c.fetches_per_zone.fail ? flag(*c.fetches_per_zone.fail) : "-") + "," +
           number(c.fetches_per_server.limit) +
           (c.fetches_per_server.fail ? flag(*c.fetches_per_server.fail) : "-") +
           " clients=" + number(c.recursive_clients) + " stale=" + flag(c.stale_answer_enable) +
           flag(c.stale_cache_enable) + "," + number(c.stale_answer_ttl) + "," + number(c.max_stale_ttl) +
           "," + number(c.stale_refresh_time) + "," + optional_text(c.stale_answer_client_timeout_ms) +
           " empty=" + flag(c.empty_zones_enable) + ":" + c.empty_server + ":" + c.empty_contact + ":";
    for (const auto& name : c.disable_empty_zone)
        out += name.to_text() + ",";
    out += " udp=" + number(c.edns_udp_size) + "," + number(c.max_udp_size) +
           " builtin=" + number(r.builtin_zones.size()) + "\n";
    for (const auto& zone : r.forward_zones) {
        out += "  forward " + zone.zone.to_text() + " mode=" + number(static_cast<int>(zone.mode)) + ":";
        for (const auto& remote : zone.forwarders)
            out += remote.address.to_string() + "#" + number(remote.port) + ",";
        out += "\n";
    }
    for (const auto& stub : r.static_stubs) {
        out += "  static-stub " + stub.zone.to_text() + ":";
        for (const auto& server : stub.servers)
            out += server.to_string() + ",";
        out += "\n";
    }
    return out;
}

inline std::string rate_limit_text(const RateLimit& rate_limit) {
    const rrl::Limits& l = rate_limit.limits();
    const auto number = [](auto value) { return std::to_string(value); };
    return "  rate-limit " + number(l.responses_per_second) + "," + number(l.referrals_per_second) + "," +
           number(l.nodata_per_second) + "," + number(l.nxdomains_per_second) + "," +
           number(l.errors_per_second) + "," + number(l.all_per_second) + " window=" + number(l.window) +
           " slip=" + number(l.slip) + " prefixes=" + number(l.ipv4_prefix_length) + "," +
           number(l.ipv6_prefix_length) + " log-only=" + number(l.log_only) +
           " table=" + number(l.min_table_size) + ".." + number(l.max_table_size) +
           " qps-scale=" + number(l.qps_scale) +
           " exempt=" + (rate_limit.exempt() ? acl_text(*rate_limit.exempt()) : std::string("-")) + "\n";
}

inline std::string settings_text(const Settings& s) {
    std::string out = "directory=" + s.directory + "\npid-file=" + s.pid_file + "\nlisten=";
    for (const auto& at : s.listen)
        out += at.to_string() + ",";
    out += "\ntcp-clients=" + std::to_string(s.tcp_clients) +
           " recursive-clients=" + std::to_string(s.recursive_clients) +
           " tcp-initial=" + std::to_string(s.tcp_initial_timeout.count()) +
           " tcp-idle=" + std::to_string(s.tcp_idle_timeout.count()) +
           " tcp-keepalive=" + std::to_string(s.tcp_keepalive_timeout.count()) +
           "\nlimits=" + std::to_string(s.limits.transfers_in) + "," +
           std::to_string(s.limits.transfers_per_ns) + "," + std::to_string(s.limits.serial_query_rate) +
           "," + std::to_string(s.limits.notify_rate) + "," + std::to_string(s.limits.startup_notify_rate) +
           " transfers-out=" + std::to_string(s.transfers_out) +
           " lmdb-mapsize=" + std::to_string(s.lmdb_map_size) +
           "\nblackhole=" + std::to_string(s.has_blackhole) + ":" + acl_text(s.blackhole) +
           "\nquerylog=" + std::to_string(s.querylog) + " dump-file=" + s.dump_file +
           " secroots-file=" + s.secroots_file + " statistics-file=" + s.statistics_file + "\n";
    out += "engine: udp=" + std::to_string(s.engine.max_udp_payload) +
           " cookies=" + std::to_string(s.engine.cookies) +
           " require-cookie=" + std::to_string(s.engine.require_cookie_udp) +
           " nsid=" + std::string(s.engine.nsid.begin(), s.engine.nsid.end()) +
           " minimal-any=" + std::to_string(s.engine.minimal_any) +
           " tcp-advertised=" + std::to_string(s.engine.tcp_advertised_timeout) +
           " version=" + s.engine.version_bind + " id=" + s.engine.id_server + "\n";
    if (s.keys) {
        std::vector<std::string> keys;
        for (const char* name : {"k1.", "k2."}) {
            const dns::TsigKey* key = s.keys->find(dns::Name::from_text(name));
            if (key == nullptr) continue;
            keys.push_back(std::string(name) + std::to_string(static_cast<int>(key->algorithm)) + ":" +
                           std::string(key->secret.begin(), key->secret.end()) + ":" +
                           std::to_string(key->mac_length));
        }
        out += "keys=" + std::to_string(s.keys->size());
        for (const auto& key : keys)
            out += " " + key;
        out += "\n";
    }
    for (const auto& channel : s.logging.channels) {
        out += "channel " + channel.name + " kind=" + std::to_string(static_cast<int>(channel.kind)) +
               " file=" + channel.file + " size=" + std::to_string(channel.max_size) +
               " versions=" + optional_text(channel.versions) + " severity=" + channel.severity +
               " print=" + std::to_string(channel.print_time) + std::to_string(channel.print_category) +
               std::to_string(channel.print_severity) + "\n";
    }
    for (const auto& [category, channels] : s.logging.categories) {
        out += "category " + category + ":";
        for (const auto& channel : channels)
            out += " " + channel;
        out += "\n";
    }
    for (const auto& view : s.views) {
        out += "view " + view.name + " clients=" + acl_text(view.match_clients) +
               " destinations=" + acl_text(view.match_destinations) + "\n";
        if (view.rate_limit) out += rate_limit_text(*view.rate_limit);
        if (view.recursion) out += recursion_text(*view.recursion);
        for (const auto& zone : view.zones)
            out += zone_text(zone);
    }
    for (const auto& probe : s.probes) {
        out += "probe " + probe.label + " name=" + probe.name.to_text() +
               " type=" + dns::type_to_text(probe.type) + " every=" + std::to_string(probe.every.count()) +
               " timeout=" + std::to_string(probe.timeout.count()) + " servers=";
        for (const auto& server : probe.servers)
            out += server.to_string() + ",";
        out += " expect=";
        for (const auto& rdata : probe.expect)
            out += rdata + ",";
        out += "\n";
    }
    return out;
}

}  // namespace cairn::server::testing
