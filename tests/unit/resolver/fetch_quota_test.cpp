// fetches-per-zone and fetches-per-server (fetch_limiter.hpp) on the replay harness: fetches counted per
// zone cut and queries per server, BIND's `drop` (no answer) told apart from `fail` (SERVFAIL at once), its
// spill log lines, the ZoneQuota/ServerQuota counters, and nothing cached from a spilled fetch.
#include <gtest/gtest.h>

#include "hierarchy.hpp"
#include "resolver/fetch_limiter.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

class FetchQuota : public ::testing::Test {
  protected:
    void SetUp() override {
        build_hierarchy(net);
        net.serve("10.5.0.1", {root_zone(), com_zone(), example_zone(), other_zone()}).recursive = true;
        net.serve("10.5.0.2", {root_zone(), com_zone(), example_zone(), other_zone()}).recursive = true;
    }
    // Forward only to `forwarders` (zone "."), so that every fetch counts under the root.
    ResolverSettings forwarding(std::vector<std::string> forwarders) {
        ResolverSettings s = test_settings();
        ForwardZone f;
        f.zone = dns::Name();
        f.policy = ForwardPolicy::only;
        for (const auto& a : forwarders)
            f.forwarders.push_back({*dns::IpAddress::parse(a), 53});
        s.forward_zones.push_back(f);
        return s;
    }
    std::unique_ptr<ResolverContext> context(const ResolverSettings& s) {
        auto ctx = std::make_unique<ResolverContext>(s, net.clock);
        ctx->set_log_sink(
            [this](const LogLine& line) { logged.push_back(std::string(line.category) + ": " + line.text); });
        return ctx;
    }
    // A Resolution that has sent its first query and waits (its fetch holds a slot until it ends).
    static std::unique_ptr<Resolution> hold(ResolverContext& ctx, const std::string& name) {
        auto r = std::make_unique<Resolution>(ctx, ClientQuestion{dns::Name::from_text(name), RRType::A});
        UpstreamQuery q;
        EXPECT_TRUE(r->produce(q));
        return r;
    }
    Network net;
    std::vector<std::string> logged;
};

TEST_F(FetchQuota, ZoneQuotaFailAnswersServfailAtOnceAndLogsAsBind) {
    ResolverSettings s = forwarding({"10.5.0.1"});
    s.limits.fetches_per_zone = 1;
    s.limits.zone_quota_response = QuotaResponse::fail;
    auto ctx = context(s);
    auto first = hold(*ctx, "www.example.com.");
    EXPECT_EQ(ctx->fetch_limiter().fetches(dns::Name()), 1u);

    net.clear_log();
    const Outcome spilled = net.resolve(*ctx, "www.other.com.", RRType::A);
    EXPECT_TRUE(net.sent().empty()) << net.log_text();  // nothing asked upstream
    EXPECT_EQ(spilled.took, 0);
    EXPECT_EQ(spilled.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_FALSE(spilled.outcome.dropped);
    ASSERT_TRUE(spilled.ede());
    EXPECT_EQ(spilled.ede()->extra_text, "fetches-per-zone limit (1) reached for .");
    EXPECT_EQ(logged,
              (std::vector<std::string>{"spill: too many simultaneous fetches for . (allowed 1 spilled 1)"}));

    // Spilling again within the minute is counted, not logged; after it, logged with the running totals.
    net.resolve(*ctx, "mx.other.com.", RRType::A);
    EXPECT_EQ(logged.size(), 1u);
    net.clock.advance(61000);
    net.resolve(*ctx, "ns1.other.com.", RRType::A);
    ASSERT_EQ(logged.size(), 2u);
    EXPECT_EQ(logged[1], "spill: too many simultaneous fetches for . (allowed 1 spilled 3)");
    const StatsSnapshot stats = ctx->stats();
    EXPECT_EQ(stats.value(Counter::zone_quota), 3u);
    EXPECT_EQ(stats.value(Counter::quota_drops), 0u);
    EXPECT_EQ(stats.servfail_by_ede[0], 3u);

    // The last fetch of the zone ends: BIND's closing line, and the counter is gone.
    first.reset();
    ASSERT_EQ(logged.size(), 3u);
    EXPECT_EQ(
        logged[2],
        "spill: fetch counters for . now being discarded (allowed 1 spilled 3; cumulative since initial "
        "trigger event)");
    EXPECT_EQ(ctx->fetch_limiter().fetches(dns::Name()), 0u);

    // A spilled fetch is not a cached failure (servfail-ttl): the name resolves as soon as there is room.
    const Outcome later = net.resolve(*ctx, "www.other.com.", RRType::A);
    EXPECT_EQ(later.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(later.answer(), (std::vector<std::string>{"www.other.com. 300 A 192.0.2.2"}));
}

TEST_F(FetchQuota, ZoneQuotaDropLeavesTheClientWithoutAnAnswer) {
    ResolverSettings s = forwarding({"10.5.0.1"});
    s.limits.fetches_per_zone = 1;  // BIND's default response for the zone quota: drop
    ASSERT_EQ(s.limits.zone_quota_response, QuotaResponse::drop);
    auto ctx = context(s);
    auto first = hold(*ctx, "www.example.com.");
    const Outcome spilled = net.resolve(*ctx, "www.other.com.", RRType::A);
    EXPECT_TRUE(spilled.outcome.dropped);
    const StatsSnapshot stats = ctx->stats();
    EXPECT_EQ(stats.value(Counter::zone_quota), 1u);
    EXPECT_EQ(stats.value(Counter::quota_drops), 1u);
    EXPECT_EQ(stats.value(Counter::servfail), 0u);  // a drop is no SERVFAIL
}

TEST_F(FetchQuota, ZoneQuotaCountsPerZoneCut) {
    ResolverSettings s = test_settings();
    s.limits.fetches_per_zone = 1;
    s.limits.zone_quota_response = QuotaResponse::fail;
    auto ctx = context(s);
    // Learn the delegations of com., example.com. and other.com.
    ASSERT_EQ(net.resolve(*ctx, "www.example.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    ASSERT_EQ(net.resolve(*ctx, "www.other.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(ctx->fetch_limiter().fetches(dns::Name()), 0u);  // every fetch gave its slot back

    auto held = hold(*ctx, "mail.example.com.");
    EXPECT_EQ(ctx->fetch_limiter().fetches(dns::Name::from_text("example.com.")), 1u);
    // Another zone has room; the same zone does not.
    EXPECT_EQ(net.resolve(*ctx, "mx.other.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    const Outcome spilled = net.resolve(*ctx, "inzone.example.com.", RRType::A);
    EXPECT_EQ(spilled.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(spilled.ede()->extra_text, "fetches-per-zone limit (1) reached for example.com");
}

TEST_F(FetchQuota, AFetchFollowingAReferralMovesToTheNewZone) {
    ResolverSettings s = test_settings();
    s.limits.fetches_per_zone = 1;
    auto ctx = context(s);
    ASSERT_EQ(net.resolve(*ctx, "www.other.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    // com. is known; example.com. is not: the fetch starts under com. and moves to example.com. with the
    // referral, even though it is over nobody's limit there (BIND's forced fcount_incr).
    bool moved = false;
    net.server("10.1.0.1").script = [&](const dns::Message&,
                                        const UpstreamQuery&) -> std::optional<ScriptReply> {
        moved = ctx->fetch_limiter().fetches(dns::Name::from_text("example.com.")) == 1 &&
                ctx->fetch_limiter().fetches(dns::Name::from_text("com.")) == 0;
        return std::nullopt;
    };
    net.server("10.1.0.2").script = net.server("10.1.0.1").script;
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_TRUE(moved);
    EXPECT_TRUE(logged.empty());
}

TEST_F(FetchQuota, ServerQuotaPassesOverABusyServerThenFails) {
    ResolverSettings s = forwarding({"10.5.0.1", "10.5.0.2"});
    s.limits.fetches_per_server = 1;  // BIND's default response for the server quota: fail
    auto ctx = context(s);
    auto first = hold(*ctx, "www.example.com.");
    net.clear_log();
    // The second finds one forwarder busy and asks the other.
    auto second = hold(*ctx, "www.other.com.");
    EXPECT_FALSE(second->done());
    // The third finds both busy: SERVFAIL at once, counted as BIND's ServerQuota.
    const Outcome r = net.resolve(*ctx, "mx.other.com.", RRType::A);
    EXPECT_TRUE(net.sent().empty()) << net.log_text();
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_FALSE(r.outcome.dropped);
    EXPECT_EQ(r.ede()->extra_text, "fetches-per-server limit (1) reached for every server of .");
    EXPECT_EQ(ctx->stats().value(Counter::server_quota), 1u);
    EXPECT_EQ(ctx->stats().value(Counter::zone_quota), 0u);
    // Queries that end give their slot back.
    first.reset();
    EXPECT_EQ(net.resolve(*ctx, "mx.other.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
}

TEST_F(FetchQuota, ServerQuotaDrop) {
    ResolverSettings s = forwarding({"10.5.0.1"});
    s.limits.fetches_per_server = 1;
    s.limits.server_quota_response = QuotaResponse::drop;
    auto ctx = context(s);
    auto first = hold(*ctx, "www.example.com.");
    const Outcome r = net.resolve(*ctx, "www.other.com.", RRType::A);
    EXPECT_TRUE(r.outcome.dropped);
    EXPECT_EQ(ctx->stats().value(Counter::server_quota), 1u);
    EXPECT_EQ(ctx->stats().value(Counter::quota_drops), 1u);
}

TEST_F(FetchQuota, NoLimitCountsNothing) {
    auto ctx = context(forwarding({"10.5.0.1"}));
    auto first = hold(*ctx, "www.example.com.");
    EXPECT_EQ(ctx->fetch_limiter().fetches(dns::Name()), 0u);
    EXPECT_EQ(net.resolve(*ctx, "www.other.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
}

}  // namespace
}  // namespace cairn::resolver::testing
