// The store grows its map when a write finds it full, so that journalling never stops for want of room;
// a journal is trimmed to a bound, keeping its newest entry.
#include "store/environment.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "store/journal.hpp"
#include "store_test_util.hpp"

namespace cairn::store {
namespace {

using testing::step;
using testing::TempDir;

TEST(Environment, AFullMapGrowsAndTheWriteGoesThrough) {
    TempDir dir;
    std::vector<std::pair<std::size_t, std::size_t>> grown;  // told each time (the server logs it)
    Environment env(dir.path(),
                    {.map_size = 1 << 20,
                     .max_map_size = std::size_t{64} << 20,
                     .sync = false,
                     .grown = [&grown](std::size_t from, std::size_t to) { grown.emplace_back(from, to); }});
    const std::size_t before = env.map_size();
    Journal journal(env, dns::Name::from_text("example.com."));
    // About 4 MiB of differences in a 1 MiB map (one TXT record holds at most 64 KiB).
    for (std::uint32_t serial = 1; serial <= 64; ++serial)
        journal.append(step(serial, serial + 1, 60 * 1024));
    EXPECT_GT(env.map_size(), before);
    ASSERT_FALSE(grown.empty());
    EXPECT_EQ(grown.front(), std::make_pair(before, before * 2));  // doubled
    EXPECT_EQ(grown.back().second, env.map_size());
    EXPECT_EQ(journal.info().entries, 64u);
    EXPECT_EQ(journal.info().last_serial, 65u);
}

TEST(Environment, AtItsLargestAFullMapIsAClearError) {
    TempDir dir;
    Environment env(dir.path(),
                    {.map_size = 1 << 20, .max_map_size = 1 << 20, .sync = false, .grown = nullptr});
    Journal journal(env, dns::Name::from_text("example.com."));
    const auto fill = [&] {
        for (std::uint32_t serial = 1; serial <= 64; ++serial)
            journal.append(step(serial, serial + 1, 60 * 1024));
    };
    EXPECT_THROW(fill(), StoreError);
}

TEST(Journal, TrimKeepsTheNewestEntriesWithinTheBound) {
    TempDir dir;
    Environment env(dir.path(), {.map_size = 16 << 20, .sync = false, .grown = nullptr});
    Journal journal(env, dns::Name::from_text("example.com."));
    // Serials 100..110: every entry the same size (host100 .. host110).
    for (std::uint32_t serial = 100; serial < 110; ++serial)
        journal.append(step(serial, serial + 1, 1000));
    const JournalInfo full = journal.info();
    EXPECT_EQ(journal.trim(full.bytes), 0u);
    EXPECT_EQ(journal.trim(full.bytes / 2), 5u);
    EXPECT_LE(journal.info().bytes, full.bytes / 2);
    EXPECT_EQ(journal.info().first_serial, 105u);
    EXPECT_EQ(journal.trim(0), 4u);  // the newest stays
    EXPECT_EQ(journal.info().entries, 1u);
    EXPECT_EQ(journal.info().last_serial, 110u);
}

}  // namespace
}  // namespace cairn::store
