#include "zonefile/master_lexer.hpp"

#include <array>
#include <cstring>

namespace cairn::zonefile {
namespace {

// Characters that end an unquoted word.
constexpr std::array<bool, 256> make_delimiters() {
    std::array<bool, 256> d{};
    for (unsigned char c : std::string_view(" \t\r\n;()\""))
        d[c] = true;
    return d;
}
constexpr std::array<bool, 256> kDelimiter = make_delimiters();

}  // namespace

bool MasterLexer::next_line(LineStart& start) {
    while (pos_ < text_.size()) {
        const char c = text_[pos_];
        const bool indented = c == ' ' || c == '\t';
        std::size_t p = pos_;
        while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\r'))
            ++p;
        if (p < text_.size() && text_[p] == ';') {
            const void* nl = std::memchr(text_.data() + p, '\n', text_.size() - p);
            p = nl ? static_cast<const char*>(nl) - text_.data() : text_.size();
        }
        if (p >= text_.size()) {
            pos_ = p;
            return false;
        }
        if (text_[p] == '\n') {
            pos_ = p + 1;
            ++line_;
            continue;
        }
        start.indented = indented;
        start.first = text_[p];
        start.line = line_;
        pos_ = indented ? p : pos_;
        return true;
    }
    return false;
}

Token MasterLexer::next() {
    Token t;
    while (pos_ < text_.size()) {
        const char c = text_[pos_];
        switch (c) {
            case ' ':
            case '\t':
            case '\r':
                ++pos_;
                continue;
            case ';': {
                const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
                pos_ = nl ? static_cast<const char*>(nl) - text_.data() : text_.size();
                continue;
            }
            case '\n':
                ++pos_;
                ++line_;
                if (depth_ > 0) continue;
                t.kind = Token::Kind::EndOfLine;
                t.line = line_ - 1;
                return t;
            case '(':
                if (depth_++ == 0) depth_line_ = line_;
                ++pos_;
                continue;
            case ')':
                if (depth_ == 0) throw LexError(line_, "unbalanced parentheses: ')' without '('");
                --depth_;
                ++pos_;
                continue;
            case '"': {
                const std::size_t begin = ++pos_;
                const std::uint32_t start_line = line_;
                while (pos_ < text_.size()) {
                    const char q = text_[pos_];
                    if (q == '"') break;
                    if (q == '\n') throw LexError(start_line, "unterminated quoted string");
                    if (q == '\\' && pos_ + 1 < text_.size()) {
                        if (text_[pos_ + 1] == '\n') ++line_;
                        pos_ += 2;
                        continue;
                    }
                    ++pos_;
                }
                if (pos_ >= text_.size()) throw LexError(start_line, "unterminated quoted string");
                t.kind = Token::Kind::Word;
                t.quoted = true;
                t.line = start_line;
                t.text = text_.substr(begin, pos_ - begin);
                ++pos_;
                return t;
            }
            default: {
                const std::size_t begin = pos_;
                t.line = line_;
                while (pos_ < text_.size()) {
                    const auto w = static_cast<unsigned char>(text_[pos_]);
                    if (w == '\\') {
                        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++line_;
                        pos_ += 2;
                        continue;
                    }
                    if (kDelimiter[w]) break;
                    ++pos_;
                }
                if (pos_ > text_.size()) pos_ = text_.size();  // a trailing lone backslash
                t.kind = Token::Kind::Word;
                t.text = text_.substr(begin, pos_ - begin);
                return t;
            }
        }
    }
    if (depth_ > 0) {
        const std::uint32_t open_line = depth_line_;
        depth_ = 0;
        throw LexError(line_, "unbalanced parentheses: '(' opened on line " + std::to_string(open_line) +
                                  " is never closed");
    }
    t.kind = Token::Kind::EndOfFile;
    t.line = line_;
    return t;
}

void MasterLexer::skip_record() {
    try {
        for (;;) {
            if (next().ends_record()) return;
        }
    } catch (const LexError&) {
        skip_physical_line();
    }
}

void MasterLexer::skip_physical_line() {
    depth_ = 0;
    if (pos_ >= text_.size()) return;
    const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
    if (!nl) {
        pos_ = text_.size();
        return;
    }
    pos_ = static_cast<const char*>(nl) - text_.data() + 1;
    ++line_;
}

}  // namespace cairn::zonefile
