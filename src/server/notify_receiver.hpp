// Incoming NOTIFY (RFC 1996 §3): for one of our secondary zones from a primary's address (any source port)
// or allow-notify, a refresh starts at once; other sources get REFUSED (logged), zones we are not secondary
// for NOTAUTH, and a malformed NOTIFY FORMERR. `key`: the TSIG key that verified the NOTIFY (allow-notify
// { key k.; }); signing the answer is the caller's work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "net/handler.hpp"
#include "server/secondary_runner.hpp"

namespace cairn::server {

// Writes the answer to the NOTIFY `query` into `out` and returns its size (0: drop).
std::size_t answer_notify(SecondaryRunner& secondaries, const std::string& view,
                          std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                          const net::ClientInfo& client, const dns::Name* key = nullptr);

}  // namespace cairn::server
