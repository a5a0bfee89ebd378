// A view's recursion as the daemon takes it from named.conf: the resolved clauses (config::ResolvedRecursion,
// BIND's defaults applied), the compiled access lists, the hint file, the forward and static-stub zones, and
// what the built-in zones must leave alone. Absent for views with `recursion no`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dns/name.hpp"
#include "server/builtin_zones.hpp"
#include "server/recursive_view.hpp"

namespace cairn::server {

struct ForwardZoneSettings {
    dns::Name zone;  // "." for the view's (or options') forwarders
    config::ForwardMode mode = config::ForwardMode::First;
    std::vector<config::Remote> forwarders;  // empty: no forwarding at or below `zone`
};

struct StaticStubSettings {
    dns::Name zone;
    std::vector<dns::IpAddress> servers;
};

struct RecursionSettings {
    config::ResolvedRecursion resolved;
    ViewRecursion access;
    std::string hint_file;  // zone "." { type hint; file ...; }, absolute; "": the built-in root hints
    std::vector<ForwardZoneSettings> forward_zones;
    std::vector<StaticStubSettings> static_stubs;
    std::vector<std::shared_ptr<const zone::Zone>> builtin_zones;  // localhost and the empty zones
    std::shared_ptr<ViewResolver> resolver;  // attached by the daemon (RecursionService)

    // What the view's snapshot holds: the access lists, the resolver and the view's rate-limit.
    std::shared_ptr<const ViewRecursion> view_recursion(std::shared_ptr<RateLimit> rate_limit) const {
        auto made = std::make_shared<ViewRecursion>(access);
        made->resolver = resolver;
        made->rate_limit = std::move(rate_limit);
        return made;
    }
};

// The view's recursion settings, or nullopt with `recursion no`. Warnings (named's adjustments, zones of
// a kind cairn does not use) and errors go to the given lists, as "FILE:LINE: message" where known.
std::optional<RecursionSettings> recursion_settings(const config::Config& config, const config::View* view,
                                                    const config::HostNetworks& host,
                                                    std::vector<std::string>& warnings,
                                                    std::vector<std::string>& errors);

}  // namespace cairn::server
