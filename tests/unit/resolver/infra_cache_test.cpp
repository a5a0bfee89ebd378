// The infrastructure cache: RFC 6298's RTT estimator, timeouts that back off after the non-backoff tries
// (resolver-retry-interval, resolver-nonbackoff-tries), hold-down after repeated timeouts, EDNS support and
// lameness per zone, all forgotten after infra_ttl without use.
#include "resolver/infra_cache.hpp"

#include <gtest/gtest.h>

namespace cairn::resolver {
namespace {

const ServerAddress kServer{*dns::IpAddress::parse("192.0.2.1"), 53};

TEST(InfraCache, UnknownServersGetTheRetryIntervalThenTheirMeasuredRto) {
    ResolverSettings s;
    InfraCache infra(s);
    EXPECT_EQ(infra.get(kServer, 0).timeout(s), 800);
    infra.reply(kServer, 40, 0);  // srtt 40, rttvar 20: 40 + 4*20
    EXPECT_EQ(infra.get(kServer, 0).timeout(s), 120);
    for (int i = 0; i < 50; ++i)
        infra.reply(kServer, 40, 0);
    EXPECT_LT(infra.get(kServer, 0).timeout(s), 60);  // steady: the variance shrinks
    infra.reply(kServer, 1, 0);
    EXPECT_GE(infra.get(kServer, 0).timeout(s), 50);  // never below 50 ms
}

TEST(InfraCache, TimeoutsBackOffAndHoldTheServerDown) {
    ResolverSettings s;
    InfraCache infra(s);
    infra.timeout(kServer, 1000);
    infra.timeout(kServer, 2000);
    EXPECT_EQ(infra.get(kServer, 2000).timeout(s), 800);  // within resolver-nonbackoff-tries (3)
    EXPECT_EQ(infra.get(kServer, 2000).held_down_until, 0);
    infra.timeout(kServer, 3000);
    const ServerInfo after3 = infra.get(kServer, 3000);
    EXPECT_EQ(after3.timeout(s), 1600);
    EXPECT_GT(after3.held_down_until, 3000);
    for (int i = 0; i < 10; ++i)
        infra.timeout(kServer, 4000);
    EXPECT_EQ(infra.get(kServer, 4000).timeout(s), 12000);  // capped
    EXPECT_LE(infra.get(kServer, 4000).held_down_until, 4000 + 120000);
    infra.reply(kServer, 10, 5000);  // one answer and it is back
    EXPECT_EQ(infra.get(kServer, 5000).timeouts, 0u);
    EXPECT_EQ(infra.get(kServer, 5000).held_down_until, 0);
}

TEST(InfraCache, LamenessIsPerZoneAndExpires) {
    ResolverSettings s;
    InfraCache infra(s);
    const auto zone = dns::Name::from_text("Example.COM.");
    infra.set_lame(kServer, zone, LameReason::refused, 0);
    EXPECT_EQ(infra.lame(kServer, dns::Name::from_text("example.com."), 1000), LameReason::refused);
    EXPECT_FALSE(infra.lame(kServer, dns::Name::from_text("example.net."), 1000));
    EXPECT_FALSE(infra.lame(kServer, zone, 600001));
    infra.set_lame(kServer, zone, LameReason::servfail, 0);
    EXPECT_FALSE(infra.lame(kServer, zone, 5001));  // SERVFAIL is held briefly
    infra.edns(kServer, EdnsSupport::broken, 0);
    EXPECT_EQ(infra.get(kServer, 0).edns, EdnsSupport::broken);
    const auto lines = infra.describe(0);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "192.0.2.1#53 rtt unknown timeouts 0 edns broken lame for example.com. (SERVFAIL)");
    // Forgotten after infra_ttl (900 s) without use.
    EXPECT_EQ(infra.get(kServer, 901000).edns, EdnsSupport::unknown);
    infra.expire(901000);
    EXPECT_EQ(infra.size(), 0u);
}

TEST(InfraCache, BusiestServersAreCountedAndBounded) {
    ResolverSettings s;
    InfraCache infra(s);
    // Server i gets i queries; the odd ones answer (RTT 10 i ms), the even ones time out.
    for (std::uint32_t i = 1; i <= 30; ++i) {
        const ServerAddress server{dns::IpAddress::v4(0xC0000200u + i), 53};
        for (std::uint32_t q = 0; q < i; ++q) {
            infra.sent(server, 1000);
            if (i % 2 == 1)
                infra.reply(server, 10 * i, 1000);
            else
                infra.timeout(server, 1000);
        }
    }
    const std::vector<ServerUsage> top = infra.busiest(5, 1000);
    ASSERT_EQ(top.size(), 5u);  // bounded, the busiest first
    EXPECT_EQ(top[0].server.address.to_string(), "192.0.2.30");
    EXPECT_EQ(top[0].info.queries, 30u);
    EXPECT_EQ(top[0].info.failures, 30u);
    EXPECT_FALSE(top[0].info.known);
    EXPECT_TRUE(top[0].held_down);  // 30 consecutive timeouts
    EXPECT_EQ(top[1].server.address.to_string(), "192.0.2.29");
    EXPECT_EQ(top[1].info.queries, 29u);
    EXPECT_EQ(top[1].info.failures, 0u);
    EXPECT_EQ(top[1].info.srtt_ms, 290u);
    EXPECT_FALSE(top[1].held_down);
    EXPECT_EQ(top[4].info.queries, 26u);
    EXPECT_EQ(infra.busiest(100, 1000).size(), 30u);
    // Forgotten servers are not shown; their counters go with them.
    EXPECT_TRUE(infra.busiest(5, 1000 + 901000).empty());
}

}  // namespace
}  // namespace cairn::resolver
