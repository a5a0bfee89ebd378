// Forwarding (`forwarders`, `forward first|only`, per zone, an empty list to turn it off below) and
// static-stub zones on the replay harness.
#include <gtest/gtest.h>

#include "hierarchy.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

class Forwarding : public ::testing::Test {
  protected:
    void SetUp() override {
        build_hierarchy(net);
        // A recursive forwarder that knows everything (answers without AA).
        FakeServer& f = net.serve("10.5.0.1", {root_zone(), com_zone(), example_zone(), other_zone()});
        f.recursive = true;
    }
    std::unique_ptr<ResolverContext> context(ResolverSettings s) {
        return std::make_unique<ResolverContext>(std::move(s), net.clock);
    }
    static ForwardZone forward(const std::string& zone, ForwardPolicy policy, std::vector<std::string> to) {
        ForwardZone z;
        z.zone = dns::Name::from_text(zone);
        z.policy = policy;
        for (const auto& a : to)
            z.forwarders.push_back({*dns::IpAddress::parse(a), 53});
        return z;
    }
    Network net;
};

TEST_F(Forwarding, ForwardOnlySendsTheWholeQuestionWithRd) {
    auto s = test_settings();
    s.forward_zones.push_back(forward(".", ForwardPolicy::only, {"10.5.0.1"}));
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.answer().size(), 2u) << net.log_text();
    ASSERT_EQ(net.sent().size(), 1u) << net.log_text();
    EXPECT_EQ(net.sent()[0].text(), "10.5.0.1 www.example.com. A rd");
    const auto report = ctx->inspect(dns::Name::from_text("www.example.com."), RRType::A);
    ASSERT_EQ(report.entries.size(), 1u);
    EXPECT_EQ(report.entries[0].rank, "non-authoritative answer");
    EXPECT_EQ(report.entries[0].source->to_string(), "10.5.0.1");
}

TEST_F(Forwarding, ForwardOnlyFailsWhenTheForwardersDo) {
    auto s = test_settings();
    s.forward_zones.push_back(forward(".", ForwardPolicy::only, {"10.5.0.9"}));
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    ASSERT_TRUE(r.ede());
    EXPECT_EQ(r.ede()->info_code, 22);
    EXPECT_EQ(r.ede()->extra_text, "no reachable forwarder for .: 10.5.0.9 timed out x3");
    EXPECT_EQ(net.count_sent([](const SentQuery& q) { return q.server != "10.5.0.9"; }), 0u);
}

TEST_F(Forwarding, ForwardFirstIteratesWhenTheForwardersFail) {
    auto s = test_settings();
    s.forward_zones.push_back(forward(".", ForwardPolicy::first, {"10.5.0.9"}));
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.answer().size(), 2u) << net.log_text();
    EXPECT_EQ(net.sent().front().server, "10.5.0.9");
    EXPECT_EQ(net.sent().back().server.substr(0, 7), "10.1.0.");
}

TEST_F(Forwarding, ForwardZoneCoversItsNamesOnlyAndAnEmptyListTurnsItOff) {
    auto s = test_settings();
    s.forward_zones.push_back(forward("example.com.", ForwardPolicy::only, {"10.5.0.1"}));
    s.forward_zones.push_back(forward("deep.example.com.", ForwardPolicy::only, {}));
    auto ctx = context(s);
    net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(net.sent().back().text(), "10.5.0.1 www.example.com. A rd");
    net.clear_log();
    net.resolve(*ctx, "www.other.com.", RRType::A);
    EXPECT_EQ(net.count_sent([](const SentQuery& q) { return q.server == "10.5.0.1"; }), 0u)
        << net.log_text();
    net.clear_log();
    const Outcome r = net.resolve(*ctx, "a.b.c.deep.example.com.", RRType::A);
    EXPECT_EQ(r.answer().size(), 1u) << net.log_text();
    EXPECT_EQ(net.count_sent([](const SentQuery& q) { return q.server == "10.5.0.1"; }), 0u)
        << net.log_text();
}

TEST_F(Forwarding, NegativeAnswersFromAForwarderAreCached) {
    auto s = test_settings();
    s.forward_zones.push_back(forward(".", ForwardPolicy::only, {"10.5.0.1"}));
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "nope.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NXDOMAIN);
    EXPECT_EQ(net.from_cache(*ctx, "nope.example.com.", RRType::A).first.kind, CacheAnswer::Kind::negative);
}

TEST_F(Forwarding, StaticStubServersAreAskedInsteadOfTheDelegation) {
    // The stub server has its own (different) example.com.
    auto stub_zone = example_zone();
    stub_zone.lines.push_back("stubonly 300 A 192.0.2.200");
    net.serve("10.8.0.1", {stub_zone});
    auto s = test_settings();
    StaticStubZone stub;
    stub.zone = dns::Name::from_text("example.com.");
    stub.servers.push_back({*dns::IpAddress::parse("10.8.0.1"), 53});
    s.static_stubs.push_back(stub);
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "stubonly.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), std::vector<std::string>{"stubonly.example.com. 300 A 192.0.2.200"})
        << net.log_text();
    for (const auto& q : net.sent()) {
        EXPECT_EQ(q.server, "10.8.0.1") << net.log_text();
        EXPECT_FALSE(q.rd);
    }
}

}  // namespace
}  // namespace cairn::resolver::testing
