#include "server/recursion_service.hpp"

#include "net/worker_shared.hpp"
#include "resolver/validator.hpp"
#include "server/log_setup.hpp"

namespace cairn::server {

namespace {

stats::Protocol protocol_of(const net::ClientInfo& client) {
    return client.transport == net::Transport::tcp ? stats::Protocol::tcp : stats::Protocol::udp;
}

}  // namespace

unsigned RecursionService::statistics_slots(unsigned workers) {
    return net::thread_slots(workers) + workers;
}

RecursionService::RecursionService(unsigned workers, std::optional<resolver::Rfc5011Timers> mkey_timers)
    : mkey_timers_(mkey_timers) {
    ResolutionDriver::Options options;
    options.threads = workers;
    options.first_thread_slot = net::thread_slots(workers);
    driver_ = std::make_unique<ResolutionDriver>(options, [this](const DeferredAnswer& answer) {
        if (stats::Statistics* statistics = statistics_.load(std::memory_order_relaxed))
            statistics->record(answer.thread, answer.response, protocol_of(answer.client), answer.view_index);
    });
}

void RecursionService::connect(QueryHandler& handler, Services& services, const Settings& settings) {
    statistics_ = &services.statistics();
    services.set_cache_target(&cache_control_);
    services.set_recursion_gauge([this] { return gauge(); });
    handler.set_resolution_driver(driver_.get());
    driver_->set_limiter([&handler](RateLimit& limit, std::span<const std::uint8_t> query,
                                    std::span<std::uint8_t> response, std::size_t size,
                                    const net::ClientInfo& client, std::size_t view_index) {
        return handler.rate_limit_deferred(limit, view_index, query, response, size, client);
    });
    bool recursive = false;
    for (const auto& view : settings.views)
        recursive = recursive || view.recursion.has_value();
    handler.set_reads_caches(recursive);
}

RecursionService::~RecursionService() {
    stop();
}

bool RecursionService::attach(Settings& settings) {
    bool usable = true;
    std::vector<std::string> views;
    for (ViewSettings& view : settings.views) {
        if (!view.recursion) continue;
        std::vector<std::string> errors;
        resolver::ResolverSettings resolver = resolver_settings(*view.recursion, errors);
        for (const auto& error : errors)
            logs::config().error("{}{}", view.name == kDefaultViewName ? "" : "view " + view.name + ": ",
                                 error);
        if (!errors.empty()) {
            usable = false;
            continue;
        }
        if (mkey_timers_) resolver.validation.rfc5011 = *mkey_timers_;
        view.recursion->resolver = resolvers_.for_view(view.name, std::move(resolver));
        views.push_back(view.name);
    }
    if (usable) {
        // An options clause, which `rndc status` shows whether or not a view recurses (as BIND's).
        driver_->set_recursive_clients(settings.recursive_clients);
        resolvers_.keep_only(views);
        cache_control_.set_secroots_file(settings.secroots_file);
    }
    return usable;
}

stats::RecursionGauge RecursionService::gauge() const {
    stats::RecursionGauge out;
    for (const auto& resolver : resolvers_.all()) {
        const resolver::StatsSnapshot s = resolver->context->stats();
        using C = resolver::Counter;
        stats::ResolverGauge v;
        v.view = resolver->view;
        v.cache_hits = s.value(C::cache_hits);
        v.cache_misses = s.value(C::cache_misses);
        v.cache_entries = s.cache_entries;
        v.cache_bytes = s.cache_bytes;
        v.cache_max_bytes = s.cache_max_bytes;
        v.cache_evictions = s.value(C::cache_evictions);
        v.upstream_queries = s.value(C::upstream_queries);
        v.upstream_timeouts = s.value(C::upstream_timeouts);
        v.upstream_errors = s.value(C::upstream_errors);
        v.upstream_tcp = s.value(C::upstream_tcp);
        v.edns_fallbacks = s.value(C::upstream_edns_fallbacks);
        v.stale_answers = s.value(C::stale_answers);
        v.prefetches = s.value(C::prefetches);
        v.resolutions = s.value(C::resolutions);
        v.servfail = s.value(C::servfail);
        v.nxdomain = s.value(C::nxdomain);
        v.rtt_bounds_ms.assign(resolver::kRttBucketBoundsMs.begin(), resolver::kRttBucketBoundsMs.end());
        v.rtt_buckets.assign(s.rtt_histogram.begin(), s.rtt_histogram.end());
        for (std::size_t code = 0; code < s.servfail_by_ede.size(); ++code) {
            if (s.servfail_by_ede[code] != 0)
                v.servfail_by_ede.emplace_back(static_cast<std::uint16_t>(code), s.servfail_by_ede[code]);
        }
        v.servfail_without_ede = s.servfail_without_ede;
        v.secure = s.value(C::answers_secure);
        v.insecure = s.value(C::answers_insecure);
        v.bogus = s.value(C::answers_bogus);
        v.indeterminate = s.value(C::answers_indeterminate);
        for (std::size_t code = 0; code < s.bogus_by_ede.size(); ++code) {
            if (s.bogus_by_ede[code] != 0)
                v.bogus_by_ede.emplace_back(static_cast<std::uint16_t>(code), s.bogus_by_ede[code]);
        }
        v.dnssec_verifications = s.value(C::dnssec_verifications);
        v.nsec3_hashes = s.value(C::dnssec_nsec3_hashes);
        out.views.push_back(std::move(v));
    }
    const DriverCounters d = driver_->counters();
    out.clients_waiting = d.clients_waiting;
    out.clients_limit = d.clients_limit;
    out.clients_dropped = d.clients_dropped;
    out.coalesced_clients = d.coalesced_clients;
    out.coalesced_upstream = d.coalesced_upstream;
    out.upstream_ignored = d.upstream.ignored;
    out.upstream_truncated = d.upstream.truncated;
    return out;
}

void RecursionService::start() {
    driver_->start();
}

void RecursionService::stop() {
    driver_->stop();
    resolvers_.save_validation_files();
}

void RecursionService::maintenance() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_maintenance_) return;
    next_maintenance_ = now + std::chrono::seconds(1);
    resolvers_.maintenance();
    refresh_managed_keys();
    recheck_negative_trust_anchors();
}

// RFC 5011 §2.3's active refresh: each managed zone's DNSKEY RRset is asked for when due (at start, then
// every TTL/2 within the timers' bounds, as BIND), through the resolution threads as a prefetch is: the
// validator judges the answer against the anchors and moves the keys' states on (rfc5011.hpp).
void RecursionService::refresh_managed_keys() {
    for (auto& view : resolvers_.all()) {
        resolver::ResolverContext& context = *view->context;
        if (!context.validating() || context.dnssec().managed().empty()) continue;
        for (const auto& zone : context.dnssec().managed().due(context.clock().wall_seconds())) {
            resolver::ClientQuestion question;
            question.qname = zone;
            question.qtype = dns::RRType::DNSKEY;
            question.dnssec_ok = true;
            driver_->refresh(view, question);
        }
    }
}

// nta-recheck (BIND's checkbogus): every interval, each regular NTA's name is asked for NSEC with the NTA
// ignored; when the answer validates (or proves a denial) the validator ends the NTA early
// (DnssecValidator::nta_rechecked) and the next housekeeping drops it.
void RecursionService::recheck_negative_trust_anchors() {
    for (auto& view : resolvers_.all()) {
        resolver::ResolverContext& context = *view->context;
        if (!context.validating()) continue;
        const std::uint32_t interval = context.dnssec().settings().nta_recheck;
        for (const auto& name :
             context.dnssec().ntas().due_rechecks(context.clock().wall_seconds(), interval)) {
            resolver::ClientQuestion question;
            question.qname = name;
            question.qtype = dns::RRType::NSEC;
            question.dnssec_ok = true;
            question.ignore_nta = true;
            driver_->refresh(view, question);
        }
    }
}

}  // namespace cairn::server
