// Signed answers: zones signed with the test signer (NSEC, NSEC3, NSEC3 with opt-out), queried with and
// without DO. Every response is checked the way a validator would: each RRSIG in it verifies with the
// zone's key over the RRset it covers, and the denial records it carries prove what the rcode claims
// (the DNSSEC library's proof functions). Without DO, nothing of DNSSEC appears.
#include <gtest/gtest.h>

#include <map>

#include "../test_zone_signer.hpp"
#include "auth_test_util.hpp"
#include "dnssec/denial.hpp"
#include "zone/zone_dnssec.hpp"

using namespace cairn;
using namespace cairn::auth;
using namespace cairn::auth::testing;
using dns::Rcode;
using dns::RRType;
using dns::Section;

namespace {

const std::vector<std::string> kLines = {
    "@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300",
    "@ 3600 NS ns1",
    "@ 3600 MX 10 mail",
    "ns1 3600 A 192.0.2.1",
    "mail 3600 A 192.0.2.2",
    "mail 3600 AAAA 2001:db8::2",
    "www 300 A 192.0.2.3",
    "cname 300 CNAME www",
    "*.wild 300 A 192.0.2.4",
    "*.wild 300 TXT \"wildcard\"",
    "x.wild 300 A 192.0.2.5",
    "a.b.ent 300 A 192.0.2.6",
    "wcname.other 300 A 192.0.2.7",
    "*.wc 300 CNAME www",
    "secure 3600 NS ns.secure",
    "secure 3600 DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "ns.secure 3600 A 192.0.2.8",
    "insecure 3600 NS ns.insecure",
    "ns.insecure 3600 A 192.0.2.9",
    "deep.below.insecure2 3600 NS ns.example.net.",
};

struct Variant {
    const char* name;
    bool nsec3;
    bool opt_out;
};

const dns::Name kOrigin = dns::Name::from_text("example.");

class SignedAnswers : public ::testing::TestWithParam<Variant> {
  protected:
    static void SetUpTestSuite() { key_ = new dnssec::PrivateKey(dnssec::PrivateKey::generate(13)); }
    static void TearDownTestSuite() { delete key_; }

    void SetUp() override {
        auto records = records_from(kOrigin, kLines);
        cairn::testing::SignOptions o;
        o.nsec3 = GetParam().nsec3;
        o.opt_out = GetParam().opt_out;
        o.salt = {0xAB, 0xCD};
        o.iterations = 2;
        zone_ = zone::Zone::build(kOrigin, cairn::testing::sign_zone(kOrigin, std::move(records), *key_, o));
        table_ = zone::ZoneTable({zone_});
        dnskey_ = cairn::testing::published_dnskey(*key_);
    }

    Exchange ask(const std::string& name, RRType type, bool dnssec_ok = true, std::uint16_t payload = 4096,
                 Transport transport = Transport::udp) {
        QueryOptions o;
        o.dnssec_ok = dnssec_ok;
        o.udp_payload = payload;
        o.rd = false;
        return exchange(engine_, table_, make_query(name, type, o), transport);
    }

    // Every RRSIG of every section verifies over the RRset of its owner and type in that section.
    void expect_signatures_verify(const Exchange& e) {
        for (const Section s : {Section::Answer, Section::Authority, Section::Additional}) {
            std::map<std::pair<std::string, std::uint16_t>, std::vector<std::vector<std::uint8_t>>> sets;
            for (const auto& rr : e.message.section(s)) {
                if (rr.type != RRType::RRSIG)
                    sets[{rr.owner.lowercased().to_text(), dns::code(rr.type)}].push_back(rr.rdata);
            }
            for (const auto& rr : e.message.section(s)) {
                if (rr.type != RRType::RRSIG) continue;
                const auto sig = dnssec::RrsigView::parse(rr.rdata);
                ASSERT_TRUE(sig);
                const auto& rdatas = sets[{rr.owner.lowercased().to_text(), sig->type_covered}];
                std::vector<dnssec::Bytes> views(rdatas.begin(), rdatas.end());
                const dnssec::RRsetRef ref{rr.owner.wire(), static_cast<RRType>(sig->type_covered),
                                           dns::RRClass::IN, views};
                EXPECT_EQ(dnssec::verify_rrsig(ref, rr.rdata, dnskey_), dnssec::SignatureFailure::none)
                    << rr.owner.to_text() << " RRSIG "
                    << dns::type_to_text(static_cast<RRType>(sig->type_covered));
            }
        }
    }

    // The NSEC or NSEC3 records of the authority section.
    std::vector<dnssec::DenialRecord> denial(const Exchange& e) {
        std::vector<dnssec::DenialRecord> out;
        for (const auto& rr : e.message.section(Section::Authority)) {
            if (rr.type == RRType::NSEC || rr.type == RRType::NSEC3)
                out.push_back({rr.owner.wire(), rr.rdata});
        }
        return out;
    }

    std::size_t count_type(const Exchange& e, RRType type) {
        std::size_t n = 0;
        for (const Section s : {Section::Answer, Section::Authority, Section::Additional}) {
            for (const auto& rr : e.message.section(s))
                n += rr.type == type;
        }
        return n;
    }

    // The denial proof the response carries for `check`, run over its authority records.
    template <typename NsecCheck, typename Nsec3Check>
    dnssec::DenialStatus proof(const Exchange& e, NsecCheck nsec, Nsec3Check nsec3) {
        const auto records = denial(e);
        dnssec::WorkBudget budget;
        return GetParam().nsec3 ? nsec3(records, budget).status : nsec(records).status;
    }

    static dnssec::PrivateKey* key_;
    Engine engine_{Settings{}};
    std::shared_ptr<const zone::Zone> zone_;
    zone::ZoneTable table_;
    std::vector<std::uint8_t> dnskey_;
};

dnssec::PrivateKey* SignedAnswers::key_ = nullptr;

std::vector<std::uint8_t> wire_of(const std::string& name) {
    const auto n = dns::Name::from_text(name);
    return {n.wire().begin(), n.wire().end()};
}

constexpr std::uint16_t kA = 1, kMx = 15, kAaaa = 28, kDs = 43;

TEST_P(SignedAnswers, PositiveAnswersCarryTheirSignatures) {
    const auto e = ask("www.example.", RRType::A);
    EXPECT_EQ(e.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(e.lines(Section::Answer).size(), 2u);
    EXPECT_EQ(count_type(e, RRType::RRSIG), 1u);
    expect_signatures_verify(e);
    // The MX target's addresses come with theirs in the additional section.
    const auto mx = ask("example.", RRType::MX);
    EXPECT_EQ(count_type(mx, RRType::RRSIG), 3u);
    expect_signatures_verify(mx);
    // CNAME chain: each link signed.
    const auto c = ask("cname.example.", RRType::A);
    EXPECT_EQ(c.count(Section::Answer), 4u);
    expect_signatures_verify(c);
}

TEST_P(SignedAnswers, WithoutDoNothingOfDnssecAppears) {
    for (const auto& [name, type] :
         std::vector<std::pair<std::string, RRType>>{{"www.example.", RRType::A},
                                                     {"nothing.example.", RRType::A},
                                                     {"www.example.", RRType::MX},
                                                     {"a.wild.example.", RRType::A},
                                                     {"www.insecure.example.", RRType::A},
                                                     {"example.", RRType::ANY}}) {
        const auto e = ask(name, type, false);
        EXPECT_EQ(count_type(e, RRType::RRSIG), 0u) << name;
        EXPECT_EQ(count_type(e, RRType::NSEC), 0u) << name;
        EXPECT_EQ(count_type(e, RRType::NSEC3), 0u) << name;
        EXPECT_EQ(count_type(e, RRType::DS), 0u) << name;
    }
    // And without EDNS at all.
    QueryOptions o;
    o.edns = false;
    const auto e = exchange(engine_, table_, make_query("nothing.example.", RRType::A, o));
    EXPECT_EQ(e.message.rcode(), Rcode::NXDOMAIN);
    EXPECT_EQ(e.count(Section::Authority), 1u);
}

TEST_P(SignedAnswers, NxdomainIsProven) {
    for (const std::string name :
         {"nothing.example.", "a.b.c.nothing.example.", "zzz.b.ent.example.", "aaa.example."}) {
        const auto e = ask(name, RRType::A);
        EXPECT_EQ(e.message.rcode(), Rcode::NXDOMAIN) << name;
        expect_signatures_verify(e);
        const auto q = wire_of(name), apex = wire_of("example.");
        const auto status = proof(
            e, [&](auto& r) { return dnssec::nsec_nxdomain(q, r); },
            [&](auto& r, auto& b) { return dnssec::nsec3_nxdomain(q, apex, r, b); });
        EXPECT_EQ(status, GetParam().opt_out ? dnssec::DenialStatus::opt_out : dnssec::DenialStatus::proven)
            << name;
    }
}

TEST_P(SignedAnswers, NodataIsProvenAtNamesAndEmptyNonTerminals) {
    const auto apex = wire_of("example.");
    for (const auto& [name, qtype] :
         std::vector<std::pair<std::string, std::uint16_t>>{{"www.example.", kMx},
                                                            {"mail.example.", 16},
                                                            {"b.ent.example.", kA},
                                                            {"ent.example.", kAaaa},
                                                            {"example.", kAaaa},
                                                            {"secure.example.", kA}}) {
        if (name == "secure.example.") continue;  // a referral, below
        const std::uint16_t type = qtype;         // captured below: clang 14 cannot capture a binding
        const auto e = ask(name, static_cast<RRType>(type));
        EXPECT_EQ(e.message.rcode(), Rcode::NOERROR) << name;
        EXPECT_EQ(e.count(Section::Answer), 0u) << name;
        expect_signatures_verify(e);
        const auto q = wire_of(name);
        const auto status = proof(
            e, [&](auto& r) { return dnssec::nsec_nodata(q, type, r); },
            [&](auto& r, auto& b) { return dnssec::nsec3_nodata(q, type, apex, r, b); });
        EXPECT_EQ(status, dnssec::DenialStatus::proven) << name;
    }
}

TEST_P(SignedAnswers, WildcardAnswersAndWildcardNodata) {
    const auto apex = wire_of("example.");
    const auto e = ask("a.b.wild.example.", RRType::A);
    EXPECT_EQ(e.message.rcode(), Rcode::NOERROR);
    expect_signatures_verify(e);
    const auto sig = dnssec::RrsigView::parse(e.message.section(Section::Answer).back().rdata);
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->labels, 2);
    const auto q = wire_of("a.b.wild.example.");
    EXPECT_EQ(proof(
                  e, [&](auto& r) { return dnssec::nsec_wildcard_answer(q, 2, r); },
                  [&](auto& r, auto& b) { return dnssec::nsec3_wildcard_answer(q, 2, apex, r, b); }),
              dnssec::DenialStatus::proven);

    const auto n = ask("a.b.wild.example.", RRType::AAAA);
    EXPECT_EQ(n.message.rcode(), Rcode::NOERROR);
    EXPECT_EQ(n.count(Section::Answer), 0u);
    expect_signatures_verify(n);
    EXPECT_EQ(proof(
                  n, [&](auto& r) { return dnssec::nsec_wildcard_nodata(q, kAaaa, r); },
                  [&](auto& r, auto& b) { return dnssec::nsec3_wildcard_nodata(q, kAaaa, apex, r, b); }),
              GetParam().opt_out ? dnssec::DenialStatus::opt_out : dnssec::DenialStatus::proven);

    // A wildcard CNAME: the proof follows the whole answer section.
    const auto c = ask("x.wc.example.", RRType::A);
    EXPECT_EQ(c.count(Section::Answer), 4u);
    expect_signatures_verify(c);
    EXPECT_FALSE(denial(c).empty());
}

TEST_P(SignedAnswers, ReferralsCarryTheDsOrItsAbsence) {
    const auto apex = wire_of("example.");
    const auto secure = ask("www.secure.example.", RRType::A);
    EXPECT_FALSE(secure.message.header.aa);
    EXPECT_EQ(count_type(secure, RRType::DS), 1u);
    EXPECT_EQ(count_type(secure, RRType::RRSIG), 1u);
    expect_signatures_verify(secure);

    for (const std::string cut : {"insecure.example.", "deep.below.insecure2.example."}) {
        const auto e = ask("www." + cut, RRType::A);
        EXPECT_FALSE(e.message.header.aa);
        EXPECT_EQ(count_type(e, RRType::DS), 0u);
        expect_signatures_verify(e);
        const auto d = wire_of(cut);
        EXPECT_EQ(proof(
                      e, [&](auto& r) { return dnssec::nsec_insecure_delegation(d, r); },
                      [&](auto& r, auto& b) { return dnssec::nsec3_insecure_delegation(d, apex, r, b); }),
                  GetParam().opt_out ? dnssec::DenialStatus::opt_out : dnssec::DenialStatus::proven)
            << cut;
        // DS queried from the parent side: NODATA with the same proof.
        const auto ds = ask(cut, RRType::DS);
        EXPECT_TRUE(ds.message.header.aa);
        EXPECT_EQ(ds.count(Section::Answer), 0u);
        EXPECT_EQ(proof(
                      ds, [&](auto& r) { return dnssec::nsec_nodata(d, kDs, r); },
                      [&](auto& r, auto& b) { return dnssec::nsec3_nodata(d, kDs, apex, r, b); }),
                  GetParam().opt_out ? dnssec::DenialStatus::opt_out : dnssec::DenialStatus::proven)
            << cut;
    }
    const auto ds = ask("secure.example.", RRType::DS);
    EXPECT_TRUE(ds.message.header.aa);
    EXPECT_EQ(ds.count(Section::Answer), 2u);
    expect_signatures_verify(ds);
}

TEST_P(SignedAnswers, HashedOwnersAreNoNamesOfTheZone) {
    if (!GetParam().nsec3) GTEST_SKIP();
    std::string hashed;
    zone_->for_each_rr([&](std::span<const std::uint8_t> owner, RRType type, dns::RRClass, std::uint32_t,
                           std::span<const std::uint8_t>) {
        if (type == RRType::NSEC3 && hashed.empty()) hashed = dns::Name::from_validated_wire(owner).to_text();
    });
    const auto a = ask(hashed, RRType::A);
    EXPECT_EQ(a.message.rcode(), Rcode::NXDOMAIN);
    const auto below = ask("x." + hashed, RRType::A);
    EXPECT_EQ(below.message.rcode(), Rcode::NXDOMAIN);
    // Type NSEC3 too, as BIND and Knot answer it: NXDOMAIN, proven.
    const auto n = ask(hashed, RRType::NSEC3);
    EXPECT_EQ(n.message.rcode(), Rcode::NXDOMAIN);
    EXPECT_EQ(n.count(Section::Answer), 0u);
    expect_signatures_verify(n);
    const auto q = dns::Name::from_text(hashed);
    dnssec::WorkBudget budget;
    EXPECT_EQ(dnssec::nsec3_nxdomain(q.wire(), wire_of("example."), denial(n), budget).status,
              GetParam().opt_out ? dnssec::DenialStatus::opt_out : dnssec::DenialStatus::proven);
}

TEST_P(SignedAnswers, ProofsThatDoNotFitSetTc) {
    // Over TCP the whole proof; over UDP with 512 octets, TC when that is more (RFC 4035 §3.1.1).
    const auto tcp = ask("a.b.c.nothing.example.", RRType::A, true, 512, Transport::tcp);
    EXPECT_FALSE(tcp.message.header.tc);
    const auto udp = ask("a.b.c.nothing.example.", RRType::A, true, 512);
    EXPECT_LE(udp.wire.size(), 512u);
    EXPECT_EQ(udp.message.header.tc, tcp.wire.size() > 512);
    if (GetParam().nsec3) {
        EXPECT_GT(tcp.wire.size(), 512u);  // three NSEC3 records and four RRSIGs
    }
}

}  // namespace

// For dnssec_allocation_test.cpp, which may not build zones itself (it replaces operator new, and the
// signer's containers inlined beside that replacement trip GCC's new/delete pairing check).
std::shared_ptr<const zone::Zone> signed_allocation_test_zone(bool nsec3) {
    static const auto key = dnssec::PrivateKey::generate(13);
    cairn::testing::SignOptions o;
    o.nsec3 = nsec3;
    o.opt_out = nsec3;
    o.iterations = 1;
    return zone::Zone::build(kOrigin,
                             cairn::testing::sign_zone(kOrigin, records_from(kOrigin, kLines), key, o));
}

namespace {

INSTANTIATE_TEST_SUITE_P(Chains, SignedAnswers,
                         ::testing::Values(Variant{"nsec", false, false}, Variant{"nsec3", true, false},
                                           Variant{"nsec3_optout", true, true}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
