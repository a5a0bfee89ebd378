#include "dns/message.hpp"

#include <array>
#include <memory>
#include <stdexcept>
#include <string>

#include "dns/message_builder.hpp"
#include "dns/rdata.hpp"
#include "dns/wire.hpp"

namespace cairn::dns {
namespace {

constexpr std::uint16_t kFlagQr = 0x8000;
constexpr std::uint16_t kFlagAa = 0x0400;
constexpr std::uint16_t kFlagTc = 0x0200;
constexpr std::uint16_t kFlagRd = 0x0100;
constexpr std::uint16_t kFlagRa = 0x0080;
constexpr std::uint16_t kFlagZ = 0x0040;
constexpr std::uint16_t kFlagAd = 0x0020;
constexpr std::uint16_t kFlagCd = 0x0010;

std::uint16_t read_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
void write_u16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

const char* section_name(Section section) {
    switch (section) {
        case Section::Question:
            return "question";
        case Section::Answer:
            return "answer";
        case Section::Authority:
            return "authority";
        case Section::Additional:
            return "additional";
    }
    return "?";
}

Edns decode_opt(std::uint16_t rclass, std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
    Edns edns;
    edns.udp_payload = rclass;
    edns.extended_rcode = static_cast<std::uint8_t>(ttl >> 24);
    edns.version = static_cast<std::uint8_t>(ttl >> 16);
    edns.dnssec_ok = (ttl & kEdnsFlagDo) != 0;
    edns.other_flags = static_cast<std::uint16_t>(ttl & 0x7FFF);
    const bool framed =
        for_each_edns_option(rdata, [&](std::uint16_t code, std::span<const std::uint8_t> data) {
            edns.options.push_back(EdnsOption{code, {data.begin(), data.end()}});
        });
    if (!framed) throw ParseError("EDNS option runs past the end of the OPT record");
    if (const auto* cookie = edns.find(EdnsOptionCode::COOKIE);
        cookie && !cookie_size_valid(cookie->data.size())) {
        throw ParseError("COOKIE option of invalid length " + std::to_string(cookie->data.size()));
    }
    return edns;
}

}  // namespace

Header Header::read(const std::uint8_t* wire) {
    Header h;
    h.id = read_u16(wire);
    h.set_flags(read_u16(wire + 2));
    h.qdcount = read_u16(wire + 4);
    h.ancount = read_u16(wire + 6);
    h.nscount = read_u16(wire + 8);
    h.arcount = read_u16(wire + 10);
    return h;
}

void Header::write(std::uint8_t* wire) const {
    write_u16(wire, id);
    write_u16(wire + 2, flags());
    write_u16(wire + 4, qdcount);
    write_u16(wire + 6, ancount);
    write_u16(wire + 8, nscount);
    write_u16(wire + 10, arcount);
}

std::uint16_t Header::flags() const {
    std::uint16_t f = static_cast<std::uint16_t>((static_cast<std::uint16_t>(opcode) & 0xF) << 11);
    if (qr) f |= kFlagQr;
    if (aa) f |= kFlagAa;
    if (tc) f |= kFlagTc;
    if (rd) f |= kFlagRd;
    if (ra) f |= kFlagRa;
    if (z) f |= kFlagZ;
    if (ad) f |= kFlagAd;
    if (cd) f |= kFlagCd;
    return static_cast<std::uint16_t>(f | (rcode & 0xF));
}

void Header::set_flags(std::uint16_t f) {
    qr = (f & kFlagQr) != 0;
    opcode = static_cast<Opcode>((f >> 11) & 0xF);
    aa = (f & kFlagAa) != 0;
    tc = (f & kFlagTc) != 0;
    rd = (f & kFlagRd) != 0;
    ra = (f & kFlagRa) != 0;
    z = (f & kFlagZ) != 0;
    ad = (f & kFlagAd) != 0;
    cd = (f & kFlagCd) != 0;
    rcode = static_cast<std::uint8_t>(f & 0xF);
}

std::uint16_t Header::count(Section section) const {
    switch (section) {
        case Section::Question:
            return qdcount;
        case Section::Answer:
            return ancount;
        case Section::Authority:
            return nscount;
        case Section::Additional:
            return arcount;
    }
    return 0;
}

Rcode Message::rcode() const {
    const std::uint16_t high = edns ? static_cast<std::uint16_t>(edns->extended_rcode << 4) : 0;
    return static_cast<Rcode>(high | header.rcode);
}

const std::vector<ResourceRecord>& Message::section(Section s) const {
    switch (s) {
        case Section::Answer:
            return answer;
        case Section::Authority:
            return authority;
        case Section::Additional:
            return additional;
        case Section::Question:
            break;
    }
    throw std::invalid_argument("the question section holds no resource records");
}

Message parse_message(std::span<const std::uint8_t> wire) {
    if (wire.size() < kHeaderSize) throw ParseError("message shorter than its 12-octet header");
    Message message;
    message.header = Header::read(wire.data());
    WireReader reader(wire, kHeaderSize);

    message.questions.reserve(std::min<std::size_t>(message.header.qdcount, wire.size() / 5));
    for (std::uint16_t i = 0; i < message.header.qdcount; ++i) {
        Question q;
        q.name = reader.name();
        q.type = static_cast<RRType>(reader.u16());
        q.qclass = static_cast<RRClass>(reader.u16());
        message.questions.push_back(std::move(q));
    }

    for (const Section section : {Section::Answer, Section::Authority, Section::Additional}) {
        const std::uint16_t count = message.header.count(section);
        auto& records = section == Section::Answer      ? message.answer
                        : section == Section::Authority ? message.authority
                                                        : message.additional;
        for (std::uint16_t i = 0; i < count; ++i) {
            const std::size_t record_start = reader.offset();
            Name owner = reader.name();
            const auto type = static_cast<RRType>(reader.u16());
            const std::uint16_t rclass = reader.u16();
            const std::uint32_t ttl = reader.u32();
            const std::uint16_t rdlength = reader.u16();
            const std::size_t rdata_offset = reader.offset();
            const auto rdata = reader.bytes(rdlength);

            if (type == RRType::OPT) {
                if (section != Section::Additional) {
                    throw ParseError(std::string("OPT record in the ") + section_name(section) + " section");
                }
                if (message.edns) throw ParseError("more than one OPT record");
                if (!owner.is_root()) throw ParseError("OPT record owner is not the root");
                message.edns = decode_opt(rclass, ttl, rdata);
                continue;
            }
            if (message.tsig_offset) throw ParseError("TSIG record is not the last record");
            if (type == RRType::TSIG) {
                if (section != Section::Additional || i + 1 != count) {
                    throw ParseError("TSIG record is not the last record");
                }
                message.tsig_offset = record_start;
            }
            ResourceRecord rr;
            rr.owner = std::move(owner);
            rr.type = type;
            rr.rclass = static_cast<RRClass>(rclass);
            rr.ttl = ttl;
            rr.rdata = rdata_from_wire(type, wire, rdata_offset, rdlength);
            records.push_back(std::move(rr));
        }
    }
    if (!reader.at_end()) {
        throw ParseError(std::to_string(reader.remaining()) +
                         " octets of trailing data after the last record");
    }
    return message;
}

std::vector<std::uint8_t> to_wire(const Message& message) {
    if (message.tsig_offset) throw std::invalid_argument("cannot re-encode a TSIG-signed message");
    auto buffer = std::make_unique<std::array<std::uint8_t, kMaxMessageSize>>();
    MessageBuilder builder(*buffer);
    builder.reset();
    builder.header() = message.header;
    const auto too_big = [] { return std::length_error("message does not fit 65535 octets"); };
    if (message.edns) {
        if (!builder.set_edns(message.edns->udp_payload, message.edns->dnssec_ok, message.edns->version)) {
            throw too_big();
        }
        for (const auto& option : message.edns->options) {
            if (!builder.add_edns_option(option.code, option.data)) throw too_big();
        }
        builder.set_rcode(message.rcode());
    }
    for (const auto& q : message.questions) {
        if (!builder.add_question(q.name, q.type, q.qclass)) throw too_big();
    }
    for (const Section section : {Section::Answer, Section::Authority, Section::Additional}) {
        builder.start_section(section);
        for (const auto& rr : message.section(section)) {
            if (!builder.add_rr(rr.owner, rr.type, rr.rclass, rr.ttl, rr.rdata)) throw too_big();
        }
    }
    const auto wire = builder.finish();
    return {wire.begin(), wire.end()};
}

}  // namespace cairn::dns
