#include "zone/diff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "../zonefile/zone_test_util.hpp"
#include "dns/rdata.hpp"

namespace cairn::zone {
namespace {

std::shared_ptr<const Zone> make_zone(std::string_view text) {
    auto loaded = zonefile::testing::load(text);
    EXPECT_TRUE(loaded.ok) << zonefile::testing::dump(loaded.zone.diagnostics);
    return Zone::build(dns::Name::from_text("example.com."), loaded.zone.to_records());
}

std::vector<std::string> texts(const std::vector<Record>& records) {
    std::vector<std::string> out;
    for (const Record& r : records)
        out.push_back(r.owner.lowercased().to_text() + " " + std::to_string(r.ttl) + " " +
                      dns::type_to_text(r.type) + " " + dns::rdata_to_text(r.type, r.rdata));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> texts(const Zone& z) {
    return texts(z.records());
}

constexpr std::string_view kV1 =
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 7200 3600 604800 300\n"
    "  NS ns1\n"
    "ns1 A 192.0.2.1\n"
    "www A 192.0.2.10\n"
    "www A 192.0.2.11\n"
    "mail 60 MX 10 mx.example.net.\n";

constexpr std::string_view kV2 =
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 2 7200 3600 604800 300\n"
    "  NS ns1\n"
    "ns1 A 192.0.2.1\n"
    "WWW A 192.0.2.10\n"                // case differs: the same record
    "www A 192.0.2.12\n"                // .11 replaced by .12
    "mail 120 MX 10 mx.example.net.\n"  // TTL change
    "new TXT \"hello\"\n";

TEST(ZoneDiff, FindsRemovedAndAddedRecordsAndTheSoaChange) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    const ZoneDiff d = diff_zones(*v1, *v2);
    EXPECT_EQ(d.from_serial(), 1u);
    EXPECT_EQ(d.to_serial(), 2u);
    EXPECT_EQ(texts(d.removed), (std::vector<std::string>{"mail.example.com. 60 MX 10 mx.example.net.",
                                                          "www.example.com. 3600 A 192.0.2.11"}));
    EXPECT_EQ(texts(d.added), (std::vector<std::string>{"mail.example.com. 120 MX 10 mx.example.net.",
                                                        "new.example.com. 3600 TXT \"hello\"",
                                                        "www.example.com. 3600 A 192.0.2.12"}));
    EXPECT_EQ(d.rr_count(), 7u);
}

TEST(ZoneDiff, OfIdenticalZonesIsEmpty) {
    const auto v1 = make_zone(kV1);
    const ZoneDiff d = diff_zones(*v1, *v1);
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(d.from_serial(), d.to_serial());
}

TEST(ZoneDiff, ApplyingTheDiffGivesTheNewZone) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    const auto built = apply_diff(*v1, diff_zones(*v1, *v2));
    EXPECT_EQ(built->serial(), 2u);
    EXPECT_EQ(texts(*built), texts(*v2));
    EXPECT_EQ(texts(*v1), texts(*make_zone(kV1)));  // the base is untouched
}

TEST(ZoneDiff, ApplyRejectsAWrongBaseSerial) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    const ZoneDiff d = diff_zones(*v1, *v2);
    EXPECT_THROW(apply_diff(*v2, d), DiffError);
}

TEST(ZoneDiff, ApplyRejectsRemovingAMissingRecord) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    ZoneDiff d = diff_zones(*v1, *v2);
    d.removed.push_back(Record{
        dns::Name::from_text("nothere.example.com."), dns::RRType::A, dns::RRClass::IN, 60, {192, 0, 2, 99}});
    try {
        apply_diff(*v1, d);
        FAIL() << "no error";
    } catch (const DiffError& e) {
        EXPECT_NE(std::string(e.what()).find("nothere.example.com."), std::string::npos) << e.what();
    }
}

TEST(ZoneDiff, ApplyRejectsRecordsOutsideTheZoneAndSoaRecords) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    ZoneDiff d = diff_zones(*v1, *v2);
    d.added.push_back(Record{
        dns::Name::from_text("www.example.org."), dns::RRType::A, dns::RRClass::IN, 60, {192, 0, 2, 99}});
    EXPECT_THROW(apply_diff(*v1, d), DiffError);
    ZoneDiff e = diff_zones(*v1, *v2);
    e.added.push_back(e.new_soa);
    EXPECT_THROW(apply_diff(*v1, e), DiffError);
}

TEST(ZoneDiff, RemovalMatchesRdataNamesCaseInsensitively) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    ZoneDiff d = diff_zones(*v1, *v2);
    for (Record& r : d.removed) {
        if (r.type == dns::RRType::MX)
            r.rdata = dns::rdata_from_text(dns::RRType::MX, "10 MX.Example.NET.", dns::Name::from_text("."));
    }
    EXPECT_EQ(texts(*apply_diff(*v1, d)), texts(*v2));
}

TEST(ZoneDiff, ChainAppliesInOrderAndCondenses) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    const auto v3 = make_zone(
        "$TTL 3600\n"
        "@ SOA ns1 hostmaster 3 7200 3600 604800 300\n"
        "  NS ns1\n"
        "ns1 A 192.0.2.1\n"
        "www A 192.0.2.10\n"
        "www A 192.0.2.11\n"  // back again
        "mail 120 MX 10 mx.example.net.\n"
        "other TXT \"x\"\n");
    const std::vector<ZoneDiff> chain{diff_zones(*v1, *v2), diff_zones(*v2, *v3)};
    EXPECT_EQ(texts(*apply_diffs(*v1, chain)), texts(*v3));

    const ZoneDiff c = condense(chain);
    EXPECT_EQ(c.from_serial(), 1u);
    EXPECT_EQ(c.to_serial(), 3u);
    // .11 removed then re-added and .12 added then removed cancel out; "new" came and went.
    EXPECT_EQ(texts(c.removed), (std::vector<std::string>{"mail.example.com. 60 MX 10 mx.example.net."}));
    EXPECT_EQ(texts(c.added), (std::vector<std::string>{"mail.example.com. 120 MX 10 mx.example.net.",
                                                        "other.example.com. 3600 TXT \"x\""}));
    EXPECT_EQ(texts(*apply_diff(*v1, c)), texts(*v3));
    EXPECT_EQ(c, diff_zones(*v1, *v3));
}

TEST(ZoneDiff, ChainRejectsRemovingARecordTwiceAndAnAddReplacesTheTtl) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    const ZoneDiff first = diff_zones(*v1, *v2);  // removes www .11
    ZoneDiff again = first;
    again.old_soa = first.new_soa;
    again.new_soa = first.new_soa;
    again.new_soa.rdata[again.new_soa.rdata.size() - 17] = 3;  // serial 3
    again.added.clear();
    EXPECT_THROW(apply_diffs(*v1, std::vector<ZoneDiff>{first, again}), DiffError);

    ZoneDiff ttl_only;  // an addition of a record the zone has, with another TTL, replaces it
    ttl_only.old_soa = soa_record(*v1);
    ttl_only.new_soa = first.new_soa;
    Record www = first.added.front();
    for (const Record& r : v1->records()) {
        if (r.owner.to_text() == "www.example.com." && dns::rdata_to_text(r.type, r.rdata) == "192.0.2.10")
            www = r;
    }
    www.ttl = 5;
    ttl_only.added = {www};
    const auto v = apply_diff(*v1, ttl_only);
    const auto all = texts(*v);
    EXPECT_NE(std::find(all.begin(), all.end(), "www.example.com. 5 A 192.0.2.10"), all.end());
    EXPECT_EQ(std::find(all.begin(), all.end(), "www.example.com. 3600 A 192.0.2.10"), all.end());
    EXPECT_EQ(v->rr_count(), v1->rr_count());
}

// Two versions of a few hundred names with every kind of change: whole nodes and RRsets only on one side,
// single RRs of an RRset, TTLs, owner case. The merge walk must agree with plain set arithmetic, and
// applying its result must give the second version.
TEST(ZoneDiff, MergeWalkAgreesWithSetArithmeticOnManyEdits) {
    std::string a = "$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 604800 300\n  NS ns1\nns1 A 192.0.2.1\n";
    std::string b = "$TTL 3600\n@ SOA ns1 hostmaster 2 7200 3600 604800 300\n  NS ns1\nns1 A 192.0.2.1\n";
    for (int i = 0; i < 300; ++i) {
        const std::string h = "h" + std::to_string(i);
        const std::string v4 = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        a += h + " A " + v4 + "\n" + h + " TXT \"t" + std::to_string(i) + "\"\n";
        a += "m." + h + " MX 10 " + h + "\n";
        switch (i % 6) {
            case 0:  // unchanged
                b += h + " A " + v4 + "\n" + h + " TXT \"t" + std::to_string(i) + "\"\nm." + h + " MX 10 " +
                     h + "\n";
                break;
            case 1:  // one more A, TXT gone, owner spelled in capitals
                b += "H" + std::to_string(i) + " A " + v4 + "\n" + h + " A 10.9.9." +
                     std::to_string(i % 256) + "\n";
                b += "m." + h + " MX 10 " + h + "\n";
                break;
            case 2:  // TTL change, a new AAAA
                b += h + " 60 A " + v4 + "\n" + h + " TXT \"t" + std::to_string(i) + "\"\n" + h +
                     " AAAA 2001:db8::" + std::to_string(i) + "\nm." + h + " MX 10 " + h + "\n";
                break;
            case 3:  // the child node goes away
                b += h + " A " + v4 + "\n" + h + " TXT \"t" + std::to_string(i) + "\"\n";
                break;
            case 4:  // a new node in between
                b += h + " A " + v4 + "\n" + h + " TXT \"t" + std::to_string(i) + "\"\nm." + h + " MX 10 " +
                     h + "\n";
                b += "x." + h + " CNAME m." + h + "\n";
                break;
            default:  // rdata replaced
                b += h + " A 10.8.8." + std::to_string(i % 256) + "\n" + h + " TXT \"t" + std::to_string(i) +
                     "\"\nm." + h + " MX 20 " + h + "\n";
        }
    }
    const auto v1 = make_zone(a), v2 = make_zone(b);
    const ZoneDiff d = diff_zones(*v1, *v2);
    const auto old_rrs = texts(*v1), new_rrs = texts(*v2);
    std::vector<std::string> removed, added;
    std::set_difference(old_rrs.begin(), old_rrs.end(), new_rrs.begin(), new_rrs.end(),
                        std::back_inserter(removed));
    std::set_difference(new_rrs.begin(), new_rrs.end(), old_rrs.begin(), old_rrs.end(),
                        std::back_inserter(added));
    auto without_soa = [](std::vector<std::string> v) {
        v.erase(std::remove_if(v.begin(), v.end(),
                               [](const std::string& t) { return t.find(" SOA ") != t.npos; }),
                v.end());
        return v;
    };
    EXPECT_EQ(texts(d.removed), without_soa(removed));
    EXPECT_EQ(texts(d.added), without_soa(added));
    EXPECT_GT(d.removed.size(), 150u);
    EXPECT_EQ(texts(*apply_diff(*v1, d)), new_rrs);
    EXPECT_TRUE(diff_zones(*v2, *v2).empty());
}

TEST(ZoneDiff, CondenseRejectsGapsAndEmptyChains) {
    const auto v1 = make_zone(kV1), v2 = make_zone(kV2);
    const std::vector<ZoneDiff> gap{diff_zones(*v1, *v2), diff_zones(*v1, *v2)};
    EXPECT_THROW(condense(gap), DiffError);
    EXPECT_THROW(condense({}), DiffError);
    EXPECT_THROW(apply_diffs(*v1, gap), DiffError);
}

TEST(ZoneDiff, SerialOfSoaRdata) {
    const auto v2 = make_zone(kV2);
    EXPECT_EQ(soa_serial(soa_record(*v2).rdata), 2u);
    EXPECT_EQ(soa_serial(std::vector<std::uint8_t>(5)), 0u);
}

TEST(ZoneDiff, NextVersionIsEmptyAndOneSerialUp) {
    const auto v1 = make_zone(kV1);
    const ZoneDiff d = next_version(*v1);
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(d.from_serial(), 1u);
    EXPECT_EQ(d.to_serial(), 2u);
    const auto v2 = apply_diff(*v1, d);
    EXPECT_EQ(v2->serial(), 2u);
    const ZoneDiff back = diff_zones(*v1, *v2);  // only the serial moved
    EXPECT_TRUE(back.empty());
    EXPECT_EQ(back.to_serial(), 2u);
}

TEST(ZoneDiff, FirstDifferingArrayNamesWhatDiffers) {
    const auto v1 = make_zone(kV1);
    EXPECT_EQ(first_differing_array(*v1, *make_zone(kV1)), nullptr);
    const char* differing = first_differing_array(*v1, *make_zone(kV2));
    ASSERT_NE(differing, nullptr);
    EXPECT_STREQ(differing, "names");  // "new" is a name more
    // Only the SOA serial differs: the pre-rendered RRs do, nothing before them.
    const char* serial_only = first_differing_array(*v1, *apply_diff(*v1, next_version(*v1)));
    ASSERT_NE(serial_only, nullptr);
    EXPECT_STREQ(serial_only, "rr");
}

}  // namespace
}  // namespace cairn::zone
