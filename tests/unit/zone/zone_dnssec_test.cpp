// What the zone derives for signed answers (zone/zone_dnssec.hpp): the NSEC that covers a name found by the
// nodes' canonical key prefixes agrees with the full canonical search, equal 16-octet prefixes included;
// RRSIG spans per covered type; the NSEC3 chain's matches and covers; zones without DNSSEC derive nothing.
#include "zone/zone_dnssec.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dnssec/nsec3.hpp"
#include "zone/zone.hpp"

namespace cairn::zone {
namespace {

const dns::Name kOrigin = dns::Name::from_text("example.");

Record rec(const std::string& owner, dns::RRType type, const std::string& rdata) {
    return {owner == "@" ? kOrigin : dns::Name::from_text(owner, kOrigin), type, dns::RRClass::IN, 300,
            dns::rdata_from_text(type, rdata, kOrigin)};
}

std::vector<std::uint8_t> lowered(const std::string& name) {
    const auto n = dns::Name::from_text(name).lowercased();
    return {n.wire().begin(), n.wire().end()};
}

TEST(ZoneDnssec, UnsignedZonesDeriveNothing) {
    const auto z = Zone::build(
        kOrigin, {rec("@", dns::RRType::SOA, "ns h 1 2 3 4 5"), rec("www", dns::RRType::A, "192.0.2.1")});
    EXPECT_EQ(z->dnssec(), nullptr);
}

// The earliest RRSIG expiration of the zone, whichever node and covered type it signs.
TEST(ZoneDnssec, EarliestSignatureExpiration) {
    const auto z = Zone::build(
        kOrigin,
        {rec("@", dns::RRType::SOA, "ns h 1 2 3 4 5"), rec("www", dns::RRType::A, "192.0.2.1"),
         rec("@", dns::RRType::RRSIG, "SOA 13 1 300 20300101000000 20200101000000 1 example. AAAA"),
         rec("www", dns::RRType::RRSIG, "A 13 2 300 20291231000000 20200101000000 1 example. AAAA"),
         rec("www", dns::RRType::RRSIG, "A 13 2 300 20310101000000 20200101000000 2 example. AAAA")});
    ASSERT_NE(z->dnssec(), nullptr);
    ASSERT_TRUE(z->dnssec()->earliest_expiration().has_value());
    EXPECT_EQ(*z->dnssec()->earliest_expiration(), 1893369600u);  // 2029-12-31 00:00:00 UTC
}

TEST(ZoneDnssec, NsecCoveringAgreesWithTheFullSearch) {
    // Names sharing long prefixes (equal 16-octet canonical key prefixes), short ones, and escapes.
    std::vector<Record> records = {rec("@", dns::RRType::SOA, "ns h 1 2 3 4 5"),
                                   rec("@", dns::RRType::NSEC, "a.example. SOA NSEC")};
    std::vector<std::string> owners;
    for (int i = 0; i < 200; ++i)
        owners.push_back("host" + std::to_string(i * 37 % 1000) + ".averyveryverylonglabelname");
    for (int i = 0; i < 100; ++i)
        owners.push_back("n" + std::to_string(i));
    owners.push_back("\\000.z");
    owners.push_back("\\001\\002.z");
    for (const auto& o : owners)
        records.push_back(rec(o, dns::RRType::NSEC, "example. A NSEC"));  // the chain's content is not used
    const auto z = Zone::build(kOrigin, records);
    ASSERT_NE(z->dnssec(), nullptr);
    ASSERT_EQ(z->dnssec()->denial(), ZoneDnssec::Denial::nsec);
    std::mt19937 rng(3);
    std::vector<std::string> queries = {"zzzz",
                                        "a",
                                        "\\000",
                                        "host5.averyveryverylonglabelname",
                                        "x.host37.averyveryverylonglabelname",
                                        "averyveryverylonglabelnamf",
                                        "m.z"};
    for (int i = 0; i < 500; ++i)
        queries.push_back("q" + std::to_string(rng() % 2000) + (i % 2 ? ".averyveryverylonglabelname" : ""));
    for (const auto& q : queries) {
        const auto name = lowered(q + ".example.");
        const std::uint32_t before = z->predecessor(name);
        const std::uint32_t expected =
            before == kNoNode ? ZoneDnssec::kNone : z->dnssec()->nsec_before(before);
        EXPECT_EQ(z->dnssec()->nsec_covering(*z, name), expected) << q;
    }
}

TEST(ZoneDnssec, SignatureSpansAndTheNsec3Chain) {
    const std::vector<std::uint8_t> salt = {0xAB};
    dnssec::Nsec3Hash apex_hash, www_hash;
    ASSERT_TRUE(dnssec::nsec3_hash(lowered("example."), salt, 1, apex_hash));
    ASSERT_TRUE(dnssec::nsec3_hash(lowered("www.example."), salt, 1, www_hash));
    const auto apex_owner = dnssec::nsec3_label(apex_hash), www_owner = dnssec::nsec3_label(www_hash);
    const std::vector<Record> records = {
        rec("@", dns::RRType::SOA, "ns h 1 2 3 4 5"),
        rec("@", dns::RRType::NSEC3PARAM, "1 0 1 ab"),
        rec("@", dns::RRType::RRSIG, "SOA 13 1 300 20300101000000 20200101000000 1 example. AAAA"),
        rec("www", dns::RRType::A, "192.0.2.1"),
        rec("www", dns::RRType::TXT, "x"),
        rec("www", dns::RRType::RRSIG, "A 13 2 300 20300101000000 20200101000000 1 example. AAAA"),
        rec("www", dns::RRType::RRSIG, "A 13 2 300 20300101000000 20200101000000 2 example. AAAA"),
        rec("www", dns::RRType::RRSIG, "TXT 13 2 300 20300101000000 20200101000000 1 example. AAAA"),
        rec(apex_owner, dns::RRType::NSEC3, "1 0 1 ab " + www_owner + " SOA NSEC3PARAM RRSIG"),
        rec(www_owner, dns::RRType::NSEC3, "1 0 1 ab " + apex_owner + " A TXT RRSIG"),
    };
    const auto z = Zone::build(kOrigin, records);
    const ZoneDnssec* d = z->dnssec();
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->denial(), ZoneDnssec::Denial::nsec3);
    EXPECT_EQ(d->nsec3_iterations(), 1);
    LookupName www;
    const auto www_wire = lowered("www.example.");
    ASSERT_TRUE(www.assign(www_wire));
    const std::uint32_t www_node = z->find(www);
    const Node& n = z->node(www_node);
    EXPECT_EQ(d->signatures(z->rrset_index(*z->find_rrset(n, dns::RRType::A))).count, 2);
    EXPECT_EQ(d->signatures(z->rrset_index(*z->find_rrset(n, dns::RRType::TXT))).count, 1);
    EXPECT_EQ(d->signatures(z->rrset_index(*z->soa())).count, 1);
    // www's NSEC3 matches it; the hashed owners are marked; a missing name is covered by one of the two.
    const std::uint32_t match = d->nsec3_match(www_node);
    ASSERT_NE(match, ZoneDnssec::kNone);
    EXPECT_TRUE(d->hashed_owner(match));
    EXPECT_FALSE(d->hashed_owner(www_node));
    bool matched = true;
    const std::uint32_t cover = d->nsec3_cover(lowered("nothing.example."), matched);
    EXPECT_FALSE(matched);
    EXPECT_TRUE(d->hashed_owner(cover));
    EXPECT_NE(d->nsec3_wildcard_cover(Zone::apex()), ZoneDnssec::kNone);
}

}  // namespace
}  // namespace cairn::zone
