#include "xfr/request.hpp"

#include <stdexcept>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "zone/diff.hpp"

namespace cairn::xfr {

TransferRequest read_transfer_request(std::span<const std::uint8_t> query) {
    const dns::Message m = dns::parse_message(query);
    if (m.header.qr) throw dns::ParseError("a transfer request must not be a response");
    if (m.header.opcode != dns::Opcode::QUERY) throw dns::ParseError("a transfer request must be a QUERY");
    if (m.questions.size() != 1) throw dns::ParseError("a transfer request needs exactly one question");
    TransferRequest r;
    r.id = m.header.id;
    r.zone = m.questions[0].name;
    r.type = m.questions[0].type;
    r.qclass = m.questions[0].qclass;
    if (r.type != dns::RRType::AXFR && r.type != dns::RRType::IXFR)
        throw dns::ParseError("not a transfer request (type " + dns::type_to_text(r.type) + ")");
    if (r.type == dns::RRType::IXFR) {
        for (const dns::ResourceRecord& rr : m.authority) {
            if (rr.type == dns::RRType::SOA && rr.owner == r.zone && rr.rdata.size() >= 20) {
                r.client_serial = zone::soa_serial(rr.rdata);
                break;
            }
        }
        if (!r.client_serial) throw dns::ParseError("IXFR request without the client's SOA in authority");
    }
    if (m.edns) {
        r.edns = true;
        r.dnssec_ok = m.edns->dnssec_ok;
        r.expire_requested = m.edns->find(dns::EdnsOptionCode::EXPIRE) != nullptr;
    }
    r.tsig = m.tsig_offset.has_value();
    return r;
}

std::vector<std::uint8_t> build_query(const dns::Name& zone, dns::RRType type, const zone::Record* our_soa,
                                      const QueryOptions& options) {
    std::vector<std::uint8_t> buffer(1024);
    dns::MessageBuilder b(buffer);
    b.reset();
    b.header().id = options.id;
    b.header().opcode = dns::Opcode::QUERY;
    if (options.edns) {
        b.set_edns(options.udp_payload, false);
        if (options.expire) b.add_edns_option(static_cast<std::uint16_t>(dns::EdnsOptionCode::EXPIRE), {});
    }
    if (!b.add_question(zone, type, dns::RRClass::IN)) throw std::length_error("query does not fit");
    if (type == dns::RRType::IXFR && our_soa != nullptr) {
        b.start_section(dns::Section::Authority);
        if (!b.add_rr(our_soa->owner, dns::RRType::SOA, our_soa->rclass, our_soa->ttl, our_soa->rdata))
            throw std::length_error("query does not fit");
    }
    const auto wire = b.finish();
    return {wire.begin(), wire.end()};
}

}  // namespace cairn::xfr
