// Clause handlers of the recursive resolver: access lists, forwarding, the cache and its TTL limits,
// prefetch, QNAME minimisation, the bounds on work, serve-stale (RFC 8767), the built-in empty zones
// (RFC 6303), and the zone clauses of forward and static-stub zones. Values are kept as written; limits and
// defaults are applied by Config::resolve_recursion (recursion.cpp).
#include <array>

#include "config/handlers.hpp"
#include "dns/text.hpp"

namespace cairn::config::handlers {

void recursion_access_list(ClauseParser& p, Scope& s) {
    ViewSettings& v = *s.view_settings;
    if (s.keyword == "allow-query-cache") v.allow_query_cache = p.aml();
    if (s.keyword == "allow-recursion-on") v.allow_recursion_on = p.aml();
    if (s.keyword == "allow-query-cache-on") v.allow_query_cache_on = p.aml();
}

void forwarders(ClauseParser& p, Scope& s) {
    Forwarders list;
    list.where = s.where;
    for (;;) {
        if (p.accept_keyword("port")) {
            list.port = p.port();
        } else if (p.accept_keyword("dscp")) {
            p.number(63);
        } else {
            break;
        }
    }
    p.expect('{');
    while (!p.accept('}')) {
        SocketAddress address{p.ip_address(), std::nullopt};
        for (;;) {
            if (p.accept_keyword("port")) {
                address.port = p.port();
            } else if (p.accept_keyword("dscp")) {
                p.number(63);
            } else if (p.accept_keyword("tls")) {
                p.astring("tls name");
            } else {
                break;
            }
        }
        list.addresses.push_back(address);
        p.expect(';');
    }
    if (s.zone != nullptr) {
        s.zone->forwarders = std::move(list);
    } else {
        s.view_settings->forwarders = std::move(list);
    }
}

void forward(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 2> kChoices = {"first", "only"};
    const ForwardMode mode = p.enum_value(kChoices) == "only" ? ForwardMode::Only : ForwardMode::First;
    if (s.zone != nullptr) {
        s.zone->forward = mode;
    } else {
        s.view_settings->forward = mode;
    }
}

void max_cache_size(ClauseParser& p, Scope& s) {
    CacheSize size;
    const Token& token = p.peek();
    if (p.accept_keyword("default")) {
        size.kind = CacheSize::Kind::Default;
    } else if (p.accept_keyword("unlimited")) {
        size.kind = CacheSize::Kind::Unlimited;
    } else if (token.kind == Token::Kind::Word && !token.text.empty() && token.text.back() == '%') {
        const Token percent = p.next();
        const auto value =
            dns::parse_decimal(std::string_view(percent.text).substr(0, percent.text.size() - 1), UINT32_MAX);
        if (!value) p.fail(percent, "expected a percentage");
        if (*value > 100) fail_at(percent.where, "max-cache-size " + percent.text + " is more than 100%");
        size.kind = CacheSize::Kind::Percent;
        size.value = *value;
    } else {
        size.kind = CacheSize::Kind::Bytes;
        size.value = p.size_value();
    }
    s.view_settings->max_cache_size = size;
}

void cache_duration(ClauseParser& p, Scope& s) {
    const std::uint32_t value = p.duration_value();
    // named-checkconf's ranges ("min-cache-ttl '100' is out of range (0..90)").
    const std::uint32_t most = s.keyword == "min-cache-ttl" || s.keyword == "min-ncache-ttl" ? 90
                               : s.keyword == "max-ncache-ttl"                               ? 7 * 86400
                                                                                             : UINT32_MAX;
    if (value > most) {
        fail_at(s.where, std::string(s.keyword) + " '" + std::to_string(value) + "' is out of range (0.." +
                             std::to_string(most) + ")");
    }
    ViewSettings& v = *s.view_settings;
    if (s.keyword == "max-cache-ttl") v.max_cache_ttl = value;
    if (s.keyword == "min-cache-ttl") v.min_cache_ttl = value;
    if (s.keyword == "max-ncache-ttl") v.max_ncache_ttl = value;
    if (s.keyword == "min-ncache-ttl") v.min_ncache_ttl = value;
    if (s.keyword == "servfail-ttl") v.servfail_ttl = value;
    if (s.keyword == "stale-answer-ttl") v.stale_answer_ttl = value;
    if (s.keyword == "max-stale-ttl") v.max_stale_ttl = value;
    if (s.keyword == "stale-refresh-time") v.stale_refresh_time = value;
}

void prefetch(ClauseParser& p, Scope& s) {
    s.view_settings->prefetch_trigger = static_cast<std::uint32_t>(p.number());
    s.view_settings->prefetch_eligible.reset();
    if (p.peek().kind == Token::Kind::Word)
        s.view_settings->prefetch_eligible = static_cast<std::uint32_t>(p.number());
}

void resolver_number(ClauseParser& p, Scope& s) {
    const auto value = static_cast<std::uint32_t>(p.number());
    if (s.keyword == "recursive-clients") {
        s.options->recursive_clients = value;
        return;
    }
    ViewSettings& v = *s.view_settings;
    if (s.keyword == "resolver-query-timeout") v.resolver_query_timeout = value;
    if (s.keyword == "max-recursion-depth") v.max_recursion_depth = value;
    if (s.keyword == "max-recursion-queries") v.max_recursion_queries = value;
}

void qname_minimization(ClauseParser& p, Scope& s) {
    static constexpr std::array<std::string_view, 4> kChoices = {"strict", "relaxed", "disabled", "off"};
    const std::string value = p.enum_value(kChoices);
    QnameMinimization mode = QnameMinimization::Relaxed;
    if (value == "strict") mode = QnameMinimization::Strict;
    if (value == "disabled") mode = QnameMinimization::Disabled;
    if (value == "off") mode = QnameMinimization::Off;
    s.view_settings->qname_minimization = mode;
}

void fetch_quota(ClauseParser& p, Scope& s) {
    FetchQuota quota;
    quota.limit = static_cast<std::uint32_t>(p.number());
    if (p.peek().kind == Token::Kind::Word) {
        static constexpr std::array<std::string_view, 2> kChoices = {"drop", "fail"};
        quota.fail = p.enum_value(kChoices) == "fail";
    }
    if (s.keyword == "fetches-per-zone") {
        s.view_settings->fetches_per_zone = quota;
    } else {
        s.view_settings->fetches_per_server = quota;
    }
}

void resolver_boolean(ClauseParser& p, Scope& s) {
    const bool value = p.boolean();
    ViewSettings& v = *s.view_settings;
    if (s.keyword == "stale-answer-enable") v.stale_answer_enable = value;
    if (s.keyword == "stale-cache-enable") v.stale_cache_enable = value;
    if (s.keyword == "empty-zones-enable") v.empty_zones_enable = value;
}

void stale_answer_client_timeout(ClauseParser& p, Scope& s) {
    if (p.accept_keyword("disabled") || p.accept_keyword("off")) {
        s.view_settings->stale_answer_client_timeout = UINT32_MAX;
        return;
    }
    s.view_settings->stale_answer_client_timeout = static_cast<std::uint32_t>(p.number(UINT32_MAX - 1));
}

void empty_zone_clause(ClauseParser& p, Scope& s) {
    const Token token = p.peek();
    const std::string text = p.astring();
    ViewSettings& v = *s.view_settings;
    if (s.keyword == "empty-server") {
        v.empty_server = text;
        return;
    }
    if (s.keyword == "empty-contact") {
        v.empty_contact = text;
        return;
    }
    try {
        v.disable_empty_zone.push_back(dns::Name::from_text(text, dns::Name()));
    } catch (const dns::ParseError& e) {
        fail_at(token.where, "disable-empty-zone '" + text + "': " + e.what());
    }
}

void static_stub_servers(ClauseParser& p, Scope& s) {
    p.expect('{');
    while (!p.accept('}')) {
        s.zone->server_addresses.push_back(p.ip_address());
        p.expect(';');
    }
}

void dump_file(ClauseParser& p, Scope& s) {
    (s.keyword == "secroots-file" ? s.options->secroots_file : s.options->dump_file) = p.qstring();
}

}  // namespace cairn::config::handlers
