// Feeds arbitrary packets to both message parsers, checks that they agree, and re-encodes whatever the full
// parser accepts with MessageBuilder: the result must parse back to the same message.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "dns/rdata.hpp"
#include "fuzz_check.hpp"

using namespace cairn::dns;

namespace {

using cairn::fuzz::check;

void check_query(std::span<const std::uint8_t> packet, QueryStatus status, const ParsedQuery& q) {
    const bool droppable = packet.size() < kHeaderSize || (packet[2] & 0x80) != 0;
    check((status == QueryStatus::Drop) == droppable, "drop exactly for short packets and responses");
    if (status != QueryStatus::Ok || !q.has_question) return;
    check(q.qname.size() >= 1 && q.qname.size() <= kMaxNameLength, "qname length");
    check(q.qname.data() >= packet.data() && q.qname.data() + q.qname.size() <= packet.data() + packet.size(),
          "qname inside the packet");
    for (std::size_t i = 0; i < q.qname.size(); ++i) {
        check(q.qname_lower()[i] == lower_ascii(q.qname[i]), "lowercased qname");
    }
    for (std::size_t i = 0; i < q.label_count; ++i) {
        check(q.label_offsets[i] < q.qname.size() - 1, "label offsets inside the qname");
    }
}

// Both parsers read the same fields; where both accept, they must agree.
void cross_check(const ParsedQuery& q, const Message& m) {
    check(q.header == m.header, "same header");
    if (q.has_question) {
        check(m.questions.size() == 1, "one question");
        check(m.questions[0].name.wire().size() == q.qname.size(), "same qname");
        check(m.questions[0].type == q.qtype && m.questions[0].qclass == q.qclass, "same qtype and qclass");
    }
    check(q.edns.present == m.edns.has_value(), "same EDNS presence");
    if (m.edns) {
        check(q.edns.udp_payload == m.edns->udp_payload, "same payload");
        check(q.edns.dnssec_ok == m.edns->dnssec_ok, "same DO");
        check(q.edns.version == m.edns->version, "same version");
        const auto* cookie = m.edns->find(EdnsOptionCode::COOKIE);
        check((cookie != nullptr) == (q.edns.cookie_size != 0), "same COOKIE presence");
        if (cookie) check(cookie->data.size() == q.edns.cookie_size, "same COOKIE");
    }
    check(m.tsig_offset.has_value() == q.has_tsig, "same TSIG presence");
    if (q.has_tsig) check(*m.tsig_offset == q.tsig_offset, "same TSIG offset");
}

bool same_records(const std::vector<ResourceRecord>& a, const std::vector<ResourceRecord>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        // Compression matches names case-insensitively, so names may come back in another spelling.
        if (!(a[i].owner == b[i].owner) || a[i].type != b[i].type || a[i].rclass != b[i].rclass ||
            a[i].ttl != b[i].ttl ||
            rdata_canonical(a[i].type, a[i].rdata) != rdata_canonical(b[i].type, b[i].rdata)) {
            return false;
        }
    }
    return true;
}

// Re-encodes `m`; nullopt when it does not fit a message the way MessageBuilder writes it.
std::optional<std::span<const std::uint8_t>> rebuild(const Message& m, MessageBuilder& b) {
    b.reset();
    b.header() = m.header;
    if (m.edns) {
        if (!b.set_edns(m.edns->udp_payload, m.edns->dnssec_ok, m.edns->version)) return std::nullopt;
        for (const auto& option : m.edns->options) {
            if (!b.add_edns_option(option.code, option.data)) return std::nullopt;
        }
        b.set_rcode(m.rcode());
    }
    for (const auto& q : m.questions) {
        if (!b.add_question(q.name, q.type, q.qclass)) return std::nullopt;
    }
    for (const Section s : {Section::Answer, Section::Authority, Section::Additional}) {
        b.start_section(s);
        for (const auto& rr : m.section(s)) {
            if (!b.add_rr(rr.owner, rr.type, rr.rclass, rr.ttl, rr.rdata)) return std::nullopt;
        }
    }
    return b.finish();
}

// Rebuilds `m` under a small size limit the way a UDP answer is cut: whole RRsets (runs of records with the
// same owner, type and class) or nothing. Whatever comes out must be a valid message within the limit.
void check_truncated_rebuild(const Message& m, MessageBuilder& b, std::size_t limit) {
    b.reset();
    b.header() = m.header;
    b.set_limit(limit);
    if (m.edns && !b.set_edns(m.edns->udp_payload, m.edns->dnssec_ok)) return;
    for (const auto& q : m.questions) {
        if (!b.add_question(q.name, q.type, q.qclass)) return;
    }
    bool truncated = false;
    for (const Section s : {Section::Answer, Section::Authority, Section::Additional}) {
        b.start_section(s);
        const auto& records = m.section(s);
        for (std::size_t i = 0; i < records.size() && !truncated;) {
            b.begin_rrset();
            std::size_t j = i;
            bool fits = true;
            while (fits && j < records.size() && records[j].owner == records[i].owner &&
                   records[j].type == records[i].type && records[j].rclass == records[i].rclass) {
                fits = b.add_rr(records[j].owner, records[j].type, records[j].rclass, records[j].ttl,
                                records[j].rdata);
                ++j;
            }
            if (fits) {
                b.commit();
            } else {
                b.rollback();
                truncated = true;
            }
            i = j;
        }
    }
    const auto out = b.finish();
    check(out.size() <= limit, "truncated message within the limit");
    try {
        const Message back = parse_message(out);
        check(back.answer.size() <= m.answer.size() && back.authority.size() <= m.authority.size() &&
                  back.additional.size() <= m.additional.size(),
              "truncation only removes records");
        check(back.edns.has_value() == m.edns.has_value(), "OPT survives truncation");
    } catch (const ParseError& e) {
        std::fprintf(stderr, "truncated message does not parse: %s\n", e.what());
        std::abort();
    }
}

// The hot path: a response started from the parsed query must parse and echo the question.
void check_response_start(const ParsedQuery& q, MessageBuilder& b) {
    b.reset();
    if (!b.start_response(q, 1232, false)) return;
    try {
        const Message back = parse_message(b.finish());
        check(back.header.id == q.header.id && back.header.qr, "response header");
        check(back.questions.size() == (q.has_question ? 1u : 0u), "response question");
        check(back.edns.has_value() == q.edns.present, "response EDNS");
    } catch (const ParseError& e) {
        std::fprintf(stderr, "started response does not parse: %s\n", e.what());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> packet(data, size);
    static ParsedQuery query;
    const QueryStatus status = parse_query(packet, query);
    check_query(packet, status, query);

    static std::array<std::uint8_t, kMaxMessageSize> buffer;
    MessageBuilder builder(buffer);
    if (status == QueryStatus::Ok) check_response_start(query, builder);

    std::optional<Message> message;
    try {
        message = parse_message(packet);
    } catch (const ParseError&) {
        return 0;
    }
    (void)to_text(*message);
    if (status == QueryStatus::Ok) cross_check(query, *message);
    if (message->tsig_offset) return 0;  // OPT would land after TSIG; TSIG signing has its own path

    check_truncated_rebuild(*message, builder, 512);
    const auto rebuilt = rebuild(*message, builder);
    if (!rebuilt) return 0;
    Message back;
    try {
        back = parse_message(*rebuilt);
    } catch (const ParseError& e) {
        std::fprintf(stderr, "rebuilt message does not parse: %s\n", e.what());
        std::abort();
    }
    Header expected = message->header;
    check(back.header == expected, "header survives");
    check(back.questions.size() == message->questions.size(), "question count survives");
    for (std::size_t i = 0; i < back.questions.size(); ++i) {
        check(back.questions[i].name == message->questions[i].name, "question name survives");
        check(back.questions[i].type == message->questions[i].type, "question type survives");
    }
    check(same_records(back.answer, message->answer), "answer survives");
    check(same_records(back.authority, message->authority), "authority survives");
    check(same_records(back.additional, message->additional), "additional survives");
    auto expected_edns = message->edns;
    if (expected_edns) expected_edns->other_flags = 0;  // responses clear the Z bits (RFC 6891 §6.1.4)
    check(back.edns == expected_edns, "EDNS survives");
    return 0;
}
