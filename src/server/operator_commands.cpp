#include "server/operator_commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dns/zone_label.hpp"
#include "xfr/zone_save.hpp"
#include "zonefile/printer.hpp"

namespace cairn::server {

namespace {

bool wanted(const std::vector<std::string>& views, const std::string& name) {
    return views.empty() || std::find(views.begin(), views.end(), name) != views.end();
}

// "example.test/IN/internal": the zone label BIND's dump names, with the view even for _default's zones
// leaving it out as the log does.
std::string dump_label(const dns::Name& origin, const std::string& view) {
    return dns::zone_label(origin, view).substr(std::string_view("zone ").size());
}

}  // namespace

void write_dump(const ServingState& state, const std::vector<std::string>& views, const CacheDump& cache,
                bool zones, std::ostream& out) {
    for (const ServedView& view : state.views) {
        if (!wanted(views, view.name)) continue;
        out << ";\n; Start view " << view.name << "\n;\n";
        if (cache) {
            if (const std::optional<std::string> text = cache(view.name)) out << *text;
        }
        if (!zones) continue;
        for (const auto& zone : view.zones.zones()) {
            out << ";\n; Zone dump of '" << dump_label(zone->origin(), view.name) << "'\n;\n";
            std::vector<zone::Record> records = zone->records();
            zonefile::sort_canonical(records);
            zonefile::write_zone_text(records, [&](std::string_view text) { out << text; });
        }
    }
    out << "; Dump complete\n";
}

std::size_t save_secondary_copies(const Settings& settings, const std::vector<lifecycle::ZoneView>& zones,
                                  const std::string& view_name, const std::string& origin) {
    std::size_t written = 0;
    const dns::Name wanted_origin =
        origin.empty() ? dns::Name() : dns::Name::from_text(origin, dns::Name()).lowercased();
    for (const ViewSettings& view : settings.views) {
        if (!view_name.empty() && view.name != view_name) continue;
        for (const ZoneSettings& zone : view.zones) {
            const lifecycle::ZoneConfig& config = zone.zone;
            if (!config.secondary() || config.file.empty()) continue;
            const dns::Name lowered = config.origin.lowercased();
            if (!origin.empty() && lowered != wanted_origin) continue;
            const auto held = std::find_if(zones.begin(), zones.end(), [&](const lifecycle::ZoneView& z) {
                return z.state->view == view.name && z.state->origin.lowercased() == lowered;
            });
            if (held == zones.end() || held->version == nullptr) continue;  // nothing transferred yet
            xfr::save_zone_file(*held->version, config.file,
                                config.raw ? xfr::ZoneFileFormat::Raw : xfr::ZoneFileFormat::Text);
            ++written;
        }
    }
    return written;
}

std::vector<std::pair<std::string, std::string>> tsig_key_list(const Settings& settings) {
    std::vector<std::pair<std::string, std::string>> out;
    if (settings.keys == nullptr) return out;
    const std::vector<dns::Name> names = settings.keys->names();
    for (const ViewSettings& view : settings.views) {
        for (const dns::Name& name : names) {
            std::string text = name.to_text();
            if (text.size() > 1 && text.back() == '.') text.pop_back();
            out.emplace_back(view.name, std::move(text));
        }
    }
    return out;
}

}  // namespace cairn::server
