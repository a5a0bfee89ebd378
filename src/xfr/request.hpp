// What a zone transfer request (AXFR, RFC 5936; IXFR, RFC 1995) asks for, read from the query with the
// full message parser (transfers are rare next to queries, so clarity wins over speed here).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/record.hpp"

namespace cairn::xfr {

struct TransferRequest {
    std::uint16_t id = 0;
    dns::Name zone;                        // the question name, as spelled in the query
    dns::RRType type = dns::RRType::AXFR;  // AXFR or IXFR
    dns::RRClass qclass = dns::RRClass::IN;
    std::optional<std::uint32_t> client_serial;  // IXFR: the serial of the SOA in the authority section
    bool edns = false;
    bool dnssec_ok = false;
    bool expire_requested = false;  // RFC 7314 EXPIRE option present
    bool tsig = false;              // the query carries a TSIG record (the caller verifies it)
};

// Throws dns::ParseError (answer FORMERR) for: a message that does not parse, a response, an opcode other
// than QUERY, not exactly one question, a type other than AXFR/IXFR, and an IXFR without an SOA for the
// zone in the authority section.
TransferRequest read_transfer_request(std::span<const std::uint8_t> query);

// The client side: a query for `type` (SOA, AXFR or IXFR) of `zone`; for IXFR `our_soa` (the copy held)
// goes into the authority section (RFC 1995 §3). With EDNS, `expire` adds the empty EXPIRE option
// (RFC 7314) so the primary reports its remaining expire time.
struct QueryOptions {
    std::uint16_t id = 0;
    bool edns = true;
    bool expire = true;
    std::uint16_t udp_payload = 1232;
};
std::vector<std::uint8_t> build_query(const dns::Name& zone, dns::RRType type, const zone::Record* our_soa,
                                      const QueryOptions& options);

}  // namespace cairn::xfr
