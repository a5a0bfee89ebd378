// The daemon's recursive resolver as one piece: the views' resolvers (view_resolver.hpp), the resolution
// threads (resolution_driver.hpp), their counters in the statistics, and the housekeeping of the caches. The
// daemon attaches the resolvers to each configuration it reads, starts the threads before the network
// front end and stops them before it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "resolver/validation_settings.hpp"
#include "server/cache_control.hpp"
#include "server/query_handler.hpp"
#include "server/resolution_driver.hpp"
#include "server/services.hpp"
#include "server/settings.hpp"
#include "server/view_resolver.hpp"
#include "stats/counters.hpp"

namespace cairn::server {

class RecursionService {
  public:
    // `workers`: the network front end's; as many resolution threads run, counted in the statistics'
    // blocks after the workers' (statistics_slots()).
    // `mkey_timers`: BIND's -T mkeytimers, for every view's managed keys (unset: RFC 5011's own timers).
    explicit RecursionService(unsigned workers, std::optional<resolver::Rfc5011Timers> mkey_timers = {});
    ~RecursionService();

    // The counter blocks the statistics need for the workers and the resolution threads together.
    static unsigned statistics_slots(unsigned workers);

    // Gives each recursive view of `settings` its resolver (kept from before when its settings did not
    // change) and forgets the resolvers of views that went; false, after logging why, when a view's
    // resolver settings are unusable (an unreadable hint file): the settings are then not to be used.
    bool attach(Settings& settings);

    // Before the workers start: cache misses go to the resolution threads, whose replies count in the
    // services' statistics; batches open the caches' read sections when `settings` recurse; the control
    // channel gets the cache commands.
    void connect(QueryHandler& handler, Services& services, const Settings& settings);

    void start();
    void stop();  // before the network front end stops

    ResolutionDriver& driver() { return *driver_; }
    ViewResolvers& resolvers() { return resolvers_; }
    CacheControl& cache_control() { return cache_control_; }

    // The figures of the statistics channel; any thread.
    stats::RecursionGauge gauge() const;

    // From the daemon's main loop: the caches' housekeeping and the managed keys' refreshes, at most once a
    // second.
    void maintenance();

  private:
    void refresh_managed_keys();
    void recheck_negative_trust_anchors();

    ViewResolvers resolvers_;
    CacheControl cache_control_{resolvers_};
    std::unique_ptr<ResolutionDriver> driver_;
    std::atomic<stats::Statistics*> statistics_{nullptr};
    std::chrono::steady_clock::time_point next_maintenance_{};
    std::optional<resolver::Rfc5011Timers> mkey_timers_;
};

}  // namespace cairn::server
