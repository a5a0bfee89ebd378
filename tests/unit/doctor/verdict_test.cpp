// The verdict from scripted observations: healthy, each of the article's six types, the unnamed ones the
// doctor tells apart, and `partial` when several hold.
#include "doctor/verdict.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "scripted.hpp"

namespace cairn::doctor {
namespace {

using namespace testing;

constexpr const char* kSoa = "api.test. 300 SOA ns1.api.test. hostmaster.api.test. 7 3600 600 86400 300";

AuthorityObservation authority(const std::string& name, const std::string& address,
                               std::uint32_t serial = 7) {
    AuthorityObservation a;
    a.name = dns::Name::from_text(name, dns::Name());
    a.address = ip(address);
    a.soa = with_expire(answer(dns::Rcode::NOERROR, true,
                               {"api.test. 300 SOA ns1.api.test. hostmaster.api.test. " +
                                std::to_string(serial) + " 3600 600 86400 300"}),
                        86400);
    a.answer = answer(dns::Rcode::NOERROR, true, {"www.api.test. 60 A 192.0.2.50"});
    return a;
}

ResolverObservation resolver(const std::string& address, std::size_t position, QueryResult udp) {
    ResolverObservation r;
    r.server = {ip(address), 53};
    r.from_resolv_conf = true;
    r.position = position;
    r.udp = udp;
    r.tcp = udp;
    r.checking_disabled = udp;
    return r;
}

// Everything well: two resolvers from resolv.conf, two name servers in step.
Observations healthy() {
    Observations o;
    o.name = dns::Name::from_text("www.api.test.", dns::Name());
    o.type = dns::RRType::A;
    o.now = 1700000000;
    o.resolv_conf =
        parse_resolv_conf("nameserver 10.0.1.10\nnameserver 10.0.1.11\noptions timeout:2 attempts:3\n");
    o.resolv_conf_path = "resolv.conf";
    const auto ok = answer(dns::Rcode::NOERROR, false, {"www.api.test. 287 A 192.0.2.50"});
    o.resolvers = {resolver("10.0.1.10", 0, ok), resolver("10.0.1.11", 1, ok)};
    o.delegation.zone = dns::Name::from_text("api.test.", dns::Name());
    o.delegation.servers = {dns::Name::from_text("ns1.api.test.", dns::Name()),
                            dns::Name::from_text("ns2.api.test.", dns::Name())};
    o.delegation.ns_ttl = 86400;
    o.authorities = {authority("ns1.api.test.", "10.0.9.1"), authority("ns2.api.test.", "10.0.9.2")};
    return o;
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const auto& l) { return l.find(text) != std::string::npos; });
}

TEST(Verdict, HealthyWhenAllIsWell) {
    const auto d = diagnose(healthy());
    EXPECT_EQ(d.verdict, "healthy");
    EXPECT_FALSE(d.failure_type);
    EXPECT_TRUE(d.evidence.empty());
    EXPECT_TRUE(d.fix.empty());
    for (const auto& step : d.steps)
        EXPECT_NE(step.status, StepStatus::failed) << step.name;
}

TEST(Verdict, Type1ADeadFirstResolverAndItsFailOverDelay) {
    auto o = healthy();
    o.resolvers[0].udp = o.resolvers[0].tcp = o.resolvers[0].checking_disabled = silent();
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "resolver-down");
    EXPECT_EQ(d.failure_type, 1);
    EXPECT_TRUE(mentions(d.evidence, "10.0.1.10#53 (nameserver #1 in resolv.conf) does not answer"));
    EXPECT_TRUE(mentions(d.blast_radius, "every lookup waits 2 s (timeout:2)")) << d.blast_radius.front();
    EXPECT_TRUE(mentions({d.fix}, "Promote 10.0.1.11"));
}

TEST(Verdict, Type1EveryResolverDownFailsEveryLookup) {
    auto o = healthy();
    for (auto& r : o.resolvers)
        r.udp = r.tcp = r.checking_disabled = refused_by_host();
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "resolver-down");
    EXPECT_TRUE(mentions(d.blast_radius, "every lookup fails after 16 s"));
}

TEST(Verdict, AResolverWithoutTcpIsAWarningNotAVerdict) {
    auto o = healthy();
    o.resolvers[1].tcp = silent();
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "healthy");
    EXPECT_EQ(d.steps[1].status, StepStatus::warning);
    EXPECT_TRUE(mentions(d.steps[1].lines, "10.0.1.11#53 does not answer over TCP"));
}

TEST(Verdict, Type2AuthoritiesDownWithTheCacheTtlsLeft) {
    auto o = healthy();
    for (auto& a : o.authorities)
        a.soa = a.answer = silent();
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "authoritative-down");
    EXPECT_EQ(d.failure_type, 2);
    EXPECT_TRUE(mentions(d.evidence, "none of the 2 addresses of api.test.'s name servers answers"));
    EXPECT_TRUE(mentions(d.evidence, "shortest TTL left in the resolvers' caches: 287 s"));
    EXPECT_TRUE(mentions(d.blast_radius, "serves its cached A 192.0.2.50 for 287 s more, then SERVFAIL"));
}

TEST(Verdict, Type3ASecondaryWhoseZoneExpired) {
    auto o = healthy();
    o.authorities[1].soa = answer(dns::Rcode::SERVFAIL, false, {});
    o.authorities[1].answer = answer(dns::Rcode::SERVFAIL, false, {});
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "zone-expired");
    EXPECT_EQ(d.failure_type, 3);
    EXPECT_TRUE(mentions(d.evidence, "ns2.api.test. at 10.0.9.2 answers SERVFAIL for api.test. SOA"));
    EXPECT_TRUE(mentions(d.evidence, "ns1.api.test. at 10.0.9.1 still serves it (serial 7)"));
    EXPECT_TRUE(mentions({d.fix}, "rndc retransfer api.test."));
}

TEST(Verdict, Type4ABrokenChainAndTheResolversSayingSo) {
    auto o = healthy();
    o.dnssec.status = DnssecFindings::Status::bogus;
    o.dnssec.problems = {"RRSIG A www.api.test.: signature expired (key 1234, ...)"};
    for (auto& r : o.resolvers)
        r.udp = r.tcp = answer(dns::Rcode::SERVFAIL, false, {});
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "dnssec");
    EXPECT_EQ(d.failure_type, 4);
    EXPECT_TRUE(mentions(d.evidence, "signature expired"));
    EXPECT_TRUE(mentions(d.evidence, "answers SERVFAIL, but NOERROR with CD"));
    EXPECT_TRUE(mentions(d.evidence, "the name servers answer normally when asked directly"));
    EXPECT_TRUE(mentions({d.fix}, "rndc sign api.test."));
}

TEST(Verdict, Type4ResolversThatStillAnswerFromTheirCache) {
    auto o = healthy();
    o.dnssec.status = DnssecFindings::Status::bogus;
    o.dnssec.problems = {"the DS RRset of api.test. matches none of its DNSKEYs (4711/13 (KSK))"};
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "dnssec");
    EXPECT_TRUE(mentions(d.blast_radius, "resolver 10.0.1.10#53 still answers A 192.0.2.50 for 287 s more"));
}

TEST(Verdict, ShortNamesPayTheDelayForEverySearchDomain) {
    auto o = healthy();
    o.name = dns::Name::from_text("intranet.", dns::Name());
    o.resolv_conf = parse_resolv_conf("nameserver 10.0.1.10\nsearch a.example b.example\n");
    const auto d = diagnose(o);
    EXPECT_TRUE(mentions(d.steps.front().lines, "tries 2 search domain(s) first"));
}

TEST(Verdict, Type4FromTheResolversAloneWhenNoAnchorCovers) {
    auto o = healthy();
    o.resolvers[0].udp = answer(dns::Rcode::SERVFAIL, false, {});
    EXPECT_EQ(diagnose(o).verdict, "dnssec");
}

TEST(Verdict, Type5ANegativeAnswerOutlivesTheNewRecord) {
    auto o = healthy();
    o.resolvers[0].udp = answer(dns::Rcode::NXDOMAIN, false, {}, {std::string(kSoa).replace(10, 3, "241")});
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "negative-cache");
    EXPECT_EQ(d.failure_type, 5);
    EXPECT_TRUE(mentions(d.evidence, "answers NXDOMAIN with 241 s of negative TTL left"));
    EXPECT_TRUE(mentions(d.evidence, "the authorities answer now: NOERROR: A 192.0.2.50"));
    EXPECT_TRUE(mentions(d.blast_radius, "get NXDOMAIN for www.api.test. for 241 s more"));
    EXPECT_TRUE(mentions({d.fix}, "rndc flushname www.api.test."));
}

TEST(Verdict, NoNegativeCacheFindingWhenTheNameIsReallyGone) {
    auto o = healthy();
    for (auto& a : o.authorities)
        a.answer = answer(dns::Rcode::NXDOMAIN, true, {}, {kSoa});
    o.resolvers[0].udp = answer(dns::Rcode::NXDOMAIN, false, {}, {kSoa});
    EXPECT_EQ(diagnose(o).verdict, "healthy");
}

TEST(Verdict, Type6AnswersDifferBySourceAddress) {
    auto o = healthy();
    o.sources = {
        {ip("10.0.1.5"), "ns1.api.test. 10.0.9.1",
         answer(dns::Rcode::NOERROR, true, {"www.api.test. 60 A 10.0.2.50"})},
        {ip("10.0.5.5"), "ns1.api.test. 10.0.9.1",
         answer(dns::Rcode::NOERROR, true, {"www.api.test. 60 A 203.0.113.50"})},
    };
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "split-horizon");
    EXPECT_EQ(d.failure_type, 6);
    EXPECT_TRUE(mentions(d.evidence, "answers 10.0.5.5: NOERROR: A 203.0.113.50"));
    EXPECT_TRUE(mentions(d.blast_radius, "clients like 10.0.5.5 get NOERROR: A 203.0.113.50"));
}

TEST(Verdict, TheSameAnswerFromEverySourceIsNotSplitHorizon) {
    auto o = healthy();
    o.sources = {
        {ip("10.0.1.5"), "ns1", answer(dns::Rcode::NOERROR, true, {"www.api.test. 60 A 10.0.2.50"})},
        {ip("10.0.5.5"), "ns1", answer(dns::Rcode::NOERROR, true, {"www.api.test. 59 A 10.0.2.50"})},
    };
    EXPECT_EQ(diagnose(o).verdict, "healthy");
}

TEST(Verdict, LameDelegation) {
    auto o = healthy();
    o.authorities[1].soa = answer(dns::Rcode::REFUSED, false, {});
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "lame-delegation");
    EXPECT_FALSE(d.failure_type);
    EXPECT_TRUE(mentions(d.evidence, "ns2.api.test. at 10.0.9.2 is delegated api.test. but answers REFUSED"));
}

TEST(Verdict, SerialMismatchInSerialArithmetic) {
    auto o = healthy();
    // 4294967295 + 2 wraps to 1: ns2 (1) is ahead of ns1 (4294967295) in RFC 1982 order.
    o.authorities[0] = authority("ns1.api.test.", "10.0.9.1", 4294967295u);
    o.authorities[1] = authority("ns2.api.test.", "10.0.9.2", 1);
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "serial-mismatch");
    EXPECT_TRUE(mentions(d.evidence, "ns1.api.test. at 10.0.9.1 serves serial 4294967295, behind 1"));
}

TEST(Verdict, PartialWhenSeveralHold) {
    auto o = healthy();
    o.resolvers[0].udp = o.resolvers[0].tcp = silent();
    o.authorities[1].soa = answer(dns::Rcode::SERVFAIL, false, {});
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "partial");
    EXPECT_FALSE(d.failure_type);
    ASSERT_EQ(d.findings.size(), 2u);
    EXPECT_EQ(d.findings[0].failure, Failure::resolver_down);  // from the client inward
    EXPECT_EQ(d.findings[1].failure, Failure::zone_expired);
    EXPECT_TRUE(mentions(d.evidence, "resolver-down: resolver 10.0.1.10#53"));
    EXPECT_TRUE(mentions({d.fix}, "zone-expired: Restore"));
}

TEST(Verdict, DelegationNotFoundFromTheRoot) {
    auto o = healthy();
    o.authorities.clear();
    o.delegation = {};
    o.delegation.error = "the root: no server answers; 127.0.0.1#53 timeout";
    const auto d = diagnose(o);
    EXPECT_EQ(d.verdict, "authoritative-down");
}

}  // namespace
}  // namespace cairn::doctor
