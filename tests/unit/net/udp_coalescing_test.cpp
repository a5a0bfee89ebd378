#include "net/udp_coalescing.hpp"

#include <gtest/gtest.h>

namespace cairn::net {
namespace {

using std::chrono::microseconds;

TEST(UdpCoalescingPolicy, PausesOnlyWhileBatchesShowAStream) {
    UdpCoalescing c(microseconds(10));
    EXPECT_TRUE(c.enabled());
    EXPECT_FALSE(c.pausing()) << "the first receive sleeps for its query";
    c.received(1, true);
    EXPECT_FALSE(c.pausing()) << "a lone query: back to sleep, no pause";
    c.received(UdpCoalescing::kStreamBatch, true);
    EXPECT_TRUE(c.pausing());
    c.received(17, true);
    EXPECT_TRUE(c.pausing()) << "still streaming after a pause";
    c.received(0, true);
    EXPECT_FALSE(c.pausing()) << "nothing gathered: the stream ended, sleep in the receive";
    c.received(5, true);
    c.received(1, true);
    EXPECT_FALSE(c.pausing()) << "a thinned-out stream does not pay for the pause";
}

TEST(UdpCoalescingPolicy, AFullBatchGoesStraightOn) {
    UdpCoalescing c(microseconds(10));
    c.received(kUdpBatch - 1, true);
    EXPECT_TRUE(c.pausing());
    c.received(kUdpBatch, false);
    EXPECT_FALSE(c.pausing()) << "more is already queued";
    c.received(150, true);
    EXPECT_TRUE(c.pausing()) << "several full receives on sockets that ended drained";
}

TEST(UdpCoalescingPolicy, ZeroNeverPauses) {
    UdpCoalescing c(microseconds(0));
    EXPECT_FALSE(c.enabled());
    c.received(30, true);
    EXPECT_FALSE(c.pausing());
}

TEST(UdpCoalescingPolicy, PauseLength) {
    const timespec short_pause = UdpCoalescing(microseconds(10)).pause();
    EXPECT_EQ(short_pause.tv_sec, 0);
    EXPECT_EQ(short_pause.tv_nsec, 10'000);
    const timespec long_pause = UdpCoalescing(microseconds(1'500'000)).pause();
    EXPECT_EQ(long_pause.tv_sec, 1);
    EXPECT_EQ(long_pause.tv_nsec, 500'000'000);
}

}  // namespace
}  // namespace cairn::net
