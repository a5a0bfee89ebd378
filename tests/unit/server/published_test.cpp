#include "server/published.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace cairn::server {
namespace {

std::atomic<int> live_snapshots{0};

struct Snapshot {
    explicit Snapshot(std::uint64_t v) : value(v), check(~v) { live_snapshots.fetch_add(1); }
    ~Snapshot() {
        value = 0;
        check = 0;  // a reader that still held this would now see a broken invariant
        live_snapshots.fetch_sub(1);
    }
    std::uint64_t value;
    std::uint64_t check;
};

TEST(Published, ReaderInsideABatchKeepsItsSnapshotAlive) {
    live_snapshots = 0;
    {
        Published<Snapshot> published(2, std::make_unique<Snapshot>(1));
        published.enter(0);
        const Snapshot* held = published.get();
        published.publish(std::make_unique<Snapshot>(2));
        EXPECT_EQ(published.reclaim(), 1u);  // reader 0 may still use version 1
        EXPECT_EQ(held->value, 1u);
        EXPECT_EQ(live_snapshots.load(), 2);
        published.leave(0);
        EXPECT_EQ(published.reclaim(), 0u);
        EXPECT_EQ(live_snapshots.load(), 1);
        EXPECT_EQ(published.get()->value, 2u);
    }
    EXPECT_EQ(live_snapshots.load(), 0);
}

TEST(Published, ReaderThatEnteredAfterPublishDoesNotHoldTheOldOne) {
    live_snapshots = 0;
    Published<Snapshot> published(1, std::make_unique<Snapshot>(1));
    published.publish(std::make_unique<Snapshot>(2));
    published.enter(0);
    EXPECT_EQ(published.get()->value, 2u);
    published.publish(std::make_unique<Snapshot>(3));
    EXPECT_EQ(published.reclaim(), 1u);  // version 2 is held
    EXPECT_EQ(live_snapshots.load(), 2);
    published.leave(0);
    EXPECT_EQ(published.reclaim(), 0u);
}

TEST(Published, IdleReadersNeverBlockReclamation) {
    live_snapshots = 0;
    Published<Snapshot> published(8, std::make_unique<Snapshot>(0));
    for (std::uint64_t v = 1; v <= 100; ++v)
        published.publish(std::make_unique<Snapshot>(v));
    EXPECT_EQ(published.reclaim(), 0u);
    EXPECT_EQ(live_snapshots.load(), 1);
}

// Readers hammer the snapshot while a writer replaces it thousands of times: no reader ever sees a freed
// snapshot (run under ASan this is also a use-after-free check), and nothing leaks.
TEST(Published, ConcurrentReadersNeverSeeAFreedSnapshot) {
    live_snapshots = 0;
    constexpr unsigned kReaders = 2;
    {
        Published<Snapshot> published(kReaders, std::make_unique<Snapshot>(1));
        std::atomic<bool> done{false};
        std::atomic<int> broken{0};
        std::atomic<std::uint64_t> reads{0};
        std::vector<std::thread> readers;
        for (unsigned r = 0; r < kReaders; ++r) {
            readers.emplace_back([&, r] {
                std::uint64_t last = 0;
                while (!done.load(std::memory_order_relaxed)) {
                    published.enter(r);
                    for (int i = 0; i < 16; ++i) {
                        const Snapshot* s = published.get();
                        if (s->check != ~s->value || s->value < last) broken.fetch_add(1);
                        last = s->value;
                    }
                    published.leave(r);
                    reads.fetch_add(1, std::memory_order_relaxed);
                }
            });
        }
        // On a loaded machine the readers may not have run yet: wait for them (bounded), then keep
        // publishing until they have read while versions were being replaced, so the race is really run.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (reads.load() < kReaders && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
        const std::uint64_t reads_before = reads.load();
        std::uint64_t v = 2;
        for (;
             v <= 5000 || (reads.load() < reads_before + 1000 && std::chrono::steady_clock::now() < deadline);
             ++v) {
            published.publish(std::make_unique<Snapshot>(v));
            if (v % 64 == 0) std::this_thread::yield();
        }
        done = true;
        for (auto& t : readers)
            t.join();
        EXPECT_EQ(broken.load(), 0);
        EXPECT_GE(reads.load(), reads_before + 1000) << "readers never overlapped the writer";
        EXPECT_EQ(published.reclaim(), 0u);
        EXPECT_EQ(live_snapshots.load(), 1);
    }
    EXPECT_EQ(live_snapshots.load(), 0);
}

}  // namespace
}  // namespace cairn::server
