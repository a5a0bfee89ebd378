// cairn's own `probe "NAME" { ... };` statement (issue 17's synthetic probes): its clauses, defaults and
// errors. BIND has no such statement (named-checkconf refuses it), so the grammar is cairn's.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "first_error.hpp"

namespace cairn::config {
namespace {

using testing::first_error;

TEST(Probe, DefaultsAndEveryClause) {
    const Config config = load_text("test.conf",
                                    "probe \"www.example.com\" { };\n"
                                    "probe \"api.example.com\" { type AAAA; every 10; timeout 3;\n"
                                    "  servers { 192.0.2.53; 127.0.0.1 port 5300; };\n"
                                    "  expect { \"2001:db8::1\"; 2001:db8::2; }; };\n")
                              .config;
    ASSERT_EQ(config.probes.size(), 2u);
    const Probe& plain = config.probes[0];
    EXPECT_EQ(plain.name_text, "www.example.com");
    EXPECT_EQ(plain.name, dns::Name::from_text("www.example.com."));
    EXPECT_EQ(plain.type, dns::RRType::A);
    EXPECT_EQ(plain.every, 60u);
    EXPECT_EQ(plain.timeout, 2u);
    EXPECT_TRUE(plain.servers.empty());  // cairnd itself
    EXPECT_TRUE(plain.expect.empty());
    const Probe& full = config.probes[1];
    EXPECT_EQ(full.type, dns::RRType::AAAA);
    EXPECT_EQ(full.every, 10u);
    EXPECT_EQ(full.timeout, 3u);
    ASSERT_EQ(full.servers.size(), 2u);
    EXPECT_EQ(full.servers[0].to_string(), "192.0.2.53");
    EXPECT_EQ(full.servers[1].to_string(), "127.0.0.1#5300");
    EXPECT_EQ(full.expect, (std::vector<std::string>{"2001:db8::1", "2001:db8::2"}));
}

TEST(Probe, Errors) {
    EXPECT_NE(first_error("probe \"a..b\" { };").find("invalid name"), std::string::npos);
    EXPECT_NE(first_error("probe \"a.\" { type NOSUCH; };").find("expected a record type"),
              std::string::npos);
    EXPECT_NE(first_error("probe \"a.\" { every 0; };").find("every must be at least 1"), std::string::npos);
    EXPECT_NE(first_error("probe \"a.\" { every 5; timeout 10; };").find("longer than every 5"),
              std::string::npos);
    EXPECT_NE(first_error("probe \"a.\" { servers { nowhere; }; };"), "(accepted)");
    EXPECT_NE(first_error("probe \"a.\" { }; probe \"A.\" { };").find("already defined"), std::string::npos);
    EXPECT_EQ(first_error("probe \"a.\" { }; probe \"a.\" { type AAAA; };"), "(accepted)");  // another type
    EXPECT_NE(first_error("probe \"a.\" { every 5; every 6; };"), "(accepted)");             // once only
    EXPECT_NE(first_error("options { probe \"a.\" { }; };"), "(accepted)");                  // top level only
}

}  // namespace
}  // namespace cairn::config
