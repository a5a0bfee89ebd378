#include "zonefile/checks.hpp"

#include <gtest/gtest.h>

#include "zone_test_util.hpp"
#include "zonefile/name_checks.hpp"

using namespace cairn;
using namespace cairn::zone;
using namespace cairn::zonefile;
using namespace cairn::zonefile::testing;

namespace {
std::string head() {
    return std::string(kHead);
}
}  // namespace

TEST(ZoneChecks, CleanZoneLoads) {
    const LoadedZone z = load(head() + "www A 192.0.2.2\n@ MX 10 www\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
    EXPECT_EQ(z.serial, 1u);
    EXPECT_TRUE(z.zone.diagnostics.all().empty()) << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, NoSoa) {
    const LoadedZone z = load("$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 0, "has no SOA record")) << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, SeveralSoas) {
    const LoadedZone z = load(head() + "@ SOA ns1 hostmaster 2 7200 3600 604800 300\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 5,
                    "multiple RRs of singleton type SOA (the first is at z.zone:2)"))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, IdenticalSoaTwiceIsMerged) {
    const LoadedZone z = load(head() + "@ SOA ns1 hostmaster 1 7200 3600 604800 300\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, SoaNotAtApex) {
    const LoadedZone z = load(head() + "sub SOA ns1 hostmaster 1 2 3 4 5\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(
        has(z.zone.diagnostics, Severity::Error, 5, "SOA record not at top of zone (sub.example.com."))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, CnameAndOtherData) {
    const LoadedZone z = load(head() + "www A 192.0.2.5\nwww CNAME www.webhosting.xa.\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 6, "www.example.com.: CNAME and other data (A)"))
        << dump(z.zone.diagnostics);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 6, "see also z.zone:5"));
}

TEST(ZoneChecks, CnameBesideDnssecRecordsIsAllowed) {
    const LoadedZone z = load(head() +
                              "x CNAME a\n"
                              "x RRSIG CNAME 8 3 60 20300101000000 20200101000000 1 example.com. AAAA\n"
                              "x NSEC y.example.com. CNAME RRSIG NSEC\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, RrsigTtlsAreTheirCoveredRRsetsOwn) {
    // One RRSIG set per type covered (BIND's rdatasets): signatures of the SOA and of the NSEC keep their
    // TTLs; two of one type are made equal as any RRset's.
    const LoadedZone z = load(head() +
                              "x 3600 A 192.0.2.1\n"
                              "x 3600 RRSIG A 8 3 3600 20300101000000 20200101000000 1 example.com. AAAA\n"
                              "x 300 NSEC y.example.com. A RRSIG NSEC\n"
                              "x 300 RRSIG NSEC 8 3 300 20300101000000 20200101000000 1 example.com. AAAA\n"
                              "x 600 RRSIG NSEC 8 3 300 20300101000000 20200101000000 2 example.com. AAAA\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
    std::vector<std::uint32_t> rrsig_ttls;
    for (std::size_t i = 0; i < z.zone.size(); ++i) {
        if (z.zone.rrs[i].type == dns::RRType::RRSIG) rrsig_ttls.push_back(z.zone.rrs[i].ttl);
    }
    EXPECT_EQ(rrsig_ttls, (std::vector<std::uint32_t>{3600, 300, 300}));
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Warning, 9, "TTL set to prior TTL (300)"))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, TwoCnames) {
    const LoadedZone z = load(head() + "x CNAME a\nx CNAME b\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 6, "multiple RRs of singleton type CNAME"))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, CnamesThatDifferOnlyInCaseAreOneRecord) {
    // RFC 4034 §6.2: names inside rdata compare without case; BIND merges the two.
    const LoadedZone z = load(head() + "x CNAME target\nx CNAME TARGET\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, NoApexNs) {
    const LoadedZone z = load("$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\nns1 A 192.0.2.1\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 0, "has no NS records")) << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, ApexNsWithoutAddressIsAnError) {
    const LoadedZone z = load(head() + "@ NS ns3\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 5,
                    "NS 'ns3.example.com.' has no address records (A or AAAA)"))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, NsWrittenAsAnAddress) {
    // The lecture's mistake: NS 192.0.2.5 becomes 192.0.2.5.example.com. (BIND -n fail by default).
    const LoadedZone z = load(head() + "@ NS 192.0.2.5\n@ NS 192.0.2.6.\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(
        has(z.zone.diagnostics, Severity::Error, 5, "'192.0.2.5.example.com.' appears to be an address"))
        << dump(z.zone.diagnostics);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 6, "'192.0.2.6.' appears to be an address"));
    CheckOptions warn;
    warn.ns_address = CheckMode::Warn;
    const LoadedZone w = load(head() + "@ NS 192.0.2.6.\n", warn);
    EXPECT_TRUE(w.ok) << dump(w.zone.diagnostics);
    EXPECT_TRUE(has(w.zone.diagnostics, Severity::Warning, 5, "appears to be an address"));
}

TEST(ZoneChecks, MxWrittenAsAnAddressWarns) {
    const LoadedZone z = load(head() + "@ MX 10 192.0.2.10\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
    EXPECT_TRUE(
        has(z.zone.diagnostics, Severity::Warning, 5, "'192.0.2.10.example.com.' appears to be an address"))
        << dump(z.zone.diagnostics);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Warning, 5, "has no address records"));
    CheckOptions fail;
    fail.mx_address = CheckMode::Fail;
    EXPECT_FALSE(load(head() + "@ MX 10 192.0.2.10\n", fail).ok);
    const LoadedZone v6 = load(head() + "@ MX 10 2001:db8::10\n");
    EXPECT_TRUE(has(v6.zone.diagnostics, Severity::Warning, 5, "appears to be an address"))
        << dump(v6.zone.diagnostics);
}

TEST(ZoneChecks, MxAndNsPointingToCname) {
    const LoadedZone mx = load(head() + "@ MX 10 mail\nmail CNAME ns1\n");
    EXPECT_TRUE(mx.ok);
    EXPECT_TRUE(has(mx.zone.diagnostics, Severity::Warning, 5,
                    "example.com./MX 'mail.example.com.' is a CNAME (illegal)"))
        << dump(mx.zone.diagnostics);
    CheckOptions fail;
    fail.mx_cname = CheckMode::Fail;
    EXPECT_FALSE(load(head() + "@ MX 10 mail\nmail CNAME ns1\n", fail).ok);

    const LoadedZone ns = load(head() + "@ NS alias\nalias CNAME ns1\n");
    EXPECT_FALSE(ns.ok);
    EXPECT_TRUE(has(ns.zone.diagnostics, Severity::Error, 5, "NS 'alias.example.com.' is a CNAME (illegal)"));

    const LoadedZone srv = load(head() + "_sip._tcp SRV 0 0 5060 alias\nalias CNAME ns1\n");
    EXPECT_TRUE(has(srv.zone.diagnostics, Severity::Warning, 5, "is a CNAME (illegal)"))
        << dump(srv.zone.diagnostics);
}

TEST(ZoneChecks, InZoneTargetsWithoutAddresses) {
    const LoadedZone z = load(head() +
                              "@ MX 10 mail\n"         // 5
                              "sub NS ns.sub\n"        // 6: glue missing
                              "sub2 NS nowhere\n"      // 7: in zone, no address
                              "_x._tcp SRV 0 0 1 .\n"  // 8: "." means no service: fine
                              "out NS ns.example.net.\n");
    EXPECT_TRUE(z.ok) << dump(z.zone.diagnostics);
    const auto& d = z.zone.diagnostics;
    EXPECT_TRUE(has(d, Severity::Warning, 5, "example.com./MX 'mail.example.com.' has no address records"))
        << dump(d);
    EXPECT_TRUE(has(d, Severity::Warning, 6, "has no REQUIRED GLUE address records"));
    EXPECT_TRUE(has(d, Severity::Warning, 7, "'nowhere.example.com.' has no address records"));
    EXPECT_EQ(d.all().size(), 3u) << dump(d);
    CheckOptions none;
    none.integrity = false;
    EXPECT_TRUE(load(head() + "@ MX 10 mail\nsub NS ns.sub\n", none).zone.diagnostics.all().empty());
}

TEST(ZoneChecks, CheckNamesModes) {
    const std::string text = head() +
                             "under_score A 192.0.2.9\n"         // 5: A owner
                             "_sip._tcp SRV 0 0 5060 ns1\n"      // 6: SRV owner may have underscores
                             "bad_mx MX 10 ns1\n"                // 7: MX owner
                             "@ MX 10 mail_host.example.net.\n"  // 8: MX target
                             "_dmarc TXT \"v=DMARC1\"\n"         // 9: TXT owner: fine
                             "*.wild A 192.0.2.10\n";            // 10: wildcard A owner: fine
    const LoadedZone fail = load(text);
    EXPECT_FALSE(fail.ok);
    const auto& d = fail.zone.diagnostics;
    EXPECT_TRUE(has(d, Severity::Error, 5, "under_score.example.com.: bad owner name (check-names)"))
        << dump(d);
    EXPECT_TRUE(has(d, Severity::Error, 7, "bad owner name (check-names)"));
    EXPECT_TRUE(has(d, Severity::Error, 8, "'mail_host.example.net.': bad name (check-names)"));
    EXPECT_FALSE(has(d, Severity::Error, 6, ""));
    EXPECT_FALSE(has(d, Severity::Error, 9, ""));
    EXPECT_FALSE(has(d, Severity::Error, 10, ""));

    CheckOptions warn;
    warn.check_names = CheckMode::Warn;
    const LoadedZone w = load(text, warn);
    EXPECT_TRUE(w.ok) << dump(w.zone.diagnostics);
    EXPECT_TRUE(has(w.zone.diagnostics, Severity::Warning, 5, "bad owner name (check-names)"));

    CheckOptions ignore;
    ignore.check_names = CheckMode::Ignore;
    const LoadedZone i = load(text, ignore);
    EXPECT_TRUE(i.ok);
    EXPECT_TRUE(i.zone.diagnostics.all().empty()) << dump(i.zone.diagnostics);
}

TEST(ZoneChecks, CheckNamesOnSoaAndHashLines) {
    // "#www A ..." is data owned by "#www": check-names rejects it, like BIND.
    const LoadedZone z = load(head() + "#www A 192.0.2.5\n");
    EXPECT_FALSE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Warning, 5, "line begins with '#'"));
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Error, 5, "bad owner name (check-names)"))
        << dump(z.zone.diagnostics);

    const LoadedZone soa = load("$TTL 60\n@ SOA ns_1 host\\.master 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n");
    EXPECT_TRUE(has(soa.zone.diagnostics, Severity::Error, 2, "'ns_1.example.com.': bad name (check-names)"))
        << dump(soa.zone.diagnostics);
    EXPECT_FALSE(has(soa.zone.diagnostics, Severity::Error, 2, "not a mailbox"));
}

TEST(ZoneChecks, DifferentTtlsInOneRrset) {
    LoadedZone z = load(head() + "w 10 A 192.0.2.1\nw 20 A 192.0.2.2\n");
    EXPECT_TRUE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Warning, 6, "TTL set to prior TTL (10)"))
        << dump(z.zone.diagnostics);
    for (std::size_t i = 0; i < z.zone.size(); ++i) {
        if (z.zone.owner(i) == dns::Name::from_text("w.example.com.")) {
            EXPECT_EQ(z.zone.rrs[i].ttl, 10u);
        }
    }
}

TEST(ZoneChecks, TargetThatRepeatsTheOrigin) {
    const LoadedZone z =
        load(head() + "@ MX 10 mail.example.com\nmail.example.com.example.com. A 192.0.2.7\n");
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Warning, 5,
                    "'mail.example.com.example.com.' repeats the zone name example.com.; was the trailing "
                    "dot forgotten?"))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, DataBelowADname) {
    const LoadedZone z = load(head() + "x DNAME y.example.net.\ny.x A 192.0.2.1\n");
    EXPECT_TRUE(z.ok);
    EXPECT_TRUE(has(z.zone.diagnostics, Severity::Warning, 6,
                    "y.x.example.com. is below the DNAME at x.example.com."))
        << dump(z.zone.diagnostics);
}

TEST(ZoneChecks, ChecksRunOnlyOnACleanRead) {
    const LoadedZone z = load(head() + "bad A 1.2.3\n");
    EXPECT_FALSE(z.ok);
    EXPECT_EQ(z.zone.diagnostics.error_count(), 1u) << dump(z.zone.diagnostics);
}

TEST(NameChecks, HostnamesMailboxesAddresses) {
    using dns::Name;
    EXPECT_TRUE(is_hostname(Name::from_text("a-b.c1.example."), false));
    EXPECT_FALSE(is_hostname(Name::from_text("-a.example."), false));
    EXPECT_FALSE(is_hostname(Name::from_text("a-.example."), false));
    EXPECT_FALSE(is_hostname(Name::from_text("_srv.example."), false));
    EXPECT_TRUE(is_hostname(Name::from_text("*.example."), true));
    EXPECT_FALSE(is_hostname(Name::from_text("*.example."), false));
    EXPECT_TRUE(is_mailbox(Name::from_text("first.last.example.")));
    EXPECT_TRUE(is_mailbox(Name::from_text("first\\.last.example.")));
    EXPECT_FALSE(is_mailbox(Name::from_text("a.b_c.example.")));
    EXPECT_TRUE(looks_like_address(Name::from_text("192.0.2.1.example.")));
    EXPECT_TRUE(looks_like_address(Name::from_text("192.0.2.1.")));
    EXPECT_FALSE(looks_like_address(Name::from_text("1.2.3.4.5.in-addr.arpa.")));
    EXPECT_FALSE(looks_like_address(Name::from_text("300.0.2.1.example.")));
    EXPECT_FALSE(looks_like_address(Name::from_text("mail.example.")));
}
