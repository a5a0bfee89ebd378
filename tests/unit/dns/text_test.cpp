#include "dns/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/name.hpp"

using namespace cairn::dns;

namespace {

std::vector<std::uint8_t> bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

}  // namespace

TEST(Ttl, ParsesBindForms) {
    EXPECT_EQ(parse_ttl("3600"), 3600u);
    EXPECT_EQ(parse_ttl("0"), 0u);
    EXPECT_EQ(parse_ttl("1h30m"), 5400u);
    EXPECT_EQ(parse_ttl("1W2d"), 9u * 86400);
    EXPECT_EQ(parse_ttl("1h1M1s"), 3661u);
    EXPECT_EQ(parse_ttl("4294967295"), 4294967295u);
    EXPECT_EQ(parse_ttl("2S"), 2u);
}

TEST(Ttl, RejectsMalformedAndOverflow) {
    EXPECT_EQ(parse_ttl(""), std::nullopt);
    EXPECT_EQ(parse_ttl("h"), std::nullopt);
    EXPECT_EQ(parse_ttl("1h30"), std::nullopt);
    EXPECT_EQ(parse_ttl("1x"), std::nullopt);
    EXPECT_EQ(parse_ttl("-1"), std::nullopt);
    EXPECT_EQ(parse_ttl("4294967296"), std::nullopt);
    EXPECT_EQ(parse_ttl("7102w"), std::nullopt);  // 4,295,289,600 s
    EXPECT_EQ(parse_ttl("1 h"), std::nullopt);
}

TEST(Ttl, DurationTextRoundTrips) {
    EXPECT_EQ(duration_to_text(0), "0s");
    EXPECT_EQ(duration_to_text(5400), "1h30m");
    EXPECT_EQ(duration_to_text(694861), "1w1d1h1m1s");
    for (std::uint32_t v : {1u, 59u, 86400u, 4294967295u})
        EXPECT_EQ(parse_ttl(duration_to_text(v)), v);
    EXPECT_EQ(ttl_to_text(86400), "86400");
}

TEST(CharacterString, ParsesEscapes) {
    std::vector<std::uint8_t> out;
    append_character_string("a\\\"b\\092\\065", out);
    EXPECT_EQ(out, bytes("\x05"
                         "a\"b\\A"));
    EXPECT_THROW(append_character_string("\\25", out), ParseError);
    EXPECT_THROW(append_character_string("\\256", out), ParseError);
    EXPECT_THROW(append_character_string("abc\\", out), ParseError);
}

TEST(CharacterString, EnforcesLengthLimit) {
    std::vector<std::uint8_t> out;
    append_character_string(std::string(255, 'x'), out);
    EXPECT_EQ(out.size(), 256u);
    EXPECT_THROW(append_character_string(std::string(256, 'x'), out), ParseError);
    EXPECT_EQ(out.size(), 256u);  // nothing half-written
}

TEST(CharacterString, PrintsBindStyle) {
    std::string out;
    append_quoted_text(out, bytes("a \"q\" \\ \x01\x7f"));
    EXPECT_EQ(out, "\"a \\\"q\\\" \\\\ \\001\\127\"");
}

TEST(Base64, RoundTripsAndRejects) {
    for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        std::string enc;
        append_base64(enc, bytes(s));
        std::vector<std::uint8_t> dec;
        ASSERT_TRUE(decode_base64(enc, dec)) << enc;
        EXPECT_EQ(dec, bytes(s));
    }
    std::string enc;
    append_base64(enc, bytes("foobar"));
    EXPECT_EQ(enc, "Zm9vYmFy");
    std::vector<std::uint8_t> dec;
    EXPECT_FALSE(decode_base64("Zm9", dec));
    EXPECT_FALSE(decode_base64("Zm=v", dec));
    EXPECT_FALSE(decode_base64("Zg==Zm9v", dec));
    EXPECT_FALSE(decode_base64("Z!==", dec));
}

TEST(Base32Hex, MatchesRfc4648Vectors) {
    const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                     {"f", "co"},
                                                                     {"fo", "cpng"},
                                                                     {"foo", "cpnmu"},
                                                                     {"foob", "cpnmuog"},
                                                                     {"fooba", "cpnmuoj1"},
                                                                     {"foobar", "cpnmuoj1e8"}};
    for (const auto& [plain, encoded] : vectors) {
        std::string enc;
        append_base32hex(enc, bytes(plain));
        EXPECT_EQ(enc, encoded);
        std::vector<std::uint8_t> dec;
        ASSERT_TRUE(decode_base32hex(encoded, dec));
        EXPECT_EQ(dec, bytes(plain));
    }
    std::vector<std::uint8_t> dec;
    EXPECT_TRUE(decode_base32hex("CPNMUOG=", dec));
    EXPECT_FALSE(decode_base32hex("c", dec));
    EXPECT_FALSE(decode_base32hex("cw", dec));
}

TEST(Hex, RoundTripsAndRejects) {
    std::string enc;
    append_hex(enc, bytes("\x01\xab"));
    EXPECT_EQ(enc, "01AB");
    enc.clear();
    append_hex(enc, bytes("\x01\xab"), false);
    EXPECT_EQ(enc, "01ab");
    std::vector<std::uint8_t> dec;
    EXPECT_TRUE(decode_hex("01aB", dec));
    EXPECT_EQ(dec, bytes("\x01\xab"));
    EXPECT_FALSE(decode_hex("0", dec));
    EXPECT_FALSE(decode_hex("0g", dec));
}

TEST(Decimal, ChecksRangeForSmallMaximums) {
    EXPECT_EQ(parse_decimal("3", 3), 3u);
    EXPECT_EQ(parse_decimal("4", 3), std::nullopt);
    EXPECT_EQ(parse_decimal("255", 255), 255u);
    EXPECT_EQ(parse_decimal("256", 255), std::nullopt);
    EXPECT_EQ(parse_decimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
    EXPECT_EQ(parse_decimal("18446744073709551616", UINT64_MAX), std::nullopt);
    EXPECT_EQ(parse_decimal("", 9), std::nullopt);
    EXPECT_EQ(parse_decimal("+1", 9), std::nullopt);
}
