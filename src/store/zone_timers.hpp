// A secondary zone's refresh timers, persisted so that a restarted secondary neither resets its expire
// clock nor serves a zone that expired while it was down (as Knot keeps its timer database). Times are
// seconds since the Unix epoch; 0 means "never" / "not set".
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "dns/name.hpp"
#include "store/environment.hpp"

namespace cairn::store {

struct ZoneTimers {
    std::int64_t last_refresh = 0;  // last successful refresh (transfer or "up to date" SOA check)
    std::int64_t next_refresh = 0;  // when the next SOA check is due
    std::int64_t expire_at = 0;     // the zone is not served from this time on (0: no deadline)
    std::uint32_t serial = 0;       // serial of the copy these timers belong to
    bool last_failed = false;       // the last refresh attempt failed (next_refresh is a retry)

    bool operator==(const ZoneTimers&) const = default;
};

void save_timers(Environment& env, const dns::Name& zone, const ZoneTimers& timers);
// Many zones' timers in one transaction (one fsync).
void save_timers_batch(Environment& env, const std::map<dns::Name, ZoneTimers>& timers);
// nullopt when none were saved for the zone. Throws StoreError on a damaged record.
std::optional<ZoneTimers> load_timers(const Environment& env, const dns::Name& zone);
void erase_timers(Environment& env, const dns::Name& zone);

}  // namespace cairn::store
