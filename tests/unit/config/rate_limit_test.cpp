// rate-limit { } and the TCP timeouts: parsed into the typed configuration, checked as named-checkconf
// checks them, inherited as BIND inherits them.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "first_error.hpp"

namespace cairn::config {
namespace {

using testing::first_error;

TEST(RateLimit, EveryClauseParses) {
    const LoadResult r = load_text("test.conf", R"(options {
    rate-limit {
        responses-per-second 10; referrals-per-second 5; nodata-per-second 4; nxdomains-per-second 3;
        errors-per-second 2; all-per-second 100; window 5; slip 3; ipv4-prefix-length 32;
        ipv6-prefix-length 48; exempt-clients { 127.58.3.0/24; }; log-only yes; max-table-size 1000;
        min-table-size 100; qps-scale 250;
    };
};
)");
    EXPECT_TRUE(r.warnings.empty()) << r.warnings[0].to_string();
    const RateLimit* limit = r.config.rate_limit(nullptr);
    ASSERT_NE(limit, nullptr);
    EXPECT_EQ(limit->responses_per_second, 10u);
    EXPECT_EQ(limit->referrals_per_second, 5u);
    EXPECT_EQ(limit->nodata_per_second, 4u);
    EXPECT_EQ(limit->nxdomains_per_second, 3u);
    EXPECT_EQ(limit->errors_per_second, 2u);
    EXPECT_EQ(limit->all_per_second, 100u);
    EXPECT_EQ(limit->window, 5u);
    EXPECT_EQ(limit->slip, 3u);
    EXPECT_EQ(limit->ipv4_prefix_length, 32u);
    EXPECT_EQ(limit->ipv6_prefix_length, 48u);
    ASSERT_TRUE(limit->exempt_clients);
    EXPECT_EQ(limit->exempt_clients->elements.size(), 1u);
    EXPECT_EQ(limit->log_only, true);
    EXPECT_EQ(limit->max_table_size, 1000u);
    EXPECT_EQ(limit->min_table_size, 100u);
    EXPECT_EQ(limit->qps_scale, 250u);
}

TEST(RateLimit, AViewsBlockReplacesTheOptionsBlockWhole) {
    const LoadResult r =
        load_text("test.conf", R"(options { rate-limit { responses-per-second 10; window 5; }; };
view "a" { rate-limit { nxdomains-per-second 7; }; };
view "b" { };
)");
    const RateLimit* a = r.config.rate_limit(&r.config.views[0]);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->nxdomains_per_second, 7u);
    EXPECT_FALSE(a->responses_per_second);  // not inherited piecemeal
    EXPECT_FALSE(a->window);
    const RateLimit* b = r.config.rate_limit(&r.config.views[1]);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->responses_per_second, 10u);
    const LoadResult none = load_text("test.conf", "options { };");
    EXPECT_EQ(none.config.rate_limit(nullptr), nullptr);
}

TEST(RateLimit, OutOfRangeValuesAreErrorsWithBindsWording) {
    EXPECT_EQ(first_error("options { rate-limit { responses-per-second 1001; }; };"),
              "test.conf:1: responses-per-second 1001 > 1000");
    EXPECT_EQ(first_error("options { rate-limit { slip 11; }; };"), "test.conf:1: slip 11 > 10");
    EXPECT_EQ(first_error("options { rate-limit { window 0; }; };"), "test.conf:1: window 0 < 1 or > 3600");
    EXPECT_EQ(first_error("options { rate-limit { qps-scale 0; }; };"), "test.conf:1: invalid 'qps-scale 0'");
    EXPECT_EQ(first_error("options { rate-limit { ipv4-prefix-length 7; }; };"),
              "test.conf:1: invalid 'ipv4-prefix-length 7'");
    EXPECT_EQ(first_error("options { rate-limit { ipv6-prefix-length 65; }; };"),
              "test.conf:1: ipv6-prefix-length 65 < 16 or > 64");
    EXPECT_EQ(first_error("options { rate-limit { max-table-size 10; }; };"),
              "test.conf:1: max-table-size 10 < min-table-size 500");
    EXPECT_EQ(first_error("view v { rate-limit { window 4000; }; };"),
              "test.conf:1: window 4000 < 1 or > 3600");
}

TEST(RateLimit, UnknownClausesInTheBlockAreErrors) {
    const std::string error = first_error("options { rate-limit { responses-per-secnd 5; }; };");
    EXPECT_NE(error.find("responses-per-secnd"), std::string::npos) << error;
}

TEST(TcpTimeouts, ParsedInTenthsAndClampedToBindsRangesWithAWarning) {
    const LoadResult r = load_text("test.conf", R"(options {
    tcp-initial-timeout 10; tcp-idle-timeout 5000; tcp-keepalive-timeout 600; tcp-advertised-timeout 0;
};
)");
    EXPECT_EQ(r.config.options.tcp_initial_timeout, 25u);
    EXPECT_EQ(r.config.options.tcp_idle_timeout, 1200u);
    EXPECT_EQ(r.config.options.tcp_keepalive_timeout, 600u);
    EXPECT_EQ(r.config.options.tcp_advertised_timeout, 0u);
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[0].to_string(),
              "test.conf:2: warning: tcp-initial-timeout value is out of range: raising to 25");
    EXPECT_EQ(r.warnings[1].to_string(),
              "test.conf:2: warning: tcp-idle-timeout value is out of range: lowering to 1200");
}

}  // namespace
}  // namespace cairn::config
