// What the driver relies on besides resolving: upstream query messages and coalescing keys, question keys,
// the root hints, fetch limits, housekeeping and the counters.
#include <gtest/gtest.h>

#include "hierarchy.hpp"
#include "resolver/cache.hpp"
#include "resolver/root_hints.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

TEST(DriverApi, UpstreamQueryWritesTheMessageAndKeysIgnoreCase) {
    UpstreamQuery q;
    q.server = {*dns::IpAddress::parse("192.0.2.1"), 53};
    q.qname = dns::Name::from_text("WWW.Example.COM.");
    q.qtype = RRType::AAAA;
    q.checking_disabled = true;
    std::vector<std::uint8_t> out(512);
    out.resize(q.write(0xABCD, out));
    const dns::Message m = dns::parse_message(out);
    EXPECT_EQ(m.header.id, 0xABCD);
    EXPECT_FALSE(m.header.qr);
    EXPECT_FALSE(m.header.rd);
    EXPECT_TRUE(m.header.cd);
    EXPECT_EQ(m.questions.at(0).name.to_text(), "WWW.Example.COM.");
    EXPECT_EQ(m.questions.at(0).type, RRType::AAAA);
    ASSERT_TRUE(m.edns);
    EXPECT_EQ(m.edns->udp_payload, 1232);
    EXPECT_TRUE(m.edns->dnssec_ok);

    UpstreamQuery same = q;
    same.qname = dns::Name::from_text("www.example.com.");
    EXPECT_EQ(q.key(), same.key());
    EXPECT_EQ(q.key().hash(), same.key().hash());
    same.transport = UpstreamTransport::tcp;
    EXPECT_FALSE(q.key() == same.key());

    q.edns = false;
    out.assign(512, 0);
    out.resize(q.write(1, out));
    EXPECT_FALSE(dns::parse_message(out).edns);
}

TEST(DriverApi, QuestionKeysCoalesceWhatGetsTheSameAnswer) {
    const auto a = make_query("WWW.example.com.", RRType::A);
    const auto b = make_query("www.EXAMPLE.com.", RRType::A);
    QueryOptions with_do;
    with_do.dnssec_ok = true;
    const auto c = make_query("www.example.com.", RRType::A, with_do);
    dns::ParsedQuery pa, pb, pc;
    dns::parse_query(a, pa);
    dns::parse_query(b, pb);
    dns::parse_query(c, pc);
    EXPECT_EQ(question_key(pa), question_key(pb));
    EXPECT_EQ(question_key(pa).hash(), question_key(pb).hash());
    EXPECT_FALSE(question_key(pa) == question_key(pc));
    EXPECT_EQ(question_key(pa), question_key(ClientQuestion::from_query(pa)));
}

TEST(DriverApi, RootHints) {
    const auto builtin = builtin_root_hints();
    ASSERT_EQ(builtin.size(), 13u);
    EXPECT_EQ(builtin[0].name.to_text(), "a.root-servers.net.");
    EXPECT_EQ(builtin[0].addresses.at(0).to_string(), "198.41.0.4");
    const auto hints = root_hints_from_records(
        {rr(". 3600000 NS A.ROOT-SERVERS.NET."), rr(". 3600000 NS b.root-servers.net."),
         rr("a.root-servers.net. 3600000 A 198.41.0.4"),
         rr("a.root-servers.net. 3600000 AAAA 2001:503:ba3e::2:30"), rr("example.com. 300 A 192.0.2.1")});
    ASSERT_EQ(hints.size(), 2u);
    EXPECT_EQ(hints[0].addresses.size(), 2u);
    EXPECT_TRUE(hints[1].addresses.empty());
    // An empty list in the settings means the built-in hints.
    FakeClock clock;
    ResolverContext ctx(ResolverSettings{}, clock);
    EXPECT_EQ(ctx.root_hints().size(), 13u);
}

TEST(DriverApi, FetchesPerServerLimitsQueriesInFlight) {
    Network net;
    build_hierarchy(net);
    net.serve("10.5.0.1", {root_zone(), com_zone(), example_zone()}).recursive = true;
    auto s = test_settings();
    ForwardZone f;
    f.zone = dns::Name();
    f.policy = ForwardPolicy::only;
    f.forwarders.push_back({*dns::IpAddress::parse("10.5.0.1"), 53});
    s.forward_zones.push_back(f);
    s.limits.fetches_per_server = 1;
    ResolverContext ctx(s, net.clock);
    ClientQuestion q1{dns::Name::from_text("www.example.com."), RRType::A};
    ClientQuestion q2{dns::Name::from_text("ns1.example.com."), RRType::A};
    auto first = std::make_unique<Resolution>(ctx, q1);
    UpstreamQuery sent;
    ASSERT_TRUE(first->produce(sent));
    Resolution second(ctx, q2);  // the forwarder already has one query from us in flight
    UpstreamQuery none;
    EXPECT_FALSE(second.produce(none));
    ASSERT_TRUE(second.done());
    EXPECT_EQ(second.outcome().rcode, dns::Rcode::SERVFAIL);
    EXPECT_EQ(second.outcome().ede_text, "fetches-per-server limit (1) reached for every server of .");
    EXPECT_FALSE(second.outcome().dropped);  // fetches-per-server's default response is fail (BIND)
    first.reset();  // a Resolution dropped with queries in flight gives their slots back
    Resolution third(ctx, ClientQuestion{dns::Name::from_text("ns2.example.com."), RRType::A});
    EXPECT_TRUE(third.produce(none));
}

TEST(DriverApi, MaintenanceDropsWhatOutlivedItsStaleWindow) {
    Network net;
    build_hierarchy(net);
    ResolverContext ctx(test_settings(), net.clock);
    net.resolve(ctx, "www.example.com.", RRType::A);
    const auto before = ctx.stats();
    EXPECT_GT(before.cache_entries, 5u);
    EXPECT_EQ(before.value(Counter::upstream_queries), 4u);
    EXPECT_EQ(before.value(Counter::resolutions), 1u);
    EXPECT_EQ(before.rtt_histogram[2], 4u);  // 5 ms replies: the (2, 5] ms bucket
    net.clock.advance(301000);               // www.example.com's 300 s are over; the delegations live on
    ctx.maintenance();
    const auto after = ctx.stats();
    EXPECT_EQ(after.cache_entries, before.cache_entries - 1);
    EXPECT_TRUE(ctx.inspect(dns::Name::from_text("www.example.com."), RRType::A).entries.empty());
}

}  // namespace
}  // namespace cairn::resolver::testing
