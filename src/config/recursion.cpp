// Config::resolve_recursion: a view's resolver settings inherited view -> options, with BIND 9.18's
// defaults (`named -C`) and the limits named applies at start-up (bin/named/server.c), and the checks
// named-checkconf makes across clauses (called from load.cpp's checker; ranges are checked as clauses are
// read, in handlers_recursion.cpp).
#include <algorithm>

#include "config/recursion_checks.hpp"

namespace cairn::config {

namespace {

template <typename T>
std::optional<T> inherited(const View* view, std::optional<T> ViewSettings::*member, const Options& options) {
    if (view != nullptr && view->view_settings.*member) return view->view_settings.*member;
    return options.view_settings.*member;
}

AddressMatchList default_local_list() {
    AddressMatchList list;
    AmlElement localnets;
    localnets.kind = AmlElement::Kind::Localnets;
    AmlElement localhost;
    localhost.kind = AmlElement::Kind::Localhost;
    list.elements = {localnets, localhost};
    return list;
}

// The view-level allow-query (zones may have their own): what allow-recursion and allow-query-cache fall
// back on when neither is set.
std::optional<AddressMatchList> view_allow_query(const View* view, const Options& options) {
    if (view != nullptr && view->settings.allow_query) return view->settings.allow_query;
    return options.settings.allow_query;
}

}  // namespace

ResolvedRecursion Config::resolve_recursion(const View* view) const {
    ResolvedRecursion r;
    const auto get = [&](auto member) { return inherited(view, member, options); };
    r.recursion = recursion(view);

    // named: allow-query-cache falls back on allow-recursion, then allow-query; allow-recursion on
    // allow-query-cache, then allow-query; both then on { localnets; localhost; }. Without recursion the
    // cache answers nobody unless allow-query-cache says otherwise.
    const auto explicit_cache = get(&ViewSettings::allow_query_cache);
    const auto explicit_recursion = get(&ViewSettings::allow_recursion);
    const auto query = view_allow_query(view, options);
    std::optional<AddressMatchList> cache = explicit_cache ? explicit_cache : explicit_recursion;
    if (!cache) cache = query;
    std::optional<AddressMatchList> recursion_list = explicit_recursion ? explicit_recursion : cache;
    if (!r.recursion && !explicit_cache) cache = AddressMatchList::none();
    r.allow_query_cache = cache.value_or(default_local_list());
    r.allow_recursion = recursion_list.value_or(default_local_list());
    r.allow_recursion_on = get(&ViewSettings::allow_recursion_on).value_or(AddressMatchList::any());
    r.allow_query_cache_on = get(&ViewSettings::allow_query_cache_on).value_or(r.allow_recursion_on);

    if (const auto forwarders = get(&ViewSettings::forwarders)) {
        for (const SocketAddress& address : forwarders->addresses)
            r.forwarders.push_back(
                {address.address, address.port.value_or(forwarders->port.value_or(default_port())), {}, {}});
    }
    r.forward = get(&ViewSettings::forward).value_or(ForwardMode::First);

    r.max_cache_size = get(&ViewSettings::max_cache_size).value_or(CacheSize{});
    r.max_cache_ttl = get(&ViewSettings::max_cache_ttl).value_or(r.max_cache_ttl);
    r.min_cache_ttl = get(&ViewSettings::min_cache_ttl).value_or(r.min_cache_ttl);
    r.max_ncache_ttl = get(&ViewSettings::max_ncache_ttl).value_or(r.max_ncache_ttl);
    r.min_ncache_ttl = get(&ViewSettings::min_ncache_ttl).value_or(r.min_ncache_ttl);
    r.servfail_ttl = get(&ViewSettings::servfail_ttl).value_or(r.servfail_ttl);
    if (r.servfail_ttl > 30) {
        r.adjustments.push_back("servfail-ttl " + std::to_string(r.servfail_ttl) + " is above 30; using 30");
        r.servfail_ttl = 30;
    }

    // prefetch: the trigger is at most 10 seconds, and only RRsets whose TTL is at least six seconds above
    // it are eligible; an eligibility not written is the default's (9). named adjusts both silently.
    if (const auto trigger = get(&ViewSettings::prefetch_trigger)) {
        r.prefetch_trigger = *trigger;
        // The eligibility belongs to the prefetch statement that gave the trigger.
        const std::optional<std::uint32_t> eligible = view != nullptr && view->view_settings.prefetch_trigger
                                                          ? view->view_settings.prefetch_eligible
                                                          : options.view_settings.prefetch_eligible;
        r.prefetch_eligible = eligible.value_or(9);
    }
    r.prefetch_trigger = std::min<std::uint32_t>(r.prefetch_trigger, 10);
    r.prefetch_eligible = std::max(r.prefetch_eligible, r.prefetch_trigger + 6);

    // resolver-query-timeout: up to 300 it counts seconds, above it milliseconds; 0 is the default.
    if (const auto timeout = get(&ViewSettings::resolver_query_timeout)) {
        std::uint32_t ms = *timeout <= 300 ? *timeout * 1000 : *timeout;
        if (ms == 0) ms = 10000;
        if (ms > 30000) {
            r.adjustments.push_back("resolver-query-timeout " + std::to_string(*timeout) +
                                    " is above 30 seconds; using 30 seconds");
            ms = 30000;
        }
        r.resolver_query_timeout_ms = ms;
    }
    r.qname_minimization = get(&ViewSettings::qname_minimization).value_or(QnameMinimization::Relaxed);
    r.max_recursion_depth = get(&ViewSettings::max_recursion_depth).value_or(r.max_recursion_depth);
    r.max_recursion_queries = get(&ViewSettings::max_recursion_queries).value_or(r.max_recursion_queries);
    r.fetches_per_zone = get(&ViewSettings::fetches_per_zone).value_or(FetchQuota{});
    r.fetches_per_server = get(&ViewSettings::fetches_per_server).value_or(FetchQuota{});
    r.recursive_clients = options.recursive_clients.value_or(r.recursive_clients);

    r.stale_answer_enable = get(&ViewSettings::stale_answer_enable).value_or(false);
    r.stale_cache_enable = get(&ViewSettings::stale_cache_enable).value_or(false);
    r.stale_answer_ttl = get(&ViewSettings::stale_answer_ttl).value_or(r.stale_answer_ttl);
    r.max_stale_ttl = get(&ViewSettings::max_stale_ttl).value_or(r.max_stale_ttl);
    r.stale_refresh_time = get(&ViewSettings::stale_refresh_time).value_or(r.stale_refresh_time);
    if (r.stale_answer_ttl == 0) r.stale_answer_ttl = 1;  // named: "updated silently to 1 second"
    if (r.max_stale_ttl == 0) r.max_stale_ttl = 1;
    if (const auto client_timeout = get(&ViewSettings::stale_answer_client_timeout);
        client_timeout && *client_timeout != UINT32_MAX) {
        std::uint32_t ms = *client_timeout;
        // Waiting as long as the whole resolution may take would never answer stale data early.
        const std::uint32_t most = r.resolver_query_timeout_ms - 1000;
        if (ms > most) {
            r.adjustments.push_back("stale-answer-client-timeout " + std::to_string(ms) +
                                    " is not below resolver-query-timeout; using " + std::to_string(most));
            ms = most;
        }
        r.stale_answer_client_timeout_ms = ms;
    }

    r.empty_zones_enable = get(&ViewSettings::empty_zones_enable).value_or(true);
    r.disable_empty_zone = options.view_settings.disable_empty_zone;
    if (view != nullptr) {
        r.disable_empty_zone.insert(r.disable_empty_zone.end(),
                                    view->view_settings.disable_empty_zone.begin(),
                                    view->view_settings.disable_empty_zone.end());
    }
    r.empty_server = get(&ViewSettings::empty_server).value_or("");
    r.empty_contact = get(&ViewSettings::empty_contact).value_or("");
    r.edns_udp_size = edns_udp_size(view);
    r.max_udp_size = max_udp_size(view);

    r.dnssec_validation = dnssec_validation(view);
    r.trust_anchors = trust_anchors;
    r.validate_except = options.view_settings.validate_except;
    if (view != nullptr) {
        r.trust_anchors.insert(r.trust_anchors.end(), view->trust_anchors.begin(), view->trust_anchors.end());
        r.validate_except.insert(r.validate_except.end(), view->view_settings.validate_except.begin(),
                                 view->view_settings.validate_except.end());
    }
    r.nta_lifetime = get(&ViewSettings::nta_lifetime).value_or(r.nta_lifetime);
    if (r.nta_lifetime > 7 * 86400) {  // named: "nta-lifetime cannot exceed one week"; cairn clamps
        r.adjustments.push_back("nta-lifetime " + std::to_string(r.nta_lifetime) +
                                " is above one week; using one week");
        r.nta_lifetime = 7 * 86400;
    }
    r.nta_recheck = get(&ViewSettings::nta_recheck).value_or(r.nta_recheck);
    r.synth_from_dnssec = get(&ViewSettings::synth_from_dnssec).value_or(true);
    return r;
}

void check_recursion(const Config& config, std::vector<Diagnostic>& errors) {
    const auto error = [&](const Location& where, std::string message) {
        errors.push_back(Diagnostic::at(where, Severity::Error, std::move(message)));
    };
    // `forward only` needs forwarders somewhere above it (the view's, else the options').
    const auto forwarders_at = [&](const View* view) {
        if (view != nullptr && view->view_settings.forwarders) return true;
        return config.options.view_settings.forwarders.has_value();
    };
    if (config.options.view_settings.forward == ForwardMode::Only && !forwarders_at(nullptr))
        error(config.options.where, "no matching 'forwarders' statement");
    for (const View& view : config.views) {
        if (view.view_settings.forward == ForwardMode::Only && !forwarders_at(&view))
            error(view.where, "no matching 'forwarders' statement");
    }
}

}  // namespace cairn::config
