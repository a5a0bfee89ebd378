#include "config/lexer.hpp"

namespace cairn::config {

std::string Token::describe() const {
    switch (kind) {
        case Kind::End:
            return "near end of file";
        case Kind::Quoted:
            return "near '\"" + text + "\"'";
        default:
            return "near '" + text + "'";
    }
}

void Lexer::push(std::string name, std::string text) {
    // A token already peeked belongs to the including file, after the include statement; it is the
    // caller's job to push only at a statement boundary, where nothing is peeked.
    sources_.push_back(Source{std::make_shared<const std::string>(std::move(name)), std::move(text), 0, 1});
}

std::vector<std::string> Lexer::open_sources() const {
    std::vector<std::string> names;
    for (const auto& source : sources_)
        names.push_back(*source.name);
    return names;
}

const Token& Lexer::peek() {
    if (!have_peeked_) {
        peeked_ = read();
        have_peeked_ = true;
    }
    return peeked_;
}

Token Lexer::next() {
    if (have_peeked_) {
        have_peeked_ = false;
        return std::move(peeked_);
    }
    return read();
}

Location Lexer::here() {
    return peek().where;
}

namespace {
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool is_special_char(char c) {
    return c == '{' || c == '}' || c == ';' || c == '!' || c == '"';
}
}  // namespace

// Returns false at the end of the source. Throws on an unterminated C comment.
bool Lexer::skip_space_and_comments(Source& s) {
    const std::string& t = s.text;
    while (s.pos < t.size()) {
        const char c = t[s.pos];
        if (c == '\n') {
            ++s.line;
            ++s.pos;
        } else if (is_space(c)) {
            ++s.pos;
        } else if (c == '#' || (c == '/' && s.pos + 1 < t.size() && t[s.pos + 1] == '/')) {
            while (s.pos < t.size() && t[s.pos] != '\n')
                ++s.pos;
        } else if (c == '/' && s.pos + 1 < t.size() && t[s.pos + 1] == '*') {
            const unsigned start_line = s.line;
            s.pos += 2;
            for (;;) {
                if (s.pos + 1 >= t.size()) {
                    fail_at(Location{s.name, start_line}, "unterminated comment (/* without */)");
                }
                if (t[s.pos] == '*' && t[s.pos + 1] == '/') {
                    s.pos += 2;
                    break;
                }
                if (t[s.pos] == '\n') ++s.line;
                ++s.pos;
            }
        } else {
            return true;
        }
    }
    return false;
}

Token Lexer::read() {
    while (!sources_.empty()) {
        Source& s = sources_.back();
        if (!skip_space_and_comments(s)) {
            end_location_ = Location{s.name, s.line};
            sources_.pop_back();
            continue;
        }
        Token token;
        token.where = Location{s.name, s.line};
        const std::string& t = s.text;
        const char c = t[s.pos];
        if (c == '"') {
            token.kind = Token::Kind::Quoted;
            ++s.pos;
            for (;;) {
                // BIND lets a quoted string run over several lines.
                if (s.pos >= t.size()) fail_at(token.where, "unterminated quoted string");
                const char q = t[s.pos++];
                if (q == '"') break;
                if (q == '\n') ++s.line;
                if (q == '\\' && s.pos < t.size()) {
                    if (t[s.pos] == '\n') ++s.line;
                    token.text += t[s.pos++];
                    continue;
                }
                token.text += q;
            }
            return token;
        }
        if (is_special_char(c)) {
            token.kind = Token::Kind::Special;
            token.text.assign(1, c);
            ++s.pos;
            return token;
        }
        token.kind = Token::Kind::Word;
        const std::size_t start = s.pos;
        while (s.pos < t.size() && !is_space(t[s.pos]) && !is_special_char(t[s.pos])) {
            if (t[s.pos] == '/' && s.pos + 1 < t.size() && (t[s.pos + 1] == '*' || t[s.pos + 1] == '/'))
                break;
            ++s.pos;
        }
        token.text = t.substr(start, s.pos - start);
        return token;
    }
    Token end;
    end.kind = Token::Kind::End;
    end.where = end_location_;
    return end;
}

}  // namespace cairn::config
