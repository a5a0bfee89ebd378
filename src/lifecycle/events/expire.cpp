// The expire event of a secondary zone (RFC 1034 §4.3.5): EXPIRE seconds after the last successful
// refresh the copy is no longer served: its names get SERVFAIL (with EDE 22, No Reachable Authority) until a
// refresh succeeds. It runs at its time even while a refresh is in flight (Scheduler::preempts).
#include <ctime>

#include "lifecycle/events/handlers.hpp"

namespace cairn::lifecycle {

namespace {

std::string utc(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

}  // namespace

void event_expire(Runtime& rt, const ZonePtr& zone) {
    const std::int64_t now = wall_now() / 1000;
    if (!zone->answerable || !zone->schedule.expired(now)) return;
    zone->answerable = false;
    zone->state.phase = ZonePhase::expired;
    const std::int64_t last = zone->schedule.timers().last_refresh;
    zone->state.problem = "expired: no successful refresh since " +
                          (last != 0 ? utc(last) : std::string("the start")) +
                          "; answering SERVFAIL until one succeeds";
    rt.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): {}", zone->config.label(),
           zone->state.problem);
    rt.publish(*zone, true);
}

void Runtime::schedule_refresh_timers(Zone& zone) {
    if (!zone.config.secondary()) return;
    const store::ZoneTimers& timers = zone.schedule.timers();
    zone.state.timers = timers;
    scheduler.reschedule(zone.events, EventType::refresh,
                         timers.next_refresh != 0 ? timers.next_refresh * 1000 : kNotScheduled);
    scheduler.reschedule(zone.events, EventType::expire,
                         zone.answerable && timers.expire_at != 0 ? timers.expire_at * 1000 : kNotScheduled);
}

}  // namespace cairn::lifecycle
