// The producer and the parser against each other, and each against the full message parser.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "dns/message.hpp"
#include "store/journal.hpp"
#include "xfr/inbound.hpp"
#include "xfr/outbound.hpp"
#include "xfr/request.hpp"
#include "xfr_test_util.hpp"

namespace cairn::xfr {
namespace {

using testing::kOrigin;
using testing::make_zone;
using testing::sorted_texts;
using testing::zone_text;

TransferRequest request_for(dns::RRType type, std::optional<std::uint32_t> serial, bool edns = true,
                            bool expire = false) {
    zone::Record soa;
    if (serial) soa = zone::soa_record(*make_zone(zone_text(*serial, 0)));
    QueryOptions o;
    o.id = 4242;
    o.edns = edns;
    o.expire = expire;
    return read_transfer_request(build_query(kOrigin, type, serial ? &soa : nullptr, o));
}

std::vector<dns::ResourceRecord> answers(const std::vector<std::vector<std::uint8_t>>& messages) {
    std::vector<dns::ResourceRecord> out;
    for (const auto& wire : messages) {
        const dns::Message m = dns::parse_message(wire);
        out.insert(out.end(), m.answer.begin(), m.answer.end());
    }
    return out;
}

InboundResult receive(const std::vector<std::vector<std::uint8_t>>& messages, dns::RRType type,
                      std::optional<std::uint32_t> our_serial, const dns::TsigKey* key = nullptr,
                      std::vector<std::uint8_t> request_mac = {}) {
    InboundOptions o;
    o.zone = kOrigin;
    o.type = type;
    o.query_id = 4242;
    o.our_serial = our_serial;
    o.tsig_key = key;
    o.request_mac = std::move(request_mac);
    InboundParser p(std::move(o));
    for (const auto& m : messages)
        p.feed(m);
    return p.finish();
}

TEST(Axfr, SoaFirstAndLastQuestionOnlyInTheFirstMessageEveryRecordOnce) {
    const auto zone = make_zone(zone_text(7, 3000));
    auto stream = TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt), {});
    const auto messages = collect(*stream);
    ASSERT_GT(messages.size(), 3u);
    EXPECT_EQ(stream->form(), TransferForm::Axfr);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        EXPECT_LE(messages[i].size(), kDefaultMessageSize);
        const dns::Message m = dns::parse_message(messages[i]);
        EXPECT_EQ(m.header.id, 4242);
        EXPECT_TRUE(m.header.qr);
        EXPECT_TRUE(m.header.aa);
        EXPECT_FALSE(m.header.tc);
        EXPECT_EQ(m.rcode(), dns::Rcode::NOERROR);
        EXPECT_EQ(m.questions.size(), i == 0 ? 1u : 0u);
        EXPECT_TRUE(m.edns.has_value());  // the request had EDNS
    }
    const auto rrs = answers(messages);
    ASSERT_EQ(rrs.size(), zone->rr_count() + 1);
    EXPECT_EQ(rrs.front().type, dns::RRType::SOA);
    EXPECT_EQ(rrs.back().type, dns::RRType::SOA);
    EXPECT_EQ(rrs.front(), rrs.back());
    std::vector<zone::Record> body;
    for (std::size_t i = 0; i + 1 < rrs.size(); ++i)
        body.push_back({rrs[i].owner, rrs[i].type, rrs[i].rclass, rrs[i].ttl, rrs[i].rdata});
    EXPECT_EQ(sorted_texts(body), sorted_texts(*zone));
}

TEST(Axfr, CompressesNamesAndHonoursTheMessageSize) {
    const auto zone = make_zone(zone_text(7, 3000));
    OutboundOptions big;
    big.message_size = 65535;
    const auto large =
        collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt), big));
    const auto small = collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt), {}));
    EXPECT_LT(large.size(), small.size());
    std::size_t bytes = 0;
    for (const auto& m : large)
        bytes += m.size();
    // A host RR takes 35 octets with its owner uncompressed (21 + 10 + 4), 24 with the zone name a pointer.
    EXPECT_LT(bytes, zone->rr_count() * 26);
}

TEST(Axfr, ParsesBackIntoTheSameZone) {
    const auto zone = make_zone(zone_text(7, 1000));
    const auto messages =
        collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt), {}));
    const InboundResult r = receive(messages, dns::RRType::AXFR, std::nullopt);
    EXPECT_EQ(r.kind, InboundKind::Full);
    EXPECT_EQ(r.serial(), 7u);
    EXPECT_EQ(r.messages, messages.size());
    const auto built = build_zone(r, nullptr);
    EXPECT_EQ(sorted_texts(*built), sorted_texts(*zone));
}

TEST(Axfr, ARecordLargerThanTheMessageSizeGetsAMessageOfItsOwn) {
    std::string txt = "big TXT";
    for (int i = 0; i < 100; ++i)
        txt += " \"" + std::string(200, 'a' + i % 26) + "\"";
    const auto zone = make_zone(zone_text(7, 10, txt + "\n"));
    OutboundOptions o;
    o.message_size = 1024;
    const auto messages =
        collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt), o));
    EXPECT_EQ(answers(messages).size(), zone->rr_count() + 1);
    EXPECT_EQ(build_zone(receive(messages, dns::RRType::AXFR, std::nullopt), nullptr)->rr_count(),
              zone->rr_count());
}

TEST(Axfr, ExpireOptionInTheFirstMessageWhenAsked) {
    const auto zone = make_zone(zone_text(7, 10));
    OutboundOptions o;
    o.expire = 3600;
    const auto messages =
        collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt, true, true), o));
    const dns::Message first = dns::parse_message(messages[0]);
    ASSERT_TRUE(first.edns);
    const dns::EdnsOption* e = first.edns->find(dns::EdnsOptionCode::EXPIRE);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(dns::parse_expire(e->data), 3600u);
    EXPECT_EQ(receive(messages, dns::RRType::AXFR, std::nullopt).expire, 3600u);

    const auto plain =
        collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt, false), o));
    EXPECT_FALSE(dns::parse_message(plain[0]).edns.has_value());
}

TEST(Axfr, TsigSignsEveryMessageAndTheClientVerifies) {
    const dns::TsigKey key = dns::TsigKey::from_config("xfr-key.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0");
    const auto zone = make_zone(zone_text(7, 2000));
    OutboundOptions o;
    o.tsig_key = &key;
    o.request_mac = std::vector<std::uint8_t>(32, 7);
    o.clock = [] { return std::uint64_t{1700000000}; };
    const auto messages =
        collect(*TransferStream::full(zone, request_for(dns::RRType::AXFR, std::nullopt), o));
    ASSERT_GT(messages.size(), 1u);
    for (const auto& m : messages)
        EXPECT_EQ(dns::find_tsig(m).status, dns::TsigStatus::Ok);

    InboundOptions in;
    in.zone = kOrigin;
    in.type = dns::RRType::AXFR;
    in.query_id = 4242;
    in.tsig_key = &key;
    in.request_mac = o.request_mac;
    in.clock = o.clock;
    {
        InboundParser p(in);
        for (const auto& m : messages)
            p.feed(m);
        EXPECT_EQ(p.finish().kind, InboundKind::Full);
    }
    {  // a flipped bit in a later message fails TSIG
        auto damaged = messages;
        damaged[1][40] ^= 0x01;
        InboundParser p(in);
        p.feed(damaged[0]);
        try {
            p.feed(damaged[1]);
            FAIL() << "accepted";
        } catch (const TransferError& e) {
            EXPECT_TRUE(e.kind() == FailureKind::Tsig || e.kind() == FailureKind::Malformed) << e.what();
        }
    }
    {  // the wrong request MAC
        in.request_mac = std::vector<std::uint8_t>(32, 8);
        InboundParser p(in);
        EXPECT_THROW(p.feed(messages[0]), TransferError);
    }
}

TEST(Ixfr, ClientCurrentOrNewerGetsTheSoaAlone) {
    const auto zone = make_zone(zone_text(7, 10));
    for (std::uint32_t client : {7u, 8u}) {
        auto stream =
            TransferStream::incremental(zone, request_for(dns::RRType::IXFR, client), std::nullopt, {});
        EXPECT_EQ(stream->form(), TransferForm::UpToDate);
        const auto messages = collect(*stream);
        ASSERT_EQ(messages.size(), 1u);
        const auto rrs = answers(messages);
        ASSERT_EQ(rrs.size(), 1u);
        EXPECT_EQ(rrs[0].type, dns::RRType::SOA);
        const InboundResult r = receive(messages, dns::RRType::IXFR, client);
        EXPECT_EQ(r.kind, InboundKind::UpToDate);
        EXPECT_EQ(build_zone(r, zone.get()), nullptr);
    }
}

struct Versions {
    std::shared_ptr<const zone::Zone> v1 = make_zone(zone_text(1, 500));
    std::shared_ptr<const zone::Zone> v2 = make_zone(zone_text(2, 500, "extra TXT \"two\"\n"));
    std::shared_ptr<const zone::Zone> v3 = make_zone(zone_text(3, 499, "extra TXT \"three\"\n"));
    std::vector<zone::ZoneDiff> chain{zone::diff_zones(*v1, *v2), zone::diff_zones(*v2, *v3)};
};

TEST(Ixfr, SequenceOfDifferencesHasTheRfc1995Shape) {
    Versions v;
    auto stream = TransferStream::incremental(v.v3, request_for(dns::RRType::IXFR, 1), v.chain, {});
    EXPECT_EQ(stream->form(), TransferForm::Incremental);
    const auto rrs = answers(collect(*stream));
    std::vector<std::uint32_t> soa_serials;
    for (const auto& rr : rrs) {
        if (rr.type == dns::RRType::SOA) soa_serials.push_back(zone::soa_serial(rr.rdata));
    }
    EXPECT_EQ(soa_serials, (std::vector<std::uint32_t>{3, 1, 2, 2, 3, 3}));
    // 3 SOA ... removed(none) SOA 2 added(extra) SOA 2 removed(extra, host499) SOA 3 added(extra) SOA 3
    EXPECT_EQ(rrs.size(), 6u + v.chain[0].removed.size() + v.chain[0].added.size() +
                              v.chain[1].removed.size() + v.chain[1].added.size());
}

TEST(Ixfr, ParsedAndAppliedGivesTheNewZone) {
    Versions v;
    for (bool condense : {false, true}) {
        OutboundOptions o;
        o.condense = condense;
        const auto messages =
            collect(*TransferStream::incremental(v.v3, request_for(dns::RRType::IXFR, 1), v.chain, o));
        const InboundResult r = receive(messages, dns::RRType::IXFR, 1);
        EXPECT_EQ(r.kind, InboundKind::Incremental);
        EXPECT_EQ(r.diffs.size(), condense ? 1u : 2u);
        const auto built = build_zone(r, v.v1.get());
        EXPECT_EQ(sorted_texts(*built), sorted_texts(*v.v3));
        EXPECT_EQ(v.v1->serial(), 1u);  // the served version is untouched
    }
}

TEST(Ixfr, WithoutAUsableChainAnswersAxfrStyle) {
    Versions v;
    const auto req = request_for(dns::RRType::IXFR, 1);
    // no journal
    auto a = TransferStream::incremental(v.v3, req, std::nullopt, {});
    EXPECT_EQ(a->form(), TransferForm::Axfr);
    const InboundResult r = receive(collect(*a), dns::RRType::IXFR, 1);
    EXPECT_EQ(r.kind, InboundKind::Full);
    EXPECT_EQ(sorted_texts(*build_zone(r, v.v1.get())), sorted_texts(*v.v3));
    // a chain that does not end at the served serial
    std::vector<zone::ZoneDiff> short_chain{v.chain[0]};
    EXPECT_EQ(TransferStream::incremental(v.v3, req, short_chain, {})->form(), TransferForm::Axfr);
    // a chain larger than the zone
    const auto tiny = make_zone(zone_text(3, 0));
    EXPECT_EQ(TransferStream::incremental(tiny, req, v.chain, {})->form(), TransferForm::Axfr);
}

TEST(Ixfr, OverUdpOnlyTheSoa) {
    Versions v;
    OutboundOptions o;
    o.tcp = false;
    auto s = TransferStream::incremental(v.v3, request_for(dns::RRType::IXFR, 1), v.chain, o);
    EXPECT_EQ(s->form(), TransferForm::UpToDate);
    EXPECT_EQ(answers(collect(*s)).size(), 1u);
}

TEST(Ixfr, OpenTransferUsesTheJournal) {
    Versions v;
    const std::string dir = ::testing::TempDir() + "xfr-journal-" + std::to_string(::getpid());
    {
        store::Environment env(dir, {.map_size = 16 << 20, .sync = false, .grown = nullptr});
        store::Journal journal(env, kOrigin);
        journal.append(v.chain[0]);
        journal.append(v.chain[1]);
        auto s = open_transfer(v.v3, request_for(dns::RRType::IXFR, 2), &journal, {});
        EXPECT_EQ(s->form(), TransferForm::Incremental);
        const InboundResult r = receive(collect(*s), dns::RRType::IXFR, 2);
        EXPECT_EQ(sorted_texts(*build_zone(r, v.v2.get())), sorted_texts(*v.v3));
        EXPECT_EQ(open_transfer(v.v3, request_for(dns::RRType::IXFR, 0), &journal, {})->form(),
                  TransferForm::Axfr);
        EXPECT_EQ(open_transfer(v.v3, request_for(dns::RRType::IXFR, 3), &journal, {})->form(),
                  TransferForm::UpToDate);
        EXPECT_EQ(open_transfer(v.v3, request_for(dns::RRType::AXFR, std::nullopt), &journal, {})->form(),
                  TransferForm::Axfr);
    }
    std::filesystem::remove_all(dir);
}

TEST(Refused, RefusedWithEde18WhenTheQueryHasEdns) {
    std::vector<std::uint8_t> out(512);
    QueryOptions o;
    o.id = 99;
    auto q = build_query(kOrigin, dns::RRType::AXFR, nullptr, o);
    std::size_t n = write_refused(q, out);
    ASSERT_GT(n, 0u);
    dns::Message m = dns::parse_message(std::span(out).first(n));
    EXPECT_EQ(m.header.id, 99);
    EXPECT_EQ(m.rcode(), dns::Rcode::REFUSED);
    ASSERT_EQ(m.questions.size(), 1u);
    ASSERT_TRUE(m.edns);
    const dns::EdnsOption* ede = m.edns->find(dns::EdnsOptionCode::EDE);
    ASSERT_NE(ede, nullptr);
    EXPECT_EQ(dns::parse_ede(ede->data)->info_code, 18);

    o.edns = false;
    q = build_query(kOrigin, dns::RRType::AXFR, nullptr, o);
    n = write_refused(q, out);
    m = dns::parse_message(std::span(out).first(n));
    EXPECT_EQ(m.rcode(), dns::Rcode::REFUSED);
    EXPECT_FALSE(m.edns.has_value());
    EXPECT_EQ(write_refused(std::vector<std::uint8_t>(5), out), 0u);
}

TEST(Request, ReadsTransferQueriesAndRejectsOthers) {
    const TransferRequest r = request_for(dns::RRType::IXFR, 41, true, true);
    EXPECT_EQ(r.type, dns::RRType::IXFR);
    EXPECT_EQ(r.client_serial, 41u);
    EXPECT_TRUE(r.expire_requested);
    EXPECT_EQ(r.zone, kOrigin);
    QueryOptions o;
    EXPECT_THROW(read_transfer_request(build_query(kOrigin, dns::RRType::IXFR, nullptr, o)), dns::ParseError);
    EXPECT_THROW(read_transfer_request(build_query(kOrigin, dns::RRType::A, nullptr, o)), dns::ParseError);
    EXPECT_THROW(read_transfer_request(std::vector<std::uint8_t>(3)), dns::ParseError);
}

}  // namespace
}  // namespace cairn::xfr
