#include "server/notify_receiver.hpp"

#include "dns/types.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "xfr/notify.hpp"
#include "zone/lookup_name.hpp"

namespace cairn::server {

std::size_t answer_notify(lifecycle::Zones& zones, const ServedView& view, const zone::Zone* zone,
                          std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                          const net::ClientInfo& client, const dns::Name* key) {
    xfr::NotifyRequest request;
    try {
        request = xfr::read_notify(query);
    } catch (const std::exception& e) {
        repeated(Repeated::notify_malformed)
            .info("client {}: malformed NOTIFY: {}", client.source.to_string(), e.what());
        return xfr::write_notify_response(query, out, dns::Rcode::FORMERR);
    }
    if (zone == nullptr) {  // the engine does not look NOTIFYs up: find the zone named
        const dns::Name lowered = request.zone.lowercased();
        zone::LookupName name;
        if (name.assign(lowered.wire())) zone = view.zones.find(name);
    }
    const ServedView::Secondary* secondary =
        zone != nullptr && zone->origin() == request.zone ? view.secondary_for(zone) : nullptr;
    if (secondary == nullptr) {
        repeated(Repeated::notify_not_secondary)
            .info("client {}: notify for zone {}: not a secondary zone here", client.source.to_string(),
                  request.zone.to_text());
        return xfr::write_notify_response(query, out, dns::Rcode::NOTAUTH);
    }
    bool allowed = secondary->allow_notify.allows_source(client, key);
    for (const auto& primary : secondary->primaries)
        allowed = allowed || primary == client.source.address.unmapped();
    if (!allowed) {
        repeated(Repeated::notify_refused)
            .info("client {}: notify for zone {} refused: not a primary nor allowed by allow-notify",
                  client.source.to_string(), request.zone.to_text());
        return xfr::write_notify_response(query, out, dns::Rcode::REFUSED);
    }
    const std::string serial = request.serial ? " serial " + std::to_string(*request.serial) : "";
    // Accepted: from a primary or an allow-notify source, so written every time, as BIND does (only the
    // refused, malformed and misdirected ones, which anyone can send, are throttled).
    logs::notify().info("client {}: received notify for zone {}{}{}", client.source.to_string(),
                        request.zone.to_text(), serial,
                        key != nullptr ? " (TSIG key " + key->to_text() + ")" : "");
    zones.notified(view.name, request.zone, request.serial);
    return xfr::write_notify_response(query, out);
}

}  // namespace cairn::server
