#include "auth/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "auth/zone_lookup.hpp"
#include "auth_test_util.hpp"
#include "dns/tsig.hpp"

using namespace cairn;
using namespace cairn::auth;
using namespace cairn::auth::testing;
using dns::Rcode;
using dns::RRType;
using dns::Section;
using Lines = std::vector<std::string>;

namespace {

std::shared_ptr<const zone::Zone> example_zone() {
    return zone_from(
        "example.",
        {
            "@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300",
            "@ 3600 NS ns1",
            "@ 3600 NS ns2.example.net.",
            "@ 3600 MX 10 mail",
            "ns1 3600 A 192.0.2.1",
            "ns1 3600 AAAA 2001:db8::1",
            "mail 3600 A 192.0.2.2",
            "www 300 A 192.0.2.3",
            "www 300 TXT \"hello\"",
            "cname 300 CNAME www",
            "chain1 300 CNAME chain2",
            "chain2 300 CNAME www",
            "loop1 300 CNAME loop2",
            "loop2 300 CNAME loop1",
            "ext 300 CNAME www.example.net.",
            "dangling 300 CNAME nothere",
            "*.wild 300 A 192.0.2.4",
            "x.wild 300 A 192.0.2.5",
            "*.wcname 300 CNAME www",
            "a.b.ent 300 A 192.0.2.6",
            "sub 3600 NS ns.sub",
            "sub 3600 NS ns.sub2",
            "sub 3600 DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ns.sub 3600 A 192.0.2.7",
            "sub2 3600 NS ns.sub2",
            "ns.sub2 3600 A 192.0.2.8",
            "d 600 DNAME target.example.net.",
            "dn 600 DNAME dtarget",
            "host.dtarget 300 A 192.0.2.9",
            "_sip._tcp 300 SRV 0 5 5060 sip",
            "sip 300 AAAA 2001:db8::2",
            "long 600 DNAME " + std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                std::string(60, 'c') + ".net.",
        });
}

class EngineTest : public ::testing::Test {
  protected:
    EngineTest() : engine_(settings()), zones_({example_zone()}) {}
    static Settings settings() {
        Settings s;
        s.cookie_secret = {0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
                           0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};
        s.version_bind = "cairn test";
        return s;
    }
    Exchange ask(const std::string& name, RRType type, const QueryOptions& o = {},
                 Transport t = Transport::udp) {
        return exchange(engine_, zones_, make_query(name, type, o), t);
    }
    Engine engine_;
    zone::ZoneTable zones_;
};

}  // namespace

TEST_F(EngineTest, ExactMatchIsAuthoritativeAndEchoesTheQuestion) {
    QueryOptions o;
    o.cd = true;
    const auto e = ask("WwW.Example.", RRType::A, o);
    const auto& h = e.message.header;
    EXPECT_EQ(e.result.action, Action::send);
    EXPECT_EQ(h.id, 0x1234);
    EXPECT_TRUE(h.qr);
    EXPECT_TRUE(h.aa);
    EXPECT_TRUE(h.rd);
    EXPECT_TRUE(h.cd);
    EXPECT_FALSE(h.ra);
    EXPECT_FALSE(h.tc);
    EXPECT_EQ(e.message.rcode(), Rcode::NOERROR);
    ASSERT_EQ(e.message.questions.size(), 1u);
    EXPECT_EQ(e.message.questions[0].name.to_text(), "WwW.Example.");  // the query's case
    EXPECT_EQ(e.lines(Section::Answer), Lines{"WwW.Example. 300 A 192.0.2.3"});
    EXPECT_EQ(e.count(Section::Authority), 0u);
    EXPECT_EQ(e.count(Section::Additional), 0u);
    ASSERT_TRUE(e.message.edns.has_value());
    EXPECT_EQ(e.message.edns->udp_payload, 1232);
    EXPECT_EQ(e.result.rcode, Rcode::NOERROR);
    EXPECT_EQ(e.result.zone, zones_.zones()[0].get());
}

TEST_F(EngineTest, NodataAndNxdomainCarryTheSoaAtTheNegativeTtl) {
    const auto nodata = ask("www.example.", RRType::AAAA);
    EXPECT_EQ(nodata.message.rcode(), Rcode::NOERROR);
    EXPECT_TRUE(nodata.message.header.aa);
    EXPECT_EQ(nodata.count(Section::Answer), 0u);
    // min(SOA TTL 3600, MINIMUM 300), RFC 2308 §5
    EXPECT_EQ(nodata.lines(Section::Authority),
              Lines{"example. 300 SOA ns1.example. hostmaster.example. 1 7200 3600 1209600 300"});

    const auto nx = ask("nothere.Example.", RRType::A);
    EXPECT_EQ(nx.message.rcode(), Rcode::NXDOMAIN);
    EXPECT_TRUE(nx.message.header.aa);
    EXPECT_EQ(nx.count(Section::Answer), 0u);
    EXPECT_EQ(nx.lines(Section::Authority),
              Lines{"Example. 300 SOA ns1.Example. hostmaster.Example. 1 7200 3600 1209600 300"})
        << "rdata names are compressed against the owner as the query spelled it (RFC 4343: "
           "case-insensitive)";
    EXPECT_EQ(nx.result.rcode, Rcode::NXDOMAIN);
}

TEST_F(EngineTest, EmptyNonTerminalsAreNodataNotNxdomain) {
    const auto ent = ask("b.ent.example.", RRType::A);
    EXPECT_EQ(ent.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(ent.count(Section::Answer), 0u);
    EXPECT_EQ(ent.count(Section::Authority), 1u);
    EXPECT_EQ(ask("ent.example.", RRType::TXT).message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(ask("c.b.ent.example.", RRType::A).message.rcode(), Rcode::NXDOMAIN);
}

TEST_F(EngineTest, CnameChainsAreFollowedInsideTheZone) {
    const auto one = ask("cname.example.", RRType::A);
    EXPECT_EQ(one.lines(Section::Answer),
              (Lines{"cname.example. 300 CNAME www.example.", "www.example. 300 A 192.0.2.3"}));
    EXPECT_TRUE(one.message.header.aa);

    const auto chain = ask("chain1.example.", RRType::A);
    EXPECT_EQ(chain.lines(Section::Answer),
              (Lines{"chain1.example. 300 CNAME chain2.example.", "chain2.example. 300 CNAME www.example.",
                     "www.example. 300 A 192.0.2.3"}));

    // Asking for the CNAME itself does not follow it.
    EXPECT_EQ(ask("cname.example.", RRType::CNAME).lines(Section::Answer),
              Lines{"cname.example. 300 CNAME www.example."});

    // Out of zone: the CNAME alone, NOERROR.
    const auto ext = ask("ext.example.", RRType::A);
    EXPECT_EQ(ext.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(ext.lines(Section::Answer), Lines{"ext.example. 300 CNAME www.example.net."});
    EXPECT_EQ(ext.count(Section::Authority), 0u);

    // The rcode belongs to the last name of the chain (RFC 6604).
    const auto dangling = ask("dangling.example.", RRType::A);
    EXPECT_EQ(dangling.message.rcode(), Rcode::NXDOMAIN);
    EXPECT_EQ(dangling.lines(Section::Answer), Lines{"dangling.example. 300 CNAME nothere.example."});
    EXPECT_EQ(dangling.count(Section::Authority), 1u);
}

TEST_F(EngineTest, CnameLoopsStopAtTheBound) {
    const auto e = ask("loop1.example.", RRType::A);
    EXPECT_EQ(e.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(e.count(Section::Answer), static_cast<std::size_t>(ZoneLookup<false>::kMaxChain) + 1);
}

TEST_F(EngineTest, WildcardsSynthesizeWithTheQueryName) {
    const auto w = ask("Foo.Wild.example.", RRType::A);
    EXPECT_EQ(w.message.rcode(), Rcode::NOERROR);
    EXPECT_TRUE(w.message.header.aa);
    EXPECT_EQ(w.lines(Section::Answer), Lines{"Foo.Wild.example. 300 A 192.0.2.4"});
    // Deeper names match too (the closest encloser is wild.example.).
    EXPECT_EQ(ask("a.b.wild.example.", RRType::A).lines(Section::Answer),
              Lines{"a.b.wild.example. 300 A 192.0.2.4"});
    // An existing name is not overridden, and a wildcard does not apply below an existing name.
    EXPECT_EQ(ask("x.wild.example.", RRType::A).lines(Section::Answer),
              Lines{"x.wild.example. 300 A 192.0.2.5"});
    EXPECT_EQ(ask("y.x.wild.example.", RRType::A).message.rcode(), Rcode::NXDOMAIN);
    // Wildcard NODATA.
    const auto nodata = ask("foo.wild.example.", RRType::AAAA);
    EXPECT_EQ(nodata.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(nodata.count(Section::Answer), 0u);
    EXPECT_EQ(nodata.count(Section::Authority), 1u);
    // The wildcard's own name.
    EXPECT_EQ(ask("*.wild.example.", RRType::A).lines(Section::Answer),
              Lines{"*.wild.example. 300 A 192.0.2.4"});
    // A wildcard CNAME is followed.
    EXPECT_EQ(ask("any.wcname.example.", RRType::A).lines(Section::Answer),
              (Lines{"any.wcname.example. 300 CNAME www.example.", "www.example. 300 A 192.0.2.3"}));
}

TEST_F(EngineTest, DelegationsGiveReferralsWithGlue) {
    for (const char* name : {"host.sub.example.", "sub.example.", "deep.host.SUB.example."}) {
        const auto e = ask(name, RRType::A);
        EXPECT_EQ(e.message.rcode(), Rcode::NOERROR) << name;
        EXPECT_FALSE(e.message.header.aa) << name;
        EXPECT_EQ(e.count(Section::Answer), 0u) << name;
        ASSERT_EQ(e.count(Section::Authority), 2u) << name;
        EXPECT_EQ(e.message.authority[0].owner, dns::Name::from_text("sub.example."));
        EXPECT_EQ(e.message.authority[0].type, RRType::NS);
        // In-domain glue and the sibling delegation's glue.
        auto extra = e.lines(Section::Additional);
        for (auto& line : extra)
            std::transform(line.begin(), line.end(), line.begin(), ::tolower);
        EXPECT_EQ(extra, (Lines{"ns.sub.example. 3600 a 192.0.2.7", "ns.sub2.example. 3600 a 192.0.2.8"}))
            << name;
    }
    // NS at the cut is a referral too; glue of the delegation is never an authoritative answer.
    EXPECT_FALSE(ask("sub.example.", RRType::NS).message.header.aa);
    EXPECT_FALSE(ask("ns.sub.example.", RRType::A).message.header.aa);
}

TEST_F(EngineTest, DsIsAnsweredByTheParentAtTheCut) {
    const auto ds = ask("sub.example.", RRType::DS);
    EXPECT_TRUE(ds.message.header.aa);
    ASSERT_EQ(ds.count(Section::Answer), 1u);
    EXPECT_EQ(ds.message.answer[0].type, RRType::DS);
    const auto nods = ask("sub2.example.", RRType::DS);
    EXPECT_TRUE(nods.message.header.aa);
    EXPECT_EQ(nods.count(Section::Answer), 0u);
    EXPECT_EQ(nods.count(Section::Authority), 1u);
    EXPECT_EQ(nods.message.authority[0].type, RRType::SOA);
    // Below the cut DS is the child's business: referral.
    EXPECT_FALSE(ask("x.sub.example.", RRType::DS).message.header.aa);
}

TEST_F(EngineTest, DnameSynthesizesACname) {
    const auto e = ask("Foo.d.example.", RRType::A);
    EXPECT_EQ(e.message.rcode(), Rcode::NOERROR);
    EXPECT_TRUE(e.message.header.aa);
    EXPECT_EQ(e.lines(Section::Answer), (Lines{"d.example. 600 DNAME target.example.net.",
                                               "Foo.d.example. 600 CNAME Foo.target.example.net."}));
    // Inside the zone the synthesized target is looked up.
    EXPECT_EQ(
        ask("host.dn.example.", RRType::A).lines(Section::Answer),
        (Lines{"dn.example. 600 DNAME dtarget.example.", "host.dn.example. 600 CNAME host.dtarget.example.",
               "host.dtarget.example. 300 A 192.0.2.9"}));
    // The DNAME owner itself is not redirected.
    EXPECT_EQ(ask("d.example.", RRType::DNAME).count(Section::Answer), 1u);
    const auto owner_a = ask("d.example.", RRType::A);
    EXPECT_EQ(owner_a.count(Section::Answer), 0u);
    EXPECT_EQ(owner_a.message.rcode(), Rcode::NOERROR);
}

TEST_F(EngineTest, DnameOverflowIsYxdomain) {
    const std::string label(60, 'x');
    const auto e = ask(label + "." + label + ".long.example.", RRType::A);
    EXPECT_EQ(e.message.rcode(), Rcode::YXDOMAIN);
    EXPECT_EQ(e.count(Section::Answer), 1u);
    EXPECT_EQ(e.message.answer[0].type, RRType::DNAME);
}

TEST_F(EngineTest, AdditionalAddressesForNsMxSrv) {
    const auto ns = ask("example.", RRType::NS);
    EXPECT_TRUE(ns.message.header.aa);
    EXPECT_EQ(ns.count(Section::Answer), 2u);
    EXPECT_EQ(ns.lines(Section::Additional),
              (Lines{"ns1.example. 3600 A 192.0.2.1", "ns1.example. 3600 AAAA 2001:db8::1"}));
    EXPECT_EQ(ask("example.", RRType::MX).lines(Section::Additional),
              Lines{"mail.example. 3600 A 192.0.2.2"});
    EXPECT_EQ(ask("_sip._tcp.example.", RRType::SRV).lines(Section::Additional),
              Lines{"sip.example. 300 AAAA 2001:db8::2"});
}

TEST_F(EngineTest, NamesOutsideOurZonesAreRefusedWithEde) {
    const auto e = ask("www.example.org.", RRType::A);
    EXPECT_EQ(e.message.rcode(), Rcode::REFUSED);
    EXPECT_FALSE(e.message.header.aa);
    EXPECT_EQ(e.message.questions.size(), 1u);
    const auto* ede = e.option(dns::EdnsOptionCode::EDE);
    ASSERT_NE(ede, nullptr);
    EXPECT_EQ(ede->data, (std::vector<std::uint8_t>{0, 20}));
    // A class we do not serve.
    QueryOptions hs;
    hs.qclass = 4;
    EXPECT_EQ(ask("www.example.", RRType::A, hs).message.rcode(), Rcode::REFUSED);
}

TEST_F(EngineTest, MalformedQueriesGetFormerr) {
    auto q = make_query("www.example.", RRType::A);
    q.push_back(0);  // trailing octet
    auto e = exchange(engine_, zones_, q);
    EXPECT_EQ(e.message.rcode(), Rcode::FORMERR);
    EXPECT_EQ(e.message.header.id, 0x1234);
    EXPECT_EQ(e.message.questions.size(), 1u);

    auto cut = make_query("www.example.", RRType::A, without_edns());
    cut.resize(cut.size() - 3);
    e = exchange(engine_, zones_, cut);
    EXPECT_EQ(e.message.rcode(), Rcode::FORMERR);
    EXPECT_EQ(e.message.questions.size(), 0u);

    auto two = make_query("www.example.", RRType::A, without_edns());
    two[5] = 2;
    EXPECT_EQ(exchange(engine_, zones_, two).message.rcode(), Rcode::FORMERR);

    // No question and no cookie.
    QueryOptions empty;
    empty.question = false;
    EXPECT_EQ(ask("", RRType::A, empty).message.rcode(), Rcode::FORMERR);
    // Meta types that cannot be asked for.
    EXPECT_EQ(ask("www.example.", RRType::OPT).message.rcode(), Rcode::FORMERR);
}

TEST_F(EngineTest, ResponsesAndShortPacketsAreDropped) {
    QueryOptions o;
    o.qr = true;
    const auto e = ask("www.example.", RRType::A, o);
    EXPECT_EQ(e.result.size, 0u);
    EXPECT_EQ(e.result.action, Action::drop);
    const std::vector<std::uint8_t> tiny = {1, 2, 3};
    EXPECT_EQ(exchange(engine_, zones_, tiny).result.size, 0u);
}

TEST_F(EngineTest, UnknownOpcodesAreNotImplemented) {
    QueryOptions status;
    status.opcode = 2;
    const auto e = ask("www.example.", RRType::A, status);
    EXPECT_EQ(e.message.rcode(), Rcode::NOTIMP);
    EXPECT_EQ(static_cast<int>(e.message.header.opcode), 2);
    QueryOptions notify;
    notify.opcode = 4;
    const auto n = ask("example.", RRType::SOA, notify);
    EXPECT_EQ(n.result.action, Action::notify);
    EXPECT_EQ(n.message.rcode(), Rcode::NOTIMP);
}

TEST_F(EngineTest, EdnsNegotiation) {
    const auto plain = ask("www.example.", RRType::A, without_edns());
    EXPECT_FALSE(plain.message.edns.has_value());
    QueryOptions v1;
    v1.edns_version = 1;
    const auto bad = ask("www.example.", RRType::A, v1);
    EXPECT_EQ(bad.message.rcode(), Rcode::BADVERS);
    ASSERT_TRUE(bad.message.edns.has_value());
    EXPECT_EQ(bad.message.edns->version, 0);
    EXPECT_EQ(bad.count(Section::Answer), 0u);
    QueryOptions d;
    d.dnssec_ok = true;
    EXPECT_TRUE(ask("www.example.", RRType::A, d).message.edns->dnssec_ok);
}

TEST_F(EngineTest, TruncationNeverSplitsAnRRset) {
    std::vector<std::string> lines = {"@ 60 SOA ns h 1 2 3 4 5", "@ 60 NS ns"};
    for (int i = 0; i < 20; ++i)
        lines.push_back("big 60 TXT \"" + std::string(90, 'a' + i) + "\"");
    const zone::ZoneTable zones({zone_from("big.test.", lines)});
    const auto q = make_query("big.big.test.", RRType::TXT, without_edns());
    const auto udp = exchange(engine_, zones, q, Transport::udp);
    EXPECT_TRUE(udp.message.header.tc);
    EXPECT_EQ(udp.count(Section::Answer), 0u);
    EXPECT_LE(udp.wire.size(), 512u);
    const auto tcp = exchange(engine_, zones, q, Transport::tcp);
    EXPECT_FALSE(tcp.message.header.tc);
    EXPECT_EQ(tcp.count(Section::Answer), 20u);
    // The client's EDNS payload raises the UDP limit, capped by ours.
    QueryOptions big;
    big.udp_payload = 4096;
    const auto edns = exchange(engine_, zones, make_query("big.big.test.", RRType::TXT, big), Transport::udp);
    EXPECT_TRUE(edns.message.header.tc);
    EXPECT_LE(edns.wire.size(), 1232u);
    Settings s;
    s.max_udp_payload = 4096;
    const auto large =
        exchange(Engine(s), zones, make_query("big.big.test.", RRType::TXT, big), Transport::udp);
    EXPECT_FALSE(large.message.header.tc);
    EXPECT_EQ(large.count(Section::Answer), 20u);
    // A tiny caller buffer is respected too.
    const auto small = exchange(engine_, zones, q, Transport::tcp, 300);
    EXPECT_TRUE(small.message.header.tc);
}

TEST_F(EngineTest, AnyIsMinimalOverUdp) {
    const auto udp = ask("www.example.", RRType::ANY);
    EXPECT_EQ(udp.count(Section::Answer), 1u);
    EXPECT_TRUE(udp.message.header.aa);
    const auto tcp = ask("www.example.", RRType::ANY, {}, Transport::tcp);
    EXPECT_EQ(tcp.count(Section::Answer), 2u);
    EXPECT_EQ(ask("nothere.example.", RRType::ANY).message.rcode(), Rcode::NXDOMAIN);
}

TEST_F(EngineTest, TransfersAreHandedOff) {
    const auto axfr_udp = ask("example.", RRType::AXFR);
    EXPECT_EQ(axfr_udp.message.rcode(), Rcode::NOTIMP);  // Knot and NSD
    EXPECT_EQ(axfr_udp.result.action, Action::send);
    const auto axfr_tcp = ask("example.", RRType::AXFR, {}, Transport::tcp);
    EXPECT_EQ(axfr_tcp.result.action, Action::transfer);
    EXPECT_EQ(axfr_tcp.result.zone, zones_.zones()[0].get());
    EXPECT_EQ(axfr_tcp.message.rcode(), Rcode::REFUSED);
    // IXFR over UDP goes to the transfer module too (it may answer with the SOA); REFUSED stands in.
    const auto ixfr_udp = ask("example.", RRType::IXFR);
    EXPECT_EQ(ixfr_udp.result.action, Action::transfer);
    EXPECT_EQ(ixfr_udp.message.rcode(), Rcode::REFUSED);
    EXPECT_FALSE(ixfr_udp.message.header.aa);
    EXPECT_EQ(ask("www.example.org.", RRType::AXFR, {}, Transport::tcp).message.rcode(), Rcode::REFUSED);
}

// An IXFR request carries the client's SOA in authority (RFC 1995 §3): handed off, not FORMERR; any other
// query with an authority record still is.
TEST_F(EngineTest, IxfrWithSoaInAuthorityIsHandedOff) {
    auto with_soa_in_authority = [](std::vector<std::uint8_t> q) {
        const std::uint8_t soa[] = {0xC0, 0x0C, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, 0, 0, 0, 0, 0,
                                    1,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0};
        q.insert(q.end(), std::begin(soa), std::end(soa));
        q[9] = 1;  // NSCOUNT
        return q;
    };
    const auto ixfr =
        exchange(engine_, zones_, with_soa_in_authority(make_query("example.", RRType::IXFR, without_edns())),
                 Transport::tcp);
    EXPECT_EQ(ixfr.result.action, Action::transfer);
    EXPECT_EQ(ixfr.result.zone, zones_.zones()[0].get());
    const auto a = exchange(engine_, zones_,
                            with_soa_in_authority(make_query("www.example.", RRType::A, without_edns())),
                            Transport::tcp);
    EXPECT_EQ(a.message.rcode(), Rcode::FORMERR);
}

TEST_F(EngineTest, ChaosVersionBind) {
    QueryOptions ch;
    ch.qclass = 3;
    const auto v = ask("VERSION.BIND.", RRType::TXT, ch);
    EXPECT_EQ(v.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(v.lines(Section::Answer), Lines{"VERSION.BIND. 0 TXT \"cairn test\""});
    EXPECT_EQ(ask("id.server.", RRType::TXT, ch).message.rcode(), Rcode::REFUSED);  // not configured
    EXPECT_EQ(ask("foo.bind.", RRType::TXT, ch).message.rcode(), Rcode::REFUSED);
}

TEST_F(EngineTest, NsidWhenConfigured) {
    Settings s;
    s.nsid = {'n', 's', '1'};
    QueryOptions o;
    o.nsid = true;
    const auto e = exchange(Engine(s), zones_, make_query("www.example.", RRType::A, o));
    const auto* nsid = e.option(dns::EdnsOptionCode::NSID);
    ASSERT_NE(nsid, nullptr);
    EXPECT_EQ(nsid->data, (std::vector<std::uint8_t>{'n', 's', '1'}));
    EXPECT_EQ(ask("www.example.", RRType::A, o).option(dns::EdnsOptionCode::NSID), nullptr);
}

TEST_F(EngineTest, TcpKeepaliveIsAnnouncedOverTcpToClientsThatAsk) {
    Settings s;
    s.tcp_advertised_timeout = 450;
    const Engine engine(s);
    QueryOptions o;
    o.tcp_keepalive = true;
    const auto tcp = exchange(engine, zones_, make_query("www.example.", RRType::A, o), Transport::tcp);
    EXPECT_TRUE(tcp.result.tcp_keepalive);
    const auto* keepalive = tcp.option(dns::EdnsOptionCode::TCP_KEEPALIVE);
    ASSERT_NE(keepalive, nullptr);
    EXPECT_EQ(keepalive->data, (std::vector<std::uint8_t>{0x01, 0xC2}));  // 45 seconds in tenths
    // RFC 7828 §3.3.2: never over UDP, never unasked.
    EXPECT_EQ(exchange(engine, zones_, make_query("www.example.", RRType::A, o))
                  .option(dns::EdnsOptionCode::TCP_KEEPALIVE),
              nullptr);
    const auto unasked = exchange(engine, zones_, make_query("www.example.", RRType::A), Transport::tcp);
    EXPECT_EQ(unasked.option(dns::EdnsOptionCode::TCP_KEEPALIVE), nullptr);
    EXPECT_FALSE(unasked.result.tcp_keepalive);
}

TEST_F(EngineTest, WildcardAnswersAndValidCookiesAreReportedForRateLimiting) {
    EXPECT_FALSE(ask("www.example.", RRType::A).result.wildcard);
    EXPECT_TRUE(ask("anything.wild.example.", RRType::A).result.wildcard);
    EXPECT_TRUE(ask("anything.wild.example.", RRType::MX).result.wildcard);  // NODATA from the wildcard
    EXPECT_FALSE(ask("nothing.example.", RRType::A).result.wildcard);
    QueryOptions o;
    o.cookie = {1, 2, 3, 4, 5, 6, 7, 8};
    const auto first = ask("www.example.", RRType::A, o);
    EXPECT_FALSE(first.result.cookie_valid);  // a client cookie alone proves nothing
    const auto* cookie = first.option(dns::EdnsOptionCode::COOKIE);
    ASSERT_NE(cookie, nullptr);
    o.cookie = cookie->data;
    EXPECT_TRUE(ask("www.example.", RRType::A, o).result.cookie_valid);
}

TEST_F(EngineTest, DsAtAChildApexIsAnsweredByTheParentZone) {
    const auto child =
        zone_from("sub.example.", {"@ 60 SOA ns h 1 2 3 4 5", "@ 60 NS ns", "ns 60 A 192.0.2.99"});
    const zone::ZoneTable both({example_zone(), child});
    const auto ds = exchange(engine_, both, make_query("sub.example.", RRType::DS));
    EXPECT_TRUE(ds.message.header.aa);
    ASSERT_EQ(ds.count(Section::Answer), 1u);
    EXPECT_EQ(ds.message.answer[0].type, RRType::DS);
    // Everything else at the child apex comes from the child.
    const auto ns = exchange(engine_, both, make_query("sub.example.", RRType::NS));
    EXPECT_TRUE(ns.message.header.aa);
    EXPECT_EQ(ns.lines(Section::Answer), Lines{"sub.example. 60 NS ns.sub.example."});
}

TEST_F(EngineTest, SmallBuffersAreNeverOverrun) {
    // A question longer than the buffer, in a malformed query: the FORMERR goes without the question.
    const std::string label(60, 'q');
    auto q = make_query(label + "." + label + ".example.", RRType::A);
    q.push_back(0);
    const auto e = exchange(engine_, zones_, q, Transport::udp, 100);
    EXPECT_EQ(e.message.rcode(), Rcode::FORMERR);
    EXPECT_EQ(e.message.questions.size(), 0u);
    EXPECT_LE(e.wire.size(), 100u);
    // Too small even for a header: dropped.
    EXPECT_EQ(
        exchange(engine_, zones_, make_query("www.example.", RRType::A), Transport::udp, 11).result.size, 0u);
}

TEST_F(EngineTest, RdataNamesAreCompressed) {
    // Four NS names below the cut: each compresses to its first label and a pointer to the owner.
    std::vector<std::string> lines = {"@ 60 SOA ns h 1 2 3 4 5", "@ 60 NS ns"};
    for (int i = 0; i < 4; ++i) {
        lines.push_back("deleg 60 NS a-rather-long-name-server-label-" + std::to_string(i) + ".deleg");
        lines.push_back("a-rather-long-name-server-label-" + std::to_string(i) + ".deleg 60 A 192.0.2." +
                        std::to_string(i + 1));
    }
    lines.push_back("mx 60 MX 10 mail1.provider.example.net.");
    lines.push_back("mx 60 MX 20 mail2.provider.example.net.");
    const zone::ZoneTable zones({zone_from("compress.test.", lines)});
    const auto e = exchange(engine_, zones, make_query("www.deleg.compress.test.", RRType::A));
    ASSERT_EQ(e.count(Section::Authority), 4u);
    EXPECT_EQ(e.count(Section::Additional), 4u);
    EXPECT_EQ(dns::rdata_to_text(RRType::NS, e.message.authority[2].rdata),
              "a-rather-long-name-server-label-2.deleg.compress.test.");
    // Uncompressed the NS rdata alone would take 4 * 55 octets; compressed, each is 35 + 2.
    EXPECT_LT(e.wire.size(), 12u + 29u + 4 * (2 + 10 + 37) + 4 * (2 + 10 + 4) + 11 + 6 + 20);
    // In-RRset compression of a name outside the zone.
    const auto mx = exchange(engine_, zones, make_query("mx.compress.test.", RRType::MX));
    EXPECT_EQ(mx.lines(Section::Answer), (Lines{"mx.compress.test. 60 MX 10 mail1.provider.example.net.",
                                                "mx.compress.test. 60 MX 20 mail2.provider.example.net."}));
}

TEST_F(EngineTest, CompressionFallsBackBeyondPointerReach) {
    // ANY over TCP at a node whose first RRset (A) fills more than 16 KiB: the NS RRset after it cannot
    // point inside itself any more and goes out uncompressed, still correct.
    std::vector<std::string> lines = {"@ 60 SOA ns.compress.test. h.compress.test. 1 2 3 4 5",
                                      "@ 60 NS ns1.provider.example.net.",
                                      "@ 60 NS ns2.provider.example.net."};
    for (int i = 0; i < 1100; ++i) {
        lines.push_back("@ 60 A 10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250));
    }
    const zone::ZoneTable zones({zone_from("compress.test.", lines)});
    const auto e = exchange(engine_, zones, make_query("compress.test.", RRType::ANY), Transport::tcp);
    ASSERT_FALSE(e.message.header.tc);
    ASSERT_EQ(e.count(Section::Answer), 1100u + 2u + 1u);
    EXPECT_EQ(dns::rdata_to_text(RRType::NS, e.message.answer[1100].rdata), "ns1.provider.example.net.");
    EXPECT_EQ(dns::rdata_to_text(RRType::NS, e.message.answer[1101].rdata), "ns2.provider.example.net.");
    EXPECT_EQ(e.message.answer[1102].type, RRType::SOA);
}

TEST_F(EngineTest, SignedRequestsAreFlaggedForTheCallerToVerify) {
    std::vector<std::uint8_t> out(65535);
    ClientInfo client;
    auto unsigned_query = make_query("www.example.", RRType::A);
    EXPECT_FALSE(engine_.answer(zones_, unsigned_query, client, out).tsig);
    dns::TsigKey key;
    key.name = dns::Name::from_text("k.");
    key.secret.assign(32, 1);
    auto signed_query = unsigned_query;
    dns::tsig_sign(signed_query, key, dns::TsigSignOptions{});
    const Result result = engine_.answer(zones_, signed_query, client, out);
    EXPECT_TRUE(result.tsig);
    EXPECT_EQ(result.action, Action::send);  // answered as usual; signing is the caller's
}

// Prefetching is a hint: whatever the batch holds (names in and out of the zone, truncated and garbage
// packets, more queries than it looks at), the answers that follow are byte for byte what they are without.
TEST_F(EngineTest, PrefetchLeavesAnswersUnchanged) {
    std::vector<std::vector<std::uint8_t>> batch = {
        make_query("www.example.", RRType::A),
        make_query("WWW.EXAMPLE.", RRType::TXT),
        make_query("nothere.example.", RRType::A),
        make_query("x.y.wild.example.", RRType::A),
        make_query("www.example.org.", RRType::A),
        make_query("ns.sub.example.", RRType::A),
        {0x12, 0x34, 0x01},
        {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C},
    };
    auto truncated = make_query("www.example.", RRType::A);
    truncated.resize(20);
    batch.push_back(truncated);
    while (batch.size() < Engine::kPrefetchBatch + 10)
        batch.push_back(make_query("h" + std::to_string(batch.size()) + ".example.", RRType::AAAA));
    std::vector<std::span<const std::uint8_t>> spans(batch.begin(), batch.end());

    std::vector<std::vector<std::uint8_t>> plain;
    for (const auto& query : batch)
        plain.push_back(exchange(engine_, zones_, query, Transport::udp).wire);
    engine_.prefetch(zones_, spans);
    engine_.prefetch(zones_, {});
    for (std::size_t i = 0; i < batch.size(); ++i)
        EXPECT_EQ(exchange(engine_, zones_, batch[i], Transport::udp).wire, plain[i]) << i;
}
