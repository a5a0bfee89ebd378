#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "zone/lookup_name.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"
#include "zone_db_test_records.hpp"

using cairn::dns::Name;
using cairn::dns::RRType;
using namespace cairn::zone;
using cairn::zone::testing::rrs;

namespace {

const Name kOrigin = Name::from_text("Example.");

std::vector<Record> sample_records() {
    return rrs(
        {
            "@ 3600 SOA ns1 hostmaster 2024010101 7200 3600 1209600 300",
            "@ 3600 NS ns1",
            "@ 3600 NS ns2.other.net.",
            "@ 3600 MX 10 mail",
            "ns1 3600 A 192.0.2.1",
            "ns1 3600 AAAA 2001:db8::1",
            "mail 3600 A 192.0.2.2",
            "WWW 300 A 192.0.2.3",
            "www 300 A 192.0.2.4",
            "a.b.c 300 TXT deep",
            "*.w 300 A 192.0.2.5",
            "x.w 300 A 192.0.2.6",
            "sub 3600 NS ns.sub",
            "sub 3600 NS ns.sub2",
            "ns.sub 3600 A 192.0.2.7",
            "sub2 3600 NS ns.sub2",
            "ns.sub2 3600 A 192.0.2.8",
            "deep.x.y 3600 NS ns.deep.x.y",
            "ns.deep.x.y 3600 A 192.0.2.9",
            "d 300 DNAME target.net.",
            "below.d 300 A 192.0.2.10",
            "cn 300 CNAME www",
            "_sip._tcp 300 SRV 0 5 5060 sip",
            "sip 300 AAAA 2001:db8::2",
        },
        kOrigin);
}

// Owns the lowered bytes a LookupName points to.
struct Query {
    std::vector<std::uint8_t> wire;
    LookupName name;
    explicit Query(const std::string& text) {
        const auto n = Name::from_text(text).lowercased();
        wire.assign(n.wire().begin(), n.wire().end());
        EXPECT_TRUE(name.assign(wire));
    }
};

std::string text_of(const Zone& z, std::uint32_t node) {
    return Name::from_validated_wire(z.spelling(z.node(node))).to_text();
}

std::uint32_t node_of(const Zone& z, const std::string& text) {
    return z.find(Query(text).name);
}

}  // namespace

TEST(ZoneDb, BuildsNodesIncludingEmptyNonTerminals) {
    const auto z = Zone::build(kOrigin, sample_records());
    EXPECT_EQ(text_of(*z, Zone::apex()), "Example.");
    EXPECT_EQ(z->serial(), 2024010101u);
    EXPECT_EQ(z->soa_minimum(), 300u);
    EXPECT_EQ(z->negative_ttl(), 300u);
    // Every ancestor between an owner and the apex is a node; the ones without data are flagged empty.
    for (const char* ent : {"b.c.example.", "c.example.", "x.y.example.", "y.example.", "_tcp.example."}) {
        const auto n = node_of(*z, ent);
        ASSERT_NE(n, kNoNode) << ent;
        EXPECT_TRUE(z->node(n).has(kNodeEmpty)) << ent;
        EXPECT_EQ(z->node(n).rrset_count, 0) << ent;
    }
    EXPECT_FALSE(z->node(node_of(*z, "a.b.c.example.")).has(kNodeEmpty));
    EXPECT_EQ(node_of(*z, "nothere.example."), kNoNode);
    EXPECT_EQ(z->rr_count(), 25u - 1u);  // WWW and www differ in rdata: 24 lines, 24 RRs
}

TEST(ZoneDb, ExactMatchIgnoresCaseAndKeepsFirstSpelling) {
    const auto z = Zone::build(kOrigin, sample_records());
    const auto n = node_of(*z, "WwW.eXample.");
    ASSERT_NE(n, kNoNode);
    EXPECT_EQ(text_of(*z, n), "WWW.Example.");
    const RRset* a = z->find_rrset(z->node(n), RRType::A);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->count, 2);
    EXPECT_EQ(a->ttl, 300u);
    EXPECT_EQ(z->find_rrset(z->node(n), RRType::AAAA), nullptr);
    // Pre-rendered wire: owner pointer to the question, then type, class, TTL, rdlength, rdata.
    const auto w = z->wire(*a);
    ASSERT_EQ(w.size(), 2u * (kRRHeaderSize + 4));
    const std::uint8_t first[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, 0, 4, 192, 0, 2, 3};
    EXPECT_EQ(std::memcmp(w.data(), first, sizeof first), 0);
}

TEST(ZoneDb, ClosestEncloserOfMissingNames) {
    const auto z = Zone::build(kOrigin, sample_records());
    Query q("x.y.b.c.example.");
    const Lookup l = z->lookup(q.name);
    EXPECT_FALSE(l.exact);
    EXPECT_EQ(text_of(*z, l.node), "b.c.Example.");
    EXPECT_EQ(l.encloser_skip, 2u);

    Query apex_child("nothing.example.");
    const Lookup l2 = z->lookup(apex_child.name);
    EXPECT_FALSE(l2.exact);
    EXPECT_EQ(l2.node, Zone::apex());
    EXPECT_EQ(l2.encloser_skip, 1u);

    Query apex("EXAMPLE.");
    const Lookup l3 = z->lookup(apex.name);
    EXPECT_TRUE(l3.exact);
    EXPECT_EQ(l3.node, Zone::apex());

    Query hit("a.b.c.example.");
    const Lookup l4 = z->lookup(hit.name);
    EXPECT_TRUE(l4.exact);
    EXPECT_EQ(text_of(*z, l4.node), "a.b.c.Example.");
}

TEST(ZoneDb, WildcardsHangOffTheirParent) {
    const auto z = Zone::build(kOrigin, sample_records());
    const auto w = node_of(*z, "w.example.");
    ASSERT_NE(w, kNoNode);
    EXPECT_TRUE(z->node(w).has(kNodeEmpty));  // "w" exists only because of its children
    EXPECT_TRUE(z->node(w).has(kNodeWildcardChild));
    ASSERT_NE(z->node(w).wildcard, kNoNode);
    EXPECT_EQ(text_of(*z, z->node(w).wildcard), "*.w.Example.");
    EXPECT_TRUE(z->node(z->node(w).wildcard).has(kNodeWildcard));

    Query q("nope.w.example.");
    const Lookup l = z->lookup(q.name);
    EXPECT_FALSE(l.exact);
    EXPECT_EQ(l.node, w);
    // An existing sibling is an exact match, not a wildcard expansion.
    Query x("x.w.example.");
    EXPECT_TRUE(z->lookup(x.name).exact);
    EXPECT_FALSE(z->node(Zone::apex()).has(kNodeWildcardChild));
}

TEST(ZoneDb, DelegationsAndOcclusion) {
    const auto z = Zone::build(kOrigin, sample_records());
    const auto sub = node_of(*z, "sub.example.");
    EXPECT_TRUE(z->node(sub).has(kNodeDelegation));
    EXPECT_EQ(z->node(sub).cut, sub);
    const auto glue = node_of(*z, "ns.sub.example.");
    EXPECT_TRUE(z->node(glue).has(kNodeOccluded));
    EXPECT_EQ(z->node(glue).cut, sub);
    EXPECT_FALSE(z->node(Zone::apex()).has(kNodeDelegation));  // apex NS is not a cut
    EXPECT_EQ(z->node(Zone::apex()).cut, kNoNode);
    EXPECT_EQ(z->node(node_of(*z, "www.example.")).cut, kNoNode);

    // A name below a deep delegation finds the cut through its closest encloser.
    Query q("host.in.deep.x.y.example.");
    const Lookup l = z->lookup(q.name);
    EXPECT_FALSE(l.exact);
    EXPECT_EQ(text_of(*z, l.node), "deep.x.y.Example.");
    EXPECT_EQ(text_of(*z, z->node(l.node).cut), "deep.x.y.Example.");
    EXPECT_EQ(z->node(node_of(*z, "x.y.example.")).cut, kNoNode);
}

TEST(ZoneDb, DnameIsACutForDescendantsOnly) {
    const auto z = Zone::build(kOrigin, sample_records());
    const auto d = node_of(*z, "d.example.");
    EXPECT_TRUE(z->node(d).has(kNodeDname));
    EXPECT_FALSE(z->node(d).has(kNodeOccluded));
    EXPECT_EQ(z->node(d).cut, d);
    const auto below = node_of(*z, "below.d.example.");
    EXPECT_TRUE(z->node(below).has(kNodeOccluded));
    EXPECT_EQ(z->node(below).cut, d);
}

TEST(ZoneDb, AdditionalLinksIncludeGlueBelowSiblingDelegations) {
    const auto z = Zone::build(kOrigin, sample_records());
    auto linked = [&](const std::string& owner, RRType type) {
        std::vector<std::string> out;
        const RRset* s = z->find_rrset(z->node(node_of(*z, owner)), type);
        EXPECT_NE(s, nullptr) << owner;
        if (s) {
            for (auto link : z->additional(*s)) {
                out.push_back(text_of(*z, link.node));
                // The link points at the target name inside the RRset's rendering (the compressed one when
                // there is one, where the name starts with its own first label).
                const auto w = z->packed(*s) ? z->wire(*z->packed(*s)) : z->wire(*s);
                const Name target = Name::from_text(out.back());
                const auto first = target.label(0);
                EXPECT_LT(link.name_offset + first.size(), w.size());
                EXPECT_EQ(w[link.name_offset], first.size());
                EXPECT_EQ(std::string(w.begin() + link.name_offset + 1,
                                      w.begin() + link.name_offset + 1 + first.size()),
                          std::string(first));
            }
        }
        return out;
    };
    EXPECT_EQ(linked("example.", RRType::NS), std::vector<std::string>{"ns1.Example."});
    EXPECT_EQ(linked("example.", RRType::MX), std::vector<std::string>{"mail.Example."});
    EXPECT_EQ(linked("sub.example.", RRType::NS),
              (std::vector<std::string>{"ns.sub.Example.", "ns.sub2.Example."}));
    EXPECT_EQ(linked("_sip._tcp.example.", RRType::SRV), std::vector<std::string>{"sip.Example."});
    EXPECT_TRUE(linked("cn.example.", RRType::CNAME).empty());

    // NS targets under the owner compress to a label and a pointer to the owner's suffix.
    const RRset* ns = z->find_rrset(z->node(node_of(*z, "sub.example.")), RRType::NS);
    ASSERT_NE(z->packed(*ns), nullptr);
    EXPECT_LT(z->wire(*z->packed(*ns)).size(), z->wire(*ns).size());
    const auto pointers = z->pointers(*z->packed(*ns));
    ASSERT_EQ(pointers.size(), 2u);
    EXPECT_EQ(pointers[0].kind, RdataPointer::owner_suffix);
    EXPECT_EQ(pointers[0].value, Name::from_text("sub.example.").wire_size());  // ns.sub -> sub.example.
    EXPECT_EQ(pointers[1].kind, RdataPointer::owner_suffix);
    EXPECT_EQ(pointers[1].value, Name::from_text("example.").wire_size());  // ns.sub2 -> example.
    // A/AAAA have no names to compress.
    EXPECT_EQ(z->packed(*z->find_rrset(z->node(node_of(*z, "ns1.example.")), RRType::A)), nullptr);
}

TEST(ZoneDb, CanonicalOrderAndPredecessor) {
    // RFC 4034 §6.1's example order.
    const Name origin = Name::from_text("example.");
    std::vector<std::string> lines = {"@ 60 SOA ns h 1 2 3 4 5"};
    const std::vector<std::string> owners = {"a", "yljkjljk.a", "Z.a", "zABC.a.EXAMPLE.",
                                             "z", "\\001.z",    "*.z", "\\200.z"};
    for (auto it = owners.rbegin(); it != owners.rend(); ++it)
        lines.push_back(*it + " 60 TXT x");
    const auto z = Zone::build(origin, rrs(lines, origin));
    std::vector<std::string> got;
    for (std::uint32_t i = 0; i < z->node_count(); ++i)
        got.push_back(text_of(*z, i));
    const std::vector<std::string> want = {"example.",         "a.example.",      "yljkjljk.a.example.",
                                           "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                                           "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
    EXPECT_EQ(got, want);

    auto pred = [&](const std::string& text) {
        const auto w = Name::from_text(text).lowercased();
        const auto p = z->predecessor(w.wire());
        return p == kNoNode ? std::string("-") : text_of(*z, p);
    };
    EXPECT_EQ(pred("example."), "-");
    EXPECT_EQ(pred("a.example."), "example.");
    EXPECT_EQ(pred("b.example."), "zABC.a.EXAMPLE.");
    EXPECT_EQ(pred("zz.a.example."), "zABC.a.EXAMPLE.");
    EXPECT_EQ(pred("zzz.example."), "\\200.z.example.");
    EXPECT_EQ(pred("y.z.example."), "*.z.example.");
}

TEST(ZoneDb, RecordsComeBackInCanonicalOrderWithoutDuplicates) {
    auto input = sample_records();
    input.push_back(input[4]);  // a duplicate ns1 A
    const auto z = Zone::build(kOrigin, input);
    auto out = z->records();
    EXPECT_EQ(out.size(), input.size() - 1);
    input.pop_back();
    auto key = [](const Record& r) {
        return std::tuple(r.owner.lowercased().to_text(), static_cast<int>(r.type), r.rdata);
    };
    auto sorted_in = input;
    std::sort(sorted_in.begin(), sorted_in.end(),
              [&](const Record& a, const Record& b) { return key(a) < key(b); });
    auto sorted_out = out;
    std::sort(sorted_out.begin(), sorted_out.end(),
              [&](const Record& a, const Record& b) { return key(a) < key(b); });
    ASSERT_EQ(sorted_in.size(), sorted_out.size());
    for (std::size_t i = 0; i < sorted_in.size(); ++i) {
        EXPECT_EQ(sorted_in[i].owner.lowercased(), sorted_out[i].owner.lowercased());
        EXPECT_EQ(sorted_in[i].type, sorted_out[i].type);
        EXPECT_EQ(sorted_in[i].ttl, sorted_out[i].ttl);
        EXPECT_EQ(sorted_in[i].rdata, sorted_out[i].rdata);
    }
    for (std::size_t i = 1; i < out.size(); ++i)
        EXPECT_LE(out[i - 1].owner, out[i].owner);
}

// RFC 4034 §6.2 and §6.3 (RFC 6840 §5.1): an RRset is a set under canonical form, so records whose rdata
// differs only in the case of embedded names are one record (the spelling read last kept, as BIND keeps it),
// and the records of an RRset are in canonical rdata order. Case inside other rdata (TXT) still counts.
TEST(ZoneDb, RRsetsAreSetsUnderCanonicalForm) {
    const Name o = Name::from_text("example.");
    auto records = rrs(
        {
            "@ 60 SOA ns h 1 2 3 4 5",
            "@ 60 NS NS1.Example.",
            "@ 60 NS ns1.example.",
            "@ 60 NS ns0",
            "@ 60 MX 20 Mail",
            "@ 60 MX 10 mail",
            "@ 60 MX 10 MAIL",
            "t 60 TXT Hello",
            "t 60 TXT hello",
            "c 60 CNAME Target",
            "c 60 CNAME target",
        },
        o);
    for (const char* next : {"A.example. A RRSIG NSEC", "a.example. A RRSIG NSEC"}) {
        records.push_back({Name::from_text("n.example."), RRType::NSEC, cairn::dns::RRClass::IN, 60,
                           cairn::dns::rdata_from_text(RRType::NSEC, next, o)});
    }
    const auto z = Zone::build(o, records);
    std::vector<std::string> texts;
    for (const Record& r : z->records())
        texts.push_back(r.owner.to_text() + " " + cairn::dns::type_to_text(r.type) + " " +
                        cairn::dns::rdata_to_text(r.type, r.rdata));
    EXPECT_EQ(texts, (std::vector<std::string>{
                         "example. NS ns0.example.",
                         "example. NS ns1.example.",
                         "example. SOA ns.example. h.example. 1 2 3 4 5",
                         "example. MX 10 MAIL.example.",
                         "example. MX 20 Mail.example.",
                         "c.example. CNAME target.example.",
                         "n.example. NSEC A.example. A RRSIG NSEC",  // NSEC keeps its case (RFC 6840 §5.1)
                         "n.example. NSEC a.example. A RRSIG NSEC",
                         "t.example. TXT \"Hello\"",
                         "t.example. TXT \"hello\"",
                     }));
    EXPECT_EQ(z->rr_count(), texts.size());
}

TEST(ZoneDb, RejectsBrokenZones) {
    const Name o = Name::from_text("example.");
    EXPECT_THROW(Zone::build(o, rrs({"www 60 A 192.0.2.1"}, o)), ZoneError);  // no SOA
    EXPECT_THROW(Zone::build(o, rrs({"@ 60 SOA ns h 1 2 3 4 5", "@ 60 SOA ns h 2 2 3 4 5"}, o)), ZoneError);
    EXPECT_THROW(Zone::build(o, rrs({"@ 60 SOA ns h 1 2 3 4 5", "www.other. 60 A 192.0.2.1"}, o)), ZoneError);
    EXPECT_THROW(Zone::build(o, std::vector<Record>{}), ZoneError);
    auto chaos = rrs({"@ 60 SOA ns h 1 2 3 4 5", "www 60 A 192.0.2.1"}, o);
    chaos[1].rclass = cairn::dns::RRClass::CH;
    EXPECT_THROW(Zone::build(o, chaos), ZoneError);
    auto soa_short = rrs({"@ 60 SOA ns h 1 2 3 4 5"}, o);
    soa_short[0].rdata.pop_back();
    EXPECT_THROW(Zone::build(o, soa_short), ZoneError);
    auto bad_ns = rrs({"@ 60 SOA ns h 1 2 3 4 5", "@ 60 NS ns"}, o);
    bad_ns[1].rdata = {3, 'n', 's'};
    EXPECT_THROW(Zone::build(o, bad_ns), ZoneError);
}

TEST(ZoneDb, RootZoneWorks) {
    const Name root;
    const auto z =
        Zone::build(root, rrs({". 60 SOA a.root-servers.net. h. 1 2 3 4 5", "com. 60 NS a.gtld.net."}, root));
    EXPECT_EQ(z->node_count(), 2u);
    Query q("www.example.com.");
    const Lookup l = z->lookup(q.name);
    EXPECT_EQ(text_of(*z, l.node), "com.");
    EXPECT_EQ(z->node(l.node).cut, l.node);
}

TEST(ZoneTableTest, FindsLongestOrigin) {
    const Name parent = Name::from_text("example.");
    const Name child = Name::from_text("Child.Example.");
    const auto zp = Zone::build(parent, rrs({"@ 60 SOA ns h 1 2 3 4 5"}, parent));
    const auto zc = Zone::build(child, rrs({"@ 60 SOA ns h 1 2 3 4 5"}, child));
    const ZoneTable table({zp, zc});
    EXPECT_EQ(table.find(Query("a.b.child.example.").name), zc.get());
    EXPECT_EQ(table.find(Query("child.example.").name), zc.get());
    EXPECT_EQ(table.find(Query("xchild.example.").name), zp.get());
    EXPECT_EQ(table.find(Query("example.").name), zp.get());
    EXPECT_EQ(table.find(Query("example.net.").name), nullptr);
    EXPECT_EQ(table.find(Query(".").name), nullptr);
    EXPECT_THROW(ZoneTable({zp, zp}), ZoneError);
}

TEST(LookupNameTest, SuffixHashesMatchTheWholeNameHashForLongAndShortNames) {
    for (const char* text : {".", "a.", "ab.cd.", "abcdefg.", "abcdefgh.example.", "a.b.c.d.e.f.g.h.",
                             "www.host12345.bench.test.", "a-label-longer-than-sixteen-octets.x.yz.",
                             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde.q."}) {
        const Name name = Name::from_text(text).lowercased();
        const auto wire = name.wire();
        LookupName n;
        ASSERT_TRUE(n.assign(wire)) << text;
        for (std::size_t skip = 0; skip <= n.labels(); ++skip) {
            const auto suffix = n.suffix(skip);
            std::vector<std::uint8_t> copy(suffix.begin(), suffix.end());  // alone, so reads stay in it
            EXPECT_EQ(n.suffix_hash(skip), SuffixHasher::hash(copy)) << text << " " << skip;
        }
    }
    // Names differing in one octet, or only in where a label ends, hash apart.
    const auto h = [](const char* text) { return SuffixHasher::hash(Name::from_text(text).wire()); };
    EXPECT_NE(h("abcdefgh.example."), h("abcdefgi.example."));
    EXPECT_NE(h("abc.defgh.example."), h("abcd.efgh.example."));
    EXPECT_NE(h("a."), h("a.a."));
}

TEST(LookupNameTest, RejectsMalformedWireAndHashesSuffixes) {
    LookupName n;
    const std::uint8_t ok[] = {1, 'a', 3, 'c', 'o', 'm', 0};
    ASSERT_TRUE(n.assign(ok));
    EXPECT_EQ(n.labels(), 2u);
    EXPECT_EQ(n.suffix_hash(1), SuffixHasher::hash(std::span<const std::uint8_t>(ok + 2, 5)));
    EXPECT_EQ(n.suffix_hash(2), SuffixHasher::hash(std::span<const std::uint8_t>(ok + 6, 1)));
    const std::uint8_t trailing[] = {1, 'a', 0, 0};
    EXPECT_FALSE(n.assign(trailing));
    const std::uint8_t short_label[] = {3, 'a', 0};
    EXPECT_FALSE(n.assign(short_label));
    const std::uint8_t pointer[] = {0xC0, 0x0C};
    EXPECT_FALSE(n.assign(pointer));
}
