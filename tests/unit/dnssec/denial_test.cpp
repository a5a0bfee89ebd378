// NSEC and NSEC3 denial proofs on the example zones of RFC 4035 Appendix A and RFC 5155 Appendix A, with
// the cases of their Appendix B, and records missing, forged or too costly.
#include "dnssec/denial.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "dns/wire.hpp"
#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using dns::RRType;
using testing::from_hex;
using testing::rdata;
using testing::wire;

constexpr std::uint16_t kA = 1, kMx = 15, kAaaa = 28, kDs = 43;

struct Record {
    std::vector<std::uint8_t> owner, rdata;
};

std::vector<DenialRecord> view(const std::vector<Record>& records) {
    std::vector<DenialRecord> out;
    for (const auto& r : records)
        out.push_back({r.owner, r.rdata});
    return out;
}

// RFC 4035 Appendix A's NSEC chain.
std::vector<Record> rfc4035_nsecs() {
    const std::pair<const char*, const char*> chain[] = {
        {"example.", "a.example. NS SOA MX RRSIG NSEC DNSKEY"},
        {"a.example.", "ai.example. NS DS RRSIG NSEC"},
        {"ai.example.", "b.example. A HINFO AAAA RRSIG NSEC"},
        {"b.example.", "ns1.example. NS RRSIG NSEC"},
        {"ns1.example.", "ns2.example. A RRSIG NSEC"},
        {"ns2.example.", "*.w.example. A RRSIG NSEC"},
        {"*.w.example.", "x.w.example. MX RRSIG NSEC"},
        {"x.w.example.", "x.y.w.example. MX RRSIG NSEC"},
        {"x.y.w.example.", "xx.example. MX RRSIG NSEC"},
        {"xx.example.", "example. A HINFO AAAA RRSIG NSEC"},
    };
    std::vector<Record> out;
    for (const auto& [owner, text] : chain)
        out.push_back({wire(owner), rdata(RRType::NSEC, text)});
    return out;
}

// Only the records of `records` whose owner is one of `owners`.
std::vector<Record> only(const std::vector<Record>& records, std::initializer_list<const char*> owners) {
    std::vector<Record> out;
    for (const char* o : owners) {
        const auto w = wire(o);
        for (const auto& r : records) {
            if (dns::wire_names_equal(r.owner, w)) out.push_back(r);
        }
    }
    return out;
}

TEST(Nsec, CoversBetweenOwnerAndNextAndWrapsToTheApex) {
    EXPECT_TRUE(nsec_covers(wire("b.example."), wire("ns1.example."), wire("ml.example.")));
    EXPECT_TRUE(nsec_covers(wire("b.example."), wire("ns1.example."), wire("a.b.example.")));
    EXPECT_FALSE(nsec_covers(wire("b.example."), wire("ns1.example."), wire("b.example.")));
    EXPECT_FALSE(nsec_covers(wire("b.example."), wire("ns1.example."), wire("ns1.example.")));
    EXPECT_FALSE(nsec_covers(wire("b.example."), wire("ns1.example."), wire("zz.example.")));
    // The last NSEC covers the rest of the zone, nothing outside it.
    EXPECT_TRUE(nsec_covers(wire("xx.example."), wire("example."), wire("z.example.")));
    EXPECT_TRUE(nsec_covers(wire("XX.example."), wire("Example."), wire("a.z.EXAMPLE.")));
    EXPECT_FALSE(nsec_covers(wire("xx.example."), wire("example."), wire("a.example.")));
    EXPECT_FALSE(nsec_covers(wire("xx.example."), wire("example."), wire("zz.other.")));
}

TEST(Nsec, Rfc4035AppendixBProofs) {
    const auto all = rfc4035_nsecs();
    // B.2 name error: ml.example is covered, and so is *.example.
    auto d = nsec_nxdomain(wire("ml.example."), view(only(all, {"b.example.", "example."})));
    EXPECT_TRUE(d.proven()) << d.reason;
    EXPECT_EQ(d.closest_encloser_labels, 1);
    // Without the wildcard's NSEC it is not proven.
    d = nsec_nxdomain(wire("ml.example."), view(only(all, {"b.example."})));
    EXPECT_EQ(d.status, DenialStatus::not_proven);
    // B.3 no data: ns1.example MX.
    EXPECT_TRUE(nsec_nodata(wire("ns1.example."), kMx, view(only(all, {"ns1.example."}))).proven());
    EXPECT_FALSE(nsec_nodata(wire("ns1.example."), kA, view(only(all, {"ns1.example."}))).proven());
    // An empty non-terminal (w.example): the NSEC before it covers it and points below it.
    EXPECT_TRUE(nsec_nodata(wire("w.example."), kA, view(only(all, {"ns2.example."}))).proven());
    // B.5 referral to an unsigned zone: b.example has NS and no DS.
    EXPECT_TRUE(nsec_insecure_delegation(wire("b.example."), view(only(all, {"b.example."}))).proven());
    EXPECT_TRUE(nsec_nodata(wire("b.example."), kDs, view(only(all, {"b.example."}))).proven());
    EXPECT_FALSE(nsec_insecure_delegation(wire("a.example."), view(only(all, {"a.example."}))).proven());
    // The parent side of a delegation proves nothing about other types (RFC 6840 §4.4)...
    EXPECT_FALSE(nsec_nodata(wire("b.example."), kA, view(only(all, {"b.example."}))).proven());
    // ...nor about names below it (RFC 6840 §4.1).
    EXPECT_FALSE(nsec_nxdomain(wire("x.b.example."), view(only(all, {"b.example.", "example."}))).proven());
    // A child apex NSEC does not deny DS.
    EXPECT_FALSE(nsec_nodata(wire("example."), kDs, view(only(all, {"example."}))).proven());
    // B.6 wildcard expansion: a.z.w.example from *.w.example (RRSIG labels 2): z.w.example is covered.
    d = nsec_wildcard_answer(wire("a.z.w.example."), 2, view(only(all, {"x.y.w.example."})));
    EXPECT_TRUE(d.proven()) << d.reason;
    EXPECT_FALSE(nsec_wildcard_answer(wire("a.z.w.example."), 2, view(only(all, {"ns1.example."}))).proven());
    // A forged label count: x.w.example exists, so a wildcard at example. could not have answered.
    EXPECT_FALSE(nsec_wildcard_answer(wire("a.x.w.example."), 1, view(all)).proven());
    // B.7 wildcard no data: a.z.w.example AAAA.
    d = nsec_wildcard_nodata(wire("a.z.w.example."), kAaaa,
                             view(only(all, {"x.y.w.example.", "*.w.example."})));
    EXPECT_TRUE(d.proven()) << d.reason;
    EXPECT_FALSE(
        nsec_wildcard_nodata(wire("a.z.w.example."), kMx, view(only(all, {"x.y.w.example.", "*.w.example."})))
            .proven());
    // Existing names are not denied.
    EXPECT_FALSE(nsec_nxdomain(wire("ns1.example."), view(all)).proven());
    EXPECT_FALSE(nsec_nxdomain(wire("a.z.w.example."), view(all)).proven());  // the wildcard exists
}

// RFC 5155 Appendix A's names and their types (c.example is an insecure delegation: opt-out leaves it and
// its glue out of the chain).
struct NamedTypes {
    const char* name;
    std::vector<std::uint16_t> types;
};
const NamedTypes kRfc5155Names[] = {
    {"example.", {2, 6, 15, 46, 48, 51}},
    {"a.example.", {2, 43, 46}},
    {"ai.example.", {1, 13, 28, 46}},
    {"ns1.example.", {1, 46}},
    {"ns2.example.", {1, 46}},
    {"w.example.", {}},
    {"*.w.example.", {15, 46}},
    {"x.w.example.", {15, 46}},
    {"y.w.example.", {}},
    {"x.y.w.example.", {15, 46}},
    {"xx.example.", {1, 13, 28, 46}},
    {"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", {1, 46}},
};

std::vector<Record> nsec3_chain(bool opt_out, std::uint16_t iterations = 12) {
    const auto salt = from_hex("aabbccdd");
    struct Entry {
        Nsec3Hash hash;
        std::vector<std::uint16_t> types;
    };
    std::vector<Entry> entries;
    for (const auto& n : kRfc5155Names) {
        Entry e;
        EXPECT_TRUE(nsec3_hash(wire(n.name), salt, iterations, e.hash));
        e.types = n.types;
        entries.push_back(e);
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
    std::vector<Record> out;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& next = entries[(i + 1) % entries.size()].hash;
        std::vector<std::uint8_t> r;
        dns::WireWriter w(r);
        w.u8(1);
        w.u8(opt_out ? 1 : 0);
        w.u16(iterations);
        w.u8(static_cast<std::uint8_t>(salt.size()));
        w.bytes(salt);
        w.u8(20);
        w.bytes(next);
        TypeBitmapBuilder b;
        for (const auto t : entries[i].types)
            b.add(t);
        b.append_to(r);
        out.push_back({wire(nsec3_label(entries[i].hash) + ".example."), r});
    }
    return out;
}

TEST(Nsec3Denial, Rfc5155AppendixBProofs) {
    const auto zone = wire("example.");
    for (const bool opt_out : {true, false}) {
        const auto records = nsec3_chain(opt_out);
        const auto chain = view(records);
        const auto spanned = opt_out ? DenialStatus::opt_out : DenialStatus::proven;
        WorkBudget budget;
        // B.1 name error: a.c.x.w.example (closest encloser x.w.example).
        auto d = nsec3_nxdomain(wire("a.c.x.w.example."), zone, chain, budget);
        EXPECT_EQ(d.status, spanned) << d.reason;
        EXPECT_EQ(d.closest_encloser_labels, 3);
        // B.2 no data, B.2.1 no data at an empty non-terminal.
        EXPECT_TRUE(nsec3_nodata(wire("ns1.example."), kMx, zone, chain, budget).proven());
        EXPECT_TRUE(nsec3_nodata(wire("y.w.example."), kA, zone, chain, budget).proven());
        EXPECT_FALSE(nsec3_nodata(wire("ns1.example."), kA, zone, chain, budget).proven());
        // B.3 referral to an opt-out unsigned zone: c.example has no NSEC3 of its own.
        d = nsec3_insecure_delegation(wire("c.example."), zone, chain, budget);
        EXPECT_EQ(d.status, opt_out ? DenialStatus::opt_out : DenialStatus::not_proven) << d.reason;
        d = nsec3_nodata(wire("c.example."), kDs, zone, chain, budget);
        EXPECT_EQ(d.status, opt_out ? DenialStatus::opt_out : DenialStatus::not_proven) << d.reason;
        // a.example has a DS: not an insecure delegation.
        EXPECT_FALSE(nsec3_insecure_delegation(wire("a.example."), zone, chain, budget).proven());
        // B.4 wildcard expansion: a.z.w.example from *.w.example.
        EXPECT_TRUE(nsec3_wildcard_answer(wire("a.z.w.example."), 2, zone, chain, budget).proven());
        EXPECT_FALSE(nsec3_wildcard_answer(wire("a.x.w.example."), 2, zone, chain, budget).proven());
        // B.5 wildcard no data.
        d = nsec3_wildcard_nodata(wire("a.z.w.example."), kAaaa, zone, chain, budget);
        EXPECT_EQ(d.status, spanned) << d.reason;
        EXPECT_FALSE(nsec3_wildcard_nodata(wire("a.z.w.example."), kMx, zone, chain, budget).proven());
        // B.6: the DS denial from the child's apex is refused.
        EXPECT_FALSE(nsec3_nodata(wire("example."), kDs, zone, chain, budget).proven());
        // Existing names and names under an existing wildcard are not denied.
        EXPECT_FALSE(nsec3_nxdomain(wire("ns1.example."), zone, chain, budget).proven());
        EXPECT_NE(nsec3_nxdomain(wire("a.z.w.example."), zone, chain, budget).status, spanned);
        EXPECT_EQ(budget.exceeded(), WorkLimit::none);
    }
}

TEST(Nsec3Denial, MissingRecordsForgedOwnersAndLimits) {
    const auto zone = wire("example.");
    auto records = nsec3_chain(false);
    WorkBudget budget;
    // Drop the record covering the next closer name of B.1: not proven.
    Nsec3Hash next_closer;
    ASSERT_TRUE(nsec3_hash(wire("c.x.w.example."), from_hex("aabbccdd"), 12, next_closer));
    auto without = records;
    std::erase_if(without, [&](const Record& r) {
        const auto v = Nsec3View::parse(r.rdata);
        Nsec3Hash owner;
        return nsec3_owner_hash(r.owner, owner) && nsec3_covers(owner, v->next_hash, next_closer);
    });
    ASSERT_EQ(without.size(), records.size() - 1);
    EXPECT_EQ(nsec3_nxdomain(wire("a.c.x.w.example."), zone, view(without), budget).status,
              DenialStatus::not_proven);
    // Records of another zone are ignored.
    auto moved = records;
    for (auto& r : moved) {
        const std::string label(reinterpret_cast<const char*>(r.owner.data() + 1), 32);
        r.owner = wire(label + ".other.");
    }
    EXPECT_EQ(nsec3_nxdomain(wire("a.c.x.w.example."), zone, view(moved), budget).status,
              DenialStatus::not_proven);
    // Above the iteration limit the answer is insecure, and no hash is computed.
    WorkBudget fresh;
    const auto costly = nsec3_chain(false, 150);  // kept alive: view() points into it
    EXPECT_EQ(nsec3_nxdomain(wire("a.c.x.w.example."), zone, view(costly), fresh).status,
              DenialStatus::too_many_iterations);
    EXPECT_EQ(fresh.nsec3_hashes(), 0u);
    // A small hash budget stops a deep closest-encloser search.
    WorkLimits limits;
    limits.nsec3_hashes = 2;
    WorkBudget small(limits);
    EXPECT_EQ(nsec3_nxdomain(wire("a.b.c.d.e.x.w.example."), zone, view(records), small).status,
              DenialStatus::budget_exhausted);
    EXPECT_EQ(small.exceeded(), WorkLimit::nsec3_hashes);
    Nsec3Parameters p;
    ASSERT_TRUE(nsec3_parameters(zone, view(records), p));
    EXPECT_EQ(p.iterations, 12);
    EXPECT_EQ(p.salt.size(), 4u);
}

}  // namespace
}  // namespace cairn::dnssec
