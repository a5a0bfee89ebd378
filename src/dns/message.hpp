// DNS messages (RFC 1035 §4.1): the header, and a full parser that decodes every section into owned values
// for transfers, tools and tests. The server's hot path uses message_query.hpp and message_builder.hpp
// instead, which allocate nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::dns {

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kMaxMessageSize = 65535;

enum class Section : std::uint8_t { Question = 0, Answer = 1, Authority = 2, Additional = 3 };

struct Header {
    std::uint16_t id = 0;
    bool qr = false;
    Opcode opcode = Opcode::QUERY;  // any 4-bit value; unnamed ones are kept as they are
    bool aa = false;
    bool tc = false;
    bool rd = false;
    bool ra = false;
    bool z = false;
    bool ad = false;
    bool cd = false;
    std::uint8_t rcode = 0;  // the low 4 bits of the rcode; EDNS holds the rest
    std::uint16_t qdcount = 0;
    std::uint16_t ancount = 0;
    std::uint16_t nscount = 0;
    std::uint16_t arcount = 0;

    // `wire` must hold at least kHeaderSize octets; the caller checks (these run on the hot path).
    static Header read(const std::uint8_t* wire);
    void write(std::uint8_t* wire) const;
    std::uint16_t flags() const;  // the second 16-bit word
    void set_flags(std::uint16_t flags);

    std::uint16_t count(Section section) const;
    bool operator==(const Header&) const = default;
};

struct Question {
    Name name;
    RRType type = RRType::A;
    RRClass qclass = RRClass::IN;
    bool operator==(const Question&) const = default;
};

struct ResourceRecord {
    Name owner;
    RRType type = RRType::A;
    RRClass rclass = RRClass::IN;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;  // uncompressed wire form, names in original case
    bool operator==(const ResourceRecord&) const = default;
};

// A fully decoded message. The OPT record is not kept in `additional` but decoded into `edns`; a TSIG
// record stays in `additional` (it is always the last one) and `tsig_offset` says where it starts in the
// wire, which TSIG verification needs. The header's counts are those of the wire, OPT included.
struct Message {
    Header header;
    std::vector<Question> questions;
    std::vector<ResourceRecord> answer;
    std::vector<ResourceRecord> authority;
    std::vector<ResourceRecord> additional;
    std::optional<Edns> edns;
    std::optional<std::size_t> tsig_offset;

    Rcode rcode() const;  // all 12 bits, the high 8 from EDNS when present
    const std::vector<ResourceRecord>& section(Section s) const;  // answer, authority or additional
};

// Decodes a whole message. Every error throws ParseError with a message saying what is wrong; every such
// error is FORMERR-worthy. Checks: counts that overrun the message, names (pointers must point backwards),
// rdata structure of known types (via rdata_from_wire), OPT rules (in the additional section only, at most
// one, root owner, options framed within its rdata, COOKIE of a valid length), TSIG last in additional,
// and no trailing octets after the last record.
Message parse_message(std::span<const std::uint8_t> wire);

// Encodes a message with MessageBuilder (names compressed, OPT from `edns` last; the OPT Z bits are not
// written). For tools and tests, not the hot path. Throws std::length_error when it does not fit 65535
// octets (or its EDNS options MessageBuilder::kMaxEdnsOptionsSize), and std::invalid_argument for a message
// carrying TSIG (which must follow OPT and is written by the signer).
std::vector<std::uint8_t> to_wire(const Message& message);

// dig-like presentation of a parsed message, for tools and debugging.
std::string to_text(const Message& message);
std::string to_text(const Header& header);  // the two ";; ->>HEADER<<-" and ";; flags:" lines

}  // namespace cairn::dns
