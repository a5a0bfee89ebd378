#include "store/journal.hpp"

#include <gtest/gtest.h>

#include "store/diff_codec.hpp"
#include "store/zone_timers.hpp"
#include "store_test_util.hpp"

namespace cairn::store {
namespace {

using testing::step;
using testing::TempDir;

const dns::Name kZone = dns::Name::from_text("example.com.");

TEST(DiffCodec, RoundTripsAndSharesOwners) {
    zone::ZoneDiff d = step(1, 2);
    d.added.push_back(testing::rec("host2", dns::RRType::AAAA, "2001:db8::1"));
    d.added.push_back(testing::rec("Host2", dns::RRType::MX, "10 mail.Example.com."));
    const auto bytes = encode_diff(d);
    EXPECT_EQ(decode_diff(bytes), d);
    std::uint32_t from = 0, to = 0;
    decode_diff_serials(bytes, from, to);
    EXPECT_EQ(from, 1u);
    EXPECT_EQ(to, 2u);
}

TEST(DiffCodec, RejectsEveryTruncationAndDamage) {
    const auto bytes = encode_diff(step(1, 2));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        EXPECT_THROW(decode_diff(std::span(bytes).first(n)), StoreError) << n;
    }
    auto bad = bytes;
    bad[0] = 99;  // unknown version
    EXPECT_THROW(decode_diff(bad), StoreError);
    bad = bytes;
    bad[4] ^= 1;  // from serial no longer matches the old SOA
    EXPECT_THROW(decode_diff(bad), StoreError);
    bad = bytes;
    bad.push_back(0);
    EXPECT_THROW(decode_diff(bad), StoreError);
}

TEST(Journal, AppendsAndReturnsTheChainFromAClientSerial) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    Journal j(env, kZone);
    EXPECT_EQ(j.info().entries, 0u);
    EXPECT_FALSE(j.chain_from(1).has_value());
    j.append(step(1, 2));
    j.append(step(2, 3));
    j.append(step(3, 5));
    const JournalInfo info = j.info();
    EXPECT_EQ(info.entries, 3u);
    EXPECT_EQ(info.first_serial, 1u);
    EXPECT_EQ(info.last_serial, 5u);

    const auto chain = j.chain_from(2);
    ASSERT_TRUE(chain.has_value());
    ASSERT_EQ(chain->size(), 2u);
    EXPECT_EQ((*chain)[0], step(2, 3));
    EXPECT_EQ((*chain)[1], step(3, 5));
    EXPECT_EQ(j.chain_from(1)->size(), 3u);
    EXPECT_TRUE(j.chain_from(5).has_value());
    EXPECT_TRUE(j.chain_from(5)->empty());  // up to date
    EXPECT_FALSE(j.chain_from(4).has_value());
    EXPECT_FALSE(j.chain_from(0).has_value());
    EXPECT_EQ(j.chain_rr_count(2), 8u);
    EXPECT_EQ(j.chain_rr_count(5), 0u);
    EXPECT_FALSE(j.chain_rr_count(4).has_value());
}

TEST(Journal, SerialsWrapAround) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    Journal j(env, kZone);
    j.append(step(4294967294u, 4294967295u));
    j.append(step(4294967295u, 1));
    EXPECT_EQ(j.chain_from(4294967294u)->size(), 2u);
    EXPECT_EQ(j.info().last_serial, 1u);
}

TEST(Journal, ADiscontinuousAppendStartsOver) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    Journal j(env, kZone);
    j.append(step(1, 2));
    j.append(step(7, 8));  // the zone was replaced in between
    EXPECT_EQ(j.info().entries, 1u);
    EXPECT_FALSE(j.chain_from(1).has_value());
    EXPECT_EQ(j.chain_from(7)->size(), 1u);
    EXPECT_THROW(j.append(step(8, 8)), StoreError);
}

TEST(Journal, TrimsOldestEntriesToTheSizeBoundButKeepsTheNewest) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    Journal j(env, kZone);
    const std::size_t one = encode_diff(step(10, 11, 200)).size() + 4;  // the largest
    for (std::uint32_t s = 1; s <= 10; ++s)
        j.append(step(s, s + 1, 200), 3 * one);
    JournalInfo info = j.info();
    EXPECT_EQ(info.entries, 3u);
    EXPECT_LE(info.bytes, 3 * one);
    EXPECT_EQ(info.first_serial, 8u);
    EXPECT_FALSE(j.chain_from(7).has_value());
    EXPECT_EQ(j.chain_from(8)->size(), 3u);

    j.append(step(11, 12, 5000), 3 * one);  // larger than the bound alone
    info = j.info();
    EXPECT_EQ(info.entries, 1u);
    EXPECT_EQ(info.last_serial, 12u);
}

TEST(Journal, ZonesAreSeparateAndNamesCaseInsensitive) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    Journal a(env, kZone), b(env, dns::Name::from_text("sub.example.com."));
    a.append(step(1, 2));
    EXPECT_EQ(b.info().entries, 0u);
    EXPECT_EQ(Journal(env, dns::Name::from_text("EXAMPLE.com.")).info().entries, 1u);
    a.clear();
    EXPECT_EQ(a.info().entries, 0u);
    a.append(step(5, 6));
    EXPECT_EQ(a.info().first_serial, 5u);
}

TEST(Journal, SurvivesReopening) {
    TempDir dir;
    {
        Environment env(dir.path());
        Journal j(env, kZone);
        j.append(step(1, 2));
        j.append(step(2, 3));
    }
    Environment env(dir.path());
    Journal j(env, kZone);
    EXPECT_EQ(j.info().entries, 2u);
    EXPECT_EQ(j.chain_from(1)->back(), step(2, 3));
}

TEST(Journal, AFailedWriteTransactionLeavesNothingBehind) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    const std::vector<std::uint8_t> key{1, 2, 3}, value{4};
    EXPECT_THROW(env.write([&](Environment::Txn& txn) {
        txn.put(Table::Journal, key, value);
        throw std::runtime_error("interrupted");
    }),
                 std::runtime_error);
    bool found = true;
    env.read([&](const Environment::Txn& txn) {
        std::vector<std::uint8_t> v;
        found = txn.get(Table::Journal, key, v);
    });
    EXPECT_FALSE(found);
}

TEST(ZoneTimers, PersistAcrossReopening) {
    TempDir dir;
    ZoneTimers t{.last_refresh = 1700000000,
                 .next_refresh = 1700003600,
                 .expire_at = 1700604800,
                 .serial = 42,
                 .last_failed = true};
    {
        Environment env(dir.path());
        EXPECT_FALSE(load_timers(env, kZone).has_value());
        save_timers(env, kZone, t);
    }
    Environment env(dir.path());
    EXPECT_EQ(load_timers(env, dns::Name::from_text("Example.COM.")), t);
    erase_timers(env, kZone);
    EXPECT_FALSE(load_timers(env, kZone).has_value());
}

TEST(Environment, OpeningAnUnusablePathIsAClearError) {
    try {
        Environment env("/proc/cairn-no-such/dir");
        FAIL();
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/cairn-no-such/dir"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace cairn::store
