// The signature_expiry event (issue 17): a signed zone's earliest RRSIG expiration (zone::ZoneDnssec, found
// whenever a version is built) puts the zone under a warning 14 days before it, a louder one 7 days before,
// and an error when it passes: validating resolvers then answer SERVFAIL for the zone, the article's
// "expired signature" outage. Each change is logged once (general category) and shown by zonestatus, the
// statistics channels and the status page; the event runs at the next threshold, so that a zone nobody
// reloads still warns on time. A re-signed version further out clears the warning at once.
#include <fmt/chrono.h>

#include "lifecycle/events/handlers.hpp"

namespace cairn::lifecycle {

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kFirstWarning = 14 * kDay, kSecondWarning = 7 * kDay;

std::string date_text(std::int64_t at) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<std::time_t>(at)));
}

}  // namespace

void check_signatures(Runtime& rt, Zone& zone, bool at_threshold) {
    ZoneState& state = zone.state;
    const std::int64_t now = wall_now() / 1000;
    const std::int64_t expire = state.signatures_expire;
    const std::int64_t left = expire - now;
    const std::uint32_t level = expire == 0 ? 0 : left <= kSecondWarning ? 7 : left <= kFirstWarning ? 14 : 0;
    const std::string label = zone.config.label();
    const bool changed = level != state.signatures_warning_days;
    if (level != 0 && left <= 0 && (changed || at_threshold)) {
        rt.log(LogTopic::general, LogLevel::error,
               "{}: the earliest RRSIG expired at {}: validating resolvers answer SERVFAIL for the zone; "
               "re-sign "
               "it",
               label, date_text(expire));
    } else if (level != 0 && changed) {
        rt.log(
            LogTopic::general, level == 7 ? LogLevel::error : LogLevel::warning,
            "{}: the earliest RRSIG expires at {}, in {} days ({}-day warning); re-sign the zone before then",
            label, date_text(expire), left / kDay, level);
    } else if (changed && expire != 0) {
        rt.log(LogTopic::general, LogLevel::info, "{}: the earliest RRSIG now expires at {}; warning cleared",
               label, date_text(expire));
    } else if (changed) {
        rt.log(LogTopic::general, LogLevel::info, "{}: no RRSIG served any more; signature warning cleared",
               label);
    }
    state.signatures_warning_days = level;
    WallMs next = kNotScheduled;
    if (expire != 0 && left > 0) {
        next = (left > kFirstWarning    ? expire - kFirstWarning
                : left > kSecondWarning ? expire - kSecondWarning
                                        : expire) *
               1000;
    }
    rt.scheduler.reschedule(zone.events, EventType::signature_expiry, next);
}

void event_signature_expiry(Runtime& rt, const ZonePtr& zone) {
    check_signatures(rt, *zone, true);
    rt.publish(*zone, false);
    rt.done(*zone);
}

}  // namespace cairn::lifecycle
