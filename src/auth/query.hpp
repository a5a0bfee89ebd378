// Allocation-free parsing of an incoming query: header, the question (its name lowercased into the
// struct), and the OPT record with the options the engine acts on. Everything else is only skipped over.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cairn::auth {

enum class ParseOutcome : std::uint8_t {
    ok,
    drop,     // too short for a header, or a response (QR=1): never answer
    formerr,  // malformed; the fields parsed so far (header, maybe the question and OPT) are usable
};

struct ParsedQuery {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;  // the query's flags word
    std::uint8_t opcode = 0;
    std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

    bool has_question = false;
    std::size_t qname_size = 0;
    std::uint8_t qname[255];  // lowercased wire; the original spelling stays in the packet at offset 12
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    std::size_t question_end = 12;  // offset just past the question in the packet

    bool edns = false;  // a well-formed OPT was found
    std::uint16_t udp_size = 512;
    std::uint8_t edns_version = 0;
    bool dnssec_ok = false;
    bool nsid = false;
    bool cookie = false;
    std::uint8_t client_cookie[8];
    std::size_t server_cookie_size = 0;
    std::uint8_t server_cookie[32];

    bool has_tsig = false;  // a TSIG RR ends the message (verification belongs to a later layer)
    std::size_t tsig_offset = 0;
};

ParseOutcome parse_query(std::span<const std::uint8_t> packet, ParsedQuery& q);

}  // namespace cairn::auth
