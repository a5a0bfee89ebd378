// What makes two responses "identical" for response rate limiting, read from the response as written:
// BIND's classes (lib/ns/query.c, query_checkrrl, and lib/dns/rrl.c, make_key). Non-empty answers count per
// qname and qtype; NODATA per qname; referrals per delegation point (the owner of the authority NS set);
// NXDOMAIN per zone (the owner of the authority SOA); every other error as one. Answers synthesised from a
// wildcard count as the zone's "*" name, so that random names under a wildcard cannot dodge the limit.
#pragma once

#include <cstdint>
#include <span>

#include "dns/types.hpp"

namespace cairn::rrl {

enum class ResponseKind : std::uint8_t { answer, referral, nodata, nxdomain, error };
inline constexpr std::size_t kResponseKinds = 5;

struct ResponseKey {
    ResponseKind kind = ResponseKind::error;
    std::uint16_t qtype = 0;   // answers only
    std::uint16_t qclass = 0;  // answers, referrals and NODATA
    // 0 for errors. The question's name is hashed eight octets at a time, names read from elsewhere
    // (authority owners, the zone) with hash_message_name: the two never meet in one kind's accounts.
    std::uint64_t name_hash = 0;
};

// What the answer engine knows that the response does not say.
struct ResponseFacts {
    dns::Rcode rcode = dns::Rcode::NOERROR;  // extended (BADVERS and BADCOOKIE live in the OPT record)
    bool wildcard = false;                   // the answer was synthesised from a wildcard
    std::span<const std::uint8_t> zone;      // the answering zone's origin, uncompressed wire (may be empty)
};

// Classifies `response` (a well-formed message the server wrote). Never fails: what cannot be read is an
// error response.
ResponseKey describe_response(std::span<const std::uint8_t> response, const ResponseFacts& facts);

// Where, in `response`, the name it is counted under starts (`kind` as describe_response gave it): the owner
// of the first authority record for referrals and NXDOMAIN (the delegation point, the zone's SOA), else the
// question's name (offset 12). For the log lines that name the account, as BIND's do. 0 for errors and for
// an NXDOMAIN without an authority section, whose name is not in the response.
std::size_t counted_name_offset(std::span<const std::uint8_t> response, ResponseKind kind);

// FNV-1a over a name's uncompressed wire form, ASCII case folded (equal to dns::wire_name_hash of the same
// name), reading a possibly compressed name at `offset` of `message`. False when the name is malformed.
bool hash_message_name(std::span<const std::uint8_t> message, std::size_t offset, std::uint64_t& hash);

}  // namespace cairn::rrl
