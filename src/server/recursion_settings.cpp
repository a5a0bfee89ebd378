#include "server/recursion_settings.hpp"

namespace cairn::server {

namespace {

std::string where(const config::Location& location) {
    return location.file_name() + ":" + std::to_string(location.line) + ": ";
}

std::vector<config::Remote> remotes_of(const config::Config& config, const config::Forwarders& list) {
    std::vector<config::Remote> out;
    for (const auto& address : list.addresses)
        out.push_back(
            {address.address, address.port.value_or(list.port.value_or(config.default_port())), {}, {}});
    return out;
}

}  // namespace

std::optional<RecursionSettings> recursion_settings(const config::Config& config, const config::View* view,
                                                    const config::HostNetworks& host,
                                                    std::vector<std::string>& warnings,
                                                    std::vector<std::string>& errors) {
    const std::string label = view != nullptr ? "view " + view->name + ": " : "";
    config::ResolvedRecursion resolved = config.resolve_recursion(view);
    for (const auto& adjustment : resolved.adjustments)
        warnings.push_back("warning: " + label + adjustment);
    if (!resolved.recursion) return std::nullopt;

    RecursionSettings settings;
    BuiltinZoneExclusions exclusions;
    settings.access.recursion.clients = AccessList::from(resolved.allow_recursion, config, host);
    settings.access.recursion.destinations = AccessList::from(resolved.allow_recursion_on, config, host);
    settings.access.cache.clients = AccessList::from(resolved.allow_query_cache, config, host);
    settings.access.cache.destinations = AccessList::from(resolved.allow_query_cache_on, config, host);
    if (!resolved.forwarders.empty() || resolved.forward == config::ForwardMode::Only) {
        settings.forward_zones.push_back({dns::Name(), resolved.forward, resolved.forwarders});
        if (resolved.forward == config::ForwardMode::Only) exclusions.forward_only.push_back(dns::Name());
    }

    const std::vector<config::Zone>& zones = view != nullptr ? view->zones : config.zones;
    for (const config::Zone& zone : zones) {
        const config::ZoneType type = zone.type.value_or(config::ZoneType::Primary);
        switch (type) {
            case config::ZoneType::Hint:
                if (!zone.name.is_root()) {
                    warnings.push_back(where(zone.where) + "warning: ignoring non-root hint zone '" +
                                       zone.name_text + "'");
                } else if (zone.file) {
                    settings.hint_file = config.resolve_path(*zone.file);
                }
                break;
            case config::ZoneType::Forward: {
                ForwardZoneSettings forward;
                forward.zone = zone.name;
                forward.mode = zone.forward.value_or(resolved.forward);
                if (zone.forwarders) forward.forwarders = remotes_of(config, *zone.forwarders);
                if (forward.mode == config::ForwardMode::Only && !forward.forwarders.empty())
                    exclusions.forward_only.push_back(zone.name);
                settings.forward_zones.push_back(std::move(forward));
                break;
            }
            case config::ZoneType::StaticStub:
                if (zone.server_addresses.empty()) {
                    errors.push_back(where(zone.where) + "zone '" + zone.name_text +
                                     "': a static-stub zone needs server-addresses");
                    break;
                }
                settings.static_stubs.push_back({zone.name, zone.server_addresses});
                exclusions.stubs.push_back(zone.name);
                break;
            case config::ZoneType::Primary:
            case config::ZoneType::Secondary:
                exclusions.served.push_back(zone.name);
                break;
            default:
                break;
        }
    }
    settings.builtin_zones = builtin_zones(resolved, exclusions);
    settings.resolved = std::move(resolved);
    return settings;
}

}  // namespace cairn::server
