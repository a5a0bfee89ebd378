// Servers that fail, lie or attack, on the replay harness: lame and refusing servers beside good ones,
// truncation (TCP), servers without EDNS, dead authorities (EDE 22 naming the servers), unreachable ones
// (EDE 23), upward referrals (EDE 20), loops, the NXNS amplification, poisoning attempts and spoofed replies.
#include <gtest/gtest.h>

#include "hierarchy.hpp"
#include "resolver/cache.hpp"
#include "resolver/infra_cache.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

class Failures : public ::testing::Test {
  protected:
    void SetUp() override { build_hierarchy(net); }
    std::unique_ptr<ResolverContext> context(ResolverSettings s = test_settings()) {
        return std::make_unique<ResolverContext>(std::move(s), net.clock);
    }
    std::size_t sent_to(const std::string& server) const {
        return net.count_sent([&](const SentQuery& q) { return q.server == server; });
    }
    Network net;
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST_F(Failures, LameServerBesideAGoodOneIsRememberedAndAvoided) {
    // 10.1.0.1 does not serve example.com at all (REFUSED, as a server without the zone).
    net.server("10.1.0.1").zones.clear();
    net.server("10.1.0.1").script = [](const dns::Message& q,
                                       const UpstreamQuery&) -> std::optional<ScriptReply> {
        return ScriptReply::of(reply_to(q, dns::Rcode::REFUSED, false));
    };
    auto ctx = context();
    for (int i = 0; i < 4; ++i) {
        const Outcome r = net.resolve(*ctx, "n" + std::to_string(i) + ".example.com.", RRType::A);
        EXPECT_EQ(r.message.rcode(), dns::Rcode::NXDOMAIN) << net.log_text();
    }
    // Asked at most once: the infrastructure cache remembers it is lame for example.com.
    EXPECT_LE(sent_to("10.1.0.1"), 1u) << net.log_text();
    EXPECT_TRUE(ctx->infra().lame({*dns::IpAddress::parse("10.1.0.1"), 53},
                                  dns::Name::from_text("example.com."), net.clock.now()));
}

TEST_F(Failures, TruncatedReplyIsAskedAgainOverTcp) {
    net.server("10.1.0.1").udp_limit = 60;
    net.server("10.1.0.2").udp_limit = 60;
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.answer().size(), 2u) << net.log_text();
    ASSERT_GE(net.sent().size(), 2u);
    const SentQuery& last = net.sent().back();
    const SentQuery& before = net.sent()[net.sent().size() - 2];
    EXPECT_TRUE(last.tcp);
    EXPECT_FALSE(before.tcp);
    EXPECT_EQ(last.server, before.server);
    EXPECT_EQ(ctx->stats().value(Counter::upstream_tcp), 1u);
}

TEST_F(Failures, ServerWithoutEdnsGetsPlainQueriesAndIsRemembered) {
    net.server("10.1.0.1").no_edns = true;
    net.server("10.1.0.2").no_edns = true;
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.answer().size(), 2u) << net.log_text();
    const SentQuery& last = net.sent().back();
    EXPECT_FALSE(last.edns);
    EXPECT_TRUE(net.sent()[net.sent().size() - 2].edns);
    // The next query to that server goes without EDNS at once.
    net.clear_log();
    net.resolve(*ctx, last.server == "10.1.0.1" ? "nope.example.com." : "nope2.example.com.", RRType::A);
    for (const auto& q : net.sent()) {
        if (q.server == last.server) {
            EXPECT_FALSE(q.edns) << net.log_text();
        }
    }
}

TEST_F(Failures, DeadAuthoritiesGiveEde22NamingEveryServer) {
    net.server("10.1.0.1").down = true;
    net.server("10.1.0.2").script = [](const dns::Message& q,
                                       const UpstreamQuery&) -> std::optional<ScriptReply> {
        return ScriptReply::of(reply_to(q, dns::Rcode::REFUSED, false));
    };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    const auto ede = r.ede();
    ASSERT_TRUE(ede);
    EXPECT_EQ(ede->info_code, 22);
    EXPECT_EQ(ede->extra_text,
              "no reachable authority for example.com: 10.1.0.1 timed out x3, 10.1.0.2 REFUSED")
        << net.log_text();
    EXPECT_LE(r.took, 10000);  // within resolver-query-timeout
    EXPECT_EQ(ctx->stats().servfail_by_ede[22], 1u);
}

TEST_F(Failures, ResolverQueryTimeoutEndsAResolutionWithTheServersSoFar) {
    auto s = test_settings();
    s.resolver_query_timeout_ms = 2000;
    net.server("10.1.0.1").down = true;
    net.server("10.1.0.2").down = true;
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(r.took, 2000);
    ASSERT_TRUE(r.ede());
    EXPECT_EQ(r.ede()->info_code, 22);
    EXPECT_TRUE(contains(r.ede()->extra_text, "resolver-query-timeout")) << r.ede()->extra_text;
    EXPECT_TRUE(contains(r.ede()->extra_text, "10.1.0.1 timed out")) << r.ede()->extra_text;
}

TEST_F(Failures, UnreachableServersAreNoReachableAuthority) {
    // Stopped servers on a live host: ICMP port unreachable at once (ECONNREFUSED), no retries.
    for (const char* a : {"10.1.0.1", "10.1.0.2"})
        net.server(a).script = [](const dns::Message&, const UpstreamQuery&) -> std::optional<ScriptReply> {
            return ScriptReply::unreachable();
        };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    ASSERT_TRUE(r.ede());
    EXPECT_EQ(r.ede()->info_code, 22);
    EXPECT_EQ(r.ede()->extra_text,
              "no reachable authority for example.com: 10.1.0.1 unreachable, 10.1.0.2 unreachable");
    EXPECT_LE(r.took, 100);
}

TEST_F(Failures, BrokenConnectionsGiveEde23) {
    for (const char* a : {"10.1.0.1", "10.1.0.2"}) {
        net.server(a).udp_limit = 60;  // TC: then TCP, which breaks
        net.server(a).script = [](const dns::Message&, const UpstreamQuery& q) -> std::optional<ScriptReply> {
            if (q.transport == UpstreamTransport::tcp) return ScriptReply::reset();
            return std::nullopt;
        };
    }
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    ASSERT_TRUE(r.ede()) << net.log_text();
    EXPECT_EQ(r.ede()->info_code, 23);
    EXPECT_EQ(r.ede()->extra_text,
              "network error reaching example.com: 10.1.0.1 connection lost over TCP, 10.1.0.2 connection "
              "lost over TCP");
}

TEST_F(Failures, UpwardReferralsAreLameAndGiveEde20) {
    // Both example.com servers answer with a referral back to com. (a classic lame delegation).
    for (const char* a : {"10.1.0.1", "10.1.0.2"})
        net.server(a).script = [](const dns::Message& q, const UpstreamQuery&) -> std::optional<ScriptReply> {
            dns::Message m = reply_to(q, dns::Rcode::NOERROR, false);
            m.authority.push_back(rr("com. 3600 NS ns1.com."));
            return ScriptReply::of(m);
        };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    ASSERT_TRUE(r.ede()) << net.log_text();
    EXPECT_EQ(r.ede()->info_code, 20);
    EXPECT_TRUE(contains(r.ede()->extra_text, "no authoritative server for example.com: 10.1.0.1 lame"))
        << r.ede()->extra_text;
}

TEST_F(Failures, FailureIsCachedForServfailTtlWithEde13) {
    net.server("10.1.0.1").down = true;
    net.server("10.1.0.2").down = true;
    auto s = test_settings();
    s.cache.servfail_ttl = 5;
    auto ctx = context(s);
    net.resolve(*ctx, "www.example.com.", RRType::A);
    net.clock.advance(2000);
    const auto [hit, message] = net.from_cache(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::failure);
    EXPECT_EQ(message.rcode(), dns::Rcode::SERVFAIL);
    ASSERT_TRUE(message.edns && message.edns->find(dns::EdnsOptionCode::EDE));
    const auto ede = dns::parse_ede(message.edns->find(dns::EdnsOptionCode::EDE)->data);
    EXPECT_EQ(ede->info_code, 13);
    EXPECT_TRUE(contains(ede->extra_text, "no reachable authority for example.com")) << ede->extra_text;
    EXPECT_TRUE(contains(ede->extra_text, "(cached 2024-01-01T")) << ede->extra_text;
    // Gone after servfail-ttl.
    net.clock.advance(4000);
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    const auto report = ctx->inspect(dns::Name::from_text("www.example.com."), RRType::A);
    ASSERT_FALSE(report.entries.empty());
    EXPECT_EQ(report.entries[0].kind, CacheReportEntry::Kind::failure);
    EXPECT_EQ(report.entries[0].ede_code, 22);
}

TEST_F(Failures, CnameLoopEndsInServfailQuickly) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "loop1.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    ASSERT_TRUE(r.ede());
    EXPECT_EQ(r.ede()->info_code, 24);
    EXPECT_TRUE(contains(r.ede()->extra_text, "CNAME loop")) << r.ede()->extra_text;
    EXPECT_LE(net.sent().size(), 8u) << net.log_text();
}

TEST_F(Failures, CnameLoopServedOneLinkPerReplyEndsInServfail) {
    // A server that answers each name with its CNAME alone (no target data, no SOA).
    for (const char* a : {"10.1.0.1", "10.1.0.2"})
        net.server(a).script = [](const dns::Message& q, const UpstreamQuery&) -> std::optional<ScriptReply> {
            const std::string name = q.questions[0].name.to_text();
            if (name != "loop1.example.com." && name != "loop2.example.com.") return std::nullopt;
            dns::Message m = reply_to(q);
            m.answer.push_back(rr(name + " 60 CNAME " + (name == "loop1.example.com." ? "loop2" : "loop1") +
                                  ".example.com."));
            return ScriptReply::of(m);
        };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "loop1.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL) << net.log_text();
    ASSERT_TRUE(r.ede());
    EXPECT_EQ(r.ede()->info_code, 24);
    EXPECT_EQ(r.ede()->extra_text, "CNAME loop at loop1.example.com.");
    EXPECT_LE(net.sent().size(), 8u) << net.log_text();
}

TEST_F(Failures, EndlessCnameChainAcrossZonesIsBoundedByTheRestartLimit) {
    // chain1.com and chain2.com point into each other with a new name every time: an endless chain.
    auto com = com_zone();
    com.lines.push_back("chain1 172800 NS ns.chain1");
    com.lines.push_back("chain2 172800 NS ns.chain1");
    com.lines.push_back("ns.chain1 172800 A 10.9.0.1");
    net.replace_zone("10.0.1.1", com);
    net.server("10.9.0.1").script = [](const dns::Message& q,
                                       const UpstreamQuery&) -> std::optional<ScriptReply> {
        dns::Message m = reply_to(q);
        const dns::Name name = q.questions[0].name;
        const bool in_one = name.is_subdomain_of(dns::Name::from_text("chain1.com."));
        const std::string next =
            "x" + std::string(name.label(0)) + (in_one ? ".chain2.com." : ".chain1.com.");
        m.answer.push_back(rr(name.to_text() + " 60 CNAME " + next));
        return ScriptReply::of(m);
    };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "a.chain1.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL) << net.log_text();
    ASSERT_TRUE(r.ede());
    EXPECT_TRUE(contains(r.ede()->extra_text, "max-query-restarts (11)")) << r.ede()->extra_text;
    EXPECT_LE(net.count_sent([](const SentQuery& q) { return q.server == "10.9.0.1"; }), 13u);
}

TEST_F(Failures, ReferralLoopBetweenGluelessZonesEndsQuickly) {
    // loopa.com is served by ns.loopb.com and loopb.com by ns.loopa.com, no glue anywhere.
    auto com = com_zone();
    com.lines.push_back("loopa 172800 NS ns.loopb.com.");
    com.lines.push_back("loopb 172800 NS ns.loopa.com.");
    net.replace_zone("10.0.1.1", com);
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.loopa.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_LE(net.sent().size(), 20u) << net.log_text();
    ASSERT_TRUE(r.ede());
    EXPECT_TRUE(contains(r.ede()->extra_text, "loopa.com")) << r.ede()->extra_text;
}

TEST_F(Failures, NxnsReferralSendsABoundedNumberOfQueries) {
    // attacker.com refers every query to 100 glueless name servers in the victim's zone, all NXDOMAIN.
    auto com = com_zone();
    com.lines.push_back("attacker 172800 NS ns.attacker");
    com.lines.push_back("ns.attacker 172800 A 10.6.6.6");
    com.lines.push_back("victim 172800 NS ns.victim");
    com.lines.push_back("ns.victim 172800 A 10.7.7.7");
    net.replace_zone("10.0.1.1", com);
    net.serve("10.7.7.7",
              {{"victim.com.",
                {"@ 3600 SOA ns hostmaster 1 3600 900 604800 300", "@ 3600 NS ns", "ns 3600 A 10.7.7.7"}}});
    net.server("10.6.6.6").script = [](const dns::Message& q,
                                       const UpstreamQuery&) -> std::optional<ScriptReply> {
        dns::Message m = reply_to(q, dns::Rcode::NOERROR, false);
        for (int i = 0; i < 100; ++i)
            m.authority.push_back(
                rr(q.questions[0].name.to_text() + " 3600 NS n" + std::to_string(i) + ".victim.com."));
        return ScriptReply::of(m);
    };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "x.attacker.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    const std::size_t to_victim = net.count_sent([](const SentQuery& q) { return q.server == "10.7.7.7"; });
    EXPECT_LE(to_victim, 5u) << net.log_text();
    EXPECT_LE(net.sent().size(), 20u) << net.log_text();
}

TEST_F(Failures, OutOfBailiwickRecordsAreNeitherUsedNorCached) {
    // The example.com servers try to poison other.com and com. through every section.
    for (const char* a : {"10.1.0.1", "10.1.0.2"})
        net.server(a).script = [](const dns::Message& q, const UpstreamQuery&) -> std::optional<ScriptReply> {
            if (!(q.questions[0].name == dns::Name::from_text("www.example.com."))) return std::nullopt;
            dns::Message m = reply_to(q);
            m.answer.push_back(rr("www.example.com. 300 CNAME www.other.com."));
            m.answer.push_back(rr("www.other.com. 300 A 6.6.6.6"));
            m.authority.push_back(rr("com. 300 NS ns.evil.net."));
            m.authority.push_back(rr("other.com. 300 NS ns.evil.net."));
            m.additional.push_back(rr("ns.evil.net. 300 A 6.6.6.7"));
            m.additional.push_back(rr("ns1.other.com. 300 A 6.6.6.8"));
            return ScriptReply::of(m);
        };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    // The CNAME is the zone's to say; www.other.com is asked of other.com's real server.
    EXPECT_EQ(r.answer(), (std::vector<std::string>{"www.example.com. 300 CNAME www.other.com.",
                                                    "www.other.com. 300 A 192.0.2.2"}))
        << net.log_text();
    EXPECT_EQ(net.count_sent([](const SentQuery& q) { return q.server == "10.1.1.1"; }), 1u);
    EXPECT_TRUE(ctx->inspect(dns::Name::from_text("ns.evil.net.")).entries.empty());
    const auto ns1 = ctx->inspect(dns::Name::from_text("ns1.other.com."), RRType::A);
    ASSERT_EQ(ns1.entries.size(), 1u);
    EXPECT_EQ(ns1.entries[0].records, std::vector<std::string>{"ns1.other.com. 172800 IN A 10.1.1.1"});
    const auto com = ctx->inspect(dns::Name::from_text("com."), RRType::NS);
    ASSERT_EQ(com.entries.size(), 1u);
    EXPECT_EQ(com.entries[0].records.size(), 1u);
    EXPECT_EQ(com.entries[0].records[0], "com. 172800 IN NS ns1.com.");
}

TEST_F(Failures, RepliesToAnotherQuestionAreIgnored) {
    // A forged reply (right ID, wrong question) arrives first; the real one after it.
    net.server("10.1.0.1").script = net.server("10.1.0.2").script =
        [](const dns::Message& q, const UpstreamQuery&) -> std::optional<ScriptReply> {
        dns::Message forged = reply_to(q);
        forged.questions[0].name = dns::Name::from_text("evil.example.com.");
        forged.answer.push_back(rr("evil.example.com. 300 A 6.6.6.6"));
        forged.answer.push_back(rr("www.example.com. 300 A 6.6.6.6"));
        return ScriptReply::forged_then_real(forged);
    };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.answer().size(), 2u);
    EXPECT_EQ(r.answer()[0], "www.example.com. 300 A 192.0.2.1");
    EXPECT_GE(net.ignored_replies(), 1u);
}

TEST_F(Failures, ServerSelectionPrefersTheFasterServer) {
    net.server("10.1.0.1").latency = 200;
    net.server("10.1.0.2").latency = 5;
    auto ctx = context();
    for (int i = 0; i < 20; ++i)
        net.resolve(*ctx, "n" + std::to_string(i) + ".example.com.", RRType::A);
    // After both are measured, the fast one gets nearly everything (exploration keeps a few for the other).
    EXPECT_GE(sent_to("10.1.0.2"), 16u) << net.log_text();
    EXPECT_GE(sent_to("10.1.0.1"), 1u);
}

}  // namespace
}  // namespace cairn::resolver::testing
