// The event handlers, one file each (events/*.cpp), as Knot's src/knot/events/handlers/. Each runs on the
// reactor thread when the Scheduler starts its event, and calls Runtime::done() when the zone may start its
// next event: at once, or after its network requests and worker tasks have finished.
#pragma once

#include "lifecycle/runtime.hpp"

namespace cairn::lifecycle {

void event_load(Runtime& rt, const ZonePtr& zone);
void event_refresh(Runtime& rt, const ZonePtr& zone);
void event_expire(Runtime& rt, const ZonePtr& zone);
void event_notify(Runtime& rt, const ZonePtr& zone);
void event_write_file(Runtime& rt, const ZonePtr& zone);
void event_trim_journal(Runtime& rt, const ZonePtr& zone);

// What a new version means for the zone's state (serials, size, load time); then publishes it.
void serve_version(Runtime& rt, Zone& zone, std::shared_ptr<const zone::Zone> version, std::int64_t now);
// Starts a NOTIFY round for the version served, after the zone's notify-delay.
void schedule_notify(Runtime& rt, Zone& zone);

}  // namespace cairn::lifecycle
