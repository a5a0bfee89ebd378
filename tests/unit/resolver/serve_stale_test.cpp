// Serve-stale (RFC 8767) on the replay harness: authorities that stop answering after the data expired,
// stale answers with EDE 3 (19 for NXDOMAIN) and TTL stale-answer-ttl, stale-refresh-time, max-stale-ttl,
// stale-answer-client-timeout (the stale answer goes out while the resolution goes on) and rndc serve-stale.
#include <gtest/gtest.h>

#include "hierarchy.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

std::optional<std::uint16_t> ede_code(const dns::Message& m) {
    if (!m.edns) return std::nullopt;
    const auto* o = m.edns->find(dns::EdnsOptionCode::EDE);
    if (o == nullptr) return std::nullopt;
    return dns::parse_ede(o->data)->info_code;
}

class ServeStale : public ::testing::Test {
  protected:
    void SetUp() override { build_hierarchy(net); }
    ResolverSettings stale_settings() {
        auto s = test_settings();
        s.stale.answer_enable = true;
        s.stale.cache_enable = true;
        s.resolver_query_timeout_ms = 3000;
        return s;
    }
    std::unique_ptr<ResolverContext> context(ResolverSettings s) {
        return std::make_unique<ResolverContext>(std::move(s), net.clock);
    }
    void stop_example_com() {
        net.server("10.1.0.1").down = true;
        net.server("10.1.0.2").down = true;
    }
    Network net;
};

TEST_F(ServeStale, ExpiredDataIsAnsweredStaleWhenTheAuthoritiesAreDown) {
    auto ctx = context(stale_settings());
    net.resolve(*ctx, "www.example.com.", RRType::A);
    stop_example_com();
    net.clock.advance(400000);  // TTL 300 is over
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(r.answer(), (std::vector<std::string>{"www.example.com. 30 A 192.0.2.1",
                                                    "www.example.com. 30 A 192.0.2.3"}));
    EXPECT_EQ(ede_code(r.message), 3);
    EXPECT_TRUE(r.outcome.stale);
    // stale-refresh-time: stale data at once for 30 s, without asking anyone.
    const auto [hit, message] = net.from_cache(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::stale);
    EXPECT_FALSE(hit.refresh);
    EXPECT_EQ(ede_code(message), 3);
    EXPECT_EQ(message.answer.size(), 2u);
    net.clock.advance(31000);
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    EXPECT_GE(ctx->stats().value(Counter::stale_answers), 2u);
}

TEST_F(ServeStale, StaleNxdomainCarriesEde19) {
    auto ctx = context(stale_settings());
    net.resolve(*ctx, "nope.example.com.", RRType::A);
    stop_example_com();
    net.clock.advance(400000);
    const Outcome r = net.resolve(*ctx, "nope.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NXDOMAIN);
    EXPECT_EQ(ede_code(r.message), 19);
    ASSERT_EQ(r.message.authority.size(), 1u);
    EXPECT_EQ(r.message.authority[0].ttl, 30u);
}

TEST_F(ServeStale, WithoutServeStaleTheFailureStands) {
    auto s = stale_settings();
    s.stale.answer_enable = false;
    auto ctx = context(s);
    net.resolve(*ctx, "www.example.com.", RRType::A);
    stop_example_com();
    net.clock.advance(400000);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(r.message), 22);
    // rndc serve-stale on turns it on at run time.
    ctx->set_serve_stale(true);
    net.clock.advance(2000);  // past servfail-ttl
    EXPECT_EQ(net.resolve(*ctx, "www.example.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(ctx->serve_stale_status().to_text(),
              "stale cache enabled; stale answers enabled (rndc serve-stale on)");
    ctx->set_serve_stale(std::nullopt);
    EXPECT_FALSE(ctx->serve_stale());
}

TEST_F(ServeStale, NothingStaleAfterMaxStaleTtl) {
    auto s = stale_settings();
    s.stale.max_stale_ttl = 600;
    auto ctx = context(s);
    net.resolve(*ctx, "www.example.com.", RRType::A);
    stop_example_com();
    net.clock.advance((300 + 601) * 1000);
    EXPECT_EQ(net.resolve(*ctx, "www.example.com.", RRType::A).message.rcode(), dns::Rcode::SERVFAIL);
}

TEST_F(ServeStale, ClientTimeoutSendsTheStaleAnswerWhileTheResolutionGoesOn) {
    auto s = stale_settings();
    s.stale.client_timeout_ms = 1800;
    auto ctx = context(s);
    net.resolve(*ctx, "www.example.com.", RRType::A);
    stop_example_com();
    net.clock.advance(400000);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    ASSERT_FALSE(r.stale_wire.empty());
    const dns::Message stale = dns::parse_message(r.stale_wire);
    EXPECT_EQ(stale.answer.size(), 2u);
    EXPECT_EQ(ede_code(stale), 3);
    EXPECT_GT(r.took, 1800);  // the resolution itself went on to its own end
}

TEST_F(ServeStale, ClientTimeoutZeroAnswersStaleAtOnceAndAsksForARefresh) {
    auto s = stale_settings();
    s.stale.client_timeout_ms = 0;
    auto ctx = context(s);
    net.resolve(*ctx, "www.example.com.", RRType::A);
    net.clock.advance(400000);
    const auto [hit, message] = net.from_cache(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::stale);
    EXPECT_TRUE(hit.refresh);
    EXPECT_EQ(ede_code(message), 3);
    // The refresh (authorities up) brings fresh data.
    net.refresh(*ctx, "www.example.com.", RRType::A);
    const auto [fresh, again] = net.from_cache(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(fresh.kind, CacheAnswer::Kind::answer);
    EXPECT_EQ(again.answer[0].ttl, 300u);
}

TEST_F(ServeStale, PrefetchAsksOnceForARefreshNearTheEnd) {
    auto ctx = context(test_settings());
    net.resolve(*ctx, "www.example.com.", RRType::A);
    net.clock.advance(297000);  // 3 s left: not yet
    EXPECT_FALSE(net.from_cache(*ctx, "www.example.com.", RRType::A).first.refresh);
    net.clock.advance(1000);  // 2 s left: prefetch 2 9
    EXPECT_TRUE(net.from_cache(*ctx, "www.example.com.", RRType::A).first.refresh);
    EXPECT_FALSE(net.from_cache(*ctx, "www.example.com.", RRType::A).first.refresh);  // once
    net.refresh(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::A).second.answer[0].ttl, 300u);
}

}  // namespace
}  // namespace cairn::resolver::testing
