// MessageBuilder: round trips through the full parser, compression, truncation by whole RRsets, the
// payload limit and EDNS.
#include "dns/message_builder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/message.hpp"

using namespace cairn::dns;

namespace {

std::vector<std::uint8_t> bytes_of(const Name& name) {
    return {name.wire().begin(), name.wire().end()};
}

const std::vector<std::uint8_t> kAddr1 = {192, 0, 2, 1};
const std::vector<std::uint8_t> kAddr2 = {192, 0, 2, 2};

// TXT rdata of one character-string of `length` copies of `fill`.
std::vector<std::uint8_t> txt_rdata(std::uint8_t length, char fill) {
    std::vector<std::uint8_t> rdata(1 + length, static_cast<std::uint8_t>(fill));
    rdata[0] = length;
    return rdata;
}

struct Fixture : ::testing::Test {
    std::array<std::uint8_t, kMaxMessageSize> buffer{};
    MessageBuilder b{buffer};
    const Name qname = Name::from_text("www.Example.COM.");
    const Name lower = Name::from_text("www.example.com.");
    const Name zone = Name::from_text("example.com.");

    void SetUp() override {
        b.reset();
        b.header().id = 0x7777;
        b.header().qr = true;
        b.header().aa = true;
    }
    std::vector<std::uint8_t> finished() {
        const auto out = b.finish();
        return {out.begin(), out.end()};
    }
};

using MessageBuilderTest = Fixture;

// Offsets of all compression pointers in a name at `at`; checks they point backwards.
void expect_pointers_backwards(const std::vector<std::uint8_t>& wire, std::size_t at) {
    while (true) {
        const std::uint8_t len = wire.at(at);
        if ((len & 0xC0) == 0xC0) {
            const std::size_t target = ((len & 0x3F) << 8) | wire.at(at + 1);
            EXPECT_LT(target, at);
            return;
        }
        if (len == 0) return;
        at += 1 + len;
    }
}

}  // namespace

TEST_F(MessageBuilderTest, RoundTripsThroughTheParser) {
    ASSERT_TRUE(b.add_question(qname, RRType::A, RRClass::IN));
    b.start_section(Section::Answer);
    b.begin_rrset();
    ASSERT_TRUE(b.add_rr(lower, RRType::A, RRClass::IN, 300, kAddr1));
    ASSERT_TRUE(b.add_rr(lower, RRType::A, RRClass::IN, 300, kAddr2));
    b.commit();
    b.start_section(Section::Authority);
    ASSERT_TRUE(b.add_rr(zone, RRType::NS, RRClass::IN, 3600, bytes_of(Name::from_text("ns1.example.com."))));
    b.start_section(Section::Additional);
    ASSERT_TRUE(b.add_rr(Name::from_text("ns1.example.com."), RRType::A, RRClass::IN, 3600, kAddr1));
    const auto wire = finished();

    const Message m = parse_message(wire);
    EXPECT_EQ(m.header.id, 0x7777);
    EXPECT_TRUE(m.header.qr && m.header.aa);
    EXPECT_FALSE(m.header.tc);
    EXPECT_EQ(m.header.qdcount, 1);
    EXPECT_EQ(m.header.ancount, 2);
    EXPECT_EQ(m.header.nscount, 1);
    EXPECT_EQ(m.header.arcount, 1);
    EXPECT_FALSE(m.edns);
    EXPECT_EQ(m.questions.at(0).name.to_text(), "www.Example.COM.");
    EXPECT_EQ(m.answer.at(0).owner, lower);
    EXPECT_EQ(m.answer.at(1).rdata, kAddr2);
    // Compression is case-insensitive (as BIND's default): the NS target now points into "Example.COM".
    EXPECT_EQ(m.authority.at(0).rdata, bytes_of(Name::from_text("ns1.Example.COM.")));
    EXPECT_EQ(m.additional.at(0).owner, Name::from_text("ns1.example.com."));
}

TEST_F(MessageBuilderTest, CompressesOwnersAgainstTheQuestionAndKeepsItsCase) {
    ASSERT_TRUE(b.add_question(qname, RRType::A, RRClass::IN));
    b.start_section(Section::Answer);
    ASSERT_TRUE(b.add_rr(lower, RRType::A, RRClass::IN, 300, kAddr1));
    ASSERT_TRUE(b.add_rr(lower, RRType::A, RRClass::IN, 300, kAddr2));
    const auto wire = finished();
    // The question's name is written as given...
    EXPECT_EQ(std::vector<std::uint8_t>(wire.begin() + 12, wire.begin() + 12 + qname.wire_size()),
              bytes_of(qname));
    // ...and both owners are a bare pointer to it.
    const std::size_t first_rr = 12 + qname.wire_size() + 4;
    EXPECT_EQ(wire[first_rr], 0xC0);
    EXPECT_EQ(wire[first_rr + 1], 12);
    EXPECT_EQ(wire[first_rr + 2 + 10 + 4], 0xC0);
    EXPECT_EQ(wire[first_rr + 2 + 10 + 4 + 1], 12);
    EXPECT_EQ(wire.size(), first_rr + 2 * (2 + 10 + 4));
    EXPECT_EQ(parse_message(wire).answer.at(1).owner.to_text(), "www.Example.COM.");
}

TEST_F(MessageBuilderTest, CompressesSuffixesAndRdataNames) {
    ASSERT_TRUE(b.add_question(qname, RRType::CNAME, RRClass::IN));
    b.start_section(Section::Answer);
    const Name target = Name::from_text("web.example.com.");
    ASSERT_TRUE(b.add_rr(lower, RRType::CNAME, RRClass::IN, 300, bytes_of(target)));
    ASSERT_TRUE(b.add_rr(target, RRType::A, RRClass::IN, 300, kAddr1));
    b.start_section(Section::Authority);
    ASSERT_TRUE(b.add_rr(zone, RRType::MX, RRClass::IN, 300, [] {
        std::vector<std::uint8_t> mx = {0, 10};
        const auto exchange = Name::from_text("mail.example.com.");
        mx.insert(mx.end(), exchange.wire().begin(), exchange.wire().end());
        return mx;
    }()));
    const auto wire = finished();
    const std::size_t cname_rdata = 12 + qname.wire_size() + 4 + 2 + 10;
    // CNAME rdata: "web" then a pointer to "Example.COM" inside the question (offset 16).
    EXPECT_EQ(wire[cname_rdata - 1], 6);  // rdlength: 1+3 + 2
    EXPECT_EQ(wire[cname_rdata], 3);
    EXPECT_EQ(wire[cname_rdata + 4], 0xC0);
    EXPECT_EQ(wire[cname_rdata + 5], 16);
    // The A record's owner equals the CNAME target: one pointer to it.
    EXPECT_EQ(wire[cname_rdata + 6], 0xC0);
    EXPECT_EQ(wire[cname_rdata + 7], cname_rdata);
    const Message m = parse_message(wire);
    EXPECT_EQ(m.answer.at(0).rdata, bytes_of(Name::from_text("web.Example.COM.")));
    EXPECT_EQ(m.answer.at(1).owner, target);
    EXPECT_EQ(m.authority.at(0).owner, zone);
    ASSERT_EQ(m.authority.at(0).rdata.size(), 2 + Name::from_text("mail.example.com.").wire_size());
}

TEST_F(MessageBuilderTest, TruncationDropsWholeRrsetsOnly) {
    b.set_limit(512);
    ASSERT_TRUE(b.add_question(qname, RRType::TXT, RRClass::IN));
    b.start_section(Section::Answer);
    b.begin_rrset();
    ASSERT_TRUE(b.add_rr(lower, RRType::A, RRClass::IN, 300, kAddr1));
    b.commit();
    const std::size_t committed = b.size();

    const std::vector<std::uint8_t> txt = txt_rdata(99, 'x');
    b.begin_rrset();
    bool fitted = true;
    int added = 0;
    for (int i = 0; i < 10 && fitted; ++i) {
        fitted = b.add_rr(lower, RRType::TXT, RRClass::IN, 300, txt);
        if (fitted) ++added;
    }
    ASSERT_FALSE(fitted);
    EXPECT_GT(added, 0);  // part of the RRset went in before the limit...
    EXPECT_LE(b.size(), 512u);
    b.rollback();  // ...and all of it goes
    EXPECT_EQ(b.size(), committed);
    EXPECT_EQ(b.count(Section::Answer), 1);
    const auto wire = finished();
    const Message m = parse_message(wire);
    EXPECT_FALSE(m.header.tc);  // reporting only: setting TC is the caller's call
    ASSERT_EQ(m.answer.size(), 1u);
    EXPECT_EQ(m.answer[0].type, RRType::A);
}

TEST_F(MessageBuilderTest, AFailedRecordLeavesNoTrace) {
    b.set_limit(60);
    ASSERT_TRUE(b.add_question(qname, RRType::TXT, RRClass::IN));
    b.start_section(Section::Answer);
    const std::size_t before = b.size();
    EXPECT_FALSE(b.add_rr(Name::from_text("a.long.name.not.in.the.message."), RRType::TXT, RRClass::IN, 1,
                          txt_rdata(29, 'x')));
    EXPECT_EQ(b.size(), before);
    EXPECT_EQ(b.count(Section::Answer), 0);
    // A name whose labels went into the table before failing must not be pointed at afterwards.
    ASSERT_TRUE(b.add_rr(Name::from_text("a.long."), RRType::A, RRClass::IN, 1, kAddr1));
    const Message m = parse_message(finished());
    EXPECT_EQ(m.answer.at(0).owner.to_text(), "a.long.");
}

TEST_F(MessageBuilderTest, HonoursThePayloadLimitWithOpt) {
    for (const std::size_t limit : {100u, 512u, 1232u}) {
        b.reset();
        b.set_limit(limit);
        ASSERT_TRUE(b.set_edns(1232, true));
        ASSERT_TRUE(b.add_ede(EdeCode::Prohibited, "no"));
        ASSERT_TRUE(b.add_question(qname, RRType::A, RRClass::IN));
        b.start_section(Section::Answer);
        int added = 0;
        while (b.add_rr(Name::from_text(("h" + std::to_string(added) + ".example.com.").c_str()), RRType::A,
                        RRClass::IN, 1, kAddr1)) {
            ++added;
        }
        const auto wire = finished();
        EXPECT_LE(wire.size(), limit);
        EXPECT_GT(wire.size(), limit - 40);  // filled up to close to the limit
        const Message m = parse_message(wire);
        EXPECT_EQ(m.answer.size(), static_cast<std::size_t>(added));
        ASSERT_TRUE(m.edns);  // the OPT record always fits: its room was set aside
        EXPECT_EQ(parse_ede(m.edns->find(EdnsOptionCode::EDE)->data)->info_code, 18);
    }
}

TEST_F(MessageBuilderTest, EdnsRoundTrip) {
    ASSERT_TRUE(b.set_edns(1232, true));
    b.set_rcode(Rcode::BADVERS);
    const std::array<std::uint8_t, 24> cookie = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                                 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
    ASSERT_TRUE(b.add_cookie(cookie));
    ASSERT_TRUE(b.add_ede(EdeCode::StaleAnswer, "served stale"));
    ASSERT_TRUE(b.add_expire(604800));
    const std::string nsid = "ns1";
    ASSERT_TRUE(b.add_nsid({reinterpret_cast<const std::uint8_t*>(nsid.data()), nsid.size()}));
    ASSERT_TRUE(b.add_question(qname, RRType::SOA, RRClass::IN));
    const Message m = parse_message(finished());
    EXPECT_EQ(m.header.rcode, 0);  // BADVERS = 16: only the high bits are set
    EXPECT_EQ(m.rcode(), Rcode::BADVERS);
    ASSERT_TRUE(m.edns);
    EXPECT_EQ(m.edns->udp_payload, 1232);
    EXPECT_TRUE(m.edns->dnssec_ok);
    EXPECT_EQ(m.edns->version, 0);
    ASSERT_EQ(m.edns->options.size(), 4u);
    EXPECT_EQ(m.edns->options[0].code, 10);
    EXPECT_EQ(m.edns->options[0].data, std::vector<std::uint8_t>(cookie.begin(), cookie.end()));
    const auto ede = parse_ede(m.edns->find(EdnsOptionCode::EDE)->data);
    EXPECT_EQ(ede->info_code, 3);
    EXPECT_EQ(ede->extra_text, "served stale");
    EXPECT_EQ(parse_expire(m.edns->find(EdnsOptionCode::EXPIRE)->data), 604800u);
    EXPECT_EQ(m.edns->find(EdnsOptionCode::NSID)->data, std::vector<std::uint8_t>({'n', 's', '1'}));

    b.reset();
    ASSERT_TRUE(b.set_edns(4096, false, 1));
    const Message v1 = parse_message(finished());
    EXPECT_EQ(v1.edns->version, 1);
    EXPECT_FALSE(v1.edns->dnssec_ok);
    EXPECT_TRUE(v1.edns->options.empty());
}

TEST_F(MessageBuilderTest, OptionsNeedEdnsAndRoom) {
    const std::array<std::uint8_t, 8> cookie{};
    EXPECT_FALSE(b.add_cookie(cookie));  // no set_edns()
    b.set_limit(kHeaderSize + kOptFixedSize + 4);
    ASSERT_TRUE(b.set_edns(1232, false));
    EXPECT_FALSE(b.add_cookie(cookie));
    EXPECT_TRUE(b.add_edns_option(12, {}));  // exactly fills the limit
    EXPECT_EQ(finished().size(), kHeaderSize + kOptFixedSize + 4);
}

TEST_F(MessageBuilderTest, SectionsGoInOrder) {
    b.start_section(Section::Authority);
    EXPECT_THROW(b.start_section(Section::Answer), std::logic_error);
    EXPECT_THROW(b.add_question(qname, RRType::A, RRClass::IN), std::logic_error);
    MessageBuilder fresh(buffer);
    fresh.reset();
    EXPECT_THROW(fresh.add_rr(qname, RRType::A, RRClass::IN, 1, kAddr1), std::logic_error);
}

TEST_F(MessageBuilderTest, ManyMessagesForATransfer) {
    ASSERT_TRUE(b.add_question(zone, RRType::AXFR, RRClass::IN));
    b.start_section(Section::Answer);
    ASSERT_TRUE(b.add_rr(Name::from_text("a.example.com."), RRType::A, RRClass::IN, 1, kAddr1));
    const Message first = parse_message(finished());
    EXPECT_EQ(first.answer.size(), 1u);

    b.restart_after_question();
    b.start_section(Section::Answer);
    ASSERT_TRUE(b.add_rr(Name::from_text("b.example.com."), RRType::A, RRClass::IN, 1, kAddr2));
    ASSERT_TRUE(b.add_rr(Name::from_text("c.example.com."), RRType::A, RRClass::IN, 1, kAddr2));
    const auto wire = finished();
    const Message second = parse_message(wire);
    EXPECT_EQ(second.header.id, 0x7777);
    ASSERT_EQ(second.questions.size(), 1u);
    EXPECT_EQ(second.questions[0].name, zone);
    ASSERT_EQ(second.answer.size(), 2u);
    EXPECT_EQ(second.answer[0].owner.to_text(), "b.example.com.");
    EXPECT_EQ(second.answer[1].owner.to_text(), "c.example.com.");
    expect_pointers_backwards(wire, 12 + zone.wire_size() + 4);
}

TEST_F(MessageBuilderTest, LargeMessagesStayCorrectBeyondPointerReachAndTableCapacity) {
    ASSERT_TRUE(b.add_question(zone, RRType::AXFR, RRClass::IN));
    b.start_section(Section::Answer);
    std::vector<Name> owners;
    const std::vector<std::uint8_t> txt = txt_rdata(59, 'y');
    for (int i = 0; i < 600; ++i) {
        owners.push_back(Name::from_text(("host-" + std::to_string(i) + ".sub.example.com.").c_str()));
        ASSERT_TRUE(b.add_rr(owners.back(), RRType::TXT, RRClass::IN, 1, txt)) << i;
        if (i % 2 == 0) {
            ASSERT_TRUE(b.add_rr(owners.back(), RRType::A, RRClass::IN, 1, kAddr1));
        }
    }
    const auto wire = finished();
    ASSERT_GT(wire.size(), 0x4000u);
    const Message m = parse_message(wire);
    ASSERT_EQ(m.answer.size(), 900u);
    std::size_t at = 0;
    for (int i = 0; i < 600; ++i) {
        EXPECT_EQ(m.answer[at++].owner, owners[i]);
        if (i % 2 == 0) {
            EXPECT_EQ(m.answer[at++].owner, owners[i]);
        }
    }
}

TEST_F(MessageBuilderTest, ResetForgetsTheLastMessage) {
    ASSERT_TRUE(b.set_edns(1232, true));
    ASSERT_TRUE(b.add_question(qname, RRType::A, RRClass::IN));
    b.reset();
    const auto wire = finished();
    EXPECT_EQ(wire.size(), kHeaderSize);
    EXPECT_EQ(parse_message(wire).header, Header{});
}

TEST_F(MessageBuilderTest, StartsAResponseFromAParsedQuery) {
    // A query with EDNS (payload 4096, DO) and a question in mixed case.
    std::array<std::uint8_t, 512> query_buffer{};
    MessageBuilder query_builder(query_buffer);
    query_builder.reset();
    query_builder.header().id = 0x5151;
    query_builder.header().rd = true;
    query_builder.header().cd = true;
    ASSERT_TRUE(query_builder.set_edns(4096, true));
    ASSERT_TRUE(query_builder.add_question(qname, RRType::MX, RRClass::IN));
    const auto query_wire = query_builder.finish();
    ParsedQuery query;
    ASSERT_EQ(parse_query(query_wire, query), QueryStatus::Ok);

    b.reset();
    ASSERT_TRUE(b.start_response(query, 1232, false));
    EXPECT_EQ(b.limit(), 1232u);  // the smaller of 4096 and ours
    const Message udp = parse_message(finished());
    EXPECT_EQ(udp.header.id, 0x5151);
    EXPECT_TRUE(udp.header.qr && udp.header.rd && udp.header.cd);
    EXPECT_FALSE(udp.header.aa || udp.header.ra || udp.header.tc);
    ASSERT_EQ(udp.questions.size(), 1u);
    EXPECT_EQ(udp.questions[0].name.to_text(), "www.Example.COM.");
    EXPECT_EQ(udp.questions[0].type, RRType::MX);
    ASSERT_TRUE(udp.edns);
    EXPECT_EQ(udp.edns->udp_payload, 1232);
    EXPECT_TRUE(udp.edns->dnssec_ok);

    b.reset();
    ASSERT_TRUE(b.start_response(query, 1232, true));
    EXPECT_EQ(b.limit(), kMaxMessageSize);

    // Without EDNS: 512, and no OPT in the response.
    std::vector<std::uint8_t> plain(query_wire.begin(), query_wire.end());
    plain.resize(plain.size() - kOptFixedSize);
    plain[11] = 0;  // arcount
    ASSERT_EQ(parse_query(plain, query), QueryStatus::Ok);
    b.reset();
    ASSERT_TRUE(b.start_response(query, 1232, false));
    EXPECT_EQ(b.limit(), 512u);
    EXPECT_FALSE(parse_message(finished()).edns);
}

TEST_F(MessageBuilderTest, UsesPrecomputedRdataNames) {
    ASSERT_TRUE(b.add_question(zone, RRType::SOA, RRClass::IN));
    b.start_section(Section::Answer);
    std::vector<std::uint8_t> soa;
    const auto mname = Name::from_text("ns1.example.com.");
    const auto rname = Name::from_text("hostmaster.example.com.");
    soa.insert(soa.end(), mname.wire().begin(), mname.wire().end());
    soa.insert(soa.end(), rname.wire().begin(), rname.wire().end());
    soa.resize(soa.size() + 20, 0);
    soa.back() = 60;
    const RdataNameRef names[] = {
        {0, static_cast<std::uint16_t>(mname.wire_size())},
        {static_cast<std::uint16_t>(mname.wire_size()), static_cast<std::uint16_t>(rname.wire_size())}};
    ASSERT_TRUE(b.add_rr(zone.wire(), RRType::SOA, RRClass::IN, 3600, soa, names));
    const auto wire = finished();
    // Both names compress to "ns1"/"hostmaster" plus a pointer to the question's "example.com".
    const std::size_t rdata_at = 12 + zone.wire_size() + 4 + 2 + 10;
    EXPECT_EQ((wire[rdata_at - 2] << 8) | wire[rdata_at - 1], 4 + 2 + 11 + 2 + 20);
    const Message m = parse_message(wire);
    EXPECT_EQ(m.answer.at(0).rdata, soa);
}

TEST_F(MessageBuilderTest, RejectsMalformedNames) {
    ASSERT_TRUE(b.add_question(zone, RRType::A, RRClass::IN));
    b.start_section(Section::Answer);
    const std::vector<std::uint8_t> compressed = {3, 'w', 'w', 'w', 0xC0, 12};
    EXPECT_THROW(b.add_rr(compressed, RRType::A, RRClass::IN, 1, kAddr1), std::invalid_argument);
    const std::vector<std::uint8_t> unterminated = {3, 'w', 'w', 'w'};
    EXPECT_THROW(b.add_rr(unterminated, RRType::A, RRClass::IN, 1, kAddr1), std::invalid_argument);
    EXPECT_THROW(b.add_rr(std::span<const std::uint8_t>{}, RRType::A, RRClass::IN, 1, kAddr1),
                 std::invalid_argument);
    // The longest legal name works: 255 octets.
    const std::string label63(63, 'a');
    const auto longest =
        Name::from_text(label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + ".");
    ASSERT_EQ(longest.wire_size(), 255u);
    ASSERT_TRUE(b.add_rr(longest, RRType::A, RRClass::IN, 1, kAddr1));
    EXPECT_EQ(parse_message(finished()).answer.at(0).owner, longest);
}
