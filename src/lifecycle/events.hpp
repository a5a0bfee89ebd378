// The per-zone event scheduler, after Knot's zone events (src/knot/events/): each zone has one due time per
// event type; when the zone is idle the earliest due event runs, and a zone runs at most one event at a
// time while events of different zones run concurrently (their I/O interleaves on the Reactor, their
// blocking work on the WorkerPool). A handler may finish later than it starts (it waits on the network or
// a worker): the zone stays busy until it calls done(), and events that came due meanwhile wait for it.
//
// One exception: `expire` only stops serving a copy, so it runs at its time even while a refresh is in
// flight (a primary that never answers must not keep an expired zone in service).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>

#include "lifecycle/reactor.hpp"

namespace cairn::lifecycle {

enum class EventType : std::uint8_t {
    load,          // read the zone file (a primary's source, a secondary's saved copy)
    refresh,       // SOA check of the primaries and transfer
    expire,        // a secondary's copy has gone stale
    notify,        // NOTIFY to the zone's secondaries (and its retries)
    write_file,    // save a secondary's new copy
    trim_journal,  // bound the IXFR journal
    // Room for the next issues' periodic work: their handlers register like the others.
    sign,
    key_roll,
    ds_check,
    secondary_check,
    signature_expiry,  // a signed zone's earliest RRSIG reaches 14 or 7 days left, or expires
};
inline constexpr std::size_t kEventTypes = 11;
std::string_view to_string(EventType type);

// Milliseconds since the Unix epoch: zone timers are wall-clock times (they are persisted and compared
// with SOA timer arithmetic), converted to the reactor's steady clock only to wait.
using WallMs = std::int64_t;
inline constexpr WallMs kNotScheduled = std::numeric_limits<WallMs>::max();
WallMs wall_now();

// One zone's events. Owned by the zone; driven by the Scheduler on the reactor thread.
struct ZoneEvents {
    // Runs the handler of an event type for the zone these events belong to.
    using Dispatch = std::function<void(EventType type)>;
    Dispatch dispatch;
    std::array<WallMs, kEventTypes> due;
    std::optional<EventType> running;
    Reactor::TimerId timer = 0;
    WallMs armed_for = kNotScheduled;
    bool frozen = false;     // no event starts (the zone is being removed, or the server stops)
    std::uint32_t held = 0;  // bit per type: due but not started yet (network events before the listeners)

    ZoneEvents() { due.fill(kNotScheduled); }
    WallMs next_due(bool busy) const;
};

class Scheduler {
  public:
    explicit Scheduler(Reactor& reactor) : reactor_(reactor) {}

    // Reactor thread. The event runs at `when` or earlier if it was already due earlier.
    void schedule(ZoneEvents& events, EventType type, WallMs when);
    // Replaces the due time (kNotScheduled cancels it).
    void reschedule(ZoneEvents& events, EventType type, WallMs when);
    // The running event is over: the zone may start its next one.
    void done(ZoneEvents& events);
    // Stops the zone's timer; nothing starts until thaw().
    void freeze(ZoneEvents& events);
    void thaw(ZoneEvents& events);
    // Events of `types` (bits of 1 << type) wait until released.
    void hold(ZoneEvents& events, std::uint32_t types) { events.held |= types; }
    void release(ZoneEvents& events) {
        events.held = 0;
        arm(events);
    }

    // Types that run even while another event of the zone is running.
    static bool preempts(EventType type) { return type == EventType::expire; }

  private:
    void arm(ZoneEvents& events);
    void fire(ZoneEvents& events);

    Reactor& reactor_;
};

}  // namespace cairn::lifecycle
