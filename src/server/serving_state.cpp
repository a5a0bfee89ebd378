#include "server/serving_state.hpp"

#include <map>

#include "dns/wire.hpp"
#include "server/settings.hpp"

namespace cairn::server {

namespace {

// A zone holding only an SOA, for the names of a zone that has no version to answer from: it makes the
// zone table find the zone, and the query path then answers SERVFAIL for it.
std::shared_ptr<const zone::Zone> placeholder(const dns::Name& origin, dns::RRClass rclass) {
    zone::Record soa;
    soa.owner = origin;
    soa.type = dns::RRType::SOA;
    soa.rclass = rclass;
    const auto wire = origin.wire();
    soa.rdata.assign(wire.begin(), wire.end());                   // MNAME
    soa.rdata.insert(soa.rdata.end(), wire.begin(), wire.end());  // RNAME
    soa.rdata.resize(soa.rdata.size() + 20, 0);                   // serial, refresh, retry, expire, minimum
    return zone::Zone::build(origin, std::vector<zone::Record>{soa});
}

ServedView::Unavailable why_unavailable(const lifecycle::ZoneState& state) {
    using lifecycle::ZonePhase;
    if (state.phase == ZonePhase::expired) return {dns::EdeCode::NoReachableAuthority, "zone expired"};
    if (state.phase == ZonePhase::failed)
        return {dns::EdeCode::NotReady, "zone not loaded: " + state.problem};
    if (state.role == lifecycle::ZoneRole::secondary)
        return {dns::EdeCode::NotReady, "zone not loaded: no copy transferred yet" +
                                            (state.last_refresh.ok || state.last_refresh.at == 0
                                                 ? std::string()
                                                 : " (" + state.last_refresh.detail + ")")};
    return {dns::EdeCode::NotReady, "zone not loaded yet"};
}

}  // namespace

std::unique_ptr<const ServingState> build_serving_state(const Settings& settings,
                                                        const std::vector<lifecycle::ZoneView>& zones) {
    std::map<std::pair<std::string, dns::Name>, const lifecycle::ZoneView*> by_zone;
    for (const auto& view : zones)
        by_zone.emplace(std::make_pair(view.state->view, view.state->origin.lowercased()), &view);
    auto state = std::make_unique<ServingState>();
    state->keys = settings.keys ? settings.keys : std::make_shared<const dns::TsigKeyring>();
    state->blackhole = settings.blackhole;
    state->has_blackhole = settings.has_blackhole;
    for (const auto& view : settings.views) {
        ServedView served;
        served.name = view.name;
        served.match_clients = view.match_clients;
        served.match_destinations = view.match_destinations;
        served.rate_limit = view.rate_limit;
        if (!view.zones.empty()) served.servers = view.zones.front().zone.servers;
        std::vector<std::shared_ptr<const zone::Zone>> table;
        for (const auto& zone : view.zones) {
            const auto found = by_zone.find({view.name, zone.zone.origin.lowercased()});
            if (found == by_zone.end()) continue;  // added by a reload that is not applied yet
            const lifecycle::ZoneView& current = *found->second;
            std::shared_ptr<const zone::Zone> version = current.version;
            if (!current.answerable || version == nullptr) {
                if (version == nullptr) version = placeholder(zone.zone.origin, zone.zone.rclass);
                served.unavailable.emplace(version.get(), why_unavailable(*current.state));
                served.has_unavailable = true;
            }
            table.push_back(version);
            served.allow_transfer.emplace(version.get(), zone.allow_transfer);
            served.transfer_policies.emplace(
                version.get(), ServedView::TransferPolicy{zone.provide_ixfr, zone.max_transfer_time_out,
                                                          zone.max_transfer_idle_out});
            if (current.journal != nullptr) served.journals.emplace(version.get(), current.journal);
            if (zone.zone.secondary()) {
                ServedView::Secondary secondary;
                secondary.allow_notify = zone.allow_notify;
                for (const auto& primary : zone.zone.primaries) {
                    if (const auto address = dns::IpAddress::parse(primary.address))
                        secondary.primaries.push_back(*address);
                }
                secondary.expire_at = current.expire_at;
                served.secondaries.emplace(version.get(), std::move(secondary));
            }
            if (!zone.allow_query.allows_everyone()) {
                served.allow_query.emplace(version.get(), zone.allow_query);
                served.restricts_queries = true;
            }
        }
        if (view.recursion) {
            served.recursion = view.recursion->view_recursion(view.rate_limit);
            table.insert(table.end(), view.recursion->builtin_zones.begin(),
                         view.recursion->builtin_zones.end());
        }
        served.zones = zone::ZoneTable(std::move(table));
        state->views.push_back(std::move(served));
    }
    return state;
}

}  // namespace cairn::server
