// config::load(): parse, then the checks named-checkconf makes (bind9_check_namedconf), then defaults.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "config/config.hpp"
#include "config/parser.hpp"
#include "config/recursion_checks.hpp"
#include "dns/text.hpp"
#include "dns/tsig.hpp"

namespace cairn::config {

namespace {

std::string current_directory() {
    char buffer[PATH_MAX];
    if (::getcwd(buffer, sizeof buffer) == nullptr) return ".";
    return buffer;
}

std::string where_text(const Location& where) {
    return where.file_name() + ":" + std::to_string(where.line);
}

class Checker {
  public:
    Checker(const Config& config, std::vector<Diagnostic>& errors, std::vector<Diagnostic>& warnings)
        : config_(config), errors_(errors), warnings_(warnings) {}

    void run() {
        check_keys();
        check_acls();
        check_servers();
        check_views();
        const HostNetworks no_host;  // interfaces do not change whether a list is valid
        check_list(config_.options.settings, nullptr);
        check_view_settings(config_.options.view_settings);
        check_policy_name(config_.options.settings.dnssec_policy, config_.options.where);
        for (const DnssecPolicy& policy : config_.dnssec_policies)
            check_policy_times(policy);
        for (const View& view : config_.views)
            check_policy_name(view.settings.dnssec_policy, view.where);
        for (const ListenOn& listen : config_.options.listen_on)
            check_aml(listen.addresses);
        for (const ListenOn& listen : config_.options.listen_on_v6)
            check_aml(listen.addresses);
        if (config_.options.blackhole) check_aml(*config_.options.blackhole);
        for (const ControlChannel& control : config_.controls) {
            check_aml(control.allow);
            for (const std::string& key : control.keys)
                check_key_defined(key, control.where, true);
        }
        for (const StatisticsChannel& channel : config_.statistics_channels) {
            if (channel.allow) check_aml(*channel.allow);
        }
        check_logging();
        if (!config_.views.empty() && !config_.zones.empty()) {
            error(config_.zones.front().where, "when using 'view' statements, all zones must be in views");
        }
        check_zones(config_.zones, nullptr);
        for (const View& view : config_.views)
            check_zones(view.zones, &view);
        check_recursion(config_, errors_);
    }

  private:
    void error(const Location& where, std::string message) {
        errors_.push_back(Diagnostic::at(where, Severity::Error, std::move(message)));
    }
    void warning(const Location& where, std::string message) {
        warnings_.push_back(Diagnostic::at(where, Severity::Warning, std::move(message)));
    }

    // As named-checkconf: a key name is defined once at the top level and once per view, and a view's key
    // may not reuse a top-level key's name; two views may each define their own key of the same name.
    void check_keys() {
        std::map<dns::Name, const Key*> top;
        check_keys(config_.keys, top);
        for (const View& view : config_.views) {
            std::map<dns::Name, const Key*> seen = top;
            check_keys(view.keys, seen);
        }
    }
    // A secret in a file every local user can read is no secret: say so once per file (the issue asks for
    // it; named-checkconf stays silent).
    void warn_if_readable_by_all(const Key& key) {
        const std::string& file = key.where.file_name();
        if (file.empty() || !warned_files_.insert(file).second) return;
        struct stat status {};
        if (::stat(file.c_str(), &status) != 0 || (status.st_mode & S_IROTH) == 0) return;
        warning(key.where, "key '" + key.name_text +
                               "': this file holds its secret and is readable by all users (chmod o-r " +
                               file + ")");
    }
    void check_keys(const std::vector<Key>& keys, std::map<dns::Name, const Key*>& seen) {
        for (const Key& key : keys) {
            if (key.algorithm.empty() || key.secret.empty()) {
                error(key.where,
                      "key '" + key.name_text + "' must have both 'secret' and 'algorithm' defined");
                continue;
            }
            std::vector<std::uint8_t> secret;
            if (!dns::decode_base64(key.secret, secret)) {
                error(key.where, "bad secret 'bad base64 encoding'");
            }
            try {
                dns::parse_tsig_algorithm(key.algorithm);
            } catch (const dns::ParseError& e) {
                error(key.where, "unknown algorithm '" + key.algorithm + "'");
            }
            warn_if_readable_by_all(key);
            const auto [it, inserted] = seen.emplace(key.name.lowercased(), &key);
            if (!inserted) {
                error(key.where, "key '" + key.name_text + "': already exists previous definition: " +
                                     where_text(it->second->where));
            }
        }
    }

    void check_acls() {
        std::map<std::string, const Acl*> seen;
        for (const Acl& acl : config_.acls) {
            const auto [it, inserted] = seen.emplace(acl.name, &acl);
            if (!inserted) {
                error(acl.where, "attempt to redefine acl '" + acl.name +
                                     "' previous definition: " + where_text(it->second->where));
            }
        }
        std::map<std::string, const PrimariesList*> lists;
        for (const PrimariesList& list : config_.primaries) {
            const auto [it, inserted] = lists.emplace(list.name, &list);
            if (!inserted) {
                error(list.where, "primaries '" + list.name + "': already exists previous definition: " +
                                      where_text(it->second->where));
            }
            check_remotes(list.list);
        }
    }

    void check_servers() {
        check_servers(config_.servers, nullptr);
        for (const View& view : config_.views)
            check_servers(view.servers, &view);
    }
    void check_servers(const std::vector<Server>& servers, const View* view) {
        for (const Server& server : servers) {
            for (const std::string& key : server.keys)
                check_key_defined(key, server.where, true, view);
        }
    }

    void check_views() {
        std::map<std::string, const View*> seen;
        for (const View& view : config_.views) {
            const auto [it, inserted] = seen.emplace(view.name, &view);
            if (!inserted) {
                error(view.where, "view '" + view.name + "': already exists previous definition: " +
                                      where_text(it->second->where));
            }
            if (view.match_clients) check_aml(*view.match_clients, &view);
            if (view.match_destinations) check_aml(*view.match_destinations, &view);
            check_list(view.settings, &view);
            check_view_settings(view.view_settings);
        }
    }

    void check_logging() {
        static const std::set<std::string> kPredefined = {"default_syslog", "default_debug", "default_stderr",
                                                          "default_logfile", "null"};
        std::set<std::string> channels;
        for (const LogChannel& channel : config_.logging.channels) {
            if (channel.destination == LogChannel::Destination::None) {
                error(channel.where, "channel '" + channel.name +
                                         "': exactly one of file, syslog, null, and "
                                         "stderr must be present");
            }
            channels.insert(channel.name);
        }
        // BIND 9.18's categories: a misspelt one would otherwise route nothing, silently.
        static const std::set<std::string> kCategories = {"client",
                                                          "cname",
                                                          "config",
                                                          "database",
                                                          "default",
                                                          "delegation-only",
                                                          "dispatch",
                                                          "dnssec",
                                                          "dnstap",
                                                          "edns-disabled",
                                                          "general",
                                                          "lame-servers",
                                                          "network",
                                                          "notify",
                                                          "nsid",
                                                          "queries",
                                                          "query-errors",
                                                          "rate-limit",
                                                          "resolver",
                                                          "rpz",
                                                          "rpz-passthru",
                                                          "security",
                                                          "serve-stale",
                                                          "spill",
                                                          "sslkeylog",
                                                          "trust-anchor-telemetry",
                                                          "unmatched",
                                                          "update",
                                                          "update-security",
                                                          "xfer-in",
                                                          "xfer-out",
                                                          "zoneload"};
        for (const LogCategory& category : config_.logging.categories) {
            if (!kCategories.count(category.name))
                error(category.where, "undefined category: '" + category.name + "'");
            for (const std::string& channel : category.channels) {
                if (!channels.count(channel) && !kPredefined.count(channel)) {
                    error(category.where, "undefined channel: '" + channel + "'");
                }
            }
        }
    }

    void check_key_defined(const std::string& name, const Location& where, bool fatal,
                           const View* view = nullptr) {
        if (config_.find_key(name, view) != nullptr) return;
        if (fatal) {
            error(where, "unknown key '" + name + "'");
        } else {
            warning(where, "key '" + name + "' is not defined; the element never matches");
        }
    }

    void check_aml(const AddressMatchList& list, const View* view = nullptr) {
        try {
            (void)CompiledAcl::compile(
                list,
                [this](const std::string& name) -> const AddressMatchList* {
                    const Acl* acl = config_.find_acl(name);
                    return acl ? &acl->list : nullptr;
                },
                HostNetworks{});
        } catch (const ParseFailure& failure) {
            errors_.push_back(failure.diagnostic());
        }
        check_aml_keys(list.elements, view);
    }
    void check_aml_keys(const std::vector<AmlElement>& elements, const View* view) {
        for (const AmlElement& element : elements) {
            if (element.kind == AmlElement::Kind::Key)
                check_key_defined(element.name, element.where, false, view);
            if (element.kind == AmlElement::Kind::List) check_aml_keys(element.list, view);
        }
    }

    void check_remotes(const RemoteList& list, const View* view = nullptr) {
        for (const RemoteEntry& entry : list.entries) {
            if (!entry.address && config_.find_primaries(entry.list_name) == nullptr) {
                error(entry.where, "unable to find primaries list '" + entry.list_name + "'");
            }
            if (!entry.key.empty() && config_.find_key(entry.key, view) == nullptr) {
                warning(entry.where, "key '" + entry.key + "' is not defined");
            }
        }
    }

    void check_list(const ZoneSettings& z, const View* view) {
        for (const auto* list :
             {&z.allow_query, &z.allow_query_on, &z.allow_transfer, &z.allow_notify, &z.allow_update}) {
            if (*list) check_aml(**list, view);
        }
        if (z.also_notify) check_remotes(*z.also_notify, view);
    }
    void check_view_settings(const ViewSettings& v) {
        for (const auto* list :
             {&v.allow_recursion, &v.allow_recursion_on, &v.allow_query_cache, &v.allow_query_cache_on}) {
            if (*list) check_aml(**list);
        }
    }

    void check_zones(const std::vector<Zone>& zones, const View* view) {
        std::map<std::pair<dns::Name, int>, const Zone*> seen;
        const dns::RRClass view_class = view ? view->rrclass : dns::RRClass::IN;
        for (const Zone& zone : zones) {
            const std::string label = "zone '" + zone.name_text + "'";
            if (zone.rrclass != view_class) {
                error(zone.where, label + ": class '" + dns::class_to_text(zone.rrclass) +
                                      "' does not match view/default class");
            }
            const auto [it, inserted] =
                seen.emplace(std::make_pair(zone.name.lowercased(), static_cast<int>(zone.rrclass)), &zone);
            if (!inserted) {
                error(zone.where,
                      label + ": already exists previous definition: " + where_text(it->second->where));
            }
            check_list(zone.settings, view);
            if (zone.primaries) check_remotes(*zone.primaries, view);
            if (zone.in_view) continue;
            if (!zone.type) {
                error(zone.where, label + ": type not present");
                continue;
            }
            const ZoneType type = *zone.type;
            const bool needs_file = type == ZoneType::Primary || type == ZoneType::Hint;
            const bool needs_primaries = type == ZoneType::Secondary || type == ZoneType::Stub ||
                                         (type == ZoneType::Mirror && !zone.name.is_root());
            if (needs_file && !zone.file) error(zone.where, label + ": missing 'file' entry");
            if (needs_primaries && !zone.primaries) error(zone.where, label + ": missing 'primaries' entry");
            check_clauses_for_type(zone, type);
            check_signing(zone, type, view);
            if (type == ZoneType::Mirror && zone.settings.notify && *zone.settings.notify != NotifyMode::No &&
                *zone.settings.notify != NotifyMode::Explicit) {
                error(zone.where,
                      label + ": mirror zones can only be used with 'notify no;' or 'notify explicit;'");
            }
        }
    }

    // dnssec-policy names a policy; a zone is signed only where cairn signs it (never served unsigned
    // while the configuration says signed).
    void check_policy_name(const std::optional<std::string>& name, const Location& where) {
        if (name && *name != "none" && config_.find_dnssec_policy(*name) == nullptr)
            error(where, "dnssec-policy '" + *name + "' not found");
    }
    // BIND's kasp checks: signatures are refreshed before they expire, and not all of them at once.
    void check_policy_times(const DnssecPolicy& policy) {
        const std::string label = "dnssec-policy '" + policy.name + "': ";
        if (std::uint64_t{policy.signatures_refresh} * 10 > std::uint64_t{policy.signatures_validity} * 9)
            error(policy.where, label + "signatures-refresh must be at most 90% of the signatures-validity");
        if (std::uint64_t{policy.signatures_refresh} * 10 >
            std::uint64_t{policy.signatures_validity_dnskey} * 9)
            error(policy.where,
                  label + "signatures-refresh must be at most 90% of the signatures-validity-dnskey");
        if (policy.signatures_jitter > policy.signatures_validity)
            error(policy.where, label + "signatures-jitter cannot be larger than signatures-validity");
    }
    void check_signing(const Zone& zone, ZoneType type, const View* view) {
        const ResolvedZone resolved = config_.resolve_zone(zone, view);
        check_policy_name(zone.settings.dnssec_policy, zone.where);
        if (resolved.dnssec_policy == nullptr) return;
        const std::string label = "zone '" + zone.name_text + "'";
        if (type != ZoneType::Primary) {
            error(zone.where, label + ": dnssec-policy '" + resolved.dnssec_policy->name +
                                  "': cairn signs primary zones only (signing what a " +
                                  std::string(to_string(type)) +
                                  " zone transfers in is not implemented yet); it would be served unsigned");
        } else if (zone.settings.inline_signing == false) {
            error(zone.where, label +
                                  ": dnssec-policy with 'inline-signing no' needs dynamic updates, which "
                                  "cairn does not accept: use 'inline-signing yes'");
        }
    }

    // Which zone types accept a clause (BIND's zone option table, as named-checkconf 9.18 applies it).
    void check_clauses_for_type(const Zone& zone, ZoneType type) {
        using T = ZoneType;
        struct Rule {
            std::string_view clause;
            std::initializer_list<ZoneType> types;
        };
        static const Rule kRules[] = {
            {"file", {T::Primary, T::Secondary, T::Mirror, T::Hint, T::Stub, T::Redirect}},
            {"primaries", {T::Secondary, T::Mirror, T::Stub, T::Redirect}},
            {"masters", {T::Secondary, T::Mirror, T::Stub, T::Redirect}},
            {"allow-query", {T::Primary, T::Secondary, T::Mirror, T::Stub, T::StaticStub, T::Redirect}},
            {"allow-query-on", {T::Primary, T::Secondary, T::Mirror, T::Stub, T::StaticStub, T::Redirect}},
            {"allow-transfer", {T::Primary, T::Secondary, T::Mirror}},
            {"allow-notify", {T::Secondary, T::Mirror}},
            {"allow-update", {T::Primary}},
            {"also-notify", {T::Primary, T::Secondary, T::Mirror}},
            {"notify", {T::Primary, T::Secondary, T::Mirror}},
            {"masterfile-format", {T::Primary, T::Secondary, T::Mirror, T::Stub, T::Redirect}},
            {"max-journal-size", {T::Primary, T::Secondary, T::Mirror}},
            {"ixfr-from-differences", {T::Primary, T::Secondary, T::Mirror}},
            {"min-refresh-time", {T::Secondary, T::Mirror, T::Stub}},
            {"max-refresh-time", {T::Secondary, T::Mirror, T::Stub}},
            {"min-retry-time", {T::Secondary, T::Mirror, T::Stub}},
            {"max-retry-time", {T::Secondary, T::Mirror, T::Stub}},
            {"max-transfer-time-in", {T::Secondary, T::Mirror, T::Stub}},
            {"max-transfer-idle-in", {T::Secondary, T::Mirror, T::Stub}},
            {"max-transfer-time-out", {T::Primary, T::Secondary, T::Mirror}},
            {"max-transfer-idle-out", {T::Primary, T::Secondary, T::Mirror}},
            {"notify-delay", {T::Primary, T::Secondary, T::Mirror}},
            {"max-zone-ttl", {T::Primary, T::Redirect}},
            {"transfer-source", {T::Secondary, T::Mirror, T::Stub}},
            {"transfer-source-v6", {T::Secondary, T::Mirror, T::Stub}},
            {"notify-source", {T::Primary, T::Secondary, T::Mirror}},
            {"notify-source-v6", {T::Primary, T::Secondary, T::Mirror}},
            {"request-ixfr", {T::Secondary, T::Mirror}},
            {"try-tcp-refresh", {T::Secondary, T::Mirror}},
            {"multi-master", {T::Secondary, T::Mirror, T::Stub}},
            {"max-records", {T::Primary, T::Secondary, T::Mirror, T::Stub, T::StaticStub, T::Redirect}},
            {"journal", {T::Primary, T::Secondary, T::Mirror}},
            {"dnssec-policy", {T::Primary, T::Secondary}},
            {"inline-signing", {T::Primary, T::Secondary}},
            {"key-directory", {T::Primary, T::Secondary}},
            {"forward", {T::Primary, T::Secondary, T::Stub, T::StaticStub, T::Forward}},
            {"forwarders", {T::Primary, T::Secondary, T::Stub, T::StaticStub, T::Forward}},
            {"server-addresses", {T::StaticStub}},
            {"server-names", {T::StaticStub}},
        };
        if (type == T::DelegationOnly) return;
        for (const Zone::WrittenClause& written : zone.written) {
            for (const Rule& rule : kRules) {
                if (rule.clause != written.name) continue;
                if (std::find(rule.types.begin(), rule.types.end(), type) == rule.types.end()) {
                    error(written.where, "option '" + std::string(written.name) + "' is not allowed in '" +
                                             std::string(to_string(type)) + "' zone '" + zone.name_text +
                                             "'");
                }
            }
        }
    }

    const Config& config_;
    std::vector<Diagnostic>& errors_;
    std::vector<Diagnostic>& warnings_;
    std::set<std::string> warned_files_;
};

LoadResult finish(Config config, std::vector<Diagnostic> warnings) {
    std::vector<Diagnostic> errors;
    Checker(config, errors, warnings).run();
    if (!errors.empty()) throw ConfigError(std::move(errors), std::move(warnings));
    return LoadResult{std::move(config), std::move(warnings)};
}

}  // namespace

LoadResult load(const std::string& path) {
    Config config;
    config.working_directory = current_directory();
    std::vector<Diagnostic> warnings;
    try {
        ClauseParser parser(config, warnings, config.working_directory);
        parser.parse_file(path);
    } catch (const ParseFailure& failure) {
        throw ConfigError({failure.diagnostic()}, std::move(warnings));
    }
    return finish(std::move(config), std::move(warnings));
}

LoadResult load_text(const std::string& name, const std::string& text, const LoadOptions& options) {
    Config config;
    config.working_directory = current_directory();
    std::vector<Diagnostic> warnings;
    try {
        ClauseParser parser(config, warnings, config.working_directory);
        parser.allow_includes(options.includes);
        parser.parse_text(name, text);
    } catch (const ParseFailure& failure) {
        throw ConfigError({failure.diagnostic()}, std::move(warnings));
    }
    return finish(std::move(config), std::move(warnings));
}

}  // namespace cairn::config
