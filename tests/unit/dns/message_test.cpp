// The full message parser, the header codec and the dig-like text form.
#include "dns/message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dns/wire.hpp"
#include "test_packets.hpp"

using namespace cairn::dns;
using cairn::dns::test::from_hex;
using cairn::dns::test::Packet;

namespace {

std::vector<std::uint8_t> wire_of(const char* text) {
    const auto name = Name::from_text(text);
    return {name.wire().begin(), name.wire().end()};
}

// dnspython's rendering of this response (id 0x1234, QR AA RD, DO, EDE 3 "stale"):
//   www.Example.COM. IN AAAA
//   www.example.com. 300 IN CNAME web.example.com.
//   web.example.com. 300 IN AAAA 2001:db8::1 / 2001:db8::2
//   example.com. 3600 IN NS ns1.example.com.   (authority)
const char* kResponseHex =
    "12348500000100030001000103777777074578616d706c6503434f4d00001c0001c00c000500010000012c000603776562c010c0"
    "2d"
    "001c00010000012c001020010db8000000000000000000000001c02d001c00010000012c001020010db800000000000000000000"
    "0002"
    "c0100002000100000e100006036e7331c01000002904d000008000000b000f000700037374616c65";

}  // namespace

TEST(Header, FlagsRoundTrip) {
    Header h;
    h.id = 0xABCD;
    h.qr = h.aa = h.tc = h.rd = h.ra = h.z = h.ad = h.cd = true;
    h.opcode = Opcode::NOTIFY;
    h.rcode = 5;
    h.qdcount = 1;
    h.ancount = 2;
    h.nscount = 3;
    h.arcount = 4;
    std::uint8_t wire[kHeaderSize];
    h.write(wire);
    EXPECT_EQ(wire[2], 0x80 | (4 << 3) | 0x07);
    EXPECT_EQ(wire[3], 0xF5);
    EXPECT_EQ(Header::read(wire), h);

    Header only_rd;
    only_rd.rd = true;
    EXPECT_EQ(only_rd.flags(), 0x0100);
    Header parsed = Header::read(wire);
    parsed.set_flags(0x0100);
    EXPECT_TRUE(parsed.rd);
    EXPECT_FALSE(parsed.qr || parsed.aa || parsed.tc || parsed.ra || parsed.ad || parsed.cd);
}

TEST(MessageParser, DecodesAResponseFromDnspython) {
    const auto wire = from_hex(kResponseHex);
    const Message m = parse_message(wire);
    EXPECT_EQ(m.header.id, 0x1234);
    EXPECT_TRUE(m.header.qr);
    EXPECT_TRUE(m.header.aa);
    EXPECT_TRUE(m.header.rd);
    EXPECT_FALSE(m.header.ra);
    EXPECT_EQ(m.header.arcount, 1);  // the OPT record, counted as on the wire
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_EQ(m.questions[0].name.to_text(), "www.Example.COM.");  // case kept
    EXPECT_EQ(m.questions[0].type, RRType::AAAA);
    ASSERT_EQ(m.answer.size(), 3u);
    EXPECT_EQ(m.answer[0].owner.to_text(), "www.Example.COM.");  // a pointer to the question's spelling
    EXPECT_EQ(m.answer[0].type, RRType::CNAME);
    EXPECT_EQ(m.answer[0].ttl, 300u);
    EXPECT_EQ(m.answer[0].rdata, wire_of("web.Example.COM."));  // decompressed
    EXPECT_EQ(m.answer[1].owner.to_text(), "web.Example.COM.");
    EXPECT_EQ(m.answer[2].rdata.size(), 16u);
    EXPECT_EQ(m.answer[2].rdata.back(), 2);
    ASSERT_EQ(m.authority.size(), 1u);
    EXPECT_EQ(m.authority[0].type, RRType::NS);
    EXPECT_EQ(m.authority[0].rdata, wire_of("ns1.Example.COM."));
    EXPECT_TRUE(m.additional.empty());
    ASSERT_TRUE(m.edns);
    EXPECT_EQ(m.edns->udp_payload, 1232);
    EXPECT_TRUE(m.edns->dnssec_ok);
    EXPECT_EQ(m.edns->version, 0);
    const auto* ede = m.edns->find(EdnsOptionCode::EDE);
    ASSERT_NE(ede, nullptr);
    EXPECT_EQ(parse_ede(ede->data)->extra_text, "stale");
    EXPECT_EQ(m.rcode(), Rcode::NOERROR);
    EXPECT_FALSE(m.tsig_offset);
}

TEST(MessageParser, CombinesTheExtendedRcode) {
    Packet p(0x8000, 0, 0, 0, 1);
    p.opt(1232, 0x01000000);  // extended rcode high bits 1, header rcode 0: 16 = BADVERS
    EXPECT_EQ(parse_message(p.bytes).rcode(), Rcode::BADVERS);
}

TEST(MessageParser, RecordsTheTsigPosition) {
    Packet p(0, 1, 0, 0, 2);
    p.question("example.").opt(1232, 0);
    const std::size_t tsig_at = p.bytes.size();
    p.rr("key.", 250, 255, 0, {0x01, 0x02});
    const Message m = parse_message(p.bytes);
    ASSERT_TRUE(m.tsig_offset);
    EXPECT_EQ(*m.tsig_offset, tsig_at);
    ASSERT_EQ(m.additional.size(), 1u);
    EXPECT_EQ(m.additional[0].type, RRType::TSIG);
}

TEST(MessageParser, RejectsMalformedMessages) {
    EXPECT_THROW(parse_message(std::vector<std::uint8_t>(11, 0)), ParseError);  // short header

    Packet overrun(0x8000, 1, 2, 0, 0);  // two answers promised, one present
    overrun.question("example.").rr("example.", 1, 1, 60, {1, 2, 3, 4});
    EXPECT_THROW(parse_message(overrun.bytes), ParseError);

    Packet trailing(0, 1, 0, 0, 0);
    trailing.question("example.");
    trailing.bytes.push_back(0);
    EXPECT_THROW(parse_message(trailing.bytes), ParseError);

    Packet truncated_rdata(0x8000, 1, 1, 0, 0);
    truncated_rdata.question("example.").rr("example.", 1, 1, 60, {1, 2, 3, 4});
    truncated_rdata.bytes.pop_back();
    EXPECT_THROW(parse_message(truncated_rdata.bytes), ParseError);

    // A question name that points at itself: a loop.
    std::vector<std::uint8_t> loop = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
    EXPECT_THROW(parse_message(loop), ParseError);
    // A pointer forwards.
    std::vector<std::uint8_t> forward = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 18, 0, 1, 0, 1, 0};
    EXPECT_THROW(parse_message(forward), ParseError);
    // A name that runs off the end.
    std::vector<std::uint8_t> open_label = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a', 'b'};
    EXPECT_THROW(parse_message(open_label), ParseError);
}

TEST(MessageParser, EnforcesOptRules) {
    Packet in_answer(0x8000, 0, 1, 0, 0);
    in_answer.opt(1232, 0);
    EXPECT_THROW(parse_message(in_answer.bytes), ParseError);

    Packet twice(0, 1, 0, 0, 2);
    twice.question("example.").opt(1232, 0).opt(1232, 0);
    EXPECT_THROW(parse_message(twice.bytes), ParseError);

    Packet not_root(0, 1, 0, 0, 1);
    not_root.question("example.").rr("example.", 41, 1232, 0, {});
    EXPECT_THROW(parse_message(not_root.bytes), ParseError);

    Packet option_overrun(0, 1, 0, 0, 1);
    option_overrun.question("example.").opt(1232, 0, {0, 10, 0, 8, 1, 2, 3});
    EXPECT_THROW(parse_message(option_overrun.bytes), ParseError);

    Packet bad_cookie(0, 1, 0, 0, 1);
    bad_cookie.question("example.").opt(1232, 0, {0, 10, 0, 3, 1, 2, 3});
    EXPECT_THROW(parse_message(bad_cookie.bytes), ParseError);

    Packet tsig_first(0, 1, 0, 0, 2);
    tsig_first.question("example.").rr("key.", 250, 255, 0, {}).opt(1232, 0);
    EXPECT_THROW(parse_message(tsig_first.bytes), ParseError);

    Packet tsig_in_answer(0x8000, 1, 1, 0, 0);
    tsig_in_answer.question("example.").rr("key.", 250, 255, 0, {});
    EXPECT_THROW(parse_message(tsig_in_answer.bytes), ParseError);
}

TEST(MessageText, LooksLikeDig) {
    const auto wire = from_hex(kResponseHex);
    const std::string text = to_text(parse_message(wire));
    EXPECT_NE(text.find(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4660\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find(";; flags: qr aa rd; QUERY: 1, ANSWER: 3, AUTHORITY: 1, ADDITIONAL: 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("; EDNS: version: 0, flags: do; udp: 1232\n"), std::string::npos) << text;
    EXPECT_NE(text.find("; EDE: 3 (Stale Answer): (stale)\n"), std::string::npos) << text;
    EXPECT_NE(text.find(";; QUESTION SECTION:\n;www.Example.COM.\t\tIN\tAAAA\n"), std::string::npos) << text;
    EXPECT_NE(text.find(";; ANSWER SECTION:\nwww.Example.COM.\t300\tIN\tCNAME\tweb.Example.COM.\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(";; AUTHORITY SECTION:\nExample.COM.\t3600\tIN\tNS\tns1.Example.COM.\n"),
              std::string::npos)
        << text;
}

TEST(MessageToWire, ReEncodesWhatWasParsed) {
    const auto wire = from_hex(kResponseHex);
    const Message m = parse_message(wire);
    const auto again = to_wire(m);
    EXPECT_EQ(again.size(), wire.size());  // dnspython and cairn compress this one identically
    const Message back = parse_message(again);
    EXPECT_EQ(back.header, m.header);
    EXPECT_EQ(back.questions, m.questions);
    EXPECT_EQ(back.answer, m.answer);
    EXPECT_EQ(back.authority, m.authority);
    EXPECT_EQ(back.edns, m.edns);

    Packet signed_query(0, 1, 0, 0, 1);
    signed_query.question("example.").rr("key.", 250, 255, 0, {});
    EXPECT_THROW(to_wire(parse_message(signed_query.bytes)), std::invalid_argument);
}
