// The query log line, in BIND 9's layout (ns/client.c's client prefix and ns/query.c's log_query), so that
// the tools and patterns written for BIND's query log read cairnd's:
//
//   client @0x7f43516e8098 192.0.2.7#52298/key tk (www.example.test): view internal: query:
//       www.example.test IN A +SE(0)TDCV (192.0.2.53)
//
// `@0x...` identifies the client object in BIND; here, the worker's client record. The key part appears for
// signed requests, the view part only for a named view. Flags: `+`/`-` recursion desired, S signed (TSIG),
// E(version) EDNS, T TCP, D DNSSEC OK, C checking disabled, then V for a valid server cookie or K for a
// cookie without one. The address in parentheses is the one the query arrived on. Names are written
// without their final dot, as BIND does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/handler.hpp"

namespace cairn::server {

struct QueryLogEntry {
    const void* client_id = nullptr;
    std::string client;  // address#port
    std::string key;     // the TSIG key name, without the final dot; empty: unsigned
    std::string view;    // empty or "_default": not written
    std::string qname;   // presentation form, final dot or not
    std::string qclass, qtype;
    bool recursion_desired = false, tcp = false, dnssec_ok = false, checking_disabled = false;
    std::optional<std::uint8_t> edns_version;  // unset: no OPT record
    bool cookie = false, valid_server_cookie = false;
    std::string destination;  // the local address, without port
    std::string_view note;    // cairnd's own mark after the line (" [cache]": recursive_view.hpp's log_note)
};

// The line, without the "queries: info:" the channel's print options add.
std::string format_query_log(const QueryLogEntry& entry);

// Logs `query` (category queries, severity info) as `client` sent it to `view`. `response` is the answer
// given: a request that failed TSIG verification is not logged, as BIND never starts a query for one.
// `cookie_secret` tells a valid server cookie (V) from a client cookie alone (K). `note` follows the line:
// what a recursive view did (` [cache]`, ` [resolving]`, ...), which BIND does not write. An empty
// `response`: the reply is given later.
void log_query(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response,
               const net::ClientInfo& client, std::string_view view,
               const std::array<std::uint8_t, 16>& cookie_secret, std::string_view note = {});

}  // namespace cairn::server
