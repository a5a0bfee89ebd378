#include "lifecycle/events.hpp"

#include <chrono>

namespace cairn::lifecycle {

std::string_view to_string(EventType type) {
    switch (type) {
        case EventType::load:
            return "load";
        case EventType::refresh:
            return "refresh";
        case EventType::expire:
            return "expire";
        case EventType::notify:
            return "notify";
        case EventType::write_file:
            return "write file";
        case EventType::trim_journal:
            return "trim journal";
        case EventType::sign:
            return "sign";
        case EventType::key_roll:
            return "key roll";
        case EventType::ds_check:
            return "DS check";
        case EventType::secondary_check:
            return "secondary check";
        case EventType::signature_expiry:
            return "signature expiry";
    }
    return "unknown";
}

WallMs wall_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

WallMs ZoneEvents::next_due(bool busy) const {
    WallMs next = kNotScheduled;
    for (std::size_t i = 0; i < kEventTypes; ++i) {
        if (busy && !Scheduler::preempts(static_cast<EventType>(i))) continue;
        if ((held & (1u << i)) != 0) continue;
        next = std::min(next, due[i]);
    }
    return next;
}

void Scheduler::schedule(ZoneEvents& events, EventType type, WallMs when) {
    WallMs& due = events.due[static_cast<std::size_t>(type)];
    if (when >= due) return;
    due = when;
    arm(events);
}

void Scheduler::reschedule(ZoneEvents& events, EventType type, WallMs when) {
    events.due[static_cast<std::size_t>(type)] = when;
    arm(events);
}

void Scheduler::done(ZoneEvents& events) {
    events.running.reset();
    arm(events);
}

void Scheduler::freeze(ZoneEvents& events) {
    events.frozen = true;
    if (events.timer != 0) reactor_.cancel(events.timer);
    events.timer = 0;
    events.armed_for = kNotScheduled;
}

void Scheduler::thaw(ZoneEvents& events) {
    events.frozen = false;
    arm(events);
}

void Scheduler::arm(ZoneEvents& events) {
    if (events.frozen) return;
    const WallMs next = events.next_due(events.running.has_value());
    if (next == events.armed_for && events.timer != 0) return;
    if (events.timer != 0) reactor_.cancel(events.timer);
    events.timer = 0;
    events.armed_for = next;
    if (next == kNotScheduled) return;
    const WallMs delay = std::max<WallMs>(0, next - wall_now());
    events.timer = reactor_.after(std::chrono::milliseconds(delay), [this, &events] {
        events.timer = 0;
        events.armed_for = kNotScheduled;
        fire(events);
    });
}

void Scheduler::fire(ZoneEvents& events) {
    const bool busy = events.running.has_value();
    const WallMs now = wall_now();
    // The earliest due type; ties go to the order of the enumeration (load before refresh before ...).
    std::optional<EventType> pick;
    WallMs best = kNotScheduled;
    for (std::size_t i = 0; i < kEventTypes; ++i) {
        const auto type = static_cast<EventType>(i);
        if (busy && !preempts(type)) continue;
        if ((events.held & (1u << i)) != 0) continue;
        if (events.due[i] <= now && events.due[i] < best) {
            best = events.due[i];
            pick = type;
        }
    }
    if (!pick) {
        arm(events);  // woke early (the clock moved): wait again
        return;
    }
    events.due[static_cast<std::size_t>(*pick)] = kNotScheduled;
    if (!preempts(*pick)) events.running = *pick;
    events.dispatch(*pick);  // may call done() at once, which re-arms
    if (preempts(*pick) || events.running) arm(events);
}

}  // namespace cairn::lifecycle
