#include "zone/master_parser.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "zone/generate.hpp"
#include "zone/master_lexer.hpp"

namespace cairn::zone {
namespace {

// A problem with the current record or directive; reported at `line`, then the parser moves on.
struct RecordError {
    std::uint32_t line;
    std::string message;
};

bool iequals_ascii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (dns::lower_ascii(static_cast<std::uint8_t>(a[i])) !=
            dns::lower_ascii(static_cast<std::uint8_t>(b[i]))) {
            return false;
        }
    }
    return true;
}

// True when the name text ends with an unescaped dot (an absolute name).
bool ends_with_unescaped_dot(std::string_view text) {
    if (text.empty() || text.back() != '.') return false;
    std::size_t backslashes = 0;
    for (std::size_t i = text.size() - 1; i > 0 && text[i - 1] == '\\'; --i)
        ++backslashes;
    return backslashes % 2 == 0;
}

bool starts_like_comment(std::string_view text) {
    return !text.empty() && (text[0] == '#' || text[0] == ':' || text.starts_with("//"));
}

std::string strip_root_dot(std::string text) {
    if (text.size() > 1 && text.back() == '.') text.pop_back();
    return text;
}

class Parser {
  public:
    Parser(const ParseOptions& options, ParsedZone& out)
        : options_(options),
          out_(out),
          origin_(options.origin),
          origin_text_(strip_root_dot(origin_.to_text())) {}

    void parse_buffer(std::string_view text, std::uint32_t file, std::size_t depth);
    void parse_root(std::string_view text, const std::string& path) {
        std::error_code ec;
        if (!path.empty())
            include_stack_.push_back(std::filesystem::absolute(path, ec).lexically_normal().string());
        parse_buffer(text, 0, 0);
    }

  private:
    void parse_line(MasterLexer& lex, const LineStart& start, std::uint32_t file, std::size_t depth);
    void directive(MasterLexer& lex, const Token& name, std::uint32_t file, std::size_t depth);
    void include(MasterLexer& lex, std::uint32_t line, std::size_t depth);
    void generate(MasterLexer& lex, std::uint32_t line, std::uint32_t file);

    dns::Name owner_from_text(std::string_view text, std::uint32_t line) const;
    Token expect_word(MasterLexer& lex, std::uint32_t line, const char* what);
    void expect_end(MasterLexer& lex, const char* directive);
    std::uint32_t checked_ttl(std::uint32_t ttl, std::uint32_t file, std::uint32_t line, const char* what);
    // Applies BIND's TTL rules to a record without an explicit TTL. Throws RecordError when none applies.
    std::uint32_t implicit_ttl(const Record& rec, std::uint32_t file, std::uint32_t line);
    // `new_owner`: the owner was written on this line (BIND warns about out-of-zone data once per owner).
    void add_record(Record&& rec, std::uint32_t file, std::uint32_t line, bool new_owner = true);
    void set_origin(dns::Name origin) {
        origin_ = std::move(origin);
        origin_text_ = strip_root_dot(origin_.to_text());
    }
    void warn_if_origin_repeated(std::string_view owner_text, std::uint32_t file, std::uint32_t line);

    void error(std::uint32_t file, std::uint32_t line, std::string message) {
        out_.diagnostics.error(out_.files[file], line, std::move(message));
    }
    void warning(std::uint32_t file, std::uint32_t line, std::string message) {
        out_.diagnostics.warning(out_.files[file], line, std::move(message));
    }

    const ParseOptions& options_;
    ParsedZone& out_;

    // Per-file context, saved and restored around $INCLUDE (RFC 1035 §5.1).
    dns::Name origin_;
    std::string origin_text_;  // without the trailing dot, for the "forgot the dot" warning
    dns::Name owner_;
    bool have_owner_ = false;

    // Zone-wide TTL state, BIND's: $TTL (or the SOA minimum when there is none), and the last explicit TTL
    // for RFC 1035 inheritance.
    std::optional<std::uint32_t> default_ttl_;
    std::optional<std::uint32_t> last_ttl_;
    bool warned_rfc1035_ttl_ = false;

    std::vector<std::string> include_stack_;  // absolute paths of the files being read, for loop detection
    std::vector<dns::TextToken> tokens_;      // reused for every record: no per-record allocation
    std::string generated_name_;
    std::string generated_rdata_;
    bool record_done_ = false;  // the current record's end of line has been consumed
};

void Parser::parse_buffer(std::string_view text, std::uint32_t file, std::size_t depth) {
    MasterLexer lex(text);
    LineStart start;
    while (lex.next_line(start)) {
        record_done_ = false;
        try {
            parse_line(lex, start, file, depth);
        } catch (const LexError& e) {
            error(file, e.line(), e.what());
            lex.skip_record();
        } catch (const RecordError& e) {
            error(file, e.line, e.message);
            if (!record_done_) lex.skip_record();
        }
    }
}

dns::Name Parser::owner_from_text(std::string_view text, std::uint32_t line) const {
    if (text == "@") return origin_;
    try {
        return dns::Name::from_text(text, origin_);
    } catch (const dns::ParseError& e) {
        throw RecordError{line, std::string("bad owner name '") + std::string(text) + "': " + e.what()};
    }
}

Token Parser::expect_word(MasterLexer& lex, std::uint32_t line, const char* what) {
    Token t = lex.next();
    if (!t.is_word()) {
        record_done_ = true;
        throw RecordError{line, std::string("missing ") + what};
    }
    return t;
}

void Parser::expect_end(MasterLexer& lex, const char* directive) {
    const Token t = lex.next();
    if (t.is_word())
        throw RecordError{
            t.line, std::string("extra input text after ") + directive + ": '" + std::string(t.text) + "'"};
    record_done_ = true;
}

std::uint32_t Parser::checked_ttl(std::uint32_t ttl, std::uint32_t file, std::uint32_t line,
                                  const char* what) {
    if (ttl <= dns::kMaxTtl) return ttl;
    warning(file, line,
            std::string(what) + " " + std::to_string(ttl) + " > MAXTTL, setting " + what + " to 0");
    return 0;
}

void Parser::warn_if_origin_repeated(std::string_view text, std::uint32_t file, std::uint32_t line) {
    if (origin_text_ == "." || text.size() < origin_text_.size() || ends_with_unescaped_dot(text)) return;
    const std::string_view tail = text.substr(text.size() - origin_text_.size());
    if (!iequals_ascii(tail, origin_text_)) return;
    if (text.size() > tail.size() && text[text.size() - tail.size() - 1] != '.') return;
    warning(file, line,
            "name '" + std::string(text) + "' has no trailing dot, so it is relative and becomes '" +
                std::string(text) + "." + origin_text_ + ".'; write '" + std::string(text) +
                ".' if the origin was already included");
}

void Parser::parse_line(MasterLexer& lex, const LineStart& start, std::uint32_t file, std::size_t depth) {
    const std::uint32_t line = start.line;
    Record rec;
    if (!start.indented) {
        const Token first = lex.next();
        if (!first.quoted && first.text.starts_with('$')) {
            directive(lex, first, file, depth);
            return;
        }
        if (!first.quoted && starts_like_comment(first.text)) {
            warning(file, line,
                    "line begins with '" + std::string(first.text.substr(0, 1)) +
                        "', which does not start a comment in zone files (use ';'): read as an owner name");
        }
        owner_ = owner_from_text(first.text, line);
        have_owner_ = true;
        if (first.text != "@") warn_if_origin_repeated(first.text, file, line);
        if (first.text.size() <= 10 && first.text.find('.') == std::string_view::npos &&
            (dns::type_from_text(first.text) || dns::class_from_text(first.text))) {
            warning(file, line,
                    "owner name '" + std::string(first.text) +
                        "' is also a type or class mnemonic: a line that does not start with blank space "
                        "begins with its owner name");
        }
    } else if (!have_owner_) {
        throw RecordError{line, "no current owner name: the first record must not start with blank space"};
    }

    std::optional<std::uint32_t> ttl;
    std::optional<dns::RRClass> rclass;
    Token t = expect_word(lex, line, "RR type");
    for (int i = 0; i < 2 && !t.quoted; ++i) {
        if (!ttl && t.text[0] >= '0' && t.text[0] <= '9') {
            const auto v = dns::parse_ttl(t.text);
            if (!v) throw RecordError{t.line, "bad TTL '" + std::string(t.text) + "'"};
            ttl = checked_ttl(*v, file, t.line, "TTL");
            t = expect_word(lex, line, "RR type");
            continue;
        }
        if (!rclass) {
            if (const auto c = dns::class_from_text(t.text)) {
                if (*c != options_.rclass) {
                    throw RecordError{t.line, "class '" + dns::class_to_text(*c) + "' != zone class '" +
                                                  dns::class_to_text(options_.rclass) + "'"};
                }
                rclass = c;
                t = expect_word(lex, line, "RR type");
                continue;
            }
        }
        break;
    }
    const auto type = t.quoted ? std::nullopt : dns::type_from_text(t.text);
    if (!type) {
        std::string message = "unknown RR type '" + std::string(t.text) + "'";
        if (start.indented ? starts_like_comment(t.text) : (start.first == '#' || start.first == ':')) {
            message += " ('#' and ':' do not start comments in zone files: use ';')";
        }
        throw RecordError{t.line, std::move(message)};
    }
    if (dns::is_meta_type(*type)) {
        throw RecordError{t.line, "meta type '" + std::string(t.text) + "' cannot appear in zone data"};
    }
    if (rclass && *rclass != options_.rclass) {
        throw RecordError{line, "class '" + dns::class_to_text(*rclass) + "' != zone class '" +
                                    dns::class_to_text(options_.rclass) + "'"};
    }

    tokens_.clear();
    bool comment_like = false;
    for (;;) {
        const Token r = lex.next();
        if (!r.is_word()) break;
        if (!r.quoted && starts_like_comment(r.text)) comment_like = true;
        tokens_.push_back({r.text, r.quoted});
    }
    record_done_ = true;
    rec.owner = owner_;
    rec.type = *type;
    rec.rclass = options_.rclass;
    try {
        dns::rdata_from_text(*type, tokens_, origin_, rec.rdata);
    } catch (const dns::ParseError& e) {
        // Some of the codec's messages already name the type ("NS rdata: ..."); name it for the others.
        const std::string prefix = dns::type_to_text(*type) + " rdata";
        std::string message = e.what();
        if (!message.starts_with(prefix)) message = prefix + ": " + message;
        if (comment_like) message += " ('#' and ':' do not start comments in zone files: use ';')";
        throw RecordError{line, std::move(message)};
    }
    if (ttl) {
        rec.ttl = *ttl;
        last_ttl_ = *ttl;
    } else {
        rec.ttl = implicit_ttl(rec, file, line);
    }
    add_record(std::move(rec), file, line, !start.indented);
}

std::uint32_t Parser::implicit_ttl(const Record& rec, std::uint32_t file, std::uint32_t line) {
    if (default_ttl_) return *default_ttl_;
    if (rec.type == dns::RRType::SOA && !last_ttl_ && rec.rdata.size() >= 4) {
        const auto* m = rec.rdata.data() + rec.rdata.size() - 4;
        const std::uint32_t minimum =
            (std::uint32_t{m[0]} << 24) | (std::uint32_t{m[1]} << 16) | (std::uint32_t{m[2]} << 8) | m[3];
        warning(file, line, "no TTL specified; using SOA MINTTL instead");
        default_ttl_ = checked_ttl(minimum, file, line, "TTL");
        return *default_ttl_;
    }
    if (last_ttl_) {
        if (!warned_rfc1035_ttl_) {
            warned_rfc1035_ttl_ = true;
            warning(file, line,
                    "using RFC1035 TTL semantics: no $TTL, so records without a TTL take the last one given");
        }
        return *last_ttl_;
    }
    throw RecordError{line, "no TTL specified; zone rejected (add a $TTL line at the top of the file)"};
}

void Parser::add_record(Record&& rec, std::uint32_t file, std::uint32_t line, bool new_owner) {
    if (!rec.owner.is_subdomain_of(options_.origin)) {
        if (new_owner)
            warning(file, line,
                    "ignoring out-of-zone data (" + rec.owner.to_text() +
                        "): it is not at or below the zone name " + options_.origin.to_text());
        return;
    }
    out_.records.push_back(std::move(rec));
    out_.lines.push_back({file, line});
}

void Parser::directive(MasterLexer& lex, const Token& name, std::uint32_t file, std::size_t depth) {
    const std::uint32_t line = name.line;
    if (iequals_ascii(name.text, "$TTL")) {
        const Token t = expect_word(lex, line, "TTL after $TTL");
        const auto v = dns::parse_ttl(t.text);
        if (!v) throw RecordError{line, "bad $TTL '" + std::string(t.text) + "'"};
        expect_end(lex, "$TTL");
        default_ttl_ = checked_ttl(*v, file, line, "$TTL");
    } else if (iequals_ascii(name.text, "$ORIGIN")) {
        const Token t = expect_word(lex, line, "name after $ORIGIN");
        dns::Name origin;
        try {
            origin = t.text == "@" ? origin_ : dns::Name::from_text(t.text, origin_);
        } catch (const dns::ParseError& e) {
            throw RecordError{line, "bad $ORIGIN '" + std::string(t.text) + "': " + e.what()};
        }
        expect_end(lex, "$ORIGIN");
        set_origin(std::move(origin));
    } else if (iequals_ascii(name.text, "$INCLUDE")) {
        include(lex, line, depth);
    } else if (iequals_ascii(name.text, "$GENERATE")) {
        generate(lex, line, file);
    } else {
        throw RecordError{line, "unknown $ directive '" + std::string(name.text) + "'"};
    }
}

void Parser::include(MasterLexer& lex, std::uint32_t line, std::size_t depth) {
    const Token path_token = expect_word(lex, line, "file name after $INCLUDE");
    const std::string path(path_token.text);
    std::optional<dns::Name> new_origin;
    Token t = lex.next();
    if (t.is_word()) {
        try {
            new_origin = t.text == "@" ? origin_ : dns::Name::from_text(t.text, origin_);
        } catch (const dns::ParseError& e) {
            throw RecordError{line, "bad $INCLUDE origin '" + std::string(t.text) + "': " + e.what()};
        }
        expect_end(lex, "$INCLUDE");
    } else {
        record_done_ = true;
    }
    if (!options_.allow_include) throw RecordError{line, "$INCLUDE is not allowed here"};
    if (depth + 1 > options_.max_include_depth) {
        throw RecordError{line, "$INCLUDE " + path + ": too deeply nested (more than " +
                                    std::to_string(options_.max_include_depth) + " levels)"};
    }
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
    for (const std::string& open : include_stack_) {
        if (open == absolute)
            throw RecordError{line, "$INCLUDE " + path + ": include loop (the file is already being read)"};
    }
    std::string text;
    try {
        text = read_file(path);
    } catch (const std::runtime_error& e) {
        throw RecordError{line, "$INCLUDE " + std::string(e.what())};
    }
    const auto index = static_cast<std::uint32_t>(out_.files.size());
    out_.files.push_back(path);

    dns::Name saved_origin = origin_;
    std::string saved_origin_text = origin_text_;
    dns::Name saved_owner = owner_;
    const bool saved_have_owner = have_owner_;
    if (new_origin) set_origin(std::move(*new_origin));
    include_stack_.push_back(absolute);
    parse_buffer(text, index, depth + 1);
    include_stack_.pop_back();
    origin_ = std::move(saved_origin);
    origin_text_ = std::move(saved_origin_text);
    owner_ = std::move(saved_owner);
    have_owner_ = saved_have_owner;
    record_done_ = true;
}

void Parser::generate(MasterLexer& lex, std::uint32_t line, std::uint32_t file) {
    const Token range_token = expect_word(lex, line, "range after $GENERATE");
    const auto range = parse_generate_range(range_token.text);
    if (!range) throw RecordError{line, "$GENERATE: invalid range '" + std::string(range_token.text) + "'"};
    const Token lhs = expect_word(lex, line, "owner template after the $GENERATE range");
    std::optional<std::uint32_t> ttl;
    std::optional<dns::RRClass> rclass;
    Token t = expect_word(lex, line, "RR type in $GENERATE");
    for (int i = 0; i < 2; ++i) {
        if (!ttl && t.text[0] >= '0' && t.text[0] <= '9') {
            const auto v = dns::parse_ttl(t.text);
            if (!v) throw RecordError{line, "$GENERATE: bad TTL '" + std::string(t.text) + "'"};
            ttl = checked_ttl(*v, file, line, "TTL");
            t = expect_word(lex, line, "RR type in $GENERATE");
        } else if (const auto c = rclass ? std::nullopt : dns::class_from_text(t.text)) {
            rclass = c;
            t = expect_word(lex, line, "RR type in $GENERATE");
        } else {
            break;
        }
    }
    const auto type = dns::type_from_text(t.text);
    if (!type) throw RecordError{line, "$GENERATE: unknown RR type '" + std::string(t.text) + "'"};
    if (dns::is_meta_type(*type))
        throw RecordError{line, "$GENERATE: meta type '" + std::string(t.text) + "'"};
    if (rclass && *rclass != options_.rclass) {
        throw RecordError{line, "class '" + dns::class_to_text(*rclass) + "' != zone class '" +
                                    dns::class_to_text(options_.rclass) + "'"};
    }
    const Token rhs = expect_word(lex, line, "rdata template in $GENERATE (quote it when it has spaces)");
    expect_end(lex, "$GENERATE (quote an rdata template that has spaces)");
    const std::string lhs_text(lhs.text);
    const std::string rhs_text(rhs.text);
    const std::uint64_t count = (std::uint64_t{range->stop} - range->start) / range->step + 1;
    if (count > options_.max_generate) {
        throw RecordError{line, "$GENERATE: range " + std::string(range_token.text) + " would create " +
                                    std::to_string(count) + " records (at most " +
                                    std::to_string(options_.max_generate) + ")"};
    }
    std::vector<dns::TextToken> tokens;
    for (std::uint64_t i = range->start; i <= range->stop; i += range->step) {
        const auto value = static_cast<std::int64_t>(i);
        if (auto err = expand_generate_template(lhs_text, value, generated_name_); !err.empty()) {
            throw RecordError{line, "$GENERATE: " + err};
        }
        if (auto err = expand_generate_template(rhs_text, value, generated_rdata_); !err.empty()) {
            throw RecordError{line, "$GENERATE: " + err};
        }
        Record rec;
        rec.owner = owner_from_text(generated_name_, line);
        rec.type = *type;
        rec.rclass = options_.rclass;
        tokens.clear();
        try {
            MasterLexer rdata_lex(generated_rdata_);
            for (Token r = rdata_lex.next(); r.is_word(); r = rdata_lex.next())
                tokens.push_back({r.text, r.quoted});
            dns::rdata_from_text(*type, tokens, origin_, rec.rdata);
        } catch (const LexError& e) {
            throw RecordError{line, "$GENERATE: " + generated_rdata_ + ": " + e.what()};
        } catch (const dns::ParseError& e) {
            throw RecordError{line, "$GENERATE: " + dns::type_to_text(*type) + " rdata '" + generated_rdata_ +
                                        "': " + e.what()};
        }
        rec.ttl = ttl ? *ttl : implicit_ttl(rec, file, line);
        add_record(std::move(rec), file, line);
    }
    if (ttl) last_ttl_ = *ttl;
}

}  // namespace

std::string read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw std::runtime_error(path + ": is a directory");
    }
    // Read straight into the result; grow when the file is longer than fstat said (pipes, growing files).
    std::string data(st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 65536, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == data.size()) data.resize(data.size() * 2);
        const ssize_t n = ::read(fd, data.data() + used, data.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw std::runtime_error(path + ": " + std::strerror(err));
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    ::close(fd);
    data.resize(used);
    return data;
}

ParsedZone parse_zone_text(std::string_view text, const std::string& name, const ParseOptions& options) {
    ParsedZone out;
    out.files.push_back(name);
    Parser parser(options, out);
    parser.parse_root(text, options.allow_include ? name : std::string());
    return out;
}

ParsedZone parse_zone_file(const std::string& path, const ParseOptions& options) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const std::runtime_error& e) {
        ParsedZone out;
        out.files.push_back(path);
        out.diagnostics.error({}, 0, e.what());
        return out;
    }
    return parse_zone_text(text, path, options);
}

}  // namespace cairn::zone
