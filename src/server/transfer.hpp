// Zone transfers out (AXFR, and IXFR from the zone's journal when it has one, else the whole zone) over TCP:
// the engine confirms the zone, allow-transfer decides, and xfr::TransferStream produces the messages one
// at a time as the connection drains.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "auth/engine.hpp"
#include "net/handler.hpp"
#include "server/serving_state.hpp"

namespace cairn::server {

// True when `query` is a plain QUERY whose single question asks for AXFR or IXFR. Cheap: it only walks
// the question name.
bool is_transfer_query(std::span<const std::uint8_t> query);

// The reply to a transfer request from `client`: the zone as a stream of messages, or a single message
// (REFUSED, NOTAUTH, FORMERR, ...) when the transfer is not allowed or not possible; nullptr to send
// nothing.
// `verified` is the request's TSIG check against `keys` (status NotSigned for an unsigned request): a
// failed one is answered with the TSIG error, a good one signs the whole transfer. `at_limit`: as many
// transfers as transfers-out allows are running; an allowed request is then REFUSED (as BIND).
std::unique_ptr<net::ResponseStream> open_transfer(
    const ServedView& view, std::shared_ptr<const dns::TsigKeyring> keys, const auth::Engine& engine,
    std::span<const std::uint8_t> query, const net::ClientInfo& client, const dns::TsigVerification& verified,
    bool at_limit = false);

}  // namespace cairn::server
