// BIND's -T mkeytimers=HOUR[/DAY[/MONTH]] read into the RFC 5011 timers, and the managed keys' transitions
// told as BIND's managed-keys zone logs them (rfc5011.hpp).
#include "resolver/rfc5011.hpp"

#include <gtest/gtest.h>

#include "dnssec/records.hpp"

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

std::vector<std::uint8_t> ksk(std::uint8_t seed) {
    std::vector<std::uint8_t> rdata = {0x01, 0x01, 3, 13};  // flags 257, protocol 3, ECDSAP256SHA256
    for (int i = 0; i < 64; ++i)
        rdata.push_back(static_cast<std::uint8_t>(seed + i));
    return rdata;
}

RRsetData dnskeys(const dns::Name& zone, std::vector<std::vector<std::uint8_t>> keys) {
    RRsetData set;
    set.owner = zone;
    set.type = dns::RRType::DNSKEY;
    set.ttl = 2;
    set.rdatas = std::move(keys);
    return set;
}

TEST(ManagedKeysEvents, TransitionsAreToldAsBindLogsThem) {
    Rfc5011Timers timers;
    timers.add_hold_down = 10;
    timers.remove_hold_down = 10;
    timers.min_refresh = 1;
    ManagedKeys managed(timers);
    const dns::Name zone = dns::Name::from_text("example.");
    const auto first = ksk(1), second = ksk(2);
    const std::string first_tag = std::to_string(dnssec::key_tag(first));
    const std::string second_tag = std::to_string(dnssec::key_tag(second));
    managed.configure({TrustAnchorConfig{zone, TrustAnchorConfig::Kind::initial_key, first}});

    managed.observe(zone, dnskeys(zone, {first}), 2, 1000);
    EXPECT_EQ(managed.take_events(),
              std::vector<std::string>{"Key " + first_tag +
                                       " for zone example is now trusted (acceptance timer complete)"});
    EXPECT_TRUE(managed.take_events().empty());  // each told once

    managed.observe(zone, dnskeys(zone, {first, second}), 2, 1001);
    EXPECT_EQ(managed.take_events(), std::vector<std::string>{"New key " + second_tag +
                                                              " observed for zone 'example': starting 30-day "
                                                              "acceptance timer"});
    managed.observe(zone, dnskeys(zone, {first, second}), 2, 1005);  // still pending: nothing to tell
    EXPECT_TRUE(managed.take_events().empty());
    managed.observe(zone, dnskeys(zone, {first, second}), 2, 1011);
    EXPECT_EQ(managed.take_events(), std::vector<std::string>{"Key " + second_tag +
                                                              " for zone example is now trusted (acceptance "
                                                              "timer complete)"});

    managed.observe(zone, dnskeys(zone, {second}), 2, 1012);
    EXPECT_EQ(managed.take_events(),
              std::vector<std::string>{"Active key " + first_tag + " for zone example unexpectedly missing"});

    const auto third = ksk(3);
    managed.observe(zone, dnskeys(zone, {second, third}), 2, 1013);
    managed.take_events();
    managed.observe(zone, dnskeys(zone, {second}), 2, 1014);  // gone while pending: forgotten
    EXPECT_EQ(managed.take_events(),
              std::vector<std::string>{
                  "Pending key " + std::to_string(dnssec::key_tag(third)) +
                  " for zone example unexpectedly missing restarting 30-day acceptance timer"});
}

TEST(ManagedKeysEvents, RefreshNowMakesEveryZoneDue) {
    Rfc5011Timers timers;
    timers.min_refresh = 100;
    ManagedKeys managed(timers);
    const dns::Name zone = dns::Name::from_text("example.");
    managed.configure({TrustAnchorConfig{zone, TrustAnchorConfig::Kind::initial_key, ksk(1)}});
    EXPECT_EQ(managed.due(1000).size(), 1u);
    EXPECT_TRUE(managed.due(1001).empty());  // postponed by min_refresh
    managed.refresh_now();
    EXPECT_EQ(managed.due(1002).size(), 1u);
    EXPECT_FALSE(managed.take_dirty());
    managed.mark_dirty();
    EXPECT_TRUE(managed.take_dirty());
}

}  // namespace
}  // namespace cairn::resolver
