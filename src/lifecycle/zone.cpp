#include "lifecycle/zone.hpp"

#include <random>

#include "lifecycle/refresh_run.hpp"

namespace cairn::lifecycle {

Zone::Zone(ZoneConfig zone_config) : config(std::move(zone_config)), schedule(config.refresh_bounds) {
    state.view = config.view;
    state.origin = config.origin;
    state.rclass = config.rclass;
    state.role = config.role;
    state.file = config.file;
    if (config.signed_inline()) {
        state.dnssec_policy = config.dnssec_policy->name;
        salt_seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
    }
}

Zone::~Zone() = default;

std::string Zone::key() const {
    return config.view + "/" + config.origin.lowercased().to_text();
}

std::size_t ZoneConfig::journal_bound(const zone::Zone& zone) const {
    return max_journal_bytes.value_or(std::max<std::size_t>(2 * zone.wire_bytes(), 4096));
}

std::size_t Zone::journal_bound(const zone::Zone& zone) const {
    return config.journal_bound(zone);
}

}  // namespace cairn::lifecycle
