// Iterative resolution on the replay harness: priming, referrals, glue and glueless name servers, CNAME and
// DNAME chains across zones, wildcards, NXDOMAIN and NODATA, and QNAME minimisation (RFC 9156).
#include <gtest/gtest.h>

#include "hierarchy.hpp"
#include "resolver/cache.hpp"
#include "resolver/validation.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

class Iteration : public ::testing::Test {
  protected:
    void SetUp() override { build_hierarchy(net); }
    std::unique_ptr<ResolverContext> context(ResolverSettings s = test_settings()) {
        return std::make_unique<ResolverContext>(std::move(s), net.clock);
    }
    Network net;
};

TEST_F(Iteration, PrimesThenFollowsReferralsToTheAnswer) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << net.log_text();
    EXPECT_EQ(r.answer(), (std::vector<std::string>{"www.example.com. 300 A 192.0.2.1",
                                                    "www.example.com. 300 A 192.0.2.3"}));
    EXPECT_FALSE(r.message.header.aa);  // a resolver's answer is never authoritative
    EXPECT_TRUE(r.message.header.ra);
    // Priming first (RFC 8109), then the root, com. and example.com., minimised on the way down.
    ASSERT_GE(net.sent().size(), 4u) << net.log_text();
    EXPECT_EQ(net.sent()[0].text(), "10.0.0.1 . NS");
    EXPECT_EQ(net.sent()[1].text(), "10.0.0.1 com. A");
    EXPECT_EQ(net.sent()[2].text(), "10.0.1.1 example.com. A");
    EXPECT_EQ(net.sent().back().qname, "www.example.com.");
    EXPECT_EQ(net.sent().back().qtype, RRType::A);
    EXPECT_EQ(r.outcome.upstream_queries, net.sent().size());
    // Priming cached the root's NS set and its servers' addresses (the next cold name starts from them).
    const auto root_ns = ctx->inspect(dns::Name::from_text("."), RRType::NS);
    ASSERT_EQ(root_ns.entries.size(), 1u);
    EXPECT_EQ(root_ns.entries[0].rank, "authoritative answer");
    const auto glue = ctx->inspect(dns::Name::from_text("ns.root."), RRType::A);
    ASSERT_EQ(glue.entries.size(), 1u);
    EXPECT_EQ(glue.entries[0].rank, "glue");
    net.clear_log();
    net.resolve(*ctx, "www.other.com.", RRType::A);
    EXPECT_EQ(net.sent().front().text(), "10.0.1.1 other.com. A") << net.log_text();
}

TEST_F(Iteration, SecondQueryIsAnsweredFromTheCacheWithTheTtlCountingDown) {
    auto ctx = context();
    net.resolve(*ctx, "www.example.com.", RRType::A);
    net.clock.advance(100000);  // 100 s
    const auto [hit, message] = net.from_cache(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::answer);
    EXPECT_EQ(Outcome::lines(message.answer), (std::vector<std::string>{"www.example.com. 200 A 192.0.2.1",
                                                                        "www.example.com. 200 A 192.0.2.3"}));
    EXPECT_FALSE(message.header.aa);
    EXPECT_TRUE(message.header.ra);
    // A sibling name needs only the example.com servers now.
    net.clear_log();
    const Outcome r = net.resolve(*ctx, "mail.example.com.", RRType::MX);
    EXPECT_EQ(r.answer(), std::vector<std::string>{"mail.example.com. 300 MX 10 mx.other.com."});
    ASSERT_EQ(net.sent().size(), 1u) << net.log_text();
    EXPECT_TRUE(net.sent()[0].server == "10.1.0.1" || net.sent()[0].server == "10.1.0.2");
}

TEST_F(Iteration, GluelessNameServerIsResolvedFirst) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.glueless.com.", RRType::A);
    EXPECT_EQ(r.answer(), std::vector<std::string>{"www.glueless.com. 300 A 192.0.2.10"}) << net.log_text();
    EXPECT_EQ(net.count_sent(
                  [](const SentQuery& q) { return q.qname == "ns.provider.net." && q.qtype == RRType::A; }),
              1u)
        << net.log_text();
    EXPECT_EQ(net.sent().back().server, "10.3.0.1");
}

TEST_F(Iteration, CnameAcrossZonesIsFollowed) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "alias.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), (std::vector<std::string>{"alias.example.com. 600 CNAME www.other.com.",
                                                    "www.other.com. 300 A 192.0.2.2"}))
        << net.log_text();
    // From the cache, the whole chain.
    const auto [hit, message] = net.from_cache(*ctx, "alias.example.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::answer);
    EXPECT_EQ(message.answer.size(), 2u);
}

TEST_F(Iteration, CnameInsideTheZoneComesInOneReply) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "inzone.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), (std::vector<std::string>{"inzone.example.com. 600 CNAME www.example.com.",
                                                    "www.example.com. 300 A 192.0.2.1",
                                                    "www.example.com. 300 A 192.0.2.3"}));
}

TEST_F(Iteration, DnameIsAppliedAndItsCnameSynthesised) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.d.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), (std::vector<std::string>{"d.example.com. 900 DNAME other.com.",
                                                    "www.d.example.com. 900 CNAME www.other.com.",
                                                    "www.other.com. 300 A 192.0.2.2"}))
        << net.log_text();
    const auto [hit, message] = net.from_cache(*ctx, "www.d.example.com.", RRType::A);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::answer);
    EXPECT_EQ(Outcome::lines(message.answer).front(), "d.example.com. 900 DNAME other.com.");
}

TEST_F(Iteration, WildcardAnswer) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "anything.wild.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), std::vector<std::string>{"anything.wild.example.com. 300 A 192.0.2.99"});
}

TEST_F(Iteration, NxdomainWithTheSoaAndItsNegativeTtl) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "nope.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NXDOMAIN) << net.log_text();
    EXPECT_TRUE(r.answer().empty());
    // RFC 2308: min(SOA TTL 3600, MINIMUM 300).
    EXPECT_EQ(r.authority(),
              std::vector<std::string>{
                  "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 1 3600 900 604800 300"});
    net.clock.advance(120000);
    const auto [hit, message] = net.from_cache(*ctx, "nope.example.com.", RRType::AAAA);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::negative);
    EXPECT_EQ(message.rcode(), dns::Rcode::NXDOMAIN);
    ASSERT_EQ(message.authority.size(), 1u);
    EXPECT_EQ(message.authority[0].ttl, 180u);  // counting down
}

// The article's type 5: an NXDOMAIN outlives the record's creation until flushname.
TEST_F(Iteration, NegativeAnswerOutlivesTheNewRecordUntilFlushname) {
    auto ctx = context();
    EXPECT_EQ(net.resolve(*ctx, "new.example.com.", RRType::A).message.rcode(), dns::Rcode::NXDOMAIN);
    auto zone = example_zone();
    zone.lines.push_back("new 300 A 192.0.2.123");
    net.replace_zone("10.1.0.1", zone);
    net.replace_zone("10.1.0.2", zone);
    net.clock.advance(60000);
    const auto [hit, message] = net.from_cache(*ctx, "new.example.com.", RRType::A);
    EXPECT_EQ(message.rcode(), dns::Rcode::NXDOMAIN);
    ASSERT_EQ(message.authority.size(), 1u);
    EXPECT_EQ(message.authority[0].ttl, 240u);
    const FlushCounts flushed = ctx->flush_name(dns::Name::from_text("new.example.com."));
    EXPECT_EQ(flushed.negative, 1u);
    EXPECT_EQ(net.from_cache(*ctx, "new.example.com.", RRType::A).first.kind, CacheAnswer::Kind::miss);
    const Outcome r = net.resolve(*ctx, "new.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), std::vector<std::string>{"new.example.com. 300 A 192.0.2.123"});
}

TEST_F(Iteration, NodataIsCachedForItsType) {
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "www.example.com.", RRType::TXT);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_TRUE(r.answer().empty());
    EXPECT_EQ(r.authority().size(), 1u);
    const auto [hit, message] = net.from_cache(*ctx, "www.example.com.", RRType::TXT);
    EXPECT_EQ(hit.kind, CacheAnswer::Kind::negative);
    EXPECT_EQ(message.rcode(), dns::Rcode::NOERROR);
    // Other types at the name are not denied.
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::AAAA).first.kind, CacheAnswer::Kind::miss);
}

TEST_F(Iteration, MinimisationSendsOneLabelMoreAtATime) {
    auto ctx = context();
    net.resolve(*ctx, "a.b.c.deep.example.com.", RRType::A);
    std::vector<std::string> to_example;
    for (const auto& q : net.sent())
        if (q.server == "10.1.0.1" || q.server == "10.1.0.2")
            to_example.push_back(q.qname + " " + dns::type_to_text(q.qtype));
    EXPECT_EQ(to_example, (std::vector<std::string>{"deep.example.com. A", "c.deep.example.com. A",
                                                    "b.c.deep.example.com. A", "a.b.c.deep.example.com. A"}))
        << net.log_text();
}

TEST_F(Iteration, MinimisationDisabledSendsTheWholeName) {
    auto s = test_settings();
    s.qname_minimization = QnameMinimization::disabled;
    auto ctx = context(s);
    net.resolve(*ctx, "a.b.c.deep.example.com.", RRType::A);
    for (const auto& q : net.sent()) {
        if (q.qtype == RRType::NS && q.qname == ".") continue;  // priming
        EXPECT_EQ(q.qname, "a.b.c.deep.example.com.") << net.log_text();
    }
}

TEST_F(Iteration, RelaxedMinimisationFallsBackOnNxdomainFromABrokenServer) {
    // A server that says NXDOMAIN for empty non-terminals (RFC 8020 broken): relaxed sends the full name.
    net.server("10.1.0.1").script = net.server("10.1.0.2").script =
        [](const dns::Message& q, const UpstreamQuery&) -> std::optional<ScriptReply> {
        if (q.questions[0].name == dns::Name::from_text("deep.example.com.")) {
            dns::Message m;
            m.header = q.header;
            m.header.qr = m.header.aa = true;
            m.header.rcode = 3;
            m.questions = q.questions;
            return ScriptReply::of(m);
        }
        return std::nullopt;
    };
    auto ctx = context();
    const Outcome r = net.resolve(*ctx, "a.b.c.deep.example.com.", RRType::A);
    EXPECT_EQ(r.answer(), std::vector<std::string>{"a.b.c.deep.example.com. 300 A 192.0.2.77"})
        << net.log_text();

    // Strict mode believes it (RFC 8020): NXDOMAIN.
    auto s = test_settings();
    s.qname_minimization = QnameMinimization::strict;
    auto strict = context(s);
    EXPECT_EQ(net.resolve(*strict, "a.b.c.deep.example.com.", RRType::A).message.rcode(),
              dns::Rcode::NXDOMAIN);
}

// The DNSSEC hook: a validator judges the replies to the client's question before they are cached, its
// verdict is cached with the RRset, and bogus data is answered from the cache to CD clients only.
TEST_F(Iteration, ValidatorVerdictIsCachedWithTheRRset) {
    struct MarkBogus : ValidationJob {
        explicit MarkBogus(ClassifiedReply& r) : reply(r) {}
        bool run() override {
            for (auto& set : reply.chain)
                set.security = Security::bogus;
            out.security = Security::bogus;
            out.ede = dns::EdeCode::DnssecBogus;
            out.text = "judged bogus by the test";
            return true;
        }
        const FetchRequest& wanted() const override { return none; }
        void provide(FetchResult) override {}
        const ValidationOutcome& outcome() const override { return out; }
        ClassifiedReply& reply;
        ValidationOutcome out;
        FetchRequest none;
    };
    struct Bogus : Validator {
        int calls = 0;
        std::unique_ptr<ValidationJob> begin(ClassifiedReply& reply, const ReplyContext&,
                                             dnssec::WorkBudget&) override {
            ++calls;
            return std::make_unique<MarkBogus>(reply);
        }
    } validator;
    auto ctx = context();
    ctx->set_validator(&validator);
    const auto r = net.resolve(*ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::SERVFAIL);
    ASSERT_TRUE(r.ede());
    EXPECT_EQ(r.ede()->info_code, 6);
    EXPECT_EQ(r.ede()->extra_text, "judged bogus by the test");
    EXPECT_EQ(validator.calls, 1);  // the answer; referrals lead to servers and are not judged
    EXPECT_EQ(ctx->inspect(dns::Name::from_text("www.example.com."), RRType::A).entries.at(0).security,
              "bogus");
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::A).first.kind, CacheAnswer::Kind::failure);
    QueryOptions cd;
    cd.cd = true;
    EXPECT_EQ(net.from_cache(*ctx, "www.example.com.", RRType::A, cd).first.kind, CacheAnswer::Kind::answer);
}

}  // namespace
}  // namespace cairn::resolver::testing
