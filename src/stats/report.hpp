// Everything the statistics channel shows, gathered at one instant, and its three renderings: Prometheus
// text exposition 0.0.4, JSON with the same data, and a small HTML status page.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stats/counters.hpp"
#include "stats/resolver_report.hpp"

namespace cairn::stats {

// One served zone as the server knows it; times are seconds since the epoch.
struct ZoneGauge {
    std::string name;  // presentation form, trailing dot
    std::string view;
    std::string role;                     // "primary", "secondary", ...
    std::optional<std::uint32_t> serial;  // unset: not loaded
    std::string file;
    std::optional<std::int64_t> loaded_at;
    std::optional<std::int64_t> last_refresh;  // last successful refresh (secondaries)
    std::optional<std::int64_t> next_refresh;
    std::optional<std::int64_t> expires;
    bool refresh_failing = false;
    std::uint64_t notifies_sent = 0;    // NOTIFY messages, retries included
    std::uint64_t notifies_failed = 0;  // of those, unanswered or answered with an error
    std::uint32_t notifies_pending = 0;
};

enum class ZoneHealth { healthy, refresh_failing, expiring_soon, expired, not_loaded };
inline constexpr std::int64_t kExpiringSoonSeconds = 24 * 3600;
ZoneHealth zone_health(const ZoneGauge& zone, std::int64_t now);
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
    TransferSnapshot transfers;
    UdpReads udp;
    std::vector<ZoneGauge> zones;
    RecursionGauge recursion;  // empty without recursive views
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
