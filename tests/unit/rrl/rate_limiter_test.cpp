#include "rrl/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace cairn::rrl {
namespace {

dns::IpAddress ip(const char* text) {
    return *dns::IpAddress::parse(text);
}

ResponseKey answer(std::uint64_t name = 1, std::uint16_t qtype = 1) {
    return {ResponseKind::answer, qtype, 1, name};
}

Limits per_second(std::uint32_t rate) {
    Limits limits;
    limits.responses_per_second = rate;
    limits.referrals_per_second = limits.nodata_per_second = limits.nxdomains_per_second =
        limits.errors_per_second = rate;
    return limits;
}

struct Tally {
    int sent = 0, slipped = 0, dropped = 0;
};

Tally run(RateLimiter& limiter, const char* client, const ResponseKey& key, int count, std::uint32_t now) {
    Tally t;
    for (int i = 0; i < count; ++i) {
        switch (limiter.check(ip(client), key, now, 0).verdict) {
            case Verdict::send:
                ++t.sent;
                break;
            case Verdict::slip:
                ++t.slipped;
                break;
            case Verdict::drop:
                ++t.dropped;
                break;
        }
    }
    return t;
}

TEST(RateLimiter, AnswersTheRateThenSlipsEveryOtherOne) {
    RateLimiter limiter(per_second(10));
    const Tally t = run(limiter, "127.58.1.1", answer(), 2000, 1000);
    EXPECT_EQ(t.sent, 10);
    EXPECT_EQ(t.slipped, 995);
    EXPECT_EQ(t.dropped, 995);
}

TEST(RateLimiter, AFloodStaysLimitedUntilQuietForTheWindow) {
    Limits limits = per_second(10);
    limits.window = 5;
    RateLimiter limiter(limits);
    run(limiter, "127.58.1.1", answer(), 100, 1000);  // the account floors at -window x rate = -50
    EXPECT_EQ(run(limiter, "127.58.1.1", answer(), 5, 1001).sent, 0);  // +10 a second is not enough
    // Quiet for the whole window: a clean slate.
    EXPECT_EQ(run(limiter, "127.58.1.1", answer(), 10, 1008).sent, 10);
}

TEST(RateLimiter, AClientWithinItsRateIsNeverLimited) {
    RateLimiter limiter(per_second(10));
    for (std::uint32_t second = 0; second < 30; ++second)
        EXPECT_EQ(run(limiter, "127.58.1.1", answer(), 10, 5000 + second).sent, 10);
}

TEST(RateLimiter, AccountsArePerBlockAndPerResponse) {
    RateLimiter limiter(per_second(5));
    run(limiter, "127.58.1.1", answer(), 100, 1000);
    EXPECT_EQ(run(limiter, "127.58.1.200", answer(), 1, 1000).sent, 0);     // same /24
    EXPECT_EQ(run(limiter, "127.58.2.1", answer(), 5, 1000).sent, 5);       // another block
    EXPECT_EQ(run(limiter, "127.58.1.1", answer(2), 5, 1000).sent, 5);      // another name
    EXPECT_EQ(run(limiter, "127.58.1.1", answer(1, 28), 5, 1000).sent, 5);  // another type
    EXPECT_EQ(run(limiter, "2001:db8:0:1::1", answer(), 5, 1000).sent, 5);
    run(limiter, "2001:db8:0:1::1", answer(), 100, 1000);
    EXPECT_EQ(run(limiter, "2001:db8:0:10::1", answer(), 1, 1000).sent, 0);   // same /56
    EXPECT_EQ(run(limiter, "2001:db8:0:100::1", answer(), 1, 1000).sent, 1);  // another /56
}

TEST(RateLimiter, PrefixLengthsAreConfigurable) {
    Limits limits = per_second(5);
    limits.ipv4_prefix_length = 32;
    RateLimiter limiter(limits);
    run(limiter, "127.58.1.1", answer(), 100, 1000);
    EXPECT_EQ(run(limiter, "127.58.1.2", answer(), 1, 1000).sent, 1);
    unsigned prefix = 0;
    EXPECT_EQ(limiter.block_of(ip("127.58.1.77"), prefix).to_string(), "127.58.1.77");
    EXPECT_EQ(prefix, 32u);
}

TEST(RateLimiter, SlipZeroDropsAllAndSlipOneTruncatesAll) {
    Limits limits = per_second(1);
    limits.slip = 0;
    RateLimiter none(limits);
    EXPECT_EQ(run(none, "127.58.1.1", answer(), 11, 1000).dropped, 10);
    limits.slip = 1;
    RateLimiter all(limits);
    EXPECT_EQ(run(all, "127.58.1.1", answer(), 11, 1000).slipped, 10);
    limits.slip = 3;
    RateLimiter third(limits);
    const Tally t = run(third, "127.58.1.1", answer(), 31, 1000);
    EXPECT_EQ(t.slipped, 10);
    EXPECT_EQ(t.dropped, 20);
}

TEST(RateLimiter, ErrorsAreDroppedNeverSlipped) {
    RateLimiter limiter(per_second(2));
    const Tally t = run(limiter, "127.58.1.1", {ResponseKind::error, 0, 0, 0}, 10, 1000);
    EXPECT_EQ(t.sent, 2);
    EXPECT_EQ(t.slipped, 0);
    EXPECT_EQ(t.dropped, 8);
}

TEST(RateLimiter, ZeroRateKindsAreNotLimited) {
    Limits limits = per_second(2);
    limits.nxdomains_per_second = 0;
    RateLimiter limiter(limits);
    EXPECT_EQ(run(limiter, "127.58.1.1", {ResponseKind::nxdomain, 0, 0, 7}, 100, 1000).sent, 100);
}

TEST(RateLimiter, AllPerSecondCountsEveryResponseAndDrops) {
    Limits limits;
    limits.all_per_second = 20;
    RateLimiter limiter(limits);
    Tally t;
    for (std::uint64_t name = 0; name < 100; ++name) {
        const Decision d = limiter.check(ip("127.58.1.1"), answer(name), 1000, 0);
        if (d.verdict == Verdict::send) ++t.sent;
        if (d.verdict == Verdict::slip) ++t.slipped;
        if (d.verdict == Verdict::drop) {
            ++t.dropped;
            EXPECT_TRUE(d.by_all);
        }
    }
    EXPECT_EQ(t.sent, 20);
    EXPECT_EQ(t.slipped, 0);
}

TEST(RateLimiter, TheFirstLimitedResponseOfARunIsMarked) {
    RateLimiter limiter(per_second(1));
    EXPECT_FALSE(limiter.check(ip("127.58.1.1"), answer(), 1000, 0).started);
    EXPECT_TRUE(limiter.check(ip("127.58.1.1"), answer(), 1000, 0).started);
    EXPECT_FALSE(limiter.check(ip("127.58.1.1"), answer(), 1000, 0).started);
    EXPECT_EQ(limiter.check(ip("127.58.1.1"), answer(), 1020, 0).verdict, Verdict::send);
    EXPECT_TRUE(limiter.check(ip("127.58.1.1"), answer(), 1020, 0).started);
}

TEST(RateLimiter, QpsScaleShrinksRatesExceptForTcpClients) {
    Limits limits = per_second(100);
    limits.qps_scale = 100;
    RateLimiter limiter(limits);
    // 1,000 responses a second from many blocks, none over its own rate: the rates shrink to a tenth.
    for (std::uint32_t second = 1000; second < 1003; ++second) {
        for (int block = 0; block < 100; ++block) {
            const std::string client = "127.58." + std::to_string(block) + ".1";
            for (int i = 0; i < 10; ++i)
                limiter.check(ip(client.c_str()), answer(), second, 0);
        }
    }
    EXPECT_EQ(limiter.scale_permille(), 100u);
    EXPECT_EQ(run(limiter, "10.1.1.1", answer(), 20, 1003).sent, 10);
    limiter.note_tcp(ip("10.2.2.2"), 1003, 0);
    EXPECT_EQ(run(limiter, "10.2.2.2", answer(), 100, 1003).sent, 100);
}

TEST(RateLimiter, ASmallTableRecyclesAccountsWithoutFailing) {
    Limits limits = per_second(3);
    limits.max_table_size = 1;
    RateLimiter limiter(limits);
    EXPECT_EQ(limiter.table_slots(), 64u);
    int sent = 0;
    for (std::uint64_t name = 0; name < 10000; ++name)
        sent += limiter.check(ip("127.58.1.1"), answer(name), 1000, 0).verdict == Verdict::send;
    EXPECT_EQ(sent, 10000);  // every name once: nobody over the rate, whatever got evicted
    // A flooding account survives the churn of one-off accounts around it.
    run(limiter, "127.58.9.9", answer(), 50, 1001);
    for (std::uint64_t name = 0; name < 1000; ++name)
        limiter.check(ip("127.58.1.1"), answer(name), 1001, 0);
    EXPECT_EQ(run(limiter, "127.58.9.9", answer(), 1, 1001).sent, 0);
}

TEST(RateLimiter, TheTableStartsAtMinTableSizeAndGrowsUpToMaxTableSizeUnderPressure) {
    Limits limits = per_second(3);
    limits.min_table_size = 100;   // rounded up to 128
    limits.max_table_size = 1000;  // 1024
    RateLimiter limiter(limits);
    EXPECT_EQ(limiter.table_slots(), 128u);
    EXPECT_EQ(limiter.table_capacity(), 1024u);
    EXPECT_FALSE(limiter.take_growth());
    // One client asking 5,000 different names in one second: every account is in use within the second.
    std::size_t grown_to = 128;
    for (std::uint64_t name = 0; name < 5000; ++name) {
        EXPECT_EQ(limiter.check(ip("127.58.1.1"), answer(name), 1000, 0).verdict, Verdict::send);
        if (const auto growth = limiter.take_growth()) {
            EXPECT_EQ(growth->from, grown_to);  // doubling, each growth reported once
            EXPECT_EQ(growth->to, grown_to * 2);
            grown_to = growth->to;
        }
    }
    EXPECT_EQ(grown_to, 1024u);
    EXPECT_EQ(limiter.table_slots(), 1024u);  // and no further
    // Accounts that are neither recent nor limiting make room instead: no growth.
    RateLimiter calm(limits);
    for (std::uint32_t second = 1000; second < 1100; ++second)
        calm.check(ip("127.58.1.1"), answer(second), second, 0);
    EXPECT_EQ(calm.table_slots(), 128u);
}

TEST(RateLimiter, AnAccountMadeBeforeAGrowthIsStillFound) {
    Limits limits = per_second(5);
    limits.min_table_size = 64;
    limits.max_table_size = 4096;
    RateLimiter limiter(limits);
    EXPECT_EQ(run(limiter, "127.58.9.9", answer(), 50, 1000).sent, 5);
    for (std::uint64_t name = 1; limiter.table_slots() == 64 && name < 100000; ++name)
        limiter.check(ip("127.58.1.1"), answer(name), 1000, 0);
    ASSERT_EQ(limiter.table_slots(), 128u);
    EXPECT_EQ(run(limiter, "127.58.9.9", answer(), 10, 1000).sent, 0);  // still in debt
}

TEST(RateLimiter, StandingSaysWhenALimitedAccountStopped) {
    RateLimiter limiter(per_second(5));  // window 15: the debt floors at -75
    Decision limited;
    for (int i = 0; i < 50; ++i) {
        const Decision d = limiter.check(ip("127.58.1.1"), answer(), 1000, 0);
        if (d.started) limited = d;
    }
    ASSERT_NE(limited.account, 0u);
    EXPECT_EQ(limited.rate, 5u);
    EXPECT_EQ(limiter.standing(limited.account, limited.rate, 1000), Standing::limiting);
    EXPECT_EQ(limiter.standing(limited.account, limited.rate, 1059), Standing::limiting);  // BIND waits 60 s
    EXPECT_EQ(limiter.standing(limited.account, limited.rate, 1060), Standing::recovered);
    EXPECT_EQ(limiter.standing(limited.account ^ 0xFFFFF00000000000ULL, 5, 1060), Standing::gone);
    // With a long window the debt outlasts the 60 s: still limiting then.
    Limits long_window = per_second(5);
    long_window.window = 3600;
    RateLimiter patient(long_window);
    Decision d;
    for (int i = 0; i < 20000; ++i)
        d = patient.check(ip("127.58.1.1"), answer(), 1000, 0);
    EXPECT_EQ(patient.standing(d.account, d.rate, 1060), Standing::limiting);
    EXPECT_EQ(patient.standing(d.account, d.rate, 1000 + 3601), Standing::recovered);
}

TEST(RateLimiter, ThreadsSharingAnAccountNeverOverspend) {
    RateLimiter limiter(per_second(50));
    std::atomic<int> sent{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20000; ++i) {
                if (limiter.check(ip("127.58.1.1"), answer(), 1000, t).verdict == Verdict::send) ++sent;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    // Exactly the rate, but for responses let through after losing compare-and-swap races repeatedly.
    EXPECT_GE(sent.load(), 50);
    EXPECT_LE(sent.load(), 60);
}

}  // namespace
}  // namespace cairn::rrl
