#include "dns/edns.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace cairn::dns;

TEST(Edns, EdeCodeNamesFollowRfc8914) {
    EXPECT_EQ(ede_code_name(0), "Other Error");
    EXPECT_EQ(ede_code_name(3), "Stale Answer");
    EXPECT_EQ(ede_code_name(18), "Prohibited");
    EXPECT_EQ(ede_code_name(20), "Not Authoritative");
    EXPECT_EQ(ede_code_name(24), "Invalid Data");
    EXPECT_EQ(ede_code_name(static_cast<std::uint16_t>(EdeCode::NotReady)), "Not Ready");
    EXPECT_EQ(ede_code_name(49152), "");
}

TEST(Edns, OptionNames) {
    EXPECT_EQ(edns_option_name(10), "COOKIE");
    EXPECT_EQ(edns_option_name(15), "EDE");
    EXPECT_EQ(edns_option_name(9), "EXPIRE");
    EXPECT_EQ(edns_option_name(3), "NSID");
    EXPECT_EQ(edns_option_name(11), "TCP-KEEPALIVE");
    EXPECT_EQ(edns_option_name(12), "PADDING");
    EXPECT_EQ(edns_option_name(65001), "OPT65001");
}

TEST(Edns, CookieSizes) {
    EXPECT_TRUE(cookie_size_valid(8));
    EXPECT_TRUE(cookie_size_valid(16));
    EXPECT_TRUE(cookie_size_valid(40));
    EXPECT_FALSE(cookie_size_valid(0));
    EXPECT_FALSE(cookie_size_valid(7));
    EXPECT_FALSE(cookie_size_valid(9));  // a server cookie needs 8 octets at least
    EXPECT_FALSE(cookie_size_valid(15));
    EXPECT_FALSE(cookie_size_valid(41));
}

TEST(Edns, ParsesEdeAndExpirePayloads) {
    const std::vector<std::uint8_t> ede = {0x00, 0x03, 's', 't', 'a', 'l', 'e'};
    const auto parsed = parse_ede(ede);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->info_code, 3);
    EXPECT_EQ(parsed->extra_text, "stale");
    EXPECT_FALSE(parse_ede(std::vector<std::uint8_t>{0x00}));

    const std::vector<std::uint8_t> expire = {0x00, 0x09, 0x3A, 0x80};
    EXPECT_EQ(parse_expire(expire), 604800u);
    EXPECT_FALSE(parse_expire({}));  // the query form carries no value
    EXPECT_FALSE(parse_expire(std::vector<std::uint8_t>{1, 2, 3}));
}

TEST(Edns, OptionWalkChecksFraming) {
    const std::vector<std::uint8_t> good = {0, 10, 0, 2, 0xAA, 0xBB, 0, 3, 0, 0};
    std::vector<std::uint16_t> codes;
    std::vector<std::size_t> sizes;
    EXPECT_TRUE(for_each_edns_option(good, [&](std::uint16_t code, std::span<const std::uint8_t> data) {
        codes.push_back(code);
        sizes.push_back(data.size());
    }));
    EXPECT_EQ(codes, (std::vector<std::uint16_t>{10, 3}));
    EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 0}));

    const std::vector<std::uint8_t> overrun = {0, 10, 0, 9, 0xAA};
    EXPECT_FALSE(for_each_edns_option(overrun, [](std::uint16_t, std::span<const std::uint8_t>) {}));
    const std::vector<std::uint8_t> short_header = {0, 10, 0};
    EXPECT_FALSE(for_each_edns_option(short_header, [](std::uint16_t, std::span<const std::uint8_t>) {}));
}

TEST(Edns, EffectivePayloadHasA512Floor) {
    Edns edns;
    edns.udp_payload = 100;
    EXPECT_EQ(edns.effective_udp_payload(), 512);
    edns.udp_payload = 1232;
    EXPECT_EQ(edns.effective_udp_payload(), 1232);
}
