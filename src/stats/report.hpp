// Everything the statistics channel shows, gathered at one instant, and its three renderings: Prometheus
// text exposition 0.0.4, JSON with the same data, and a small HTML status page.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lifecycle/zone_state.hpp"
#include "stats/counters.hpp"
#include "stats/probes_report.hpp"
#include "stats/resolver_report.hpp"

namespace cairn::stats {

// The zone's health at a glance (the status page's colour): its lifecycle state, with a secondary due to
// expire within a day called out before it does, a signed zone whose signatures expire within 14 days, and
// a zone one of whose own secondaries is lagging.
// Listed from the best to the worst: the status page shows the worst zones first.
enum class ZoneHealth {
    healthy,
    secondary_lagging,
    refresh_failing,
    signatures_expiring,  // a signed zone's earliest RRSIG expires within 14 days (or has expired)
    expiring_soon,
    not_loaded,
    expired
};
inline constexpr std::int64_t kExpiringSoonSeconds = 24 * 3600;
inline constexpr std::int64_t kSignaturesWarningSeconds = 14 * 24 * 3600;  // the first RRSIG warning
ZoneHealth zone_health(const lifecycle::ZoneState& zone, std::int64_t now);
std::string_view to_string(ZoneHealth health);

// What the UDP threads' reads have done (net::UdpCounters, summed over the workers).
struct UdpReads {
    std::uint64_t reads = 0;      // recvmmsg calls that read at least one datagram
    std::uint64_t datagrams = 0;  // datagrams they read
    std::uint64_t pauses = 0;     // coalescing pauses taken (net/udp_coalescing.hpp)
};

struct Report {
    std::int64_t now = 0;
    std::int64_t started_at = 0;
    std::int64_t configured_at = 0;  // the last (re)configuration
    std::string version;
    QuerySnapshot queries;
    TransferSnapshot transfers;  // transfers in: from the lifecycle's totals
    UdpReads udp;
    // Every configured zone, as the lifecycle's snapshots of its state.
    std::vector<std::shared_ptr<const lifecycle::ZoneState>> zones;
    std::optional<bool> last_reload_ok;  // unset: no reload since the start
    RecursionGauge recursion;            // empty without recursive views
    std::vector<ProbeGauge> probes;      // the probe statements' results, by probe and server
};

std::string render_prometheus(const Report& report);
std::string render_json(const Report& report);
std::string render_html(const Report& report);

// Prometheus text format escaping: label values escape backslash, double quote and newline; HELP text
// escapes backslash and newline.
std::string escape_label_value(std::string_view value);
// &, <, >, " and ' as entities: for HTML, and for XML text and attribute values.
std::string html_escape(std::string_view text);
std::string escape_help(std::string_view text);

}  // namespace cairn::stats
