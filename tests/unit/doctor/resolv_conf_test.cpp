#include "doctor/resolv_conf.hpp"

#include <gtest/gtest.h>

namespace cairn::doctor {
namespace {

TEST(ResolvConf, TheArticlesConfiguration) {
    const auto c = parse_resolv_conf(
        "nameserver 10.0.1.10\nnameserver 10.0.1.11\nsearch solvethenetwork.com\noptions timeout:2 "
        "attempts:3 rotate\n");
    ASSERT_EQ(c.nameservers.size(), 2u);
    EXPECT_EQ(c.nameservers[0].to_string(), "10.0.1.10");
    EXPECT_EQ(c.search, std::vector<std::string>{"solvethenetwork.com"});
    EXPECT_EQ(c.timeout, 2u);
    EXPECT_EQ(c.attempts, 3u);
    EXPECT_TRUE(c.rotate);
    // A silent first resolver: glibc waits one try (timeout) before asking 10.0.1.11.
    EXPECT_EQ(failover_seconds(c), 2u);
    // Every server silent: round 0 costs 2 s per server, rounds 1 and 2 (2<<r)/2 s per server.
    EXPECT_EQ(all_silent_seconds(c), 2u * 2 + 2u * 2 + 4u * 2);
}

TEST(ResolvConf, DefaultsAndLimitsAsGlibc) {
    const auto c =
        parse_resolv_conf("# nothing but comments\ndomain example.\noptions timeout:99 attempts:0 foo\n");
    ASSERT_EQ(c.nameservers.size(), 1u);
    EXPECT_EQ(c.nameservers[0].to_string(), "127.0.0.1");  // glibc's default
    EXPECT_EQ(c.timeout, 30u);                             // RES_MAXRETRANS
    EXPECT_EQ(c.attempts, 1u);
    EXPECT_EQ(c.search, std::vector<std::string>{"example."});
    EXPECT_EQ(c.ignored, std::vector<std::string>{"options foo"});
}

TEST(ResolvConf, AtMostThreeNameservers) {
    const auto c = parse_resolv_conf(
        "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n"
        "nameserver 192.0.2.4\nnameserver not-an-address\n");
    EXPECT_EQ(c.nameservers.size(), 3u);
    EXPECT_EQ(c.ignored.size(), 2u);
    EXPECT_EQ(parse_resolv_conf("").timeout, 5u);
    EXPECT_EQ(parse_resolv_conf("").attempts, 2u);
}

}  // namespace
}  // namespace cairn::doctor
