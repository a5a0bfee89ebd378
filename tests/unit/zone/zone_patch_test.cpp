// Zone::patch (the incremental build behind apply_diffs) against the full build of the same records: every
// stored and derived array byte for byte, the SOA facts, and every name found alike.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <string>

#include "dns/rdata.hpp"
#include "zone/diff.hpp"
#include "zonefile/raw.hpp"

namespace cairn::zone {
namespace {

const dns::Name kOrigin = dns::Name::from_text("example.com.");

Record rec(std::string_view owner, std::uint32_t ttl, dns::RRType type, std::string_view rdata) {
    const dns::Name name =
        owner == "@" ? kOrigin : dns::Name::from_text(std::string(owner) + ".example.com.");
    return Record{name, type, dns::RRClass::IN, ttl, dns::rdata_from_text(type, rdata, kOrigin)};
}

// Wildcards, a delegation with glue, a DNAME with occluded data below, empty non-terminals, CNAMEs,
// MX/NS/SRV targets inside and outside the zone, and names spelled in mixed case.
std::vector<Record> base_records() {
    using dns::RRType;
    return {
        rec("@", 3600, RRType::SOA, "ns1 hostmaster 1 7200 3600 604800 300"),
        rec("@", 3600, RRType::NS, "ns1"),
        rec("@", 3600, RRType::NS, "ns.other.net."),
        rec("@", 3600, RRType::MX, "10 mail"),
        rec("ns1", 3600, RRType::A, "192.0.2.1"),
        rec("Mail", 3600, RRType::A, "192.0.2.2"),
        rec("mail", 3600, RRType::AAAA, "2001:db8::2"),
        rec("www", 300, RRType::A, "192.0.2.10"),
        rec("www", 300, RRType::A, "192.0.2.11"),
        rec("WWW", 300, RRType::TXT, "\"web\""),
        rec("alias", 300, RRType::CNAME, "www"),
        rec("*", 60, RRType::A, "192.0.2.99"),
        rec("*.wild", 60, RRType::MX, "5 mail"),
        rec("a.b.c", 60, RRType::A, "192.0.2.20"),
        rec("X.b.c", 60, RRType::TXT, "\"x\""),
        rec("sub", 3600, RRType::NS, "ns.sub"),
        rec("sub", 3600, RRType::NS, "ns2.sub"),
        rec("ns.sub", 3600, RRType::A, "198.51.100.1"),
        rec("deep.ns2.sub", 3600, RRType::A, "198.51.100.2"),
        rec("dn", 3600, RRType::DNAME, "target.example.net."),
        rec("x.dn", 3600, RRType::A, "192.0.2.30"),
        rec("_sip._tcp", 3600, RRType::SRV, "10 60 5060 www"),
        rec("_xmpp._tcp", 3600, RRType::SRV, "10 60 5269 host.example.net."),
        rec("mx2", 3600, RRType::MX, "20 later"),
    };
}

// Owners the random edits draw from: existing ones (some in another case), new ones below existing and
// new names, wildcards, below the delegation and the DNAME.
const char* const kOwners[] = {"@",         "www",     "WWW",    "mail",       "alias",  "*",        "*.wild",
                               "wild",      "a.b.c",   "x.b.c",  "b.c",        "c",      "sub",      "ns.sub",
                               "NS.Sub",    "z.sub",   "dn",     "y.dn",       "new1",   "NeW1",     "p.q.r",
                               "q.r",       "*.new3",  "a.new3", "later",      "ns1",    "mx2",      "deep.c",
                               "_sip._tcp", "e.f.g.h", "deleg",  "glue.deleg", "*.b.c",  "LATER",    "host9",
                               "other",     "A.B.C",   "m.B.c",  "k.deep.c",   "Deep.c", "j.DEEP.c", "*.B.C"};

std::string random_owner(std::mt19937& rng) {
    return kOwners[rng() % std::size(kOwners)];
}

Record random_record(std::mt19937& rng) {
    using dns::RRType;
    const std::string owner = random_owner(rng);
    std::string target = rng() % 4 == 0 ? "out.example.net." : random_owner(rng);
    if (target == "@") target = "www";
    const std::uint32_t ttl = 60 * (1 + rng() % 3);
    switch (rng() % 10) {
        case 0:
        case 1:
            return rec(owner, ttl, RRType::A, "192.0.2." + std::to_string(rng() % 8));
        case 2:
            return rec(owner, ttl, RRType::AAAA, "2001:db8::" + std::to_string(rng() % 8));
        case 3:
            return rec(owner, ttl, RRType::TXT, "\"t" + std::to_string(rng() % 4) + "\"");
        case 4:
            return rec(owner, ttl, RRType::MX, std::to_string(rng() % 3) + " " + target);
        case 5:
            return rec(owner == "@" ? "deleg" : owner, ttl, RRType::NS, target);
        case 6:
            return rec(owner, ttl, RRType::SRV, "1 2 3 " + target);
        case 7:
            return rec(owner == "@" ? "alias" : owner, ttl, RRType::CNAME, target);
        case 8:
            return rec(owner == "@" ? "dn" : owner, ttl, RRType::DNAME,
                       "d" + std::to_string(rng() % 2) + ".example.net.");
        default:
            return rec("glue.deleg", ttl, RRType::A, "203.0.113." + std::to_string(rng() % 4));
    }
}

std::string key(const Record& r) {
    return r.owner.lowercased().to_text() + " " + dns::type_to_text(r.type) + " " +
           dns::rdata_to_text(r.type, r.rdata);
}

ZoneDiff random_diff(const Zone& base, std::mt19937& rng) {
    ZoneDiff d = next_version(base);
    std::vector<Record> existing;
    for (Record& r : base.records())
        if (r.type != dns::RRType::SOA) existing.push_back(std::move(r));
    std::set<std::string> removed, added;
    const int ops = 1 + static_cast<int>(rng() % 5);
    for (int op = 0; op < ops; ++op) {
        const auto kind = rng() % 5;
        if (kind <= 1) {
            Record r = random_record(rng);
            if (added.insert(key(r)).second) d.added.push_back(std::move(r));
        } else if (!existing.empty()) {
            const Record& victim = existing[rng() % existing.size()];
            if (kind == 4) {  // every record of the owner goes
                for (const Record& r : existing) {
                    if (r.owner == victim.owner && removed.insert(key(r)).second) d.removed.push_back(r);
                }
                continue;
            }
            if (!removed.insert(key(victim)).second) continue;
            d.removed.push_back(victim);
            if (kind == 3) {  // a TTL change
                Record again = victim;
                again.ttl += 1;
                if (added.insert(key(again)).second) d.added.push_back(std::move(again));
            }
        }
    }
    return d;
}

void expect_same_zone(const Zone& patched, const Zone& built) {
    const char* differing = first_differing_array(patched, built);
    EXPECT_EQ(differing, nullptr) << "the " << differing << " arrays differ";
    EXPECT_EQ(patched.serial(), built.serial());
    EXPECT_EQ(patched.soa_ttl(), built.soa_ttl());
    EXPECT_EQ(patched.soa_minimum(), built.soa_minimum());
    EXPECT_EQ(patched.rr_count(), built.rr_count());
    for (std::uint32_t i = 0; i < built.node_count(); ++i) {
        const auto name = built.name(built.node(i));
        LookupName q;
        ASSERT_TRUE(q.assign(name));
        EXPECT_EQ(patched.find(q), i);
        const Lookup l = patched.lookup(q);
        EXPECT_TRUE(l.exact);
        EXPECT_EQ(l.node, i);
        // One label more: found as the same closest encloser.
        std::vector<std::uint8_t> below = {3, 'z', 'z', 'z'};
        below.insert(below.end(), name.begin(), name.end());
        LookupName qb;
        ASSERT_TRUE(qb.assign(below));
        const Lookup lp = patched.lookup(qb), lb = built.lookup(qb);
        EXPECT_EQ(lp.node, lb.node);
        EXPECT_EQ(lp.exact, lb.exact);
        EXPECT_EQ(lp.encloser_skip, lb.encloser_skip);
    }
}

TEST(ZonePatch, RandomEditsEqualTheFullBuild) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t patched_count = 0, steps = 0;
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        std::mt19937 rng(seed);
        auto zone = Zone::build(kOrigin, base_records());
        for (int step = 0; step < 25; ++step) {
            std::vector<ZoneDiff> chain = {random_diff(*zone, rng)};
            if (step % 5 == 4) {  // a chain of two: the second starts from the first's result
                std::shared_ptr<const Zone> middle;
                try {
                    middle = apply_diffs(*zone, chain, false);
                } catch (const ZoneError&) {
                    continue;
                }
                chain.push_back(random_diff(*middle, rng));
            }
            const auto before = apply_counts();
            std::shared_ptr<const Zone> patched, built;
            try {
                built = apply_diffs(*zone, chain, false);
            } catch (const ZoneError&) {
                EXPECT_THROW(apply_diffs(*zone, chain), ZoneError);
                continue;
            }
            patched = apply_diffs(*zone, chain);
            patched_count += apply_counts().patched - before.patched;
            ++steps;
            SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
            expect_same_zone(*patched, *built);
            if (::testing::Test::HasFatalFailure() || ::testing::Test::HasFailure()) return;
            zone = patched;
        }
        ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    }
    // Every edit takes the incremental path.
    EXPECT_EQ(patched_count, steps);
}

// A zone of a thousand names, so that the copied runs are long and the edits move the ones after them:
// hosts (some spelled in capitals), mail exchangers with and without addresses, delegations with glue, SRV
// targets, wildcards.
std::vector<Record> larger_records() {
    using dns::RRType;
    std::vector<Record> r = {rec("@", 3600, RRType::SOA, "ns1 hostmaster 1 7200 3600 604800 300"),
                             rec("@", 3600, RRType::NS, "ns1"), rec("ns1", 3600, RRType::A, "192.0.2.1")};
    for (int k = 0; k < 14; k += 2)
        r.push_back(rec("mx" + std::to_string(k), 3600, RRType::A, "192.0.2." + std::to_string(10 + k)));
    for (int i = 0; i < 300; ++i) {
        const std::string h = (i % 4 == 0 ? "H" : "h") + std::to_string(i);
        r.push_back(
            rec(h, 300, RRType::A, "10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200)));
        if (i % 3 == 0) r.push_back(rec(h, 300, RRType::MX, "10 mx" + std::to_string(i % 11)));
        if (i % 5 == 0) {
            r.push_back(rec("d" + std::to_string(i), 3600, RRType::NS, "ns.d" + std::to_string(i)));
            r.push_back(
                rec("ns.d" + std::to_string(i), 3600, RRType::A, "198.51.100." + std::to_string(i % 200)));
        }
        if (i % 7 == 0)
            r.push_back(rec("_s._tcp.h" + std::to_string(i), 60, RRType::SRV,
                            "0 0 1 h" + std::to_string(i * 13 % 300)));
        if (i % 11 == 0) r.push_back(rec("*.w" + std::to_string(i), 60, RRType::TXT, "\"w\""));
    }
    return r;
}

ZoneDiff random_larger_diff(const Zone& base, std::mt19937& rng) {
    using dns::RRType;
    ZoneDiff d = next_version(base);
    std::vector<Record> existing;
    for (Record& r : base.records())
        if (r.type != RRType::SOA) existing.push_back(std::move(r));
    std::set<std::string> removed, added;
    auto add = [&](Record r) {
        if (added.insert(key(r)).second) d.added.push_back(std::move(r));
    };
    const int ops = 1 + static_cast<int>(rng() % 8);
    for (int op = 0; op < ops; ++op) {
        const std::string n = std::to_string(rng() % 350);
        switch (rng() % 8) {
            case 0:
                add(rec("h" + n, 300, RRType::A, "10.9.0." + std::to_string(rng() % 4)));
                break;
            case 1:
                add(rec("h" + n, 300, RRType::MX, "5 mx" + std::to_string(rng() % 14)));
                break;
            case 2:
                add(rec("mx" + std::to_string(rng() % 14), 3600, RRType::AAAA, "2001:db8::1"));
                break;
            case 3:
                add(rec("d" + n, 3600, RRType::NS, "ns.d" + n));
                add(rec("ns.d" + n, 3600, RRType::A, "198.51.100.99"));
                break;
            case 4:
                add(rec("*.w" + n, 60, RRType::TXT, "\"new\""));
                break;
            default: {
                const Record& victim = existing[rng() % existing.size()];
                for (const Record& r : existing) {
                    const bool all = op % 2 == 0;  // every record of the owner, or just this one
                    if ((all ? r.owner == victim.owner : &r == &victim) && removed.insert(key(r)).second)
                        d.removed.push_back(r);
                }
            }
        }
    }
    return d;
}

TEST(ZonePatch, RandomEditsOnALargerZoneEqualTheFullBuild) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t patched_count = 0, steps = 0;
    for (std::uint32_t seed = 1; seed <= 8; ++seed) {
        std::mt19937 rng(seed);
        auto zone = Zone::build(kOrigin, larger_records());
        for (int step = 0; step < 15; ++step) {
            const std::vector<ZoneDiff> chain = {random_larger_diff(*zone, rng)};
            const auto before = apply_counts();
            const auto built = apply_diffs(*zone, chain, false);
            const auto patched = apply_diffs(*zone, chain);
            patched_count += apply_counts().patched - before.patched;
            ++steps;
            SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
            expect_same_zone(*patched, *built);
            if (::testing::Test::HasFailure()) return;
            zone = patched;
        }
        ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    }
    EXPECT_EQ(patched_count, steps);
}

// Crossing a power of two of names resizes the hash table (rebuilt rather than patched), both ways.
TEST(ZonePatch, GrowingAndShrinkingPastATableSize) {
    std::vector<Record> records = {rec("@", 3600, dns::RRType::SOA, "ns1 hostmaster 1 7200 3600 604800 300")};
    for (int i = 0; i < 31; ++i)
        records.push_back(rec("n" + std::to_string(i), 60, dns::RRType::A, "192.0.2.1"));
    auto zone = Zone::build(kOrigin, records);  // 32 nodes: a 64-slot table
    ASSERT_EQ(zone->node_count(), 32u);
    for (const bool grow : {true, false}) {
        ZoneDiff d;
        d.old_soa = soa_record(*zone);
        d.new_soa = d.old_soa;
        d.new_soa.rdata[d.new_soa.rdata.size() - 17] += 1;
        if (grow) {
            d.added.push_back(rec("a.new", 60, dns::RRType::A, "192.0.2.2"));  // and the ENT new
        } else {
            d.removed.push_back(rec("a.new", 60, dns::RRType::A, "192.0.2.2"));
        }
        const auto before = apply_counts();
        const auto patched = apply_diff(*zone, d);
        EXPECT_EQ(apply_counts().patched, before.patched + 1);
        EXPECT_EQ(patched->node_count(), grow ? 34u : 32u);
        expect_same_zone(*patched, *apply_diffs(*zone, std::vector<ZoneDiff>{d}, false));
        zone = patched;
    }
}

// A zone read back from the raw format keeps the builder's layout: patched too.
TEST(ZonePatch, ZoneReadFromRawIsPatched) {
    const std::string path = ::testing::TempDir() + "zone_patch_test.raw";
    zonefile::write_raw(*Zone::build(kOrigin, base_records()), path);
    const auto zone = zonefile::read_raw(path);
    std::remove(path.c_str());
    ZoneDiff d;
    d.old_soa = soa_record(*zone);
    d.new_soa = d.old_soa;
    d.new_soa.rdata[d.new_soa.rdata.size() - 17] += 1;
    d.added.push_back(rec("new", 60, dns::RRType::AAAA, "2001:db8::7"));
    const auto before = apply_counts();
    const auto patched = apply_diff(*zone, d);
    EXPECT_EQ(apply_counts().patched, before.patched + 1);
    expect_same_zone(*patched, *apply_diffs(*zone, std::vector<ZoneDiff>{d}, false));
}

// A 2,000-name zone for the path choice.
std::shared_ptr<const Zone> numbered_zone() {
    std::vector<Record> records = {rec("@", 3600, dns::RRType::SOA, "ns1 hostmaster 1 7200 3600 604800 300"),
                                   rec("@", 3600, dns::RRType::NS, "ns1"),
                                   rec("ns1", 3600, dns::RRType::A, "192.0.2.1")};
    for (int i = 0; i < 2000; ++i)
        records.push_back(rec("h" + std::to_string(i), 3600, dns::RRType::A,
                              "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)));
    return Zone::build(kOrigin, records);
}

ZoneDiff readdress(const Zone& base, int count) {
    ZoneDiff d;
    d.old_soa = soa_record(base);
    d.new_soa = d.old_soa;
    d.new_soa.rdata[d.new_soa.rdata.size() - 17] += 1;  // serial + 1
    for (int i = 0; i < count; ++i) {
        d.removed.push_back(rec("h" + std::to_string(i), 3600, dns::RRType::A,
                                "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)));
        d.added.push_back(rec("h" + std::to_string(i), 3600, dns::RRType::A,
                              "10.9." + std::to_string(i / 250) + "." + std::to_string(i % 250)));
    }
    return d;
}

// An added record that equals one of the zone's under canonical form (another case inside its rdata) is the
// same record: the patch and the full build both keep one.
TEST(ZonePatch, CaseVariantOfARecordIsTheSameRecord) {
    const auto zone = Zone::build(kOrigin, base_records());
    ZoneDiff d = next_version(*zone);
    d.added.push_back(rec("@", 3600, dns::RRType::NS, "NS1"));
    d.added.push_back(rec("@", 3600, dns::RRType::MX, "10 MAIL"));
    d.added.push_back(rec("alias2", 300, dns::RRType::CNAME, "WWW"));
    d.added.push_back(rec("alias2", 300, dns::RRType::CNAME, "www"));
    const auto patched = apply_diff(*zone, d);
    expect_same_zone(*patched, *apply_diffs(*zone, std::vector<ZoneDiff>{d}, false));
    EXPECT_EQ(patched->rr_count(), zone->rr_count() + 1);
    const auto apex = patched->node(Zone::apex());
    EXPECT_EQ(patched->find_rrset(apex, dns::RRType::NS)->count, 2);
    EXPECT_EQ(patched->find_rrset(apex, dns::RRType::MX)->count, 1);
}

TEST(ZonePatch, SmallChangeIsPatchedLargeOneRebuilt) {
    const auto zone = numbered_zone();
    auto before = apply_counts();
    const auto small = apply_diff(*zone, readdress(*zone, 10));
    EXPECT_EQ(apply_counts().patched, before.patched + 1);
    EXPECT_EQ(apply_counts().rebuilt, before.rebuilt);
    expect_same_zone(*small, *apply_diffs(*zone, std::vector<ZoneDiff>{readdress(*zone, 10)}, false));
    // The same-size edit moves nothing: the unchanged arrays are the base's bytes.
    EXPECT_EQ(std::memcmp(small->arrays().nodes.data(), zone->arrays().nodes.data(),
                          zone->arrays().nodes.size_bytes()),
              0);

    before = apply_counts();
    const auto large = apply_diff(*zone, readdress(*zone, 1500));
    EXPECT_EQ(apply_counts().patched, before.patched);
    EXPECT_EQ(apply_counts().rebuilt, before.rebuilt + 1);
    EXPECT_EQ(large->serial(), 2u);
}

TEST(ZonePatch, CutsAppearingAndGoingAboveExistingNamesArePatched) {
    auto zone = Zone::build(kOrigin, base_records());
    const std::vector<Record> cuts = {
        rec("b.c", 3600, dns::RRType::NS, "ns.other.net."),            // a.b.c, x.b.c, z.b.c become glue
        rec("c", 3600, dns::RRType::DNAME, "elsewhere.example.net."),  // and everything under c
        rec("@", 3600, dns::RRType::DNAME, "apex.example.net."),       // the whole zone occluded
    };
    for (const Record& cut : cuts) {
        for (const bool add : {true, false}) {
            ZoneDiff d;
            d.old_soa = soa_record(*zone);
            d.new_soa = d.old_soa;
            d.new_soa.rdata[d.new_soa.rdata.size() - 17] += 1;
            (add ? d.added : d.removed).push_back(cut);
            const auto before = apply_counts();
            const auto patched = apply_diff(*zone, d);
            EXPECT_EQ(apply_counts().patched, before.patched + 1);
            expect_same_zone(*patched, *apply_diffs(*zone, std::vector<ZoneDiff>{d}, false));
            zone = patched;
        }
    }
}

}  // namespace
}  // namespace cairn::zone
