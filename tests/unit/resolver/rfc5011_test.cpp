// BIND's -T mkeytimers=HOUR[/DAY[/MONTH]] read into the RFC 5011 timers (rfc5011.hpp).
#include "resolver/rfc5011.hpp"

#include <gtest/gtest.h>

namespace cairn::resolver {
namespace {

TEST(MkeyTimers, ReadAsBindDoes) {
    const auto all = rfc5011_timers_from_text("2/20/40");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->min_refresh, 2u);
    EXPECT_EQ(all->max_refresh, 300u);  // 15 days
    EXPECT_EQ(all->add_hold_down, 40u);
    EXPECT_EQ(all->remove_hold_down, 40u);
    const auto hour_only = rfc5011_timers_from_text("1");
    ASSERT_TRUE(hour_only);
    EXPECT_EQ(hour_only->add_hold_down, 30u * 24u);  // a month of 30 days of 24 hours
    const auto two = rfc5011_timers_from_text("1/2");
    ASSERT_TRUE(two);
    EXPECT_EQ(two->add_hold_down, 60u);
    for (const char* bad : {"", "0", "1/", "/2", "1/2/3/4", "x", "1/-2", "12345678901"})
        EXPECT_FALSE(rfc5011_timers_from_text(bad)) << bad;
}

}  // namespace
}  // namespace cairn::resolver
