#include "stats/secondaries_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "stats/prom_writer.hpp"

namespace cairn::stats {

std::int64_t seconds_behind(const lifecycle::SecondaryStatus& secondary, std::int64_t now) {
    return secondary.behind_since == 0 ? 0 : std::max<std::int64_t>(0, now - secondary.behind_since);
}

std::size_t lagging_secondaries(const lifecycle::ZoneState& zone) {
    std::size_t count = 0;
    for (const auto& secondary : zone.secondaries)
        count += secondary.lagging ? 1 : 0;
    return count;
}

void render_secondaries_prometheus(const Report& report, PromWriter& w) {
    using Value = std::optional<double> (*)(const lifecycle::ZoneState&, const lifecycle::SecondaryStatus&,
                                            std::int64_t);
    const auto family = [&](std::string_view name, std::string_view help, Value value) {
        w.family(name, "gauge", help);
        for (const auto& zone : report.zones) {
            const std::string zone_name = zone->origin.to_text();
            for (const auto& secondary : zone->secondaries) {
                const std::optional<double> v = value(*zone, secondary, report.now);
                if (v)
                    w.sample(name,
                             {{"zone", zone_name}, {"view", zone->view}, {"secondary", secondary.address}},
                             *v);
            }
        }
    };
    family("cairn_zone_secondary_serial", "SOA serial a secondary of the zone answered last.",
           [](const lifecycle::ZoneState&, const lifecycle::SecondaryStatus& s, std::int64_t) {
               return s.serial ? std::optional<double>(*s.serial) : std::nullopt;
           });
    family("cairn_zone_secondary_serials_behind",
           "Serials (RFC 1982 distance) a secondary of the zone is behind the one served here.",
           [](const lifecycle::ZoneState& z, const lifecycle::SecondaryStatus& s, std::int64_t) {
               return std::optional<double>(lifecycle::serials_behind(s, z.served_serial));
           });
    family("cairn_zone_secondary_seconds_behind",
           "Seconds since a secondary of the zone last had the serial served here (0: in step).",
           [](const lifecycle::ZoneState&, const lifecycle::SecondaryStatus& s, std::int64_t now) {
               return std::optional<double>(static_cast<double>(seconds_behind(s, now)));
           });
    family(
        "cairn_zone_secondary_lagging",
        "1 while a secondary of the zone has been behind (or silent) for longer than secondary-lag-warning.",
        [](const lifecycle::ZoneState&, const lifecycle::SecondaryStatus& s, std::int64_t) {
            return std::optional<double>(s.lagging ? 1.0 : 0.0);
        });
    family("cairn_zone_secondary_up", "1 when a secondary of the zone answered its last SOA check.",
           [](const lifecycle::ZoneState&, const lifecycle::SecondaryStatus& s, std::int64_t) {
               return std::optional<double>(s.error.empty() && s.answered_at != 0 ? 1.0 : 0.0);
           });
    family("cairn_zone_secondary_seconds_until_expiry",
           "Seconds until a secondary's copy of the zone expires, from its EDNS EXPIRE (RFC 7314) answer.",
           [](const lifecycle::ZoneState&, const lifecycle::SecondaryStatus& s, std::int64_t now) {
               return s.expires_at == 0 ? std::nullopt
                                        : std::optional<double>(static_cast<double>(s.expires_at - now));
           });
}

nlohmann::json secondaries_json(const lifecycle::ZoneState& zone, std::int64_t now) {
    using nlohmann::json;
    json out = json::array();
    const auto time_or_null = [](std::int64_t at) { return at == 0 ? json(nullptr) : json(at); };
    for (const auto& s : zone.secondaries) {
        out.push_back({
            {"address", s.address},
            {"serial", s.serial ? json(*s.serial) : json(nullptr)},
            {"serials_behind", lifecycle::serials_behind(s, zone.served_serial)},
            {"seconds_behind", seconds_behind(s, now)},
            {"behind_since", time_or_null(s.behind_since)},
            {"lagging", s.lagging},
            {"expires", time_or_null(s.expires_at)},
            {"seconds_until_expiry", s.expires_at == 0 ? json(nullptr) : json(s.expires_at - now)},
            {"checked_at", time_or_null(s.checked_at)},
            {"answered_at", time_or_null(s.answered_at)},
            {"error", s.error},
        });
    }
    return out;
}

std::string secondaries_html(const lifecycle::ZoneState& zone, std::int64_t now) {
    std::string out;
    for (const auto& s : zone.secondaries) {
        std::string text = html_escape(s.address) + " " + (s.serial ? std::to_string(*s.serial) : "?");
        const std::uint32_t serials = lifecycle::serials_behind(s, zone.served_serial);
        if (s.behind_since != 0) text += fmt::format(" ({} behind, {} s)", serials, seconds_behind(s, now));
        if (!s.error.empty()) text += " <em>" + html_escape(s.error) + "</em>";
        out += fmt::format("<div class=\"secondary{}\" data-secondary=\"{}\">{}</div>",
                           s.lagging ? " lagging" : "", html_escape(s.address), text);
    }
    return out.empty() ? "&ndash;" : out;
}

}  // namespace cairn::stats
