#include "dns/name.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using cairn::dns::equal_ignoring_ascii_case;
using cairn::dns::Name;
using cairn::dns::ParseError;

TEST(Name, ParsesAbsoluteAndRelative) {
    const Name origin = Name::from_text("Example.COM.");
    EXPECT_EQ(Name::from_text("www", origin).to_text(), "www.Example.COM.");
    EXPECT_EQ(Name::from_text("www.example.com.").label_count(), 3u);
    EXPECT_TRUE(Name::from_text(".").is_root());
    EXPECT_THROW(Name::from_text("www"), ParseError);
}

TEST(Name, EscapesRoundTrip) {
    const Name n = Name::from_text("a\\.b.c\\032d\\\\.example.");
    EXPECT_EQ(n.label_count(), 3u);
    EXPECT_EQ(n.label(0), "a.b");
    EXPECT_EQ(n.label(1), "c d\\");
    EXPECT_EQ(n.to_text(), "a\\.b.c\\032d\\\\.example.");
    EXPECT_EQ(Name::from_text(n.to_text()), n);
    EXPECT_THROW(Name::from_text("a\\25"), ParseError);
    EXPECT_THROW(Name::from_text("a\\256.b."), ParseError);
}

TEST(Name, EnforcesLimits) {
    const std::string label63(63, 'a');
    EXPECT_NO_THROW(Name::from_text(label63 + "."));
    EXPECT_THROW(Name::from_text(label63 + "a."), ParseError);
    // 4 labels of 63 = 256 octets with length bytes, plus root: too long.
    EXPECT_THROW(Name::from_text(label63 + "." + label63 + "." + label63 + "." + label63 + "."), ParseError);
    // 255 octets exactly: 3*64 + 62 = 254, plus root.
    EXPECT_NO_THROW(
        Name::from_text(label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + "."));
    EXPECT_THROW(Name::from_text("a..b."), ParseError);
}

TEST(Name, ComparesCaseInsensitivelyKeepingCase) {
    const Name a = Name::from_text("WWW.Example.com.");
    const Name b = Name::from_text("www.example.COM.");
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.to_text(), "WWW.Example.com.");
    EXPECT_TRUE(a.is_subdomain_of(Name::from_text("EXAMPLE.com.")));
    EXPECT_FALSE(Name::from_text("wwwexample.com.").is_subdomain_of(Name::from_text("example.com.")));
}

TEST(Name, CanonicalOrderMatchesRfc4034Example) {
    // RFC 4034 §6.1 lists these names in canonical order.
    const std::vector<std::string> ordered = {
        "example.",   "a.example.",       "yljkjljk.a.example.", "Z.a.example.",     "zABC.a.EXAMPLE.",
        "z.example.", "\\001.z.example.", "*.z.example.",        "\\200.z.example.",
    };
    std::vector<Name> names;
    for (const auto& t : ordered)
        names.push_back(Name::from_text(t));
    std::vector<Name> shuffled(names.rbegin(), names.rend());
    std::sort(shuffled.begin(), shuffled.end());
    for (std::size_t i = 0; i < names.size(); ++i)
        EXPECT_EQ(shuffled[i].to_text(), names[i].to_text()) << i;
}

TEST(Name, DecompressesBackwardPointers) {
    // "example.com." at 0, then "www" + pointer to 0 at 13.
    std::vector<std::uint8_t> msg = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',  3,   'c',
                                     'o', 'm', 0,   3,   'w', 'w', 'w', 0xC0, 0x00};
    std::size_t off = 13;
    const Name n = Name::from_wire(msg, off);
    EXPECT_EQ(n.to_text(), "www.example.com.");
    EXPECT_EQ(off, msg.size());
}

TEST(Name, RejectsPointerLoopsAndForwardPointers) {
    std::vector<std::uint8_t> self_loop = {0xC0, 0x00};
    std::size_t off = 0;
    EXPECT_THROW(Name::from_wire(self_loop, off), ParseError);
    std::vector<std::uint8_t> forward = {0xC0, 0x02, 0};
    off = 0;
    EXPECT_THROW(Name::from_wire(forward, off), ParseError);
    // Two labels pointing at each other.
    std::vector<std::uint8_t> mutual = {1, 'a', 0xC0, 0x04, 1, 'b', 0xC0, 0x00};
    off = 4;
    EXPECT_THROW(Name::from_wire(mutual, off), ParseError);
    std::vector<std::uint8_t> truncated = {3, 'w', 'w'};
    off = 0;
    EXPECT_THROW(Name::from_wire(truncated, off), ParseError);
}

TEST(Name, RelativeText) {
    const Name origin = Name::from_text("example.com.");
    EXPECT_EQ(Name::from_text("a.b.example.com.").to_text_relative(origin), "a.b");
    EXPECT_EQ(origin.to_text_relative(origin), "@");
    EXPECT_EQ(Name::from_text("other.org.").to_text_relative(origin), "other.org.");
}

TEST(EqualIgnoringAsciiCase, FoldsLettersOnly) {
    EXPECT_TRUE(equal_ignoring_ascii_case("ExAmPle.COM", "example.com"));
    EXPECT_TRUE(equal_ignoring_ascii_case("", ""));
    EXPECT_FALSE(equal_ignoring_ascii_case("example", "example."));
    EXPECT_FALSE(equal_ignoring_ascii_case("a[", "a{"));  // 0x5B and 0x7B differ by 0x20 but are not letters
    EXPECT_FALSE(equal_ignoring_ascii_case("@", "`"));
    EXPECT_FALSE(equal_ignoring_ascii_case("\xC9", "\xE9"));  // É and é in Latin-1: not ASCII
    static_assert(equal_ignoring_ascii_case("IN", "in"));
}

TEST(Name, SuffixCountsLabelsFromTheRight) {
    const Name name = Name::from_text("www.example.com.");
    EXPECT_EQ(name.suffix(0), Name());  // the root, not the whole name
    EXPECT_TRUE(name.suffix(0).is_root());
    EXPECT_EQ(name.suffix(1), Name::from_text("com."));
    EXPECT_EQ(name.suffix(3), name);
    EXPECT_EQ(name.suffix(7), name);
    EXPECT_TRUE(Name().suffix(0).is_root());
}
