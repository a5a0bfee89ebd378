// The cache-hit path: complete responses from the cache with no allocation, RA set and AA never, the
// client's spelling echoed, RRSIGs for DO clients only, TC when it does not fit, RD=0 answered from the
// cache alone, and questions a resolver does not take. This file counts allocations with
// ../allocation_counter.hpp (no other file of unit_resolver may include it).
#include <gtest/gtest.h>

#include "../allocation_counter.hpp"
#include "replay.hpp"
#include "resolver/cache.hpp"
#include "resolver/read_section.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

class FastPath : public ::testing::Test {
  protected:
    void SetUp() override {
        ctx = std::make_unique<ResolverContext>(test_settings(), clock);
        store("www.example.com.", RRType::A, {"192.0.2.1", "192.0.2.2"});
        store("alias.example.com.", RRType::CNAME, {"www.example.com."});
        store("example.com.", RRType::NS, {"ns1.example.com.", "ns2.example.com."}, Rank::referral);
        store("ns1.example.com.", RRType::A, {"10.1.0.1"}, Rank::glue);
        NewEntry nx;
        nx.owner = dns::Name::from_text("nope.example.com.");
        nx.type = 1;
        nx.kind = EntryKind::nxdomain;
        nx.rank = Rank::auth_authority;
        nx.ttl = 300;
        nx.soa_owner = dns::Name::from_text("example.com.");
        nx.soa_rdata =
            dns::rdata_from_text(RRType::SOA, "ns1.example.com. h.example.com. 1 2 3 4 300", dns::Name());
        ctx->cache().store(nx, clock.now_seconds(), 0);
    }
    void store(const std::string& owner, RRType type, std::vector<std::string> rdatas,
               Rank rank = Rank::auth_answer, std::vector<std::vector<std::uint8_t>> sigs = {}) {
        NewEntry e;
        e.owner = dns::Name::from_text(owner);
        e.type = dns::code(type);
        e.rank = rank;
        e.ttl = 300;
        for (const auto& r : rdatas)
            e.rdatas.push_back(dns::rdata_from_text(type, r, dns::Name()));
        e.sigs = std::move(sigs);
        ctx->cache().store(e, clock.now_seconds(), 0);
    }
    std::pair<CacheAnswer, dns::Message> ask(const std::string& name, RRType type, QueryOptions o = {},
                                             bool tcp = false) {
        return net.from_cache(*ctx, name, type, o, tcp);
    }
    FakeClock clock;
    Network net;
    std::unique_ptr<ResolverContext> ctx;
};

TEST_F(FastPath, HitsAndMissesAllocateNothing) {
    std::vector<std::uint8_t> out(65535);
    const auto positive = make_query("www.example.com.", RRType::A);
    const auto chain = make_query("alias.example.com.", RRType::A);
    const auto nx = make_query("nope.example.com.", RRType::A);
    const auto miss = make_query("other.example.com.", RRType::A);
    dns::ParsedQuery p1, p2, p3, p4;
    ASSERT_EQ(dns::parse_query(positive, p1), dns::QueryStatus::Ok);
    ASSERT_EQ(dns::parse_query(chain, p2), dns::QueryStatus::Ok);
    ASSERT_EQ(dns::parse_query(nx, p3), dns::QueryStatus::Ok);
    ASSERT_EQ(dns::parse_query(miss, p4), dns::QueryStatus::Ok);
    enter_read_section();                    // as a worker's begin_batch
    ctx->answer_from_cache(p1, out, false);  // first use registers the thread
    const long before = allocation_counter::allocations();
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(ctx->answer_from_cache(p1, out, false).kind, CacheAnswer::Kind::answer);
        EXPECT_EQ(ctx->answer_from_cache(p2, out, false).kind, CacheAnswer::Kind::answer);
        EXPECT_EQ(ctx->answer_from_cache(p3, out, false).kind, CacheAnswer::Kind::negative);
        EXPECT_EQ(ctx->answer_from_cache(p4, out, false).kind, CacheAnswer::Kind::miss);
    }
    EXPECT_EQ(allocation_counter::allocations(), before);
    leave_read_section();
    const auto stats = ctx->stats();
    EXPECT_EQ(stats.value(Counter::cache_hits), 301u);
    EXPECT_EQ(stats.value(Counter::cache_misses), 100u);
}

TEST_F(FastPath, ResponseEchoesTheClientAndIsNeverAuthoritative) {
    QueryOptions o;
    o.id = 0xBEEF;
    const auto [a, m] = ask("WwW.ExAmPlE.cOm.", RRType::A, o);
    EXPECT_EQ(m.header.id, 0xBEEF);
    EXPECT_TRUE(m.header.qr);
    EXPECT_TRUE(m.header.ra);
    EXPECT_TRUE(m.header.rd);
    EXPECT_FALSE(m.header.aa);
    EXPECT_EQ(m.questions[0].name.to_text(), "WwW.ExAmPlE.cOm.");
    ASSERT_EQ(m.answer.size(), 2u);
    EXPECT_EQ(m.answer[0].owner.to_text(), "WwW.ExAmPlE.cOm.");  // compressed to the question
    ASSERT_TRUE(m.edns);
    EXPECT_EQ(m.edns->udp_payload, 1232);
}

TEST_F(FastPath, CnameChainThenData) {
    const auto [a, m] = ask("alias.example.com.", RRType::A);
    EXPECT_EQ(
        Outcome::lines(m.answer),
        (std::vector<std::string>{"alias.example.com. 300 CNAME www.example.com.",
                                  "www.example.com. 300 A 192.0.2.1", "www.example.com. 300 A 192.0.2.2"}));
}

TEST_F(FastPath, GlueAndReferralDataAreNotAnswers) {
    EXPECT_EQ(ask("ns1.example.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    EXPECT_EQ(ask("example.com.", RRType::NS).first.kind, CacheAnswer::Kind::miss);
}

TEST_F(FastPath, SignaturesOnlyForDnssecOkClients) {
    const auto sig = dns::rdata_from_text(
        RRType::RRSIG, "TXT 8 3 300 20300101000000 20200101000000 12345 example.com. AAAA", dns::Name());
    store("signed.example.com.", RRType::TXT, {"\"x\""}, Rank::auth_answer, {sig});
    EXPECT_EQ(ask("signed.example.com.", RRType::TXT).second.answer.size(), 1u);
    QueryOptions o;
    o.dnssec_ok = true;
    const auto [a, m] = ask("signed.example.com.", RRType::TXT, o);
    ASSERT_EQ(m.answer.size(), 2u);
    EXPECT_EQ(m.answer[1].type, RRType::RRSIG);
    EXPECT_TRUE(m.edns->dnssec_ok);
}

TEST_F(FastPath, TooBigForUdpIsTruncatedWithoutRecords) {
    std::vector<std::string> texts;
    for (int i = 0; i < 40; ++i)
        texts.push_back("\"record number " + std::to_string(i) + " with some padding to make it long\"");
    store("big.example.com.", RRType::TXT, texts);
    const auto [udp, m] = ask("big.example.com.", RRType::TXT, without_edns());
    EXPECT_LE(udp.size, 512u);
    EXPECT_TRUE(m.header.tc);
    EXPECT_TRUE(m.answer.empty());
    const auto [tcp, full] = ask("big.example.com.", RRType::TXT, without_edns(), true);
    EXPECT_FALSE(full.header.tc);
    EXPECT_EQ(full.answer.size(), 40u);
}

TEST_F(FastPath, NonRecursiveQueriesGetTheClosestDelegationOnAMiss) {
    QueryOptions o;
    o.rd = false;
    const auto [hit, answer] = ask("www.example.com.", RRType::A, o);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::answer);
    const auto [a, m] = ask("unknown.example.com.", RRType::A, o);
    EXPECT_EQ(a.kind, CacheAnswer::Kind::referral);
    EXPECT_EQ(m.rcode(), dns::Rcode::NOERROR);
    EXPECT_TRUE(m.answer.empty());
    EXPECT_EQ(Outcome::lines(m.authority),
              (std::vector<std::string>{"example.com. 300 NS ns1.example.com.",
                                        "example.com. 300 NS ns2.example.com."}));
}

TEST_F(FastPath, QuestionsAResolverDoesNotTake) {
    QueryOptions chaos;
    chaos.qclass = 3;
    EXPECT_EQ(ask("version.bind.", RRType::TXT, chaos).second.rcode(), dns::Rcode::REFUSED);
    QueryOptions notify;
    notify.opcode = 4;
    EXPECT_EQ(ask("example.com.", RRType::SOA, notify).second.rcode(), dns::Rcode::NOTIMP);
    QueryOptions v1;
    v1.edns_version = 1;
    const auto [a, m] = ask("www.example.com.", RRType::A, v1);
    EXPECT_EQ(a.kind, CacheAnswer::Kind::rejected);
    EXPECT_EQ(m.rcode(), dns::Rcode::BADVERS);
    EXPECT_EQ(ask("example.com.", RRType::AXFR).second.rcode(), dns::Rcode::REFUSED);
    // Malformed: FORMERR from the wire overload.
    std::vector<std::uint8_t> bad = make_query("www.example.com.", RRType::A);
    bad.push_back(0);  // trailing garbage
    std::vector<std::uint8_t> out(512);
    const CacheAnswer f = ctx->answer_from_cache(bad, out, false);
    ASSERT_GT(f.size, 0u);
    EXPECT_EQ(dns::parse_message(std::span(out.data(), f.size)).rcode(), dns::Rcode::FORMERR);
}

}  // namespace
}  // namespace cairn::resolver::testing
