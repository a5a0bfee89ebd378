#include "lifecycle/zone_state.hpp"

#include "dns/serial.hpp"
#include "dns/zone_label.hpp"

namespace cairn::lifecycle {

std::string_view to_string(ZonePhase phase) {
    switch (phase) {
        case ZonePhase::loading:
            return "loading";
        case ZonePhase::loaded:
            return "loaded";
        case ZonePhase::failed:
            return "failed";
        case ZonePhase::refreshing:
            return "refreshing";
        case ZonePhase::refresh_failing:
            return "refresh failing";
        case ZonePhase::expired:
            return "expired";
    }
    return "unknown";
}

std::string_view to_string(ZoneRole role) {
    return role == ZoneRole::primary ? "primary" : "secondary";
}

std::uint32_t serials_behind(const SecondaryStatus& secondary, std::optional<std::uint32_t> served) {
    if (!secondary.serial || !served || !dns::serial_less(*secondary.serial, *served)) return 0;
    return *served - *secondary.serial;  // modulo 2^32: the distance round the serial circle
}

std::string ZoneState::label() const {
    return dns::zone_label(origin, view, rclass);
}

std::string ZoneConfig::label() const {
    return dns::zone_label(origin, view, rclass);
}

const ServerRule* server_rule_for(const std::vector<ServerRule>& rules, const dns::IpAddress& address) {
    const ServerRule* best = nullptr;
    for (const ServerRule& rule : rules) {
        if (!rule.prefix.contains(address)) continue;
        if (best == nullptr || (rule.in_view && !best->in_view) ||
            (rule.in_view == best->in_view && rule.prefix.length > best->prefix.length))
            best = &rule;
    }
    return best;
}

}  // namespace cairn::lifecycle
