#include "server/settings_loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <map>

#include "config/config.hpp"
#include "dns/rdata.hpp"
#include "store/journal.hpp"

namespace cairn::server {

namespace {

// BIND listens on each interface address the list admits. `any` becomes one wildcard socket instead,
// which also covers addresses added later; replies still leave from the queried address (IP_PKTINFO).
// Beyond BIND, as NSD and Knot do: an address written out (not negated, at the list's top level) is
// listened on even when no interface has it, such as 127.53.0.1 on a loopback that only lists 127.0.0.1.
void add_listen_addresses(const std::vector<config::ListenOn>& lists, sa_family_t family,
                          const config::Config& config, const config::HostNetworks& host,
                          Settings& settings) {
    const auto add = [&](const dns::IpAddress& address, std::uint16_t port) {
        const net::Endpoint at{address, port};
        for (const auto& existing : settings.listen) {
            if (existing == at) return;
        }
        settings.listen.push_back(at);
    };
    for (const auto& listen : lists) {
        const std::uint16_t port = listen.port.value_or(config.default_port());
        if (matches_everyone(listen.addresses)) {
            const auto any = family == AF_INET ? dns::IpAddress::v4_any() : dns::IpAddress::v6_any();
            settings.listen.push_back({any, port});
            continue;
        }
        const config::CompiledAcl acl = config.compile(listen.addresses, host);
        for (const auto& prefix : host.addresses) {
            if (prefix.address.family != family) continue;
            if (acl.evaluate(prefix.address, nullptr) != config::AclVerdict::Allow) continue;
            add(prefix.address, port);
        }
        for (const auto& element : listen.addresses.elements) {
            if (element.kind != config::AmlElement::Kind::Prefix || element.negated) continue;
            const config::IpPrefix& prefix = element.prefix;
            if (prefix.address.family == family && prefix.length == prefix.address.bit_width() &&
                acl.evaluate(prefix.address, nullptr) == config::AclVerdict::Allow)
                add(prefix.address, port);
        }
    }
}

std::string where(const config::Location& location) {
    return location.file_name() + ":" + std::to_string(location.line) + ": ";
}

// BIND's per-server options for the addresses a zone talks to: its view's `server` statements, then the
// top-level ones.
std::vector<lifecycle::ServerRule> server_rules(const config::Config& config, const config::View* view,
                                                const dns::TsigKeyring& keys) {
    std::vector<lifecycle::ServerRule> rules;
    auto add = [&](const std::vector<config::Server>& servers, bool in_view) {
        for (const auto& server : servers) {
            lifecycle::ServerRule rule;
            rule.prefix = server.prefix;
            rule.in_view = in_view;
            if (!server.keys.empty())
                rule.key = keys.find(dns::Name::from_text(server.keys.front(), dns::Name()));
            rule.bogus = server.bogus;
            rule.edns = server.edns;
            rule.request_ixfr = server.request_ixfr;
            rule.provide_ixfr = server.provide_ixfr;
            rule.transfers = server.transfers;
            rule.one_answer = server.transfer_format && *server.transfer_format == "one-answer";
            rule.transfer_source = server.transfer_source;
            rule.transfer_source_v6 = server.transfer_source_v6;
            rule.notify_source = server.notify_source;
            rule.notify_source_v6 = server.notify_source_v6;
            rules.push_back(std::move(rule));
        }
    };
    if (view != nullptr) add(view->servers, true);
    add(config.servers, false);
    return rules;
}

void add_zone(const config::Config& config, const config::Zone& zone, const config::View* view,
              const config::HostNetworks& host, const std::shared_ptr<const dns::TsigKeyring>& keys,
              ViewSettings& served, SettingsResult& result) {
    const std::string label = "zone " + zone.name.to_text();
    if (zone.in_view) return;  // warned about by the parser: not shared
    const config::ZoneType type = zone.type.value_or(config::ZoneType::Primary);
    // The resolver's zones (recursion_settings.cpp).
    if (type == config::ZoneType::Hint || type == config::ZoneType::Forward ||
        type == config::ZoneType::StaticStub)
        return;
    if (type != config::ZoneType::Primary && type != config::ZoneType::Secondary) {
        result.warnings.push_back(where(zone.where) + "warning: " + label + ": type " +
                                  std::string(config::to_string(type)) +
                                  " is not supported yet; the zone is not served");
        return;
    }
    const config::ResolvedZone resolved = config.resolve_zone(zone, view);
    if (resolved.file.empty() && type == config::ZoneType::Primary) {
        result.errors.push_back(where(zone.where) + label + ": a primary zone needs a file");
        return;
    }
    if (resolved.masterfile_format == config::MasterfileFormat::Map) {
        result.errors.push_back(where(zone.where) + label + ": masterfile-format map is not supported");
        return;
    }
    ZoneSettings settings;
    lifecycle::ZoneConfig& z = settings.zone;
    z.view = served.name;
    z.origin = zone.name;
    z.rclass = zone.rrclass;
    z.role =
        type == config::ZoneType::Secondary ? lifecycle::ZoneRole::secondary : lifecycle::ZoneRole::primary;
    // As written when relative (cairnd runs in `directory`, where it is relative to), so that messages name
    // the file as the operator wrote it ("zones/corp.test:6: ..."), as BIND's do.
    z.file = zone.file && !zone.file->empty() && zone.file->front() != '/' ? *zone.file : resolved.file;
    z.raw = resolved.masterfile_format == config::MasterfileFormat::Raw;
    z.keys = keys;
    z.servers = server_rules(config, view, *keys);
    settings.allow_query.clients = AccessList::from(resolved.allow_query, config, host);
    // allow-query-on inherits like allow-query: zone, then view, then options; unset means any.
    const config::AddressMatchList* query_on = nullptr;
    if (zone.settings.allow_query_on) {
        query_on = &*zone.settings.allow_query_on;
    } else if (view != nullptr && view->settings.allow_query_on) {
        query_on = &*view->settings.allow_query_on;
    } else if (config.options.settings.allow_query_on) {
        query_on = &*config.options.settings.allow_query_on;
    }
    if (query_on != nullptr) settings.allow_query.destinations = AccessList::from(*query_on, config, host);
    settings.allow_transfer = AccessList::from(resolved.allow_transfer, config, host);
    settings.provide_ixfr = resolved.provide_ixfr;
    settings.max_transfer_time_out = resolved.max_transfer_time_out;
    settings.max_transfer_idle_out = resolved.max_transfer_idle_out;
    z.ixfr_from_differences = resolved.ixfr_from_differences;
    if (resolved.max_journal_size.kind == config::SizeLimit::Kind::Bytes)
        z.max_journal_bytes = static_cast<std::size_t>(resolved.max_journal_size.bytes);
    if (resolved.max_journal_size.kind == config::SizeLimit::Kind::Unlimited)
        z.max_journal_bytes = store::Journal::kUnlimited;
    z.max_zone_ttl = resolved.max_zone_ttl;
    z.max_records = resolved.max_records;
    if (resolved.inline_signing && resolved.dnssec_policy == nullptr)
        result.warnings.push_back(where(zone.where) + label +
                                  ": inline-signing yes without a dnssec-policy that signs: served unsigned");
    if (resolved.dnssec_policy != nullptr && type == config::ZoneType::Primary) {
        z.dnssec_policy = *resolved.dnssec_policy;
        z.key_directory = resolved.key_directory;
    }
    switch (resolved.notify) {
        case config::NotifyMode::No:
            z.notify = xfr::NotifyMode::No;
            break;
        case config::NotifyMode::Explicit:
            z.notify = xfr::NotifyMode::Explicit;
            break;
        case config::NotifyMode::PrimaryOnly:
            // BIND's primary-only: secondaries notify nobody (also-notify included).
            z.notify = type == config::ZoneType::Primary ? xfr::NotifyMode::Yes : xfr::NotifyMode::No;
            break;
        default:
            z.notify = xfr::NotifyMode::Yes;
            break;
    }
    z.notify_delay = resolved.notify_delay;
    z.secondary_check_interval = resolved.secondary_check_interval;
    z.secondary_lag_warning = resolved.secondary_lag_warning;
    z.notify_source = resolved.notify_source;
    z.notify_source_v6 = resolved.notify_source_v6;
    // A remote's key (its own `key`, else its `server` statement's) signs what we send it.
    auto keyed_remote = [&](const config::Remote& remote, std::string_view role) {
        xfr::Primary out{remote.address.to_string(), remote.port, nullptr};
        if (!remote.key.empty()) {
            out.key = keys->find(dns::Name::from_text(remote.key, dns::Name()));
            if (out.key == nullptr) {
                result.errors.push_back(where(zone.where) + label + ": " + std::string(role) + " " +
                                        out.to_text() + ": unknown key " + remote.key);
            }
        }
        return out;
    };
    for (const auto& remote : resolved.also_notify)
        z.also_notify.push_back(keyed_remote(remote, "also-notify"));
    if (type == config::ZoneType::Secondary) {
        for (const auto& remote : resolved.primaries)
            z.primaries.push_back(keyed_remote(remote, "primary"));
        if (z.primaries.empty())
            result.errors.push_back(where(zone.where) + label + ": a secondary zone needs primaries");
        z.refresh_bounds = {resolved.min_refresh_time, resolved.max_refresh_time, resolved.min_retry_time,
                            resolved.max_retry_time};
        z.request_ixfr = resolved.request_ixfr;
        z.try_tcp_refresh = resolved.try_tcp_refresh;
        z.multi_master = resolved.multi_master;
        z.max_transfer_time_in = resolved.max_transfer_time_in;
        z.max_transfer_idle_in = resolved.max_transfer_idle_in;
        z.edns_udp_size = config.edns_udp_size(view);
        z.transfer_source = resolved.transfer_source;
        z.transfer_source_v6 = resolved.transfer_source_v6;
        settings.allow_notify = AccessList::from(resolved.allow_notify, config, host);
    }
    served.zones.push_back(std::move(settings));
}

std::string spdlog_level(const std::string& severity) {
    if (severity == "critical") return "critical";
    if (severity == "error") return "error";
    if (severity == "warning") return "warning";
    if (severity == "debug") return "debug";
    return "info";  // notice, info, dynamic
}

// The channels and where each category goes; channels no category uses are left out (a file channel that
// nothing writes to is not created, as in BIND). BIND's predefined default_syslog is a syslog channel and
// default_stderr a stderr one (which adds the queries category to stderr: it gets the others anyway);
// default_debug adds nothing.
void add_logging(const config::Config& config, Settings& settings) {
    LoggingSettings& logging = settings.logging;
    std::vector<std::string> used;
    for (const auto& category : config.logging.categories) {
        auto& channels = logging.categories[category.name];
        for (const auto& name : category.channels) {
            channels.push_back(name);
            used.push_back(name);
        }
    }
    const auto is_used = [&](const std::string& name) {
        return std::find(used.begin(), used.end(), name) != used.end();
    };
    for (const auto& channel : config.logging.channels) {
        if (!is_used(channel.name)) continue;
        LogChannel out;
        out.name = channel.name;
        out.severity = spdlog_level(channel.severity);
        out.dynamic = channel.severity == "dynamic";
        out.print_time = channel.print_time;
        out.print_category = channel.print_category;
        out.print_severity = channel.print_severity;
        if (channel.destination == config::LogChannel::Destination::File) {
            out.kind = LogChannel::Kind::file;
            out.file = config.resolve_path(channel.file);
            out.max_size = channel.size.value_or(0);
            out.versions = channel.versions;
        } else if (channel.destination == config::LogChannel::Destination::Syslog) {
            out.kind = LogChannel::Kind::syslog;
            out.syslog_facility = channel.syslog_facility;
        } else if (channel.destination == config::LogChannel::Destination::Stderr) {
            out.kind = LogChannel::Kind::standard_error;
        }
        logging.channels.push_back(std::move(out));
    }
    const bool user_defined_syslog =
        std::any_of(logging.channels.begin(), logging.channels.end(),
                    [](const LogChannel& c) { return c.name == "default_syslog"; });
    if (is_used("default_syslog") && !user_defined_syslog) {
        LogChannel syslog;
        syslog.kind = LogChannel::Kind::syslog;
        syslog.name = "default_syslog";
        logging.channels.push_back(std::move(syslog));
    }
    const bool user_defined_stderr =
        std::any_of(logging.channels.begin(), logging.channels.end(),
                    [](const LogChannel& c) { return c.name == "default_stderr"; });
    if (is_used("default_stderr") && !user_defined_stderr) {
        LogChannel standard_error;
        standard_error.kind = LogChannel::Kind::standard_error;
        standard_error.name = "default_stderr";
        logging.channels.push_back(std::move(standard_error));
    }
    settings.querylog = config.options.querylog.value_or(logging.categories.count("queries") != 0);
}

// One keyring for the whole server: the top-level keys and every view's. A request's key is verified
// before its view is known (the key may be what selects the view), so two views may share a key name only
// when they define the same key; BIND would keep one keyring per view.
std::shared_ptr<const dns::TsigKeyring> build_keyring(const config::Config& config, SettingsResult& result) {
    auto keys = std::make_shared<dns::TsigKeyring>();
    std::map<dns::Name, const config::Key*> defined;
    auto add = [&](const config::Key& key) {
        try {
            dns::TsigKey made = dns::TsigKey::from_config(key.name_text, key.algorithm, key.secret);
            const auto [it, first] = defined.emplace(made.name.lowercased(), &key);
            if (first) {
                keys->add(std::move(made));
            } else if (it->second->algorithm != key.algorithm || it->second->secret != key.secret) {
                result.errors.push_back(where(key.where) + "key " + key.name_text +
                                        ": a different key of this name is defined at " +
                                        it->second->where.file_name() + ":" +
                                        std::to_string(it->second->where.line) +
                                        " (BIND keeps one keyring per view; cairn needs distinct names for "
                                        "distinct keys)");
            }
        } catch (const std::exception& e) {
            result.errors.push_back(where(key.where) + "key " + key.name_text + ": " + e.what());
        }
    };
    for (const auto& key : config.keys)
        add(key);
    for (const auto& view : config.views) {
        for (const auto& key : view.keys)
            add(key);
    }
    return keys;
}

// The probe statements; `expect` rdata is normalised by reading it as the probe's type (an error when it
// does not read).
void add_probes(const config::Config& config, Settings& settings, SettingsResult& result) {
    for (const config::Probe& probe : config.probes) {
        ProbeSettings p;
        p.label = probe.name_text;
        p.name = probe.name;
        p.type = probe.type;
        p.every = std::chrono::seconds(probe.every);
        p.timeout = std::chrono::seconds(probe.timeout);
        for (const config::SocketAddress& server : probe.servers)
            p.servers.push_back({server.address, server.port.value_or(53)});
        for (const std::string& text : probe.expect) {
            try {
                p.expect.push_back(
                    dns::rdata_to_text(p.type, dns::rdata_from_text(p.type, text, dns::Name())));
            } catch (const std::exception& e) {
                result.errors.push_back(where(probe.where) + "probe '" + probe.name_text + "': expect '" +
                                        text + "' is not " + dns::type_to_text(p.type) +
                                        " rdata: " + e.what());
            }
        }
        settings.probes.push_back(std::move(p));
    }
}

void translate(const config::Config& config, SettingsResult& result) {
    Settings& settings = result.settings;
    const config::HostNetworks host = config::HostNetworks::scan();
    settings.directory = config.options.directory.value_or("");
    if (config.options.pid_file && !config.options.pid_file->empty()) {
        settings.pid_file = config.resolve_path(*config.options.pid_file);
    }
    settings.dump_file = config.resolve_path(config.options.dump_file.value_or("named_dump.db"));
    settings.secroots_file = config.resolve_path(config.options.secroots_file.value_or("named.secroots"));
    settings.statistics_file = config.resolve_path(config.options.statistics_file.value_or("named.stats"));
    add_listen_addresses(config.listen_on(), AF_INET, config, host, settings);
    add_listen_addresses(config.listen_on_v6(), AF_INET6, config, host, settings);
    if (settings.listen.empty())
        result.errors.push_back("listen-on and listen-on-v6 match no address of this host");
    settings.tcp_clients = config.options.tcp_clients.value_or(150);
    settings.recursive_clients = config.options.recursive_clients.value_or(settings.recursive_clients);
    settings.limits.transfers_in = config.options.transfers_in.value_or(settings.limits.transfers_in);
    settings.limits.transfers_per_ns =
        config.options.transfers_per_ns.value_or(settings.limits.transfers_per_ns);
    settings.limits.serial_query_rate =
        config.options.serial_query_rate.value_or(settings.limits.serial_query_rate);
    settings.limits.notify_rate = config.options.notify_rate.value_or(settings.limits.notify_rate);
    settings.limits.startup_notify_rate =
        config.options.startup_notify_rate.value_or(settings.limits.startup_notify_rate);
    settings.transfers_out = config.options.transfers_out.value_or(settings.transfers_out);
    settings.lmdb_map_size = config.options.lmdb_mapsize.value_or(settings.lmdb_map_size);
    if (config.options.blackhole) {
        settings.blackhole = AccessList::from(*config.options.blackhole, config, host);
        settings.has_blackhole = !config.options.blackhole->elements.empty();
    }
    const auto tenths = [](std::optional<std::uint32_t> value) {
        return std::chrono::milliseconds(100 * std::int64_t{value.value_or(300)});
    };
    settings.tcp_initial_timeout = tenths(config.options.tcp_initial_timeout);
    settings.tcp_idle_timeout = tenths(config.options.tcp_idle_timeout);
    settings.tcp_keepalive_timeout = tenths(config.options.tcp_keepalive_timeout);
    settings.engine.tcp_advertised_timeout =
        static_cast<std::uint16_t>(config.options.tcp_advertised_timeout.value_or(300));
    add_logging(config, settings);
    settings.keys = build_keyring(config, result);
    add_probes(config, settings, result);

    settings.engine.max_udp_payload = config.max_udp_size(nullptr);
    if (!config.options.version_hidden)
        settings.engine.version_bind = config.options.version.value_or("cairn");
    // hostname: CH TXT hostname.bind and id.server; server-id: NSID (RFC 5001). Only when configured.
    if (config.options.hostname && !config.options.hostname_hidden)
        settings.engine.id_server = *config.options.hostname;
    if (config.options.server_id && !config.options.server_id_hidden) {
        std::string id = *config.options.server_id;
        if (id == "hostname") {
            char host[256] = {};
            ::gethostname(host, sizeof host - 1);
            id = host;
        }
        settings.engine.nsid.assign(id.begin(), id.end());
    }

    if (config.views.empty()) {
        ViewSettings view;
        view.rate_limit = make_rate_limit(config.rate_limit(nullptr), config, host);
        view.recursion = recursion_settings(config, nullptr, host, result.warnings, result.errors);
        for (const auto& zone : config.zones)
            add_zone(config, zone, nullptr, host, settings.keys, view, result);
        settings.views.push_back(std::move(view));
        return;
    }
    for (const auto& view : config.views) {
        ViewSettings served;
        served.name = view.name;
        served.rate_limit = make_rate_limit(config.rate_limit(&view), config, host);
        served.recursion = recursion_settings(config, &view, host, result.warnings, result.errors);
        if (view.match_clients) served.match_clients = AccessList::from(*view.match_clients, config, host);
        if (view.match_destinations) {
            served.match_destinations = AccessList::from(*view.match_destinations, config, host);
        }
        for (const auto& zone : view.zones)
            add_zone(config, zone, &view, host, settings.keys, served, result);
        settings.views.push_back(std::move(served));
    }
}

}  // namespace

SettingsResult load_settings(const std::string& config_path) {
    SettingsResult result;
    try {
        config::LoadResult loaded = config::load(config_path);
        for (const auto& warning : loaded.warnings)
            result.warnings.push_back(warning.to_string());
        translate(loaded.config, result);
    } catch (const config::ConfigError& e) {
        for (const auto& warning : e.warnings())
            result.warnings.push_back(warning.to_string());
        for (const auto& error : e.errors())
            result.errors.push_back(error.to_string());
        if (e.errors().empty()) result.errors.push_back(e.what());
    } catch (const config::ParseFailure& e) {
        result.errors.push_back(e.diagnostic().to_string());
    } catch (const std::exception& e) {
        result.errors.push_back(config_path + ": " + e.what());
    }
    return result;
}

}  // namespace cairn::server
