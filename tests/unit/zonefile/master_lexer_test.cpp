#include "zonefile/master_lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using cairn::zonefile::LexError;
using cairn::zonefile::LineStart;
using cairn::zonefile::MasterLexer;
using cairn::zonefile::Token;

namespace {

// Each record as "word|word|..." with quoted words in quotes, plus the line it started on.
std::vector<std::string> records(std::string_view text) {
    MasterLexer lex(text);
    std::vector<std::string> out;
    LineStart start;
    while (lex.next_line(start)) {
        std::string rec = std::to_string(start.line) + (start.indented ? " _" : " ");
        for (Token t = lex.next(); t.is_word(); t = lex.next()) {
            rec += t.quoted ? "\"" + std::string(t.text) + "\"" : std::string(t.text);
            rec += '|';
        }
        out.push_back(rec);
    }
    return out;
}

}  // namespace

TEST(MasterLexer, WordsCommentsAndBlankLines) {
    const auto r = records("a A 1.2.3.4 ; comment\n\n   ; only a comment\n  AAAA ::1\n");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0], "1 a|A|1.2.3.4|");
    EXPECT_EQ(r[1], "4 _AAAA|::1|");
}

TEST(MasterLexer, ParenthesesJoinLines) {
    const auto r = records("@ SOA ns h (\n 1 ; serial\n 2 3 4\n 5 )\nnext A 1.1.1.1\n");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0], "1 @|SOA|ns|h|1|2|3|4|5|");
    EXPECT_EQ(r[1], "5 next|A|1.1.1.1|");
}

TEST(MasterLexer, QuotedStringsKeepEscapesAndSpecials) {
    const auto r = records("t TXT \"a ; b ( c\" \"q\\\"x\" plain\\ word\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], "1 t|TXT|\"a ; b ( c\"|\"q\\\"x\"|plain\\ word|");
}

TEST(MasterLexer, EscapedDelimitersStayInTheWord) {
    const auto r = records("a\\;b\\(c A 1.2.3.4\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], "1 a\\;b\\(c|A|1.2.3.4|");
}

TEST(MasterLexer, QuoteEndsAnUnquotedWord) {
    const auto r = records("t TXT ab\"cd\"\n");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], "1 t|TXT|ab|\"cd\"|");
}

TEST(MasterLexer, CrLfLineEndings) {
    const auto r = records("a A 1.2.3.4\r\n b A 5.6.7.8\r\n");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1], "2 _b|A|5.6.7.8|");
}

TEST(MasterLexer, UnterminatedQuoteIsAnErrorOnItsLine) {
    MasterLexer lex("a A 1\nt TXT \"abc\nb A 2\n");
    LineStart s;
    ASSERT_TRUE(lex.next_line(s));
    while (lex.next().is_word()) {
    }
    ASSERT_TRUE(lex.next_line(s));
    EXPECT_EQ(lex.next().text, "t");
    EXPECT_EQ(lex.next().text, "TXT");
    try {
        lex.next();
        FAIL() << "expected LexError";
    } catch (const LexError& e) {
        EXPECT_EQ(e.line(), 2u);
        EXPECT_STREQ(e.what(), "unterminated quoted string");
    }
    lex.skip_record();
    ASSERT_TRUE(lex.next_line(s));
    EXPECT_EQ(s.line, 3u);
    EXPECT_EQ(lex.next().text, "b");
}

TEST(MasterLexer, UnbalancedParentheses) {
    MasterLexer close("a A 1 )\n");
    LineStart s;
    ASSERT_TRUE(close.next_line(s));
    EXPECT_EQ(close.next().text, "a");
    EXPECT_EQ(close.next().text, "A");
    EXPECT_EQ(close.next().text, "1");
    EXPECT_THROW(close.next(), LexError);

    MasterLexer open("@ SOA ( 1 2\n3\n");
    ASSERT_TRUE(open.next_line(s));
    try {
        while (open.next().is_word()) {
        }
        FAIL() << "expected LexError";
    } catch (const LexError& e) {
        EXPECT_NE(std::string(e.what()).find("opened on line 1"), std::string::npos) << e.what();
    }
}

TEST(MasterLexer, EndOfFileWithoutNewline) {
    const auto r = records("a A 1.2.3.4");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], "1 a|A|1.2.3.4|");
}
