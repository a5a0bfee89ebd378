// DNSSEC validation on the replay harness, over a hierarchy signed with the DNSSEC library
// (signed_hierarchy.hpp): secure answers carry AD, insecure delegations do not, CD returns the data, and
// each failure the article lists ends in SERVFAIL with the EDE that fits and an EXTRA-TEXT that names the
// RRset, the key and the time.
#include <gtest/gtest.h>

#include "resolver/cache.hpp"
#include "resolver/validator.hpp"
#include "signed_hierarchy.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

class Validation : public ::testing::Test {
  protected:
    void SetUp() override { tree.build(net); }
    ResolverSettings settings() const {
        ResolverSettings s = test_settings();
        s.validation = tree.validation();
        return s;
    }
    std::unique_ptr<ResolverContext> context() { return context(settings()); }
    std::unique_ptr<ResolverContext> context(ResolverSettings s) {
        return std::make_unique<ResolverContext>(std::move(s), net.clock);
    }
    static QueryOptions dnssec_ok() {
        QueryOptions o;
        o.dnssec_ok = true;
        return o;
    }
    static QueryOptions checking_disabled() {
        QueryOptions o;
        o.cd = true;
        o.dnssec_ok = true;
        return o;
    }
    static std::size_t count(const std::vector<dns::ResourceRecord>& rrs, RRType type) {
        return static_cast<std::size_t>(std::count_if(
            rrs.begin(), rrs.end(), [&](const dns::ResourceRecord& rr) { return rr.type == type; }));
    }
    static std::string ede_text(const Outcome& r) { return r.ede() ? r.ede()->extra_text : "(no EDE)"; }
    static int ede_code(const Outcome& r) { return r.ede() ? r.ede()->info_code : -1; }

    SignedHierarchy tree;
    Network net;
};

TEST_F(Validation, SecureAnswerCarriesAdForDnssecClients) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << ede_text(r) << "\n" << net.log_text();
    EXPECT_TRUE(r.message.header.ad);
    EXPECT_EQ(count(r.message.answer, RRType::A), 1u);
    EXPECT_EQ(count(r.message.answer, RRType::RRSIG), 1u);  // DO: the RRSIGs come along
    EXPECT_FALSE(r.ede());
    // The verdict is cached: a hit carries AD too, without RRSIGs for a client without DO.
    const auto [hit, m] = net.from_cache(*ctx, "www.example.com.", RRType::A, dnssec_ok());
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::answer);
    EXPECT_TRUE(m.header.ad);
    EXPECT_EQ(count(m.answer, RRType::RRSIG), 1u);
    const auto [plain_hit, plain] = net.from_cache(*ctx, "www.example.com.", RRType::A);
    EXPECT_FALSE(plain.header.ad);  // neither DO nor AD asked (RFC 6840 §5.7)
    EXPECT_EQ(count(plain.answer, RRType::RRSIG), 0u);
    QueryOptions ad;
    ad.ad = true;
    EXPECT_TRUE(net.from_cache(*ctx, "www.example.com.", RRType::A, ad).second.header.ad);
    EXPECT_EQ(ctx->inspect(dns::Name::from_text("www.example.com."), RRType::A).entries.at(0).security,
              "secure");
}

// Asking for a zone's own keys (and the root's, whose anchor they must match): the reply is the RRset the
// chain needs, judged against the DS or the anchor, not fetched again (that lookup would wait on itself).
TEST_F(Validation, DnskeyQueriesValidateAgainstTheirOwnDsOrAnchor) {
    auto ctx = context();
    for (const char* zone : {".", "example.com."}) {
        const Outcome r = net.resolve(*ctx, zone, RRType::DNSKEY, dnssec_ok());
        ASSERT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << zone << ": " << ede_text(r) << "\n"
                                                          << net.log_text();
        EXPECT_TRUE(r.message.header.ad) << zone;
        EXPECT_GE(count(r.message.answer, RRType::DNSKEY), 1u) << zone;
    }
    EXPECT_EQ(net.resolve(*ctx, "rolled.com.", RRType::DNSKEY).message.rcode(), dns::Rcode::SERVFAIL);
}

TEST_F(Validation, SecureDenialsCarryTheirProofs) {
    auto ctx = context();
    const Outcome nx = net.resolve(*ctx, "nothing.example.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(nx.message.rcode(), dns::Rcode::NXDOMAIN) << ede_text(nx);
    EXPECT_TRUE(nx.message.header.ad);
    EXPECT_GE(count(nx.message.authority, RRType::NSEC), 1u);
    EXPECT_GE(count(nx.message.authority, RRType::RRSIG), 2u);  // the SOA's and the NSECs'
    const Outcome nodata = net.resolve(*ctx, "www.example.com.", RRType::TXT, dnssec_ok());
    ASSERT_EQ(nodata.message.rcode(), dns::Rcode::NOERROR) << ede_text(nodata);
    EXPECT_TRUE(nodata.message.answer.empty());
    EXPECT_TRUE(nodata.message.header.ad);
    EXPECT_EQ(count(nodata.message.authority, RRType::NSEC), 1u);
    // From the cache, the same proofs.
    const auto [hit, m] = net.from_cache(*ctx, "nothing.example.com.", RRType::A, dnssec_ok());
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::negative);
    EXPECT_TRUE(m.header.ad);
    EXPECT_EQ(count(m.authority, RRType::NSEC), count(nx.message.authority, RRType::NSEC));
    EXPECT_EQ(count(m.authority, RRType::RRSIG), count(nx.message.authority, RRType::RRSIG));
}

TEST_F(Validation, NsecThreeDenialsAndWildcards) {
    auto ctx = context();
    const Outcome nx = net.resolve(*ctx, "nothing.nsec3.com.", RRType::A, dnssec_ok());
    EXPECT_EQ(nx.message.rcode(), dns::Rcode::NXDOMAIN) << ede_text(nx);
    // The opt-out span over "nothing" could hide an insecure delegation: insecure, no AD (RFC 5155 §8.4).
    EXPECT_FALSE(nx.message.header.ad);
    const Outcome nodata = net.resolve(*ctx, "www.nsec3.com.", RRType::TXT, dnssec_ok());
    EXPECT_EQ(nodata.message.rcode(), dns::Rcode::NOERROR) << ede_text(nodata);
    EXPECT_TRUE(nodata.message.header.ad);
    const Outcome wild = net.resolve(*ctx, "x.wild.nsec3.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(wild.message.rcode(), dns::Rcode::NOERROR) << ede_text(wild);
    EXPECT_TRUE(wild.message.header.ad);
    EXPECT_GE(count(wild.message.authority, RRType::NSEC3), 1u);  // the next closer name is covered
    const Outcome wild_nsec = net.resolve(*ctx, "x.wild.example.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(wild_nsec.message.rcode(), dns::Rcode::NOERROR) << ede_text(wild_nsec);
    EXPECT_TRUE(wild_nsec.message.header.ad);
    EXPECT_EQ(count(wild_nsec.message.authority, RRType::NSEC), 1u);
    const auto [hit, m] = net.from_cache(*ctx, "x.wild.example.com.", RRType::A, dnssec_ok());
    EXPECT_TRUE(m.header.ad);
    EXPECT_EQ(count(m.authority, RRType::NSEC), 1u);  // a cached wildcard answer keeps its proof
}

TEST_F(Validation, InsecureDelegationsAnswerWithoutAd) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.insecure.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << ede_text(r);
    EXPECT_FALSE(r.message.header.ad);
    EXPECT_EQ(ctx->inspect(dns::Name::from_text("www.insecure.com."), RRType::A).entries.at(0).security,
              "insecure");
    // Below an opt-out NSEC3 span: insecure too.
    const Outcome sub = net.resolve(*ctx, "www.sub.nsec3.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(sub.message.rcode(), dns::Rcode::NOERROR) << ede_text(sub) << "\n" << net.log_text();
    EXPECT_FALSE(sub.message.header.ad);
    // And a secure CNAME into a secure zone stays secure.
    const Outcome cname = net.resolve(*ctx, "out.example.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(cname.message.rcode(), dns::Rcode::NOERROR) << ede_text(cname);
    EXPECT_TRUE(cname.message.header.ad);
}

TEST_F(Validation, ExpiredSignatureIsEde7NamingRRsetKeyAndTime) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.expired.com.", RRType::A);
    ASSERT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(r), 7);
    EXPECT_EQ(ede_text(r),
              "RRSIG www.expired.com/A by key " +
                  std::to_string(dnssec::key_tag(cairn::testing::published_dnskey(tree.expired_key))) +
                  " expired 2023-11-14T22:13:20Z");
    // Cached briefly with its cause: the next client gets the same reason from the cache.
    const auto [hit, m] = net.from_cache(*ctx, "www.expired.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::failure);
    const auto* o = m.edns->find(dns::EdnsOptionCode::EDE);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(dns::parse_ede(o->data)->info_code, 7);
    const auto report = ctx->inspect(dns::Name::from_text("www.expired.com."), RRType::A).to_text();
    EXPECT_NE(report.find("expired 2023-11-14T22:13:20Z"), std::string::npos) << report;
    EXPECT_NE(report.find("bogus"), std::string::npos) << report;
}

TEST_F(Validation, NotYetValidSignatureIsEde8) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.future.com.", RRType::A);
    ASSERT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(r), 8);
    EXPECT_EQ(ede_text(r),
              "RRSIG www.future.com/A by key " +
                  std::to_string(dnssec::key_tag(cairn::testing::published_dnskey(tree.future_key))) +
                  " not valid before 2027-01-15T08:00:00Z");
}

TEST_F(Validation, DsMatchingNoDnskeyIsEde9) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.rolled.com.", RRType::A);
    ASSERT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(r), 9);
    const auto ds = dnssec::DsView::parse(ds_rdata("rolled.com.", tree.rolled_old_key));
    EXPECT_EQ(ede_text(r), "DS " + std::to_string(ds->key_tag) + "/13/2 for rolled.com matches no DNSKEY");
}

TEST_F(Validation, StrippedSignaturesAreEde10) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.stripped.com.", RRType::A);
    ASSERT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(r), 10);
    EXPECT_EQ(ede_text(r), "no RRSIG for stripped.com/DNSKEY in secure zone stripped.com");
}

TEST_F(Validation, BrokenNsecChainIsEde12) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "n.broken.com.", RRType::A);  // between m and ns1: uncovered
    ASSERT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL) << net.log_text();
    EXPECT_EQ(ede_code(r), 12);
    EXPECT_NE(ede_text(r).find("NXDOMAIN for n.broken.com"), std::string::npos) << ede_text(r);
    // Names the chain still covers are fine.
    EXPECT_EQ(net.resolve(*ctx, "y.broken.com.", RRType::A).message.rcode(), dns::Rcode::NXDOMAIN);
}

TEST_F(Validation, Nsec3OverTheIterationLimitIsInsecureWithEde27) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "nothing.iter200.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(r.message.rcode(), dns::Rcode::NXDOMAIN) << ede_text(r);
    EXPECT_FALSE(r.message.header.ad);
    EXPECT_EQ(ede_code(r), 27);
    EXPECT_NE(ede_text(r).find("200 iterations"), std::string::npos) << ede_text(r);
    // Its signed data still validates.
    EXPECT_TRUE(net.resolve(*ctx, "www.iter200.com.", RRType::A, dnssec_ok()).message.header.ad);
}

TEST_F(Validation, UnsupportedAlgorithmOrDigestIsInsecureWithEde1Or2) {
    auto ctx = context();
    const Outcome alg = net.resolve(*ctx, "www.unknownalg.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(alg.message.rcode(), dns::Rcode::NOERROR) << ede_text(alg);
    EXPECT_FALSE(alg.message.header.ad);
    EXPECT_EQ(ede_code(alg), 1);
    const Outcome digest = net.resolve(*ctx, "www.unknowndigest.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(digest.message.rcode(), dns::Rcode::NOERROR) << ede_text(digest);
    EXPECT_FALSE(digest.message.header.ad);
    EXPECT_EQ(ede_code(digest), 2);
    // The cache keeps the reason with the data.
    const auto [hit, m] = net.from_cache(*ctx, "www.unknownalg.com.", RRType::A, dnssec_ok());
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::answer);
    EXPECT_FALSE(m.header.ad);
    ASSERT_NE(m.edns->find(dns::EdnsOptionCode::EDE), nullptr);
    EXPECT_EQ(dns::parse_ede(m.edns->find(dns::EdnsOptionCode::EDE)->data)->info_code, 1);
}

TEST_F(Validation, KeyTrapZoneIsAnsweredWithinTheWorkBudget) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.keytrap.com.", RRType::A);
    ASSERT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(r), 5);
    EXPECT_EQ(
        ede_text(r),
        "gave up on www.keytrap.com/A: more than 16 signature verifications for one answer (KeyTrap limit)");
    // 1,640 pairs on offer; the client query paid at most its budget of 64 (16 for this answer, the rest
    // for the chain above it).
    EXPECT_LE(ctx->stats().value(Counter::dnssec_verifications), 64u);
}

TEST_F(Validation, CheckingDisabledReturnsTheDataUnvalidated) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.expired.com.", RRType::A, checking_disabled());
    ASSERT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << ede_text(r);
    EXPECT_FALSE(r.message.header.ad);
    EXPECT_EQ(count(r.message.answer, RRType::A), 1u);
    // Cached as bogus: CD clients get it from the cache, others not.
    EXPECT_EQ(net.from_cache(*ctx, "www.expired.com.", RRType::A, checking_disabled()).first.kind,
              CacheAnswer::Kind::answer);
    EXPECT_EQ(net.from_cache(*ctx, "www.expired.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    const Outcome again = net.resolve(*ctx, "www.expired.com.", RRType::A);
    EXPECT_EQ(again.message.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(ede_code(again), 7);
}

TEST_F(Validation, NegativeTrustAnchorResolvesABogusZoneUntilItExpires) {
    auto ctx = context();
    EXPECT_EQ(net.resolve(*ctx, "www.expired.com.", RRType::A).message.rcode(), dns::Rcode::SERVFAIL);
    ctx->add_nta(dns::Name::from_text("expired.com."), 60, false);
    const Outcome r = net.resolve(*ctx, "www.expired.com.", RRType::A, dnssec_ok());
    ASSERT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << ede_text(r);
    EXPECT_FALSE(r.message.header.ad);
    EXPECT_NE(
        ctx->dnssec().ntas().dump(net.clock.wall_seconds(), "_default").find("expired.com/_default: expiry"),
        std::string::npos);
    net.clock.advance(61000);
    ctx->maintenance();  // the NTA ends, and what was cached under it goes
    EXPECT_EQ(net.from_cache(*ctx, "www.expired.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    EXPECT_EQ(net.resolve(*ctx, "www.expired.com.", RRType::A).message.rcode(), dns::Rcode::SERVFAIL);
}

TEST_F(Validation, AggressiveNsecAnswersFromCachedDenials) {
    auto ctx = context();
    ASSERT_EQ(net.resolve(*ctx, "b.example.com.", RRType::A).message.rcode(), dns::Rcode::NXDOMAIN);
    net.clear_log();
    // "c.example.com" falls in the same NSEC span (example.com -> a.b.deep...): no query needed.
    const Outcome r = net.resolve(*ctx, "c.example.com.", RRType::A, dnssec_ok());
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NXDOMAIN);
    EXPECT_TRUE(r.message.header.ad);
    EXPECT_TRUE(net.sent().empty()) << net.log_text();
    EXPECT_EQ(ctx->stats().value(Counter::synthesised_answers), 1u);
}

TEST_F(Validation, ValidationOffAnswersEverythingWithoutAd) {
    auto s = settings();
    s.validation.enabled = false;
    auto ctx = context(s);
    const Outcome r = net.resolve(*ctx, "www.expired.com.", RRType::A, dnssec_ok());
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_FALSE(r.message.header.ad);
    // rndc validation on: the cache is flushed and answers are validated from then on.
    EXPECT_TRUE(ctx->set_validating(true));
    EXPECT_EQ(net.from_cache(*ctx, "www.expired.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    EXPECT_EQ(net.resolve(*ctx, "www.expired.com.", RRType::A).message.rcode(), dns::Rcode::SERVFAIL);
}

TEST_F(Validation, CountsAnswersByStateAndBogusByEde) {
    auto ctx = context();
    net.resolve(*ctx, "www.example.com.", RRType::A);
    net.resolve(*ctx, "www.insecure.com.", RRType::A);
    net.resolve(*ctx, "www.expired.com.", RRType::A);
    net.from_cache(*ctx, "www.example.com.", RRType::A);
    const auto s = ctx->stats();
    EXPECT_EQ(s.value(Counter::answers_secure), 2u);
    EXPECT_EQ(s.value(Counter::answers_insecure), 1u);
    EXPECT_EQ(s.value(Counter::answers_bogus), 1u);
    EXPECT_EQ(s.bogus_by_ede[7], 1u);
}

}  // namespace
}  // namespace cairn::resolver::testing
