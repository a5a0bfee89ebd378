// Tokens of BIND's configuration language: words, quoted strings, the specials { } ; ! and the end of
// input, with the three comment styles (C, C++ and shell) skipped. Included files are pushed as further
// sources and read transparently, as BIND's lexer does: a file's end only ends the stream when it is the
// outermost one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"

namespace cairn::config {

struct Token {
    enum class Kind { Word, Quoted, Special, End };
    Kind kind = Kind::End;
    std::string text;  // the word or the quoted string's content; the character for specials
    Location where;

    bool is_special(char c) const { return kind == Kind::Special && text.size() == 1 && text[0] == c; }
    bool is_string() const { return kind == Kind::Word || kind == Kind::Quoted; }
    // How the token reads in a message: near 'x', near end of file.
    std::string describe() const;
};

class Lexer {
  public:
    // Adds a source read before what remains of the current one. `name` is used in locations.
    void push(std::string name, std::string text);
    // Name of every source being read, outermost first (include loop detection).
    std::vector<std::string> open_sources() const;

    const Token& peek();
    Token next();
    // Where the next token starts (or the end of input is), for messages about a missing token.
    Location here();

  private:
    struct Source {
        std::shared_ptr<const std::string> name;
        std::string text;
        std::size_t pos = 0;
        unsigned line = 1;
    };
    Token read();
    bool skip_space_and_comments(Source& source);

    std::vector<Source> sources_;
    bool have_peeked_ = false;
    Token peeked_;
    Location end_location_;
};

}  // namespace cairn::config
