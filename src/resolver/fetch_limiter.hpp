// fetches-per-zone and fetches-per-server (BIND 9.18, lib/dns/resolver.c fcount_incr and the ADB's
// per-server quota), shared by all Resolutions of a view.
//
// fetches-per-zone counts fetches: a task of a Resolution chasing one name (BIND's fetch context; clients
// asking the same question share one) counts under the zone cut it starts from, from its first upstream
// query until it ends. A fetch that would go over the limit is refused ("spilled") and the client gets the
// zone's quota response (drop by default). A fetch that follows a referral moves to the new zone
// unconditionally, as BIND's (fcount_incr with force). BIND logs, category spill, at most once a minute per
// zone while it spills: "too many simultaneous fetches for ZONE (allowed A spilled S)", and when the zone's
// last fetch ends: "fetch counters for ZONE now being discarded (allowed A spilled S; cumulative since
// initial trigger event)" (A: fetches allowed since the counter was made, S: spilled since).
//
// fetches-per-server counts upstream queries in flight to one server: a server at its limit is passed over;
// when every server of a delegation was passed over for it the client gets the server quota response
// (SERVFAIL by default). BIND adapts the per-server limit with fetch-quota-params; cairnd keeps it fixed.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "dns/name.hpp"
#include "resolver/clock.hpp"
#include "resolver/log_sink.hpp"
#include "resolver/settings.hpp"

namespace cairn::resolver {

class FetchLimiter {
  public:
    FetchLimiter(const WorkLimits& limits, const Clock& clock) : limits_(limits), clock_(clock) {}

    // Where spill lines go (nullptr: nowhere). Set before any Resolution begins.
    void set_log_sink(const LogSink* sink) { sink_ = sink; }

    bool zone_limited() const { return limits_.fetches_per_zone != 0; }
    bool server_limited() const { return limits_.fetches_per_server != 0; }

    // A fetch begins under `zone`: false when the zone has fetches-per-zone fetches already (the fetch is
    // spilled, counted and logged). `force` never refuses (a fetch moving to the zone of a referral).
    bool begin_fetch(const dns::Name& zone, bool force = false);
    void end_fetch(const dns::Name& zone);

    // An upstream query to `server` begins: false when fetches-per-server queries are in flight to it.
    bool begin_query(const ServerAddress& server);
    void end_query(const ServerAddress& server);

    // For tests and introspection: fetches counted under `zone` now, and spilled since its counter began.
    std::uint32_t fetches(const dns::Name& zone) const;
    std::uint32_t spilled(const dns::Name& zone) const;

  private:
    struct ZoneCounter {
        std::uint32_t count = 0;    // fetches now
        std::uint32_t allowed = 0;  // fetches let in since the counter was made
        std::uint32_t dropped = 0;  // fetches spilled since
        Millis logged = kNever;     // last "too many simultaneous fetches" line (kNever: none yet)
    };
    void log(std::string text) const;

    const WorkLimits& limits_;
    const Clock& clock_;
    const LogSink* sink_ = nullptr;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, ZoneCounter> zones_;
    std::unordered_map<std::string, std::uint32_t> servers_;
};

}  // namespace cairn::resolver
