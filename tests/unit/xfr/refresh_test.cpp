// The refresh schedule driven through a fake clock: refresh, retry, expire, recovery, NOTIFY, restarts.
#include "xfr/refresh.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cairn::xfr {
namespace {

// Seconds-long timers as the system tests use them, with bounds opened up to allow them.
constexpr SoaTimers kSoa{.refresh = 2, .retry = 1, .expire = 8};
constexpr RefreshBounds kOpen{.min_refresh = 1, .max_refresh = 100, .min_retry = 1, .max_retry = 100};
constexpr std::int64_t kT0 = 1'700'000'000;

TEST(Refresh, TimersFromSoaRdata) {
    std::vector<std::uint8_t> rdata{0, 0};  // two root names
    for (std::uint32_t v : {42u, 7200u, 3600u, 604800u, 300u}) {
        for (int s = 24; s >= 0; s -= 8)
            rdata.push_back(static_cast<std::uint8_t>(v >> s));
    }
    const SoaTimers t = soa_timers(rdata);
    EXPECT_EQ(t.refresh, 7200u);
    EXPECT_EQ(t.retry, 3600u);
    EXPECT_EQ(t.expire, 604800u);
    EXPECT_EQ(soa_timers(std::vector<std::uint8_t>(3)).refresh, 0u);
}

TEST(Refresh, BoundsClampTheSoaTimersAsBindDoes) {
    RefreshSchedule bind_defaults;
    EXPECT_EQ(bind_defaults.refresh_interval(kSoa), 300u);
    EXPECT_EQ(bind_defaults.retry_interval(kSoa), 500u);
    EXPECT_EQ(bind_defaults.expire_interval(kSoa), 800u);  // at least refresh + retry
    EXPECT_EQ(bind_defaults.refresh_interval({.refresh = 99999999}), 2419200u);
    EXPECT_EQ(bind_defaults.expire_interval({.refresh = 3600, .retry = 600, .expire = 99999999}), kMaxExpire);
    RefreshSchedule open(kOpen);
    EXPECT_EQ(open.refresh_interval(kSoa), 2u);
    EXPECT_EQ(open.retry_interval(kSoa), 1u);
    EXPECT_EQ(open.expire_interval(kSoa), 8u);
}

TEST(Refresh, RefreshRetryExpireAndRecovery) {
    RefreshSchedule s(kOpen);
    s.no_copy(kT0);
    EXPECT_FALSE(s.serving(kT0));
    EXPECT_TRUE(s.due(kT0));
    s.started();
    EXPECT_FALSE(s.due(kT0));  // one check at a time
    s.succeeded(1, kSoa, kT0);
    EXPECT_TRUE(s.serving(kT0));
    EXPECT_FALSE(s.due(kT0 + 1));
    EXPECT_TRUE(s.due(kT0 + 2));  // REFRESH
    EXPECT_EQ(s.next_event(kT0 + 1), kT0 + 2);

    // The primary goes away: RETRY every second, serving until EXPIRE after the last success.
    std::int64_t now = kT0 + 2;
    while (now < kT0 + 8) {
        ASSERT_TRUE(s.due(now)) << now - kT0;
        s.started();
        s.failed(now);
        EXPECT_TRUE(s.timers().last_failed);
        EXPECT_EQ(s.timers().next_refresh, now + 1);
        EXPECT_TRUE(s.serving(now)) << now - kT0;
        ++now;
    }
    EXPECT_TRUE(s.expired(kT0 + 8));
    EXPECT_FALSE(s.serving(kT0 + 8));
    EXPECT_EQ(s.next_event(kT0 + 7), kT0 + 8);  // expiry is an event while serving
    // still retrying after expiry
    EXPECT_TRUE(s.due(kT0 + 8));
    s.started();
    s.failed(kT0 + 8);
    EXPECT_EQ(s.timers().next_refresh, kT0 + 9);
    // the primary is back: serving again at once, expire restarted
    s.started();
    s.succeeded(2, kSoa, kT0 + 9);
    EXPECT_TRUE(s.serving(kT0 + 9));
    EXPECT_FALSE(s.timers().last_failed);
    EXPECT_EQ(s.timers().expire_at, kT0 + 17);
    EXPECT_EQ(s.timers().last_refresh, kT0 + 9);
    EXPECT_EQ(s.timers().serial, 2u);
}

TEST(Refresh, ExpireOptionFromThePrimaryReplacesTheSoaExpire) {
    RefreshSchedule s(kOpen);
    s.no_copy(kT0);
    s.started();
    s.succeeded(1, kSoa, kT0, 5);
    EXPECT_EQ(s.timers().expire_at, kT0 + 5);
    EXPECT_TRUE(s.expired(kT0 + 5));
}

TEST(Refresh, NotifyMakesACheckDueNowOrRepeatsTheRunningOne) {
    RefreshSchedule s(kOpen);
    s.no_copy(kT0);
    s.started();
    s.succeeded(1, {.refresh = 50, .retry = 10, .expire = 100}, kT0);
    EXPECT_FALSE(s.due(kT0 + 1));
    EXPECT_TRUE(s.notified(kT0 + 1));
    EXPECT_TRUE(s.due(kT0 + 1));
    s.started();
    EXPECT_FALSE(s.notified(kT0 + 1));  // running: remembered
    s.succeeded(1, {.refresh = 50, .retry = 10, .expire = 100}, kT0 + 2);
    EXPECT_TRUE(s.due(kT0 + 2));  // checked again right away
    s.started();
    s.succeeded(2, {.refresh = 50, .retry = 10, .expire = 100}, kT0 + 2);
    EXPECT_FALSE(s.due(kT0 + 3));
}

TEST(Refresh, ARestartResumesPersistedTimersAndDoesNotResetTheExpireClock) {
    RefreshSchedule before(kOpen);
    before.no_copy(kT0);
    before.started();
    before.succeeded(7, kSoa, kT0);
    before.started();
    before.failed(kT0 + 3);
    const store::ZoneTimers saved = before.timers();

    // Restarted at +5 with the zone file of serial 7: expiry stays at +8.
    RefreshSchedule after(kOpen);
    after.loaded(7, kSoa, kT0 + 5, saved);
    EXPECT_EQ(after.timers().expire_at, kT0 + 8);
    EXPECT_TRUE(after.serving(kT0 + 5));
    EXPECT_TRUE(after.expired(kT0 + 8));

    // Restarted after the expiry: not served until a refresh succeeds.
    RefreshSchedule late(kOpen);
    late.loaded(7, kSoa, kT0 + 20, saved);
    EXPECT_FALSE(late.serving(kT0 + 20));
    EXPECT_TRUE(late.due(kT0 + 20));

    // Timers of another serial (the file was replaced): the clock starts now.
    RefreshSchedule other(kOpen);
    other.loaded(9, kSoa, kT0 + 20, saved);
    EXPECT_TRUE(other.serving(kT0 + 20));
    EXPECT_EQ(other.timers().expire_at, kT0 + 28);
    EXPECT_TRUE(other.due(kT0 + 20));

    // No timers at all: check at once, expire from now.
    RefreshSchedule fresh(kOpen);
    fresh.loaded(7, kSoa, kT0, std::nullopt);
    EXPECT_TRUE(fresh.due(kT0));
    EXPECT_EQ(fresh.timers().expire_at, kT0 + 8);
}

TEST(Refresh, RefreshAndRetryAreSpreadByUpToAQuarterAsBindDoes) {
    constexpr SoaTimers kHourly{.refresh = 3600, .retry = 600, .expire = 86400};
    constexpr RefreshBounds kBind{};
    std::uint32_t asked = 0;
    RefreshSchedule most(kBind, [&](std::uint32_t bound) {
        asked = bound;
        return bound - 1;  // the largest spread
    });
    most.no_copy(kT0);
    most.started();
    most.succeeded(1, kHourly, kT0);
    EXPECT_EQ(asked, 901u);
    EXPECT_EQ(most.timers().next_refresh, kT0 + 2700);
    EXPECT_EQ(most.timers().expire_at, kT0 + 86400);  // EXPIRE is never shortened
    most.started();
    most.failed(kT0 + 2700);
    EXPECT_EQ(most.timers().next_refresh, kT0 + 2700 + 450);

    RefreshSchedule none(kBind, [](std::uint32_t) { return 0u; });
    none.no_copy(kT0);
    none.started();
    none.succeeded(1, kHourly, kT0);
    EXPECT_EQ(none.timers().next_refresh, kT0 + 3600);

    // The default source: every check lands in [75%, 100%] of REFRESH, and not all in one second.
    std::set<std::int64_t> seen;
    for (int i = 0; i < 200; ++i) {
        RefreshSchedule s(kBind);
        s.no_copy(kT0);
        s.started();
        s.succeeded(1, kHourly, kT0);
        const std::int64_t in = s.timers().next_refresh - kT0;
        EXPECT_GE(in, 2700);
        EXPECT_LE(in, 3600);
        seen.insert(in);
    }
    EXPECT_GT(seen.size(), 50u);
}

}  // namespace
}  // namespace cairn::xfr
