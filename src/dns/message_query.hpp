// The server's query parser: one pass over an incoming packet that extracts what answering needs, with no
// heap allocation. Everything is copied into (or points from) the caller's ParsedQuery and the packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/edns.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::dns {

enum class QueryStatus : std::uint8_t {
    Ok,       // a well-formed request; the answer engine decides about opcode, class and type
    FormErr,  // malformed, but the header was readable: answer FORMERR (header fields are set)
    Drop,  // do not answer at all: shorter than a header, or a response (QR=1), which must never be answered
};

// EDNS as a request carries it.
struct QueryEdns {
    bool present = false;
    std::uint8_t version = 0;
    bool dnssec_ok = false;
    std::uint16_t udp_payload = 0;  // as sent; effective_udp_payload() applies the RFC 6891 floor
    std::uint8_t cookie_size = 0;   // 0 (no COOKIE), 8 (client only) or 16..40 (client + server)
    std::array<std::uint8_t, kCookieMaxSize> cookie;  // only cookie_size octets are set
    bool nsid = false;                                // NSID requested
    bool expire = false;         // EXPIRE requested (RFC 7314, transfers and SOA queries)
    bool tcp_keepalive = false;  // RFC 7828
    bool padding = false;        // RFC 7830
    bool other_options = false;  // any option not listed above

    std::uint16_t effective_udp_payload() const {
        return udp_payload < kMinUdpPayload ? kMinUdpPayload : udp_payload;
    }
    std::span<const std::uint8_t> client_cookie() const {
        return {cookie.data(), cookie_size == 0 ? 0 : kCookieClientSize};
    }
    std::span<const std::uint8_t> server_cookie() const {
        return cookie_size <= kCookieClientSize
                   ? std::span<const std::uint8_t>{}
                   : std::span<const std::uint8_t>{cookie.data() + kCookieClientSize,
                                                   cookie_size - kCookieClientSize};
    }
};

// The arrays are left uninitialized (parse_query sets what their sizes cover): zeroing them cost more per
// query than the rest of the parse.
struct ParsedQuery {
    Header header;
    bool has_question = false;  // false for a COOKIE-only query (qdcount 0, RFC 7873 §5.4)
    // The qname as it stands in the packet (never compressed in a valid query), original case: points into
    // the packet passed to parse_query, so it lives as long as that buffer.
    std::span<const std::uint8_t> qname;
    std::array<std::uint8_t, kMaxNameLength> qname_lower_storage;
    std::array<std::uint8_t, 128> label_offsets;  // offset of each label's length octet in the qname
    std::uint8_t label_count = 0;                 // labels of the qname, the root not counted
    RRType qtype = RRType::A;
    RRClass qclass = RRClass::IN;
    QueryEdns edns;
    // Where sections start in the packet (answer/authority matter for NOTIFY, IXFR and UPDATE).
    std::uint16_t question_end = 0;
    std::uint16_t answer_offset = 0;
    std::uint16_t authority_offset = 0;
    std::uint16_t additional_offset = 0;
    bool has_tsig = false;
    std::uint16_t tsig_offset = 0;  // start of the TSIG record, the last one of the packet

    std::span<const std::uint8_t> qname_lower() const { return {qname_lower_storage.data(), qname.size()}; }
};

// Parses `packet` into `out` (overwritten entirely). FormErr for: qdcount above 1, qdcount 0 without a
// COOKIE option, a compressed or malformed qname, a question or record running past the end, trailing
// octets, OPT outside the additional section or with a non-root owner or twice, EDNS options overrunning
// the OPT rdata, a COOKIE of invalid length, and TSIG anywhere but last. Records in the answer and authority
// sections are only skipped over (checked for framing), not decoded.
QueryStatus parse_query(std::span<const std::uint8_t> packet, ParsedQuery& out);

// The qname of a one-question query, read without checking the rest of the message: a hint to warm caches
// before the query is parsed for real, never a basis for an answer. Writes it lowercased to `lowered` and
// returns its size; 0 when there is no complete question with an uncompressed name of at most 255 octets.
// The qtype follows the name: octets 12 + size and 13 + size of a packet this accepted.
std::size_t peek_qname(std::span<const std::uint8_t> packet, std::uint8_t (&lowered)[kMaxNameLength]);

}  // namespace cairn::dns
