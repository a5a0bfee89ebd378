// When a secondary checks its primaries, as a pure unit driven by an injected clock (seconds since the
// epoch): REFRESH after a success, RETRY after a failure, both bounded by BIND's min/max-refresh-time and
// min/max-retry-time; EXPIRE counted from the last successful refresh (or from the primary's EXPIRE
// option, RFC 7314, which carries the remaining time of a primary that is itself a secondary); NOTIFY
// (RFC 1996) makes a check due at once, or once more after the one running. The timers it keeps are the
// ones persisted (store::ZoneTimers) so that a restart resumes them instead of starting over.
//
// Wiring (server, one per secondary zone): on start, loaded() with the zone file's SOA and
// store::load_timers(); a transfer thread sleeps until next_event(), calls started() when due(), runs
// xfr::refresh_zone() (or use SecondaryZone, which does all of this) against the primaries in order, then
// succeeded()/failed() and store::save_timers(timers()). While expired(now) holds, queries for the zone get
// SERVFAIL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "store/zone_timers.hpp"

namespace cairn::xfr {

struct SoaTimers {
    std::uint32_t refresh = 0;
    std::uint32_t retry = 0;
    std::uint32_t expire = 0;
};
// REFRESH, RETRY, EXPIRE from SOA rdata (all 0 when the rdata is too short).
SoaTimers soa_timers(std::span<const std::uint8_t> soa_rdata);

// BIND's defaults (named.conf min-refresh-time ... max-retry-time).
struct RefreshBounds {
    std::uint32_t min_refresh = 300;
    std::uint32_t max_refresh = 2419200;  // 4 weeks
    std::uint32_t min_retry = 500;
    std::uint32_t max_retry = 1209600;  // 2 weeks
};

inline constexpr std::uint32_t kMaxExpire = 14515200;  // 24 weeks, as BIND caps it

// A uniform random integer in [0, bound) (bound > 0); injected by tests, random by default.
using RandomBelow = std::function<std::uint32_t(std::uint32_t bound)>;

class RefreshSchedule {
  public:
    explicit RefreshSchedule(RefreshBounds bounds = {}, RandomBelow random = {});

    // No copy of the zone (first start, or the file is missing): a check is due at once; nothing is served.
    void no_copy(std::int64_t now);
    // A copy was loaded from disk. Persisted timers of the same serial are resumed, so an expired zone
    // stays expired across a restart; otherwise the expire clock starts now and a check is due at once.
    void loaded(std::uint32_t serial, SoaTimers soa, std::int64_t now,
                const std::optional<store::ZoneTimers>& persisted);

    // New min/max-refresh-time and min/max-retry-time (a reload); the timers running keep their times.
    void set_bounds(RefreshBounds bounds) { bounds_ = bounds; }

    bool due(std::int64_t now) const { return !running_ && now >= timers_.next_refresh; }
    void started() { running_ = true; }
    // The copy is current: a transfer brought `serial`, or the primary's SOA was not newer.
    void succeeded(std::uint32_t serial, SoaTimers soa, std::int64_t now,
                   std::optional<std::uint32_t> expire_option = std::nullopt);
    // No primary answered usefully.
    void failed(std::int64_t now);
    // A NOTIFY from a primary: true when a check should start now; false when one is running (it is
    // repeated right after).
    bool notified(std::int64_t now);

    bool has_copy() const { return has_copy_; }
    bool expired(std::int64_t now) const {
        return has_copy_ && timers_.expire_at != 0 && now >= timers_.expire_at;
    }
    bool serving(std::int64_t now) const { return has_copy_ && !expired(now); }
    bool running() const { return running_; }
    // The next time something happens on its own (a check, or expiry while serving).
    std::int64_t next_event(std::int64_t now) const;

    const store::ZoneTimers& timers() const { return timers_; }
    std::uint32_t refresh_interval(const SoaTimers& soa) const;
    std::uint32_t retry_interval(const SoaTimers& soa) const;
    std::uint32_t expire_interval(const SoaTimers& soa) const;
    // Up to a quarter taken off `interval` at random, as BIND and Knot do, so that zones loaded or
    // notified together do not keep checking their primaries in lockstep.
    std::uint32_t jittered(std::uint32_t interval) const;

  private:
    RefreshBounds bounds_;
    RandomBelow random_;
    store::ZoneTimers timers_;
    SoaTimers soa_;
    bool has_copy_ = false;
    bool running_ = false;
    bool notify_pending_ = false;
};

}  // namespace cairn::xfr
