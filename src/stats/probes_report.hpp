// The statistics channel's view of cairnd's synthetic probes (issue 17; cairn's own `probe` statement, run by
// server/synthetic_probes): per probe and server, whether its last run passed, the latency and rcode of the
// last answer, the answer itself, runs and failures, and since when it fails. In /metrics
// (cairn_probe_*{probe,type,server}), /json ("probes") and the status page (failing probes first).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cairn::stats {

class PromWriter;

struct ProbeGauge {
    std::string probe;   // the name as written in the statement
    std::string type;    // "A"
    std::string server;  // "192.0.2.1#53"
    std::uint64_t runs = 0, failures = 0;
    bool ran = false;                           // it has run at least once
    bool ok = false;                            // its last run passed
    std::optional<double> rtt_ms;               // the last answer's latency (none: no answer)
    std::string rcode;                          // the last answer's ("" without one)
    std::vector<std::string> answer;            // the last answer's records of the type, presentation format
    std::string problem;                        // why the last run failed ("" when it passed)
    std::optional<std::int64_t> last_run;       // Unix time
    std::optional<std::int64_t> failing_since;  // Unix time of the first failed run of this failing streak
};

// The cairn_probe_* families (nothing without probes).
void render_probes_prometheus(const std::vector<ProbeGauge>& probes, PromWriter& w);
// The "probes" member of /json: an array.
nlohmann::json probes_json(const std::vector<ProbeGauge>& probes);
// The status page's probes table, failing probes first (empty without probes); HTML.
std::string probes_html(const std::vector<ProbeGauge>& probes, std::int64_t now);

}  // namespace cairn::stats
