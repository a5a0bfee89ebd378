#include "server/notify_receiver.hpp"

#include "dns/types.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "xfr/notify.hpp"

namespace cairn::server {

std::size_t answer_notify(SecondaryRunner& secondaries, const std::string& view,
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
    const std::string serial = request.serial ? " serial " + std::to_string(*request.serial) : "";
    switch (secondaries.notify(view, request.zone, client, key)) {
        case SecondaryRunner::NotifyVerdict::Accepted:
            repeated(Repeated::notify_received)
                .info("client {}: received notify for zone {}{}{}", client.source.to_string(),
                      request.zone.to_text(), serial,
                      key != nullptr ? " (TSIG key " + key->to_text() + ")" : "");
            return xfr::write_notify_response(query, out);
        case SecondaryRunner::NotifyVerdict::Refused:
            repeated(Repeated::notify_refused)
                .info("client {}: notify for zone {} refused: not a primary nor allowed by allow-notify",
                      client.source.to_string(), request.zone.to_text());
            return xfr::write_notify_response(query, out, dns::Rcode::REFUSED);
        case SecondaryRunner::NotifyVerdict::NotSecondary:
            break;
    }
    repeated(Repeated::notify_not_secondary)
        .info("client {}: notify for zone {}: not a secondary zone here", client.source.to_string(),
              request.zone.to_text());
    return xfr::write_notify_response(query, out, dns::Rcode::NOTAUTH);
}

}  // namespace cairn::server
