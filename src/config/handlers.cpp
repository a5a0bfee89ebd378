#include "config/handlers.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "dns/types.hpp"

namespace cairn::config::handlers {

namespace {

std::optional<AddressMatchList>* allow_slot(ZoneSettings& z, std::string_view keyword) {
    if (keyword == "allow-query") return &z.allow_query;
    if (keyword == "allow-query-on") return &z.allow_query_on;
    if (keyword == "allow-transfer") return &z.allow_transfer;
    if (keyword == "allow-notify") return &z.allow_notify;
    if (keyword == "allow-update") return &z.allow_update;
    return nullptr;
}

dns::RRClass optional_class(ClauseParser& p) {
    const Token& token = p.peek();
    if (token.kind != Token::Kind::Word) return dns::RRClass::IN;
    const Token cls = p.next();
    const auto parsed = dns::class_from_text(cls.text);
    if (!parsed) p.fail(cls, "unknown class '" + cls.text + "'");
    return *parsed;
}

// An IP address, or `*` for every address (nullopt).
std::optional<dns::IpAddress> address_or_star(ClauseParser& p) {
    if (p.peek().kind == Token::Kind::Word && p.peek().text == "*") {
        p.next();
        return std::nullopt;
    }
    return p.ip_address();
}

std::optional<std::uint16_t> port_or_star(ClauseParser& p) {
    if (p.peek().kind == Token::Kind::Word && p.peek().text == "*") {
        p.next();
        return std::nullopt;
    }
    return p.port();
}

Scope child(const Scope& s) {
    Scope inner;
    inner.config = s.config;
    inner.view = s.view;
    return inner;
}

}  // namespace

// ---------------------------------------------------------------- top level

void options_statement(ClauseParser& p, Scope& s) {
    Options& options = s.config->options;
    options.where = s.where;
    Scope inner = child(s);
    inner.options = &options;
    inner.view_settings = &options.view_settings;
    inner.settings = &options.settings;
    p.parse_block(kOptions, inner);
}

void acl_statement(ClauseParser& p, Scope& s) {
    Acl acl;
    acl.where = s.where;
    const Token name = p.next();
    if (!name.is_string()) p.fail(name, "expected string");
    acl.name = name.text;
    for (std::string_view builtin : {"any", "none", "localhost", "localnets"}) {
        if (acl.name == builtin) fail_at(name.where, "cannot redefine builtin acl '" + acl.name + "'");
    }
    acl.list = p.aml();
    s.config->acls.push_back(std::move(acl));
}

void key_statement(ClauseParser& p, Scope& s) {
    Key key;
    key.where = s.where;
    const Token name = p.next();
    if (!name.is_string()) p.fail(name, "expected string");
    key.name_text = name.text;
    try {
        key.name = dns::Name::from_text(name.text, dns::Name());
    } catch (const dns::ParseError& e) {
        fail_at(name.where, "bad key name '" + name.text + "': " + e.what());
    }
    Scope inner = child(s);
    inner.key = &key;
    p.parse_block(kKey, inner);
    (s.view != nullptr ? s.view->keys : s.config->keys).push_back(std::move(key));
}

void server_statement(ClauseParser& p, Scope& s) {
    Server server;
    server.where = s.where;
    const Token token = p.next();
    std::string why;
    const auto prefix = token.kind == Token::Kind::Word ? IpPrefix::parse(token.text, &why) : std::nullopt;
    if (!prefix) p.fail(token, "expected IP address or prefix");
    server.prefix = *prefix;
    Scope inner = child(s);
    inner.server = &server;
    p.parse_block(kServer, inner);
    (s.view != nullptr ? s.view->servers : s.config->servers).push_back(std::move(server));
}

void primaries_statement(ClauseParser& p, Scope& s) {
    PrimariesList list;
    list.where = s.where;
    list.name = p.astring();
    list.list = p.remote_list();
    s.config->primaries.push_back(std::move(list));
}

void zone_statement(ClauseParser& p, Scope& s) {
    Zone zone;
    zone.where = s.where;
    const Token name = p.next();
    if (!name.is_string()) p.fail(name, "expected string");
    zone.name_text = name.text;
    try {
        zone.name = dns::Name::from_text(name.text, dns::Name());
    } catch (const dns::ParseError& e) {
        fail_at(name.where, "zone '" + name.text + "': invalid name: " + e.what());
    }
    zone.rrclass = optional_class(p);
    Scope inner = child(s);
    inner.zone = &zone;
    inner.settings = &zone.settings;
    p.parse_block(kZone, inner);
    if (s.view != nullptr) {
        s.view->zones.push_back(std::move(zone));
    } else {
        s.config->zones.push_back(std::move(zone));
    }
}

void view_statement(ClauseParser& p, Scope& s) {
    View view;
    view.where = s.where;
    view.name = p.astring();
    view.rrclass = optional_class(p);
    Scope inner = child(s);
    inner.view = &view;
    inner.view_settings = &view.view_settings;
    inner.settings = &view.settings;
    p.parse_block(kView, inner);
    s.config->views.push_back(std::move(view));
}

void logging_statement(ClauseParser& p, Scope& s) {
    s.config->logging.present = true;
    Scope inner = child(s);
    p.parse_block(kLogging, inner);
}

void controls_statement(ClauseParser& p, Scope& s) {
    s.config->controls_present = true;
    Scope inner = child(s);
    p.parse_block(kControls, inner);
}

void statistics_channels_statement(ClauseParser& p, Scope& s) {
    Scope inner = child(s);
    p.parse_block(kStatistics, inner);
}

void dnssec_policy_statement(ClauseParser& p, Scope& s) {
    DnssecPolicy policy;
    policy.where = s.where;
    const Token name = p.next();
    if (!name.is_string()) p.fail(name, "expected string");
    if (name.text == "default" || name.text == "insecure" || name.text == "none")
        p.fail(name, "dnssec-policy name may not be '" + name.text + "'");
    for (const DnssecPolicy& other : s.config->dnssec_policies) {
        if (other.name == name.text)
            fail_at(name.where, "dnssec-policy '" + name.text + "' is already defined");
    }
    policy.name = name.text;
    Scope inner = child(s);
    inner.policy = &policy;
    p.parse_block(kDnssecPolicy, inner);
    s.config->dnssec_policies.push_back(std::move(policy));
}

// ---------------------------------------------------------------- options

void directory(ClauseParser& p, Scope& s) {
    const Token token = p.next();
    if (!token.is_string()) p.fail(token, "expected string");
    // BIND changes its working directory here, while parsing, so later includes and relative file names
    // are read from it. cairn keeps the process's directory and resolves paths against this one instead.
    const std::string resolved = join_path(p.base_directory(), token.text);
    struct stat info {};
    if (::stat(resolved.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        fail_at(token.where, "change directory to '" + token.text + "' failed: file not found");
    }
    p.base_directory() = resolved;
    s.options->directory = resolved;
}

void listen_on(ClauseParser& p, Scope& s) {
    ListenOn listen;
    listen.where = s.where;
    for (;;) {
        if (p.accept_keyword("port")) {
            listen.port = p.port();
        } else if (p.accept_keyword("dscp")) {
            p.number(63);
        } else if (p.accept_keyword("tls")) {
            listen.tls = p.astring();
        } else if (p.accept_keyword("http")) {
            listen.http = p.astring();
        } else if (p.accept_keyword("proxy")) {
            p.astring();
        } else {
            break;
        }
    }
    listen.addresses = p.aml();
    auto& target = s.keyword == "listen-on" ? s.options->listen_on : s.options->listen_on_v6;
    target.push_back(std::move(listen));
}

void pid_file(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("none")) {
        s.options->pid_file = std::string();
        return;
    }
    s.options->pid_file = p.qstring();
}

void version(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("none")) {
        s.options->version_hidden = true;
        return;
    }
    s.options->version = p.qstring();
}

void hostname(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("none")) {
        s.options->hostname_hidden = true;
        return;
    }
    s.options->hostname = p.qstring();
}

void server_id(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("none")) {
        s.options->server_id_hidden = true;
        return;
    }
    s.options->server_id_hidden = false;
    if (p.accept_keyword("hostname")) {
        s.options->server_id = "hostname";
        return;
    }
    s.options->server_id = p.qstring();
}

void port(ClauseParser& p, Scope& s) {
    s.options->port = p.port();
}

void statistics_file(ClauseParser& p, Scope& s) {
    s.options->statistics_file = p.qstring();
}

void key_directory(ClauseParser& p, Scope& s) {
    s.settings->key_directory = p.qstring();
}

void transfers_limit(ClauseParser& p, Scope& s) {
    const auto value = static_cast<std::uint32_t>(p.number());
    if (s.keyword == "transfers-in") s.options->transfers_in = value;
    if (s.keyword == "transfers-out") s.options->transfers_out = value;
    if (s.keyword == "transfers-per-ns") s.options->transfers_per_ns = value;
    if (s.keyword == "serial-query-rate") s.options->serial_query_rate = value;
    if (s.keyword == "notify-rate") s.options->notify_rate = value;
    if (s.keyword == "startup-notify-rate") s.options->startup_notify_rate = value;
}

// BIND's range (bin/named/server.c): 1 megabyte to 1 terabyte, else the configuration fails.
void lmdb_mapsize(ClauseParser& p, Scope& s) {
    const Token at = p.peek();
    const std::uint64_t bytes = p.size_value();
    if (bytes < (std::uint64_t{1} << 20)) p.fail(at, "'lmdb-mapsize " + at.text + "' is too small");
    if (bytes > (std::uint64_t{1} << 40)) p.fail(at, "'lmdb-mapsize " + at.text + "' is too large");
    s.options->lmdb_mapsize = bytes;
}

void tcp_clients(ClauseParser& p, Scope& s) {
    s.options->tcp_clients = static_cast<std::uint32_t>(p.number());
}

// BIND's ranges, in tenths of a second (bin/named/server.c): out-of-range values are clamped with a warning.
void tcp_timeout(ClauseParser& p, Scope& s) {
    const Token at = p.peek();
    auto value = static_cast<std::uint32_t>(p.number());
    struct Range {
        std::string_view keyword;
        std::optional<std::uint32_t> Options::*slot;
        std::uint32_t min, max;
    };
    static constexpr Range kRanges[] = {
        {"tcp-initial-timeout", &Options::tcp_initial_timeout, 25, 1200},
        {"tcp-idle-timeout", &Options::tcp_idle_timeout, 1, 1200},
        {"tcp-keepalive-timeout", &Options::tcp_keepalive_timeout, 1, 65535},
        {"tcp-advertised-timeout", &Options::tcp_advertised_timeout, 0, 65535},
    };
    for (const Range& range : kRanges) {
        if (s.keyword != range.keyword) continue;
        if (value > range.max || value < range.min) {
            const bool high = value > range.max;
            value = high ? range.max : range.min;
            p.warn(at.where, std::string(range.keyword) + " value is out of range: " +
                                 (high ? "lowering" : "raising") + " to " + std::to_string(value));
        }
        s.options->*range.slot = value;
    }
}

void blackhole(ClauseParser& p, Scope& s) {
    s.options->blackhole = p.aml();
}

void querylog(ClauseParser& p, Scope& s) {
    s.options->querylog = p.boolean();
}

void match_mapped_addresses(ClauseParser& p, Scope& s) {
    s.view_settings->match_mapped_addresses = p.boolean();
}

// ---------------------------------------------------------------- options and view

void recursion(ClauseParser& p, Scope& s) {
    s.view_settings->recursion = p.boolean();
}

void dnssec_validation(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("auto")) {
        s.view_settings->dnssec_validation = "auto";
        return;
    }
    s.view_settings->dnssec_validation = p.boolean() ? "yes" : "no";
}

void udp_size(ClauseParser& p, Scope& s) {
    const Token token = p.peek();
    const auto size = static_cast<std::uint16_t>(p.number(65535));
    if (size < 512 || size > 4096) {
        p.warn(token.where,
               "'" + std::string(s.keyword) + " " + token.text + "' is out of range 512..4096; clamped");
    }
    const auto clamped = static_cast<std::uint16_t>(std::clamp<unsigned>(size, 512, 4096));
    if (s.keyword == "max-udp-size") {
        s.view_settings->max_udp_size = clamped;
    } else {
        s.view_settings->edns_udp_size = clamped;
    }
}

void allow_recursion(ClauseParser& p, Scope& s) {
    s.view_settings->allow_recursion = p.aml();
}

void rate_limit(ClauseParser& p, Scope& s) {
    RateLimit limit;
    limit.where = s.where;
    Scope inner = child(s);
    inner.rate_limit = &limit;
    p.parse_block(kRateLimit, inner);
    // As named-checkconf (lib/bind9/check.c, check_ratelimit).
    const std::uint32_t min_entries = std::max<std::uint32_t>(1, limit.min_table_size.value_or(500));
    if (limit.max_table_size && *limit.max_table_size < min_entries)
        fail_at(s.where, "max-table-size " + std::to_string(*limit.max_table_size) + " < min-table-size " +
                             std::to_string(min_entries));
    s.view_settings->rate_limit = std::move(limit);
}

// ---------------------------------------------------------------- rate-limit

void rate_limit_number(ClauseParser& p, Scope& s) {
    const Token at = p.peek();
    const auto value = static_cast<std::uint32_t>(p.number());
    RateLimit& r = *s.rate_limit;
    const std::string text = std::string(s.keyword) + " " + std::to_string(value);
    struct Rate {
        std::string_view keyword;
        std::optional<std::uint32_t> RateLimit::*slot;
        std::uint32_t max;
    };
    static constexpr Rate kRates[] = {
        {"responses-per-second", &RateLimit::responses_per_second, 1000},
        {"referrals-per-second", &RateLimit::referrals_per_second, 1000},
        {"nodata-per-second", &RateLimit::nodata_per_second, 1000},
        {"nxdomains-per-second", &RateLimit::nxdomains_per_second, 1000},
        {"errors-per-second", &RateLimit::errors_per_second, 1000},
        {"all-per-second", &RateLimit::all_per_second, 1000},
        {"slip", &RateLimit::slip, 10},
    };
    for (const Rate& rate : kRates) {
        if (s.keyword != rate.keyword) continue;
        if (value > rate.max) fail_at(at.where, text + " > " + std::to_string(rate.max));
        r.*rate.slot = value;
        return;
    }
    if (s.keyword == "window") {
        if (value < 1 || value > 3600) fail_at(at.where, text + " < 1 or > 3600");
        r.window = value;
    } else if (s.keyword == "qps-scale") {
        if (value < 1) fail_at(at.where, "invalid '" + text + "'");
        r.qps_scale = value;
    } else if (s.keyword == "ipv4-prefix-length") {
        if (value < 8 || value > 32) fail_at(at.where, "invalid '" + text + "'");
        r.ipv4_prefix_length = value;
    } else if (s.keyword == "ipv6-prefix-length") {
        if (value < 16 || value > 64) fail_at(at.where, text + " < 16 or > 64");
        r.ipv6_prefix_length = value;
    } else if (s.keyword == "max-table-size") {
        r.max_table_size = value;
    } else if (s.keyword == "min-table-size") {
        r.min_table_size = value;
    }
}

void rate_limit_exempt(ClauseParser& p, Scope& s) {
    s.rate_limit->exempt_clients = p.aml();
}

void rate_limit_log_only(ClauseParser& p, Scope& s) {
    s.rate_limit->log_only = p.boolean();
}

// ---------------------------------------------------------------- options, view and zone

void allow_list(ClauseParser& p, Scope& s) {
    *allow_slot(*s.settings, s.keyword) = p.aml();
}

void also_notify(ClauseParser& p, Scope& s) {
    s.settings->also_notify = p.remote_list();
}

void notify(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 8> kChoices = {
        "yes", "no", "true", "false", "explicit", "master-only", "primary-only", "1"};
    const Token token = p.peek();
    const std::string value = p.enum_value(kChoices);
    if (value == "yes" || value == "true" || value == "1") {
        s.settings->notify = NotifyMode::Yes;
    } else if (value == "no" || value == "false") {
        s.settings->notify = NotifyMode::No;
    } else if (value == "explicit") {
        s.settings->notify = NotifyMode::Explicit;
    } else {
        s.settings->notify = NotifyMode::PrimaryOnly;
    }
    (void)token;
}

void masterfile_format(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 2> kChoices = {"text", "raw"};
    s.settings->masterfile_format =
        p.enum_value(kChoices) == "raw" ? MasterfileFormat::Raw : MasterfileFormat::Text;
}

void max_journal_size(ClauseParser& p, Scope& s) {
    s.settings->max_journal_size = p.size_limit();
}

void ixfr_from_differences(ClauseParser& p, Scope& s) {
    if (s.context == kZone) {
        s.settings->ixfr_from_differences = p.boolean() ? IxfrFromDifferences::Yes : IxfrFromDifferences::No;
        return;
    }
    static constexpr std::array<std::string_view, 10> kChoices = {
        "yes", "no", "true", "false", "primary", "master", "secondary", "slave", "1", "0"};
    const std::string value = p.enum_value(kChoices);
    if (value == "primary" || value == "master") {
        s.settings->ixfr_from_differences = IxfrFromDifferences::Primary;
    } else if (value == "secondary" || value == "slave") {
        s.settings->ixfr_from_differences = IxfrFromDifferences::Secondary;
    } else if (value == "yes" || value == "true" || value == "1") {
        s.settings->ixfr_from_differences = IxfrFromDifferences::Yes;
    } else {
        s.settings->ixfr_from_differences = IxfrFromDifferences::No;
    }
}

void refresh_retry_limit(ClauseParser& p, Scope& s) {
    const auto value = static_cast<std::uint32_t>(p.number());
    ZoneSettings& z = *s.settings;
    if (s.keyword == "min-refresh-time") z.min_refresh_time = value;
    if (s.keyword == "max-refresh-time") z.max_refresh_time = value;
    if (s.keyword == "min-retry-time") z.min_retry_time = value;
    if (s.keyword == "max-retry-time") z.max_retry_time = value;
}

void transfer_time_limit(ClauseParser& p, Scope& s) {
    // named.conf gives these in minutes; BIND caps them at 28 days.
    const auto minutes = static_cast<std::uint32_t>(p.number(40320));
    const std::uint32_t seconds = minutes * 60;
    ZoneSettings& z = *s.settings;
    if (s.keyword == "max-transfer-time-in") z.max_transfer_time_in = seconds;
    if (s.keyword == "max-transfer-idle-in") z.max_transfer_idle_in = seconds;
    if (s.keyword == "max-transfer-time-out") z.max_transfer_time_out = seconds;
    if (s.keyword == "max-transfer-idle-out") z.max_transfer_idle_out = seconds;
}

void notify_delay(ClauseParser& p, Scope& s) {
    s.settings->notify_delay = static_cast<std::uint32_t>(p.number());
}

void secondary_watch(ClauseParser& p, Scope& s) {
    // Seconds, at most a day (a check rarer than that, or a warning later than that, watches nothing).
    const auto value = static_cast<std::uint32_t>(p.number(86400));
    ZoneSettings& z = *s.settings;
    if (s.keyword == "secondary-check-interval") z.secondary_check_interval = value;
    if (s.keyword == "secondary-lag-warning") z.secondary_lag_warning = value;
}

void max_zone_ttl(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("unlimited")) {
        s.settings->max_zone_ttl = UINT32_MAX;
        return;
    }
    s.settings->max_zone_ttl = p.duration_value();
}

void source_address(ClauseParser& p, Scope& s) {
    const bool v6 = s.keyword.ends_with("-v6");
    const SocketAddress source = p.source_address(v6 ? AF_INET6 : AF_INET);
    auto& transfer = s.server != nullptr ? s.server->transfer_source : s.settings->transfer_source;
    auto& transfer_v6 = s.server != nullptr ? s.server->transfer_source_v6 : s.settings->transfer_source_v6;
    auto& notify = s.server != nullptr ? s.server->notify_source : s.settings->notify_source;
    auto& notify_v6 = s.server != nullptr ? s.server->notify_source_v6 : s.settings->notify_source_v6;
    if (s.keyword == "transfer-source") transfer = source;
    if (s.keyword == "transfer-source-v6") transfer_v6 = source;
    if (s.keyword == "notify-source") notify = source;
    if (s.keyword == "notify-source-v6") notify_v6 = source;
}

void zone_boolean(ClauseParser& p, Scope& s) {
    const bool value = p.boolean();
    ZoneSettings& z = *s.settings;
    if (s.keyword == "request-ixfr") z.request_ixfr = value;
    if (s.keyword == "provide-ixfr") z.provide_ixfr = value;
    if (s.keyword == "try-tcp-refresh") z.try_tcp_refresh = value;
    if (s.keyword == "multi-master") z.multi_master = value;
}

void max_records(ClauseParser& p, Scope& s) {
    s.settings->max_records = p.number();
}

void zone_dnssec_policy(ClauseParser& p, Scope& s) {
    s.settings->dnssec_policy = p.astring();
}

// ---------------------------------------------------------------- zone

void zone_type(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 13> kChoices = {
        "primary",     "master",  "secondary", "slave",           "mirror",  "hint", "stub",
        "static-stub", "forward", "redirect",  "delegation-only", "in-view", "dlz"};
    const Token token = p.peek();
    const std::string value = p.enum_value(kChoices);
    ZoneType type = ZoneType::Primary;
    if (value == "primary" || value == "master")
        type = ZoneType::Primary;
    else if (value == "secondary" || value == "slave")
        type = ZoneType::Secondary;
    else if (value == "mirror")
        type = ZoneType::Mirror;
    else if (value == "hint")
        type = ZoneType::Hint;
    else if (value == "stub")
        type = ZoneType::Stub;
    else if (value == "static-stub")
        type = ZoneType::StaticStub;
    else if (value == "forward")
        type = ZoneType::Forward;
    else if (value == "redirect")
        type = ZoneType::Redirect;
    else if (value == "delegation-only") {
        p.warn(token.where, "'type delegation-only' is deprecated");
        type = ZoneType::DelegationOnly;
    } else {
        p.fail(token, "zone type '" + value + "' is not supported");
    }
    s.zone->type = type;
}

void zone_file(ClauseParser& p, Scope& s) {
    s.zone->file = p.qstring();
}

void zone_journal(ClauseParser& p, Scope& s) {
    s.zone->journal = p.qstring();
}

void zone_primaries(ClauseParser& p, Scope& s) {
    if (s.zone->primaries) fail_at(s.where, "'" + std::string(s.keyword) + "' redefined");
    s.zone->primaries = p.remote_list();
}

void zone_in_view(ClauseParser& p, Scope& s) {
    s.zone->in_view = p.astring();
}

void inline_signing(ClauseParser& p, Scope& s) {
    s.settings->inline_signing = p.boolean();
}

// ---------------------------------------------------------------- dnssec-policy

namespace {
std::optional<std::uint8_t> policy_algorithm(const std::string& text) {
    if (auto code = dns::dnssec_algorithm_from_text(text)) return code;
    if (text.empty() || text.size() > 3 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const unsigned long value = std::stoul(text);
    if (value > 255) return std::nullopt;
    return static_cast<std::uint8_t>(value);
}

void expect_word(ClauseParser& p, std::string_view word) {
    const Token token = p.next();
    if (token.kind != Token::Kind::Word || !dns::equal_ignoring_ascii_case(token.text, word))
        p.fail(token, "expected '" + std::string(word) + "'");
}
}  // namespace

// keys { ksk|zsk|csk [key-directory] lifetime DURATION|unlimited algorithm NAME|NUMBER [BITS]; ... };
void policy_keys(ClauseParser& p, Scope& s) {
    DnssecPolicy& policy = *s.policy;
    policy.keys.clear();
    policy.keys_written = true;
    p.expect('{');
    while (!p.accept('}')) {
        PolicyKey key;
        if (p.accept_keyword("ksk")) {
            key.role = PolicyKey::Role::ksk;
        } else if (p.accept_keyword("zsk")) {
            key.role = PolicyKey::Role::zsk;
        } else if (p.accept_keyword("csk")) {
            key.role = PolicyKey::Role::csk;
        } else {
            p.fail(p.peek(), "expected ksk, zsk or csk");
        }
        p.accept_keyword("key-directory");  // the zone's key-directory: the only key store BIND 9.18 has
        expect_word(p, "lifetime");
        if (!p.accept_keyword("unlimited")) key.lifetime = p.duration_value();
        expect_word(p, "algorithm");
        const Token algorithm = p.next();
        const std::optional<std::uint8_t> code = policy_algorithm(algorithm.text);
        if (!code) p.fail(algorithm, "unknown DNSSEC algorithm '" + algorithm.text + "'");
        if (!(*code == 8 || *code == 10 || (*code >= 13 && *code <= 16)))
            fail_at(algorithm.where, "dnssec-policy: algorithm " + algorithm.text +
                                         " cannot sign (RFC 8624: 8, 10, 13, 14, 15, 16)");
        key.algorithm = *code;
        if (!p.accept(';')) {
            const Token bits = p.peek();
            const auto value = p.number(4096);
            if (*code == 8 || *code == 10) {
                if (value < 1024) fail_at(bits.where, "dnssec-policy: RSA key size must be 1024-4096 bits");
                key.bits = static_cast<std::uint16_t>(value);
            }
            p.expect(';');
        }
        policy.keys.push_back(key);
    }
    bool signs_zone = false, signs_keys = false;
    for (const PolicyKey& key : policy.keys) {
        signs_zone = signs_zone || key.signs_zone();
        signs_keys = signs_keys || key.signs_keys();
    }
    if (!policy.keys.empty() && !(signs_zone && signs_keys))
        fail_at(s.where, "dnssec-policy '" + policy.name +
                             "': keys must sign both the zone and its keys (a csk, or a ksk and a zsk)");
}

void policy_duration(ClauseParser& p, Scope& s) {
    DnssecPolicy& policy = *s.policy;
    const std::uint32_t value = p.duration_value();
    if (s.keyword == "dnskey-ttl") policy.dnskey_ttl = value;
    if (s.keyword == "publish-safety") policy.publish_safety = value;
    if (s.keyword == "retire-safety") policy.retire_safety = value;
    if (s.keyword == "purge-keys") policy.purge_keys = value;
    if (s.keyword == "signatures-refresh") policy.signatures_refresh = value;
    if (s.keyword == "signatures-validity") policy.signatures_validity = value;
    if (s.keyword == "signatures-validity-dnskey") policy.signatures_validity_dnskey = value;
    if (s.keyword == "signatures-jitter") policy.signatures_jitter = value;
    if (s.keyword == "max-zone-ttl") policy.max_zone_ttl = value;
    if (s.keyword == "zone-propagation-delay") policy.zone_propagation_delay = value;
    if (s.keyword == "parent-ds-ttl") policy.parent_ds_ttl = value;
    if (s.keyword == "parent-propagation-delay") policy.parent_propagation_delay = value;
}

// nsec3param [iterations N] [optout yes|no] [salt-length N];
void policy_nsec3param(ClauseParser& p, Scope& s) {
    Nsec3Policy nsec3;
    for (;;) {
        if (p.accept_keyword("iterations")) {
            nsec3.iterations = static_cast<std::uint16_t>(p.number(150));
        } else if (p.accept_keyword("optout")) {
            nsec3.optout = p.boolean();
        } else if (p.accept_keyword("salt-length")) {
            nsec3.salt_length = static_cast<std::uint8_t>(p.number(255));
        } else {
            break;
        }
    }
    s.policy->nsec3 = nsec3;
}

// ---------------------------------------------------------------- view

void match_list(ClauseParser& p, Scope& s) {
    if (s.keyword == "match-clients") {
        s.view->match_clients = p.aml();
    } else {
        s.view->match_destinations = p.aml();
    }
}

void match_recursive_only(ClauseParser& p, Scope& s) {
    s.view->match_recursive_only = p.boolean();
}

// ---------------------------------------------------------------- key

void key_algorithm(ClauseParser& p, Scope& s) {
    s.key->algorithm = p.astring();
}

void key_secret(ClauseParser& p, Scope& s) {
    s.key->secret = p.astring();
}

// ---------------------------------------------------------------- server

void server_keys(ClauseParser& p, Scope& s) {
    // BIND takes both `keys { k; };` and the older `keys k;`.
    if (p.peek().is_special('{')) {
        s.server->keys = p.name_list();
    } else {
        s.server->keys.push_back(p.astring());
    }
}

void server_boolean(ClauseParser& p, Scope& s) {
    const bool value = p.boolean();
    Server& server = *s.server;
    if (s.keyword == "bogus") server.bogus = value;
    if (s.keyword == "request-ixfr") server.request_ixfr = value;
    if (s.keyword == "provide-ixfr") server.provide_ixfr = value;
    if (s.keyword == "edns") server.edns = value;
}

void server_transfers(ClauseParser& p, Scope& s) {
    s.server->transfers = static_cast<std::uint32_t>(p.number());
}

void server_transfer_format(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 2> kChoices = {"one-answer", "many-answers"};
    const std::string value = p.enum_value(kChoices);
    if (s.server != nullptr) s.server->transfer_format = value;
}

// ---------------------------------------------------------------- logging

void log_channel(ClauseParser& p, Scope& s) {
    LogChannel channel;
    channel.where = s.where;
    channel.name = p.astring();
    Scope inner = child(s);
    inner.channel = &channel;
    p.parse_block(kChannel, inner);
    s.config->logging.channels.push_back(std::move(channel));
}

void log_category(ClauseParser& p, Scope& s) {
    LogCategory category;
    category.where = s.where;
    category.name = p.astring();
    category.channels = p.name_list();
    s.config->logging.categories.push_back(std::move(category));
}

namespace {
void set_destination(ClauseParser& p, Scope& s, LogChannel::Destination destination) {
    if (s.channel->destination != LogChannel::Destination::None) {
        fail_at(s.where, "channel '" + s.channel->name + "': only one of 'file', 'syslog', 'stderr', 'null'");
    }
    (void)p;
    s.channel->destination = destination;
}
}  // namespace

void channel_file(ClauseParser& p, Scope& s) {
    set_destination(p, s, LogChannel::Destination::File);
    s.channel->file = p.qstring();
    for (;;) {
        if (p.accept_keyword("versions")) {
            if (p.accept_keyword("unlimited")) {
                s.channel->versions = UINT32_MAX;
            } else {
                s.channel->versions = static_cast<std::uint32_t>(p.number());
            }
        } else if (p.accept_keyword("size")) {
            s.channel->size = p.size_value();
        } else if (p.accept_keyword("suffix")) {
            static constexpr std::array<std::string_view, 2> kChoices = {"increment", "timestamp"};
            p.enum_value(kChoices);
        } else {
            break;
        }
    }
}

void channel_syslog(ClauseParser& p, Scope& s) {
    set_destination(p, s, LogChannel::Destination::Syslog);
    if (p.peek().kind == Token::Kind::Word) s.channel->syslog_facility = p.ustring();
}

void channel_stderr(ClauseParser& p, Scope& s) {
    set_destination(p, s, LogChannel::Destination::Stderr);
}

void channel_null(ClauseParser& p, Scope& s) {
    set_destination(p, s, LogChannel::Destination::Null);
}

void channel_severity(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 7> kChoices = {"critical", "error", "warning", "notice",
                                                                 "info",     "debug", "dynamic"};
    s.channel->severity = p.enum_value(kChoices);
    if (s.channel->severity == "debug" && p.peek().kind == Token::Kind::Word) {
        s.channel->debug_level = static_cast<std::uint32_t>(p.number());
    }
}

void channel_flag(ClauseParser& p, Scope& s) {
    const bool value = p.boolean();
    if (s.keyword == "print-category") s.channel->print_category = value;
    if (s.keyword == "print-severity") s.channel->print_severity = value;
    if (s.keyword == "buffered") s.channel->buffered = value;
}

void channel_print_time(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("iso8601") || p.accept_keyword("iso8601-utc") || p.accept_keyword("local")) {
        s.channel->print_time = true;
        return;
    }
    s.channel->print_time = p.boolean();
}

// ---------------------------------------------------------------- controls, statistics-channels

void controls_inet(ClauseParser& p, Scope& s) {
    ControlChannel control;
    control.where = s.where;
    control.kind = ControlChannel::Kind::Inet;
    control.address = address_or_star(p);
    if (p.accept_keyword("port")) control.port = port_or_star(p);
    if (!p.accept_keyword("allow")) p.fail(p.peek(), "'allow' expected");
    control.allow = p.aml();
    for (;;) {
        if (p.accept_keyword("keys")) {
            control.keys = p.name_list();
        } else if (p.accept_keyword("read-only")) {
            control.read_only = p.boolean();
        } else {
            break;
        }
    }
    s.config->controls.push_back(std::move(control));
}

void controls_unix(ClauseParser& p, Scope& s) {
    ControlChannel control;
    control.where = s.where;
    control.kind = ControlChannel::Kind::Unix;
    control.path = p.qstring();
    if (!p.accept_keyword("perm")) p.fail(p.peek(), "'perm' expected");
    control.perm = static_cast<std::uint32_t>(p.number());
    if (!p.accept_keyword("owner")) p.fail(p.peek(), "'owner' expected");
    control.owner = static_cast<std::uint32_t>(p.number());
    if (!p.accept_keyword("group")) p.fail(p.peek(), "'group' expected");
    control.group = static_cast<std::uint32_t>(p.number());
    for (;;) {
        if (p.accept_keyword("keys")) {
            control.keys = p.name_list();
        } else if (p.accept_keyword("read-only")) {
            control.read_only = p.boolean();
        } else {
            break;
        }
    }
    s.config->controls.push_back(std::move(control));
}

void statistics_inet(ClauseParser& p, Scope& s) {
    StatisticsChannel channel;
    channel.where = s.where;
    channel.address = address_or_star(p);
    if (p.accept_keyword("port")) channel.port = port_or_star(p);
    if (p.accept_keyword("allow")) channel.allow = p.aml();
    s.config->statistics_channels.push_back(std::move(channel));
}

}  // namespace cairn::config::handlers
