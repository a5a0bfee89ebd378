// Tokenizer for RFC 1035 §5.1 master files as BIND reads them: whitespace-separated words, "quoted
// strings", ';' comments to the end of the line, '(' ')' joining lines, backslash escapes. Tokens are views
// into the caller's buffer with escapes left in place (names and character-strings read them differently),
// so tokenizing allocates nothing.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace cairn::zonefile {

// A malformed token (unterminated quote, unbalanced parentheses); `line` is where it was found.
class LexError : public std::runtime_error {
  public:
    LexError(std::uint32_t line, const std::string& message) : std::runtime_error(message), line_(line) {}
    std::uint32_t line() const { return line_; }

  private:
    std::uint32_t line_;
};

struct Token {
    enum class Kind : std::uint8_t { Word, EndOfLine, EndOfFile };
    Kind kind = Kind::EndOfFile;
    bool quoted = false;
    std::uint32_t line = 0;
    std::string_view text;  // without the quotes; escapes untouched

    bool is_word() const { return kind == Kind::Word; }
    bool ends_record() const { return kind != Kind::Word; }
};

// Where a logical line starts: whether it begins with blank space (the previous owner continues) and the
// first character of its first token.
struct LineStart {
    bool indented = false;
    char first = 0;
    std::uint32_t line = 0;
};

class MasterLexer {
  public:
    explicit MasterLexer(std::string_view text, std::uint32_t first_line = 1)
        : text_(text), line_(first_line) {}

    // Moves to the next line that holds a token, skipping blank and comment-only lines. False at the end.
    // Call only between records (after next() returned EndOfLine, or at the start).
    bool next_line(LineStart& start);

    // The next token of the current record. Newlines inside parentheses are blank space; outside they end
    // the record (EndOfLine). Throws LexError.
    Token next();

    // Error recovery: discards the rest of the current record. When the record itself is malformed
    // (e.g. an unterminated quote) it falls back to the end of the physical line and forgets open '('.
    void skip_record();

    std::uint32_t line() const { return line_; }
    bool in_parentheses() const { return depth_ > 0; }

  private:
    void skip_physical_line();

    std::string_view text_;
    std::size_t pos_ = 0;
    std::uint32_t line_ = 1;
    std::uint32_t depth_ = 0;       // open '('
    std::uint32_t depth_line_ = 0;  // line of the outermost open '('
};

}  // namespace cairn::zonefile
