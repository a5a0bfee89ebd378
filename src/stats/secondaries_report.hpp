// The statistics channel's view of the secondaries a zone notifies (issue 17; lifecycle::SecondaryStatus,
// filled by the lifecycle's secondary_check event): per secondary its serial, how many serials and seconds
// it is behind, whether it is lagging (behind for longer than secondary-lag-warning), its copy's expiry
// from EDNS EXPIRE, whether its last check was answered. In /metrics, /json and the status page.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "lifecycle/zone_state.hpp"
#include "stats/report.hpp"

namespace cairn::stats {

class PromWriter;

// Seconds the secondary has lacked our serial at `now` (0: in step).
std::int64_t seconds_behind(const lifecycle::SecondaryStatus& secondary, std::int64_t now);
// Secondaries of the zone behind for longer than its secondary-lag-warning.
std::size_t lagging_secondaries(const lifecycle::ZoneState& zone);

// The cairn_zone_secondary_* families, one sample per zone and secondary.
void render_secondaries_prometheus(const Report& report, PromWriter& w);
// The "secondaries" member of a zone in /json: an array, empty for a zone that notifies nobody.
nlohmann::json secondaries_json(const lifecycle::ZoneState& zone, std::int64_t now);
// The status page's cell: "127.0.0.1#53 serial 7", with the lag and the lagging ones marked; HTML.
std::string secondaries_html(const lifecycle::ZoneState& zone, std::int64_t now);

}  // namespace cairn::stats
