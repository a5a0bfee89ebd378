// What the event handlers share, on the reactor thread: the loop, the workers, the scheduler, BIND's
// request limits, the store, the log, the timeouts of outgoing requests, and publication of a zone's new
// state to the readers (Zones implements it).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "lifecycle/events.hpp"
#include "lifecycle/log.hpp"
#include "lifecycle/reactor.hpp"
#include "lifecycle/request_gate.hpp"
#include "lifecycle/stale_temporaries.hpp"
#include "lifecycle/worker_pool.hpp"
#include "lifecycle/zone.hpp"
#include "lifecycle/zone_store.hpp"

namespace cairn::lifecycle {

// How long outgoing requests wait. BIND gives an SOA query three tries of five seconds; these are shorter
// so that a dead primary shows as `refresh failing` within seconds, and a primary that answers at all
// answers well within them.
struct Timeouts {
    UdpExchange::Options soa_udp{std::chrono::milliseconds(2000), 2};
    std::chrono::milliseconds soa_tcp{4000};
    std::chrono::milliseconds transfer_connect{10000};
    UdpExchange::Options notify{std::chrono::milliseconds(2000), 1};
    std::uint32_t notify_first_retry = 2;  // seconds; doubles per retry (xfr::NotifyRound)
    unsigned notify_attempts = 5;
    // Transfers this small (records) are built on the reactor thread; larger ones on a worker.
    std::size_t inline_build_records = 2000;
};

// Counters over all zones since the start (zones removed by a reload included).
struct Totals {
    std::uint64_t transfers_in = 0, transfers_in_failed = 0;
    std::uint64_t load_failures = 0;
    std::uint64_t refresh_failures = 0;
    std::uint64_t notifies_sent = 0, notifies_failed = 0;
};

class Runtime {
  public:
    Runtime(Reactor& reactor, WorkerPool& workers, ZoneStore& store, Log log)
        : reactor(reactor),
          workers(workers),
          scheduler(reactor),
          gate(reactor),
          store(store),
          log(std::move(log)) {}
    virtual ~Runtime() = default;

    Reactor& reactor;
    WorkerPool& workers;
    Scheduler scheduler;
    RequestGate gate;
    ZoneStore& store;
    Log log;
    Timeouts timeouts;
    Limits limits;
    std::vector<std::string> own_addresses;  // never NOTIFY ourselves
    std::function<bool(const dns::IpAddress&)> blackholed;
    Totals totals;
    StaleTemporaries stale_temporaries;  // secondaries' leftovers, their directories listed once
    // Zone files waiting to be saved, as one batch (write_file.cpp): while a batch is being written, the
    // zones whose saves come meanwhile wait here for the next one.
    struct SaveBatches {
        std::vector<ZonePtr> waiting;
        bool writing = false;
    } saves;

    // The zone's state changed: readers get a new snapshot; `served`: what queries see changed too.
    virtual void publish(Zone& zone, bool served) = 0;
    // Whether the server's query path already answers from what the zone's last served change published.
    // A NOTIFY sent before that draws an SOA query answered with the old serial, and the secondary then
    // stays behind until its next refresh.
    virtual bool visible_to_queries(const Zone& zone) const = 0;
    // The running event of the zone is over.
    void done(Zone& zone) {
        const std::optional<EventType> type = zone.events.running;
        scheduler.done(zone.events);
        if (type) finished(zone, *type);
    }
    // Hooks for Zones: an event ended; the store has timers to write.
    virtual void finished(Zone& zone, EventType type) = 0;
    virtual void timers_dirty() = 0;
    // Runs `work` on a worker and `then` back on the reactor thread (unless the zone was removed meanwhile,
    // or the server stops). `work` must not touch the zone: it gets copies.
    template <typename Result>
    void off_thread(const ZonePtr& zone, WorkerPool::Priority priority,
                    std::function<Result(const Cancel&)> work, std::function<void(Result)> then) {
        workers.submit(priority,
                       [this, zone, work = std::move(work), then = std::move(then)](const Cancel& cancel) {
                           auto result = std::make_shared<Result>(work(cancel));
                           if (cancel.requested()) return;
                           reactor.post([zone, result, then] {
                               if (!zone->removed) then(std::move(*result));
                           });
                       });
    }
    // Keeps the zone's refresh and expire events at what its schedule says.
    void schedule_refresh_timers(Zone& zone);
};

}  // namespace cairn::lifecycle
