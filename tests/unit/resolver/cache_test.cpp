// The cache on its own: RFC 2181 ranking, the TTL clamps, max-cache-size with eviction and honest byte
// counts, flush counts, dumps and introspection, and lock-free readers beside a writer.
#include "resolver/cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "replay.hpp"
#include "resolver/read_section.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

NewEntry rrset(const std::string& owner, RRType type, std::uint32_t ttl, Rank rank,
               std::vector<std::string> rdatas) {
    NewEntry e;
    e.owner = dns::Name::from_text(owner);
    e.type = dns::code(type);
    e.rank = rank;
    e.ttl = ttl;
    for (const auto& r : rdatas)
        e.rdatas.push_back(dns::rdata_from_text(type, r, dns::Name()));
    e.source = *dns::IpAddress::parse("192.0.2.53");
    return e;
}

NewEntry negative(const std::string& owner, RRType type, bool nxdomain, std::uint32_t ttl) {
    NewEntry e;
    e.owner = dns::Name::from_text(owner);
    e.type = dns::code(type);
    e.kind = nxdomain ? EntryKind::nxdomain : EntryKind::nodata;
    e.rank = Rank::auth_authority;
    e.ttl = ttl;
    e.soa_owner = dns::Name::from_text("example.com.");
    e.soa_rdata =
        dns::rdata_from_text(RRType::SOA, "ns1.example.com. h.example.com. 1 2 3 4 300", dns::Name());
    e.soa_ttl = 3600;
    return e;
}

NewEntry failure(const std::string& owner, RRType type) {
    NewEntry e;
    e.owner = dns::Name::from_text(owner);
    e.type = dns::code(type);
    e.kind = EntryKind::failure;
    e.ede_code = 22;
    e.cause = "no reachable authority for example.com: 10.0.0.1 timed out x3";
    return e;
}

class CacheTest : public ::testing::Test {
  protected:
    std::unique_ptr<ResolverContext> context(ResolverSettings s = test_settings()) {
        return std::make_unique<ResolverContext>(std::move(s), clock);
    }
    std::uint32_t now() const { return clock.now_seconds(); }
    FakeClock clock;
};

TEST_F(CacheTest, LowerRankNeverReplacesFreshHigherRank) {
    auto ctx = context();
    Cache& c = ctx->cache();
    EXPECT_EQ(c.store(rrset("ns1.example.com.", RRType::A, 3600, Rank::auth_answer, {"10.1.0.1"}), now(), 0),
              StoreResult::stored);
    // Glue from a referral claims another address: ignored while the authoritative answer lives.
    EXPECT_EQ(c.store(rrset("ns1.example.com.", RRType::A, 172800, Rank::glue, {"6.6.6.6"}), now(), 0),
              StoreResult::kept_existing);
    ReadSection section;
    const CacheEntry* e = c.find(dns::Name::from_text("NS1.example.com."), dns::code(RRType::A));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->rank, Rank::auth_answer);
    EXPECT_EQ(e->ttl_left(now()), 3600u);
    // Equal or higher rank replaces; so does anything once it expired.
    EXPECT_EQ(c.store(rrset("ns1.example.com.", RRType::A, 60, Rank::auth_answer, {"10.1.0.9"}), now(), 0),
              StoreResult::stored);
    clock.advance(61000);
    EXPECT_EQ(c.store(rrset("ns1.example.com.", RRType::A, 100, Rank::glue, {"10.1.0.8"}), now(), 0),
              StoreResult::stored);
    EXPECT_EQ(c.entries(), 1u);
}

TEST_F(CacheTest, TtlClampsOfNamedConf) {
    auto s = test_settings();
    s.cache.max_cache_ttl = 100;
    s.cache.min_cache_ttl = 10;
    s.cache.max_ncache_ttl = 50;
    s.cache.min_ncache_ttl = 5;
    s.cache.servfail_ttl = 3;
    auto ctx = context(s);
    Cache& c = ctx->cache();
    c.store(rrset("long.example.", RRType::A, 86400, Rank::auth_answer, {"192.0.2.1"}), now(), 0);
    c.store(rrset("short.example.", RRType::A, 1, Rank::auth_answer, {"192.0.2.1"}), now(), 0);
    c.store(negative("nx.example.", RRType::A, true, 900), now(), 0);
    c.store(negative("nodata.example.", RRType::A, false, 1), now(), 0);
    c.store(failure("fail.example.", RRType::A), now(), 0);
    ReadSection section;
    EXPECT_EQ(c.find(dns::Name::from_text("long.example."), 1)->original_ttl, 100u);
    EXPECT_EQ(c.find(dns::Name::from_text("short.example."), 1)->original_ttl, 10u);
    EXPECT_EQ(c.find(dns::Name::from_text("nx.example."), kNxdomainKey)->original_ttl, 50u);
    EXPECT_EQ(c.find(dns::Name::from_text("nodata.example."), 1)->original_ttl, 5u);
    EXPECT_EQ(c.find(dns::Name::from_text("fail.example."), failure_key(1))->original_ttl, 3u);
    // TTL 0 data is not cached (without a min-cache-ttl).
    auto ctx0 = context();
    EXPECT_EQ(
        ctx0->cache().store(rrset("zero.example.", RRType::A, 0, Rank::auth_answer, {"192.0.2.1"}), now(), 0),
        StoreResult::not_cached);
}

TEST_F(CacheTest, MaxCacheSizeIsKeptByEvictingWhatWasNotUsed) {
    auto s = test_settings();
    s.cache.max_cache_size = 256 * 1024;
    auto ctx = context(s);
    Cache& c = ctx->cache();
    const dns::Name hot = dns::Name::from_text("hot.example.");
    c.store(rrset("hot.example.", RRType::A, 3600, Rank::auth_answer, {"192.0.2.1"}), now(), 0);
    for (int i = 0; i < 20000; ++i) {
        c.store(rrset("n" + std::to_string(i) + ".example.", RRType::TXT, 3600, Rank::auth_answer,
                      {"\"some text to take room in the cache\""}),
                now(), 0);
        if (i % 100 == 0) {
            ReadSection section;
            if (const CacheEntry* e = c.find(hot, 1)) e->touch();  // a hit
        }
        ASSERT_LE(c.bytes(), s.cache.max_cache_size);
    }
    const auto stats = ctx->stats();
    EXPECT_GT(stats.value(Counter::cache_evictions), 10000u);
    EXPECT_LT(stats.cache_entries, 20000u);
    EXPECT_GT(stats.cache_entries, 500u);
    ReadSection section;
    EXPECT_NE(c.find(hot, 1), nullptr);  // hit now and then: kept (second chance)
}

TEST_F(CacheTest, BytesAreCountedPerAllocationAndReturnToTheEmptySize) {
    auto ctx = context();
    Cache& c = ctx->cache();
    const std::uint64_t empty = c.bytes();
    c.store(rrset("www.example.com.", RRType::A, 300, Rank::auth_answer, {"192.0.2.1"}), now(), 0);
    const std::uint64_t one = c.bytes() - empty;
    // Header, owner, one rendered record, malloc's own word: about a hundred octets, not less.
    EXPECT_GE(one, sizeof(CacheEntry) + 17 + 16);
    EXPECT_LE(one, 256u);
    c.store(rrset("www.example.com.", RRType::A, 300, Rank::auth_answer, {"192.0.2.1", "192.0.2.2"}), now(),
            0);
    EXPECT_GT(c.bytes() - empty, one);
    for (int i = 0; i < 10000; ++i)  // the tables grow
        c.store(
            rrset("n" + std::to_string(i) + ".example.", RRType::A, 300, Rank::auth_answer, {"192.0.2.1"}),
            now(), 0);
    EXPECT_GT(c.bytes(), empty + 10000 * one);
    EXPECT_EQ(ctx->flush().positive, 10001u);
    EXPECT_EQ(c.bytes(), empty);
    EXPECT_EQ(c.entries(), 0u);
}

TEST_F(CacheTest, FlushNameAndTreeCountWhatTheyRemove) {
    auto ctx = context();
    Cache& c = ctx->cache();
    c.store(rrset("www.example.com.", RRType::A, 300, Rank::auth_answer, {"192.0.2.1"}), now(), 0);
    c.store(rrset("www.example.com.", RRType::AAAA, 300, Rank::auth_answer, {"2001:db8::1"}), now(), 0);
    c.store(negative("www.example.com.", RRType::TXT, false, 300), now(), 0);
    c.store(failure("www.example.com.", RRType::MX), now(), 0);
    c.store(negative("gone.example.com.", RRType::A, true, 300), now(), 0);
    c.store(rrset("a.b.example.com.", RRType::A, 300, Rank::auth_answer, {"192.0.2.2"}), now(), 0);
    c.store(rrset("example.org.", RRType::A, 300, Rank::auth_answer, {"192.0.2.3"}), now(), 0);

    const FlushCounts name = ctx->flush_name(dns::Name::from_text("WWW.example.com."));
    EXPECT_EQ(name.positive, 2u);
    EXPECT_EQ(name.negative, 1u);
    EXPECT_EQ(name.failures, 1u);
    EXPECT_EQ(to_text(name), "removed 2 RRsets, 1 negative entry, 1 failure");
    const FlushCounts tree = ctx->flush_tree(dns::Name::from_text("example.com."));
    EXPECT_EQ(tree.positive, 1u);
    EXPECT_EQ(tree.negative, 1u);
    EXPECT_EQ(c.entries(), 1u);
    const FlushCounts all = ctx->flush();
    EXPECT_EQ(all.total(), 1u);
}

TEST_F(CacheTest, InspectAndDumpSayWhatIsThereAndWhy) {
    auto ctx = context();
    Cache& c = ctx->cache();
    c.store(rrset("www.example.com.", RRType::A, 300, Rank::auth_answer, {"192.0.2.1"}), now(),
            clock.wall_seconds());
    c.store(negative("www.example.com.", RRType::TXT, false, 300), now(), clock.wall_seconds());
    c.store(failure("www.example.com.", RRType::MX), now(), clock.wall_seconds());
    clock.advance(10000);
    const CacheReport report = ctx->inspect(dns::Name::from_text("www.example.com."));
    ASSERT_EQ(report.entries.size(), 3u);
    const std::string text = report.to_text();
    EXPECT_NE(
        text.find("www.example.com. A: 290 s left of 300; cached 2024-01-01T00:00:00Z; rank authoritative "
                  "answer; not validated; from 192.0.2.53\n  www.example.com. 290 IN A 192.0.2.1\n"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("www.example.com. NODATA (TXT): 290 s left of 300"), std::string::npos) << text;
    EXPECT_NE(text.find("  example.com. 290 IN SOA ns1.example.com. h.example.com. 1 2 3 4 300"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("www.example.com. failure (MX)"), std::string::npos) << text;
    EXPECT_NE(text.find("cause: no reachable authority for example.com: 10.0.0.1 timed out x3 (EDE 22)"),
              std::string::npos)
        << text;
    EXPECT_EQ(ctx->inspect(dns::Name::from_text("nothing.example.")).to_text(),
              "nothing.example.: nothing cached\n");
    const std::string dump = ctx->dump_cache();
    EXPECT_NE(dump.find("www.example.com. 290 IN A 192.0.2.1\n"), std::string::npos) << dump;
    EXPECT_NE(dump.find("; NODATA www.example.com. TXT ttl 290"), std::string::npos) << dump;
}

TEST_F(CacheTest, ReadersNeverSeeFreedEntriesWhileAWriterReplacesThem) {
    auto ctx = context();
    Cache& c = ctx->cache();
    const dns::Name name = dns::Name::from_text("www.example.com.");
    c.store(rrset("www.example.com.", RRType::A, 300, Rank::auth_answer, {"192.0.2.1"}), now(), 0);
    std::atomic<bool> stop{false};
    std::atomic<long> reads{0}, bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 2; ++t) {
        readers.emplace_back([&] {
            const dns::Name lower = name.lowercased();
            while (!stop.load()) {
                ReadSection section;
                for (int i = 0; i < 100; ++i) {
                    const CacheEntry* e = c.find(lower.wire(), c.name_hash(lower.wire()), 1);
                    if (e == nullptr || e->rr_count != 1 || e->owner_size != lower.wire_size()) ++bad;
                    ++reads;
                }
            }
        });
    }
    while (reads.load() == 0)  // the readers are running (the machine may be busy)
        std::this_thread::yield();
    for (int i = 0; i < 5000; ++i) {
        c.store(rrset("www.example.com.", RRType::A, 300, Rank::auth_answer,
                      {"192.0.2." + std::to_string(i % 250)}),
                now(), 0);
        c.store(rrset("n" + std::to_string(i) + ".example.com.", RRType::A, 300, Rank::auth_answer,
                      {"192.0.2.1"}),
                now(), 0);  // growth: whole tables are retired too
    }
    stop = true;
    for (auto& t : readers)
        t.join();
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(reclaim_retired(), 0u);  // every reader left: everything retired is freed
}

}  // namespace
}  // namespace cairn::resolver::testing
