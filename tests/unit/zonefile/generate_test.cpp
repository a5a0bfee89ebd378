#include "zonefile/generate.hpp"

#include <gtest/gtest.h>

using cairn::zonefile::expand_generate_template;
using cairn::zonefile::parse_generate_range;

namespace {
std::string expand(std::string_view pattern, std::int64_t value) {
    std::string out;
    const std::string err = expand_generate_template(pattern, value, out);
    return err.empty() ? out : "ERROR: " + err;
}
}  // namespace

TEST(Generate, Ranges) {
    const auto r = parse_generate_range("1-10/3");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->start, 1u);
    EXPECT_EQ(r->stop, 10u);
    EXPECT_EQ(r->step, 3u);
    EXPECT_EQ(parse_generate_range("5-5")->step, 1u);
    EXPECT_FALSE(parse_generate_range("3-1"));
    EXPECT_FALSE(parse_generate_range("1-2/0"));
    EXPECT_FALSE(parse_generate_range("1"));
    EXPECT_FALSE(parse_generate_range("a-2"));
}

// Expected strings are what BIND 9.18's named-compilezone produced for the same templates.
TEST(Generate, ModifiersMatchBind) {
    EXPECT_EQ(expand("host$", 7), "host7");
    EXPECT_EQ(expand("${1,3,x}-${0,2,X}-${-1,0,o}", 14), "00f-0E-15");
    EXPECT_EQ(expand("${-1,0,o}", 0), "37777777777");
    EXPECT_EQ(expand("${0,0,n}", 250), "a.f");
    EXPECT_EQ(expand("${0,3,N}x.", 250), "A.Fx.");
    EXPECT_EQ(expand("${0,4,N}", 250), "A.F.");
    EXPECT_EQ(expand("${-8,3,d}", 9), "001");
    EXPECT_EQ(expand("${1}", 2), "3");
    EXPECT_EQ(expand("${0,4}", 2), "0002");
}

TEST(Generate, EscapesAndDollars) {
    EXPECT_EQ(expand("v=$ \\$ $$", 3), "v=3 \\$ $");
    EXPECT_EQ(expand("x\\$y$", 8), "x\\$y8");
    EXPECT_EQ(expand("a\\\\$", 1), "a\\\\1");
}

TEST(Generate, BadModifiers) {
    EXPECT_EQ(expand("${1,2,q}", 1).substr(0, 6), "ERROR:");
    EXPECT_EQ(expand("${1", 1).substr(0, 6), "ERROR:");
    EXPECT_EQ(expand("${x}", 1).substr(0, 6), "ERROR:");
}
