// Incoming NOTIFY (RFC 1996 §3): for one of our secondary zones from a primary's address (any source port)
// or allow-notify, the lifecycle refreshes the zone at once; other sources get REFUSED (logged), zones we
// are not secondary for NOTAUTH, and a malformed NOTIFY FORMERR. `key`: the TSIG key that verified the
// NOTIFY (allow-notify { key k.; }); signing the answer is the caller's work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lifecycle/zones.hpp"
#include "net/handler.hpp"
#include "server/serving_state.hpp"

namespace cairn::server {

// Writes the answer to the NOTIFY `query` into `out` and returns its size (0: drop). `zone`: the zone the
// engine found for the NOTIFY's name in `view` (nullptr: none).
std::size_t answer_notify(lifecycle::Zones& zones, const ServedView& view, const zone::Zone* zone,
                          std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                          const net::ClientInfo& client, const dns::Name* key = nullptr);

}  // namespace cairn::server
