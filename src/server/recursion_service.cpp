#include "server/recursion_service.hpp"

#include "net/worker_shared.hpp"
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

RecursionService::RecursionService(unsigned workers) {
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
    handler.set_resolution_driver(driver_.get());
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
        view.recursion->resolver = resolvers_.for_view(view.name, std::move(resolver));
        views.push_back(view.name);
    }
    if (usable) {
        resolvers_.keep_only(views);
        cache_control_.set_dump_file(settings.dump_file);
    }
    return usable;
}

void RecursionService::start() {
    driver_->start();
}

void RecursionService::stop() {
    driver_->stop();
}

void RecursionService::maintenance() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_maintenance_) return;
    next_maintenance_ = now + std::chrono::seconds(1);
    resolvers_.maintenance();
}

}  // namespace cairn::server
