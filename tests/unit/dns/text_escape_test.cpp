// Presentation-format escapes (RFC 1035 §5.1) have one decoder, dns::read_escape, used by domain names
// (Name::from_text), name fields of rdata and character-strings: the edge cases here hold for all three.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "dns/types.hpp"

using namespace cairn::dns;

namespace {

// The octet the escape after text[0] (a backslash) stands for, and how far it reached.
std::pair<unsigned, std::size_t> escape(std::string_view text) {
    std::size_t i = 1;
    const unsigned octet = read_escape(text, i);
    return {octet, i};
}

std::vector<std::uint8_t> name_field(std::string_view text) {
    return rdata_from_text(RRType::CNAME, text, Name::from_text("example."));
}

std::vector<std::uint8_t> txt(std::string_view text) {
    return rdata_from_text(RRType::TXT, text, Name::from_text("example."));
}

}  // namespace

TEST(ReadEscape, DecimalEscapesCoverTheWholeOctetRange) {
    EXPECT_EQ(escape("\\000"), std::make_pair(0u, std::size_t{4}));
    EXPECT_EQ(escape("\\255"), std::make_pair(255u, std::size_t{4}));
    EXPECT_EQ(escape("\\065x"), std::make_pair(65u, std::size_t{4}));  // stops after three digits
    EXPECT_EQ(escape("\\0123"), std::make_pair(12u, std::size_t{4}));
}

TEST(ReadEscape, RejectsAbove255) {
    EXPECT_THROW(escape("\\256"), ParseError);
    EXPECT_THROW(escape("\\999"), ParseError);
}

TEST(ReadEscape, BackslashBeforeANonDigitIsThatCharacter) {
    EXPECT_EQ(escape("\\."), std::make_pair(unsigned{'.'}, std::size_t{2}));
    EXPECT_EQ(escape("\\\\"), std::make_pair(unsigned{'\\'}, std::size_t{2}));
    EXPECT_EQ(escape("\\a12"), std::make_pair(unsigned{'a'}, std::size_t{2}));
}

TEST(ReadEscape, RejectsTruncatedAndMalformedEscapes) {
    EXPECT_THROW(escape("\\1"), ParseError);
    EXPECT_THROW(escape("\\12"), ParseError);
    EXPECT_THROW(escape("\\1a3"), ParseError);
    EXPECT_THROW(escape("\\"), ParseError);  // a lone backslash at the end
}

TEST(ReadEscape, ErrorNamesTheText) {
    try {
        escape("\\256");
        FAIL() << "\\256 was accepted";
    } catch (const ParseError& error) {
        EXPECT_NE(std::string(error.what()).find("'\\256'"), std::string::npos) << error.what();
    }
}

TEST(ReadEscape, DomainNamesDecodeTheSameWay) {
    EXPECT_EQ(Name::from_text("a\\000b.").wire().size(), 1 + 3 + 1u);
    EXPECT_EQ(Name::from_text("\\255.").to_text(), "\\255.");
    EXPECT_EQ(Name::from_text("a\\.b.").label_count(), 1u);
    EXPECT_EQ(Name::from_text("\\065\\066.").to_text(), "AB.");
    EXPECT_THROW(Name::from_text("a\\256."), ParseError);
    EXPECT_THROW(Name::from_text("a\\1"), ParseError);
    EXPECT_THROW(Name::from_text("a\\12."), ParseError);
    EXPECT_THROW(Name::from_text("a\\"), ParseError);
}

TEST(ReadEscape, RdataNameFieldsAndTextDecodeTheSameWay) {
    EXPECT_EQ(name_field("\\065\\.b."), (std::vector<std::uint8_t>{3, 'A', '.', 'b', 0}));
    EXPECT_EQ(name_field("\\000."), (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_THROW(name_field("a\\256."), ParseError);
    EXPECT_THROW(name_field("a\\1"), ParseError);
    EXPECT_THROW(name_field("a\\"), ParseError);

    EXPECT_EQ(txt("\"\\000\\255\\q\""), (std::vector<std::uint8_t>{3, 0, 255, 'q'}));
    EXPECT_THROW(txt("\"\\256\""), ParseError);
    EXPECT_THROW(txt("\"ab\\1\""), ParseError);
}

TEST(DecimalEscape, PrintsThreeDigits) {
    std::string out;
    append_decimal_escape(out, 0);
    append_decimal_escape(out, 7);
    append_decimal_escape(out, 42);
    append_decimal_escape(out, 255);
    EXPECT_EQ(out, "\\000\\007\\042\\255");
}
