// The hot-path query parser: what it extracts, and FORMERR versus drop for each malformed case.
#include "dns/message_query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/wire.hpp"
#include "test_packets.hpp"

using namespace cairn::dns;
using cairn::dns::test::from_hex;
using cairn::dns::test::Packet;

namespace {

// dnspython: make_query('www.Example.COM.', 'AAAA', use_edns=0, want_dnssec=True, payload=1232) with a
// client COOKIE 0102030405060708, id 0x1234, RD.
const char* kQueryHex =
    "12340100000100000000000103777777074578616d706c6503434f4d00001c000100002904d000008000000c000a000801020304"
    "050607"
    "08";

std::vector<std::uint8_t> cookie_option(std::size_t size) {
    std::vector<std::uint8_t> option = {0, 10, 0, static_cast<std::uint8_t>(size)};
    for (std::size_t i = 0; i < size; ++i)
        option.push_back(static_cast<std::uint8_t>(0xA0 + i));
    return option;
}

QueryStatus parse(const std::vector<std::uint8_t>& packet) {
    ParsedQuery q;
    return parse_query(packet, q);
}

}  // namespace

TEST(QueryParser, ExtractsQuestionAndEdns) {
    const auto packet = from_hex(kQueryHex);
    ParsedQuery q;
    ASSERT_EQ(parse_query(packet, q), QueryStatus::Ok);
    EXPECT_EQ(q.header.id, 0x1234);
    EXPECT_TRUE(q.header.rd);
    EXPECT_TRUE(q.has_question);
    const auto name = Name::from_text("www.Example.COM.");
    EXPECT_TRUE(std::equal(q.qname.begin(), q.qname.end(), name.wire().begin(), name.wire().end()));
    const auto lower = Name::from_text("www.example.com.");
    EXPECT_TRUE(
        std::equal(q.qname_lower().begin(), q.qname_lower().end(), lower.wire().begin(), lower.wire().end()));
    EXPECT_EQ(q.label_count, 3);
    EXPECT_EQ(q.label_offsets[0], 0);
    EXPECT_EQ(q.label_offsets[1], 4);
    EXPECT_EQ(q.label_offsets[2], 12);
    EXPECT_EQ(q.qtype, RRType::AAAA);
    EXPECT_EQ(q.qclass, RRClass::IN);
    EXPECT_TRUE(q.edns.present);
    EXPECT_TRUE(q.edns.dnssec_ok);
    EXPECT_EQ(q.edns.version, 0);
    EXPECT_EQ(q.edns.udp_payload, 1232);
    ASSERT_EQ(q.edns.cookie_size, 8);
    EXPECT_EQ(q.edns.client_cookie().size(), 8u);
    EXPECT_EQ(q.edns.client_cookie()[7], 8);
    EXPECT_TRUE(q.edns.server_cookie().empty());
    EXPECT_FALSE(q.edns.nsid || q.edns.expire || q.edns.other_options);
    EXPECT_EQ(q.question_end, 12 + 17 + 4);
    EXPECT_EQ(q.additional_offset, q.question_end);
    EXPECT_FALSE(q.has_tsig);
}

TEST(QueryParser, PlainQueryWithoutEdns) {
    Packet p(0x0100, 1, 0, 0, 0);
    p.question(".", 2);
    ParsedQuery q;
    ASSERT_EQ(parse_query(p.bytes, q), QueryStatus::Ok);
    EXPECT_FALSE(q.edns.present);
    EXPECT_EQ(q.label_count, 0);
    EXPECT_EQ(q.qname.size(), 1u);
    EXPECT_EQ(q.qtype, RRType::NS);
}

TEST(QueryParser, DropsWhatMustNotBeAnswered) {
    EXPECT_EQ(parse(std::vector<std::uint8_t>(11, 0)), QueryStatus::Drop);
    EXPECT_EQ(parse({}), QueryStatus::Drop);
    Packet response(0x8000, 1, 0, 0, 0);
    response.question("example.");
    EXPECT_EQ(parse(response.bytes), QueryStatus::Drop);
    Packet malformed_response(0x8400, 3, 0, 0, 0);  // malformed too, but a response: still dropped
    EXPECT_EQ(parse(malformed_response.bytes), QueryStatus::Drop);
}

TEST(QueryParser, QuestionCountRules) {
    Packet two(0, 2, 0, 0, 0);
    two.question("a.example.").question("b.example.");
    ParsedQuery q;
    EXPECT_EQ(parse_query(two.bytes, q), QueryStatus::FormErr);
    EXPECT_EQ(q.header.id, Packet::kId);  // header available for the FORMERR reply

    Packet none(0, 0, 0, 0, 0);
    EXPECT_EQ(parse(none.bytes), QueryStatus::FormErr);

    Packet none_with_edns(0, 0, 0, 0, 1);
    none_with_edns.opt(1232, 0);
    EXPECT_EQ(parse(none_with_edns.bytes), QueryStatus::FormErr);

    // RFC 7873 §5.4: no question but a COOKIE asks for a server cookie.
    Packet cookie_only(0, 0, 0, 0, 1);
    cookie_only.opt(1232, 0, cookie_option(8));
    ASSERT_EQ(parse_query(cookie_only.bytes, q), QueryStatus::Ok);
    EXPECT_FALSE(q.has_question);
    EXPECT_EQ(q.edns.cookie_size, 8);

    Packet cookie_only_notify(0x2000, 0, 0, 0, 1);  // opcode NOTIFY
    cookie_only_notify.opt(1232, 0, cookie_option(8));
    EXPECT_EQ(parse(cookie_only_notify.bytes), QueryStatus::FormErr);
}

TEST(QueryParser, MalformedQuestionsAreFormErr) {
    Packet truncated(0, 1, 0, 0, 0);
    truncated.question("example.");
    truncated.bytes.resize(truncated.bytes.size() - 2);  // qclass cut off
    EXPECT_EQ(parse(truncated.bytes), QueryStatus::FormErr);

    Packet cut_name(0, 1, 0, 0, 0);
    cut_name.question("example.");
    cut_name.bytes.resize(15);
    EXPECT_EQ(parse(cut_name.bytes), QueryStatus::FormErr);

    std::vector<std::uint8_t> compressed = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 4, 0, 1, 0, 1};
    EXPECT_EQ(parse(compressed), QueryStatus::FormErr);
    std::vector<std::uint8_t> extended_label = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1};
    EXPECT_EQ(parse(extended_label), QueryStatus::FormErr);

    // 256 octets of name: four 63-octet labels.
    Packet long_name(0, 1, 0, 0, 0);
    for (int i = 0; i < 4; ++i) {
        long_name.w.u8(63);
        long_name.w.bytes(std::string(63, 'a'));
    }
    long_name.w.u8(0);
    long_name.w.u16(1);
    long_name.w.u16(1);
    EXPECT_EQ(parse(long_name.bytes), QueryStatus::FormErr);

    Packet trailing(0, 1, 0, 0, 0);
    trailing.question("example.");
    trailing.bytes.push_back(0);
    EXPECT_EQ(parse(trailing.bytes), QueryStatus::FormErr);

    Packet overrun(0, 1, 0, 0, 1);  // an additional record promised but absent
    overrun.question("example.");
    EXPECT_EQ(parse(overrun.bytes), QueryStatus::FormErr);
}

TEST(QueryParser, OptRules) {
    Packet twice(0, 1, 0, 0, 2);
    twice.question("example.").opt(1232, 0).opt(1232, 0);
    EXPECT_EQ(parse(twice.bytes), QueryStatus::FormErr);

    Packet not_root(0, 1, 0, 0, 1);
    not_root.question("example.").rr("example.", 41, 1232, 0, {});
    EXPECT_EQ(parse(not_root.bytes), QueryStatus::FormErr);

    Packet in_authority(0, 1, 0, 1, 0);
    in_authority.question("example.").opt(1232, 0);
    EXPECT_EQ(parse(in_authority.bytes), QueryStatus::FormErr);

    Packet option_overrun(0, 1, 0, 0, 1);
    option_overrun.question("example.").opt(1232, 0, {0, 3, 0, 4, 1});
    EXPECT_EQ(parse(option_overrun.bytes), QueryStatus::FormErr);

    Packet rdlength_overrun(0, 1, 0, 0, 1);
    rdlength_overrun.question("example.").opt(1232, 0, {0, 3, 0, 0});
    rdlength_overrun.bytes.pop_back();
    EXPECT_EQ(parse(rdlength_overrun.bytes), QueryStatus::FormErr);

    for (const std::size_t size : {0u, 7u, 9u, 15u, 41u}) {
        Packet bad_cookie(0, 1, 0, 0, 1);
        bad_cookie.question("example.").opt(1232, 0, cookie_option(size));
        EXPECT_EQ(parse(bad_cookie.bytes), QueryStatus::FormErr) << size;
    }
}

TEST(QueryParser, EdnsDetails) {
    Packet p(0, 1, 0, 0, 1);
    std::vector<std::uint8_t> options = cookie_option(24);
    for (const std::uint8_t code : {3, 9, 11, 12, 99})
        options.insert(options.end(), {0, code, 0, 0});
    p.question("example.", 6).opt(100, 0x00018000, options);  // version 1, DO
    ParsedQuery q;
    ASSERT_EQ(parse_query(p.bytes, q), QueryStatus::Ok);  // BADVERS is the answer engine's call
    EXPECT_EQ(q.edns.version, 1);
    EXPECT_TRUE(q.edns.dnssec_ok);
    EXPECT_EQ(q.edns.udp_payload, 100);
    EXPECT_EQ(q.edns.effective_udp_payload(), 512);
    EXPECT_EQ(q.edns.cookie_size, 24);
    EXPECT_EQ(q.edns.server_cookie().size(), 16u);
    EXPECT_EQ(q.edns.server_cookie()[0], 0xA8);
    EXPECT_TRUE(q.edns.nsid);
    EXPECT_TRUE(q.edns.expire);
    EXPECT_TRUE(q.edns.tcp_keepalive);
    EXPECT_TRUE(q.edns.padding);
    EXPECT_TRUE(q.edns.other_options);
}

TEST(QueryParser, SkipsAuthorityOfIxfrAndFindsTsig) {
    Packet p(0, 1, 0, 1, 2);
    p.question("example.", 251);
    const std::size_t authority_at = p.bytes.size();
    p.w.u8(0xC0);  // owner compressed to the qname
    p.w.u8(12);
    p.w.u16(6);
    p.w.u16(1);
    p.w.u32(0);
    p.w.u16(22);
    p.w.bytes(
        std::vector<std::uint8_t>{0xC0, 12, 0xC0, 12, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0});
    const std::size_t additional_at = p.bytes.size();
    p.opt(1232, 0);
    const std::size_t tsig_at = p.bytes.size();
    p.rr("key.", 250, 255, 0, {1, 2, 3});
    ParsedQuery q;
    ASSERT_EQ(parse_query(p.bytes, q), QueryStatus::Ok);
    EXPECT_EQ(q.qtype, RRType::IXFR);
    EXPECT_EQ(q.authority_offset, authority_at);
    EXPECT_EQ(q.additional_offset, additional_at);
    EXPECT_TRUE(q.has_tsig);
    EXPECT_EQ(q.tsig_offset, tsig_at);

    Packet tsig_not_last(0, 1, 0, 0, 2);
    tsig_not_last.question("example.").rr("key.", 250, 255, 0, {}).opt(1232, 0);
    EXPECT_EQ(parse(tsig_not_last.bytes), QueryStatus::FormErr);

    Packet forward_pointer(0, 1, 1, 0, 0);
    forward_pointer.question("example.");
    forward_pointer.w.u8(0xC0);
    forward_pointer.w.u8(200);
    forward_pointer.w.bytes(std::vector<std::uint8_t>(10, 0));
    EXPECT_EQ(parse(forward_pointer.bytes), QueryStatus::FormErr);
}

TEST(QueryParser, LowersEightOctetsAtATimeExactlyAsOneAtATime) {
    // Every octet value in every lane: only A-Z move, by 0x20.
    for (unsigned value = 0; value < 256; ++value) {
        for (unsigned lane = 0; lane < 8; ++lane) {
            const std::uint64_t word = std::uint64_t{value} << (8 * lane) | 0x5A40615B7A2041C1ULL;
            const std::uint64_t lowered = lower_ascii8(word);
            for (unsigned i = 0; i < 8; ++i) {
                const auto in = static_cast<std::uint8_t>(word >> (8 * i));
                ASSERT_EQ(static_cast<std::uint8_t>(lowered >> (8 * i)), lower_ascii(in))
                    << value << " " << lane;
            }
        }
    }
    // Names of every length from the root to 255 octets lowered whole, with the tail chunk overlapping.
    for (std::size_t labels = 0; labels <= 127; ++labels) {
        std::vector<std::uint8_t> packet = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        std::vector<std::uint8_t> expected;
        for (std::size_t i = 0; i < labels; ++i) {
            const std::uint8_t text[] = {static_cast<std::uint8_t>('A' + i % 26)};
            packet.insert(packet.end(), {1, text[0]});
            expected.insert(expected.end(), {1, lower_ascii(text[0])});
        }
        packet.insert(packet.end(), {0, 0, 1, 0, 1});
        expected.push_back(0);
        ParsedQuery q;
        ASSERT_EQ(parse_query(packet, q), QueryStatus::Ok) << labels;
        EXPECT_TRUE(
            std::equal(q.qname_lower().begin(), q.qname_lower().end(), expected.begin(), expected.end()))
            << labels;
    }
}

// The cache hint reads the qname alone, lowercased, and gives up on anything it cannot read plainly.
TEST(PeekQname, ReadsTheLoweredQnameOfAOneQuestionQuery) {
    std::uint8_t lowered[kMaxNameLength];
    const auto packet = from_hex(kQueryHex);
    const Name name = Name::from_text("www.example.com.");
    const auto expected = name.wire();
    ASSERT_EQ(peek_qname(packet, lowered), expected.size());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), lowered));

    auto two_questions = packet;
    two_questions[5] = 2;
    EXPECT_EQ(peek_qname(two_questions, lowered), 0u);
    for (std::size_t cut = 0; cut < 12 + expected.size() + 4; ++cut)  // no complete question
        EXPECT_EQ(peek_qname(std::span(packet).first(cut), lowered), 0u) << cut;
    EXPECT_EQ(peek_qname(std::span(packet).first(12 + expected.size() + 4), lowered), expected.size());

    auto compressed = Packet(0, 1, 0, 0, 0).bytes;
    compressed.insert(compressed.end(), {3, 'w', 'w', 'w', 0xC0, 12, 0, 1, 0, 1});
    EXPECT_EQ(peek_qname(compressed, lowered), 0u);

    // 255 octets is the most a name may take; one label more is refused, not copied.
    auto longest = Packet(0, 1, 0, 0, 0).bytes;
    for (int i = 0; i < 4; ++i) {
        longest.push_back(i < 3 ? 63 : 61);
        longest.insert(longest.end(), i < 3 ? 63 : 61, 'A');
    }
    longest.insert(longest.end(), {0, 0, 1, 0, 1});
    ASSERT_EQ(peek_qname(longest, lowered), 255u);
    EXPECT_EQ(lowered[1], 'a');
    auto too_long = longest;
    too_long[12 + 192] = 62;  // the last label grows by one octet: 256 in all
    too_long.insert(too_long.begin() + 12 + 193, 'A');
    EXPECT_EQ(peek_qname(too_long, lowered), 0u);
}
