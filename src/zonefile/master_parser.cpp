#include "zonefile/master_parser.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "zonefile/generate.hpp"
#include "zonefile/master_lexer.hpp"

namespace cairn::zonefile {

using zone::ParsedZone;
using zone::StoredRecord;
namespace {

// A problem with the current record or directive; reported at `line`, then the parser moves on.
struct RecordError {
    std::uint32_t line;
    std::string message;
};

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
    void parse_record(MasterLexer& lex, const LineStart& start, std::uint32_t file);  // after the owner

    struct Mnemonic {
        std::optional<dns::RRType> type;
        std::optional<dns::RRClass> rclass;
    };
    // type_from_text / class_from_text of a token, remembered: a zone file repeats a handful of them.
    Mnemonic mnemonic(std::string_view text);
    struct CachedMnemonic {
        char text[11] = {};
        std::uint8_t length = 0;  // 0: empty slot
        Mnemonic value;
    };
    std::array<CachedMnemonic, 64> mnemonics_{};
    void directive(MasterLexer& lex, const Token& name, std::uint32_t file, std::size_t depth);
    void include(MasterLexer& lex, std::uint32_t line, std::size_t depth);
    void generate(MasterLexer& lex, std::uint32_t line, std::uint32_t file);

    dns::Name owner_from_text(std::string_view text, std::uint32_t line) const;
    // Makes `name` the current owner: stores its wire form in the arena (once per owner change).
    void set_owner(const dns::Name& name);
    Token expect_word(MasterLexer& lex, std::uint32_t line, const char* what);
    void expect_end(MasterLexer& lex, const char* directive);
    std::uint32_t checked_ttl(std::uint32_t ttl, std::uint32_t file, std::uint32_t line, const char* what);
    // Applies BIND's TTL rules to a record without an explicit TTL. Throws RecordError when none applies.
    std::uint32_t implicit_ttl(dns::RRType type, std::size_t rdata_begin, std::uint32_t file,
                               std::uint32_t line);
    // `new_owner`: the owner was written on this line (BIND warns about out-of-zone data once per owner).
    // Appends a record owned by the current owner whose rdata is the arena's tail from `rdata_begin`.
    void add_record(dns::RRType type, std::uint32_t ttl, std::size_t rdata_begin, std::uint32_t file,
                    std::uint32_t line, bool new_owner = true);
    // Parses rdata and appends it to the arena; on failure the arena is unchanged and ParseError propagates.
    void append_rdata(dns::RRType type, std::span<const dns::TextToken> tokens, std::size_t rdata_begin);
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
    struct OwnerState {
        std::uint32_t owner;
        std::uint8_t length;
        bool have;
        bool in_zone;
    };
    OwnerState owner_state() const { return {owner_, owner_length_, have_owner_, owner_in_zone_}; }
    void restore_owner(const OwnerState& s) {
        owner_ = s.owner;
        owner_length_ = s.length;
        have_owner_ = s.have;
        owner_in_zone_ = s.in_zone;
    }

    std::uint32_t owner_ = 0;  // the current owner: offset and length in the names arena
    std::uint8_t owner_length_ = 0;
    bool have_owner_ = false;
    bool owner_in_zone_ = true;

    // Zone-wide TTL state, BIND's: $TTL (or the SOA minimum when there is none), and the last explicit TTL
    // for RFC 1035 inheritance.
    std::optional<std::uint32_t> default_ttl_;
    std::optional<std::uint32_t> last_ttl_;
    bool warned_rfc1035_ttl_ = false;

    std::vector<std::string> include_stack_;  // absolute paths of the files being read, for loop detection
    std::vector<dns::TextToken> tokens_;      // reused for every record: no per-record allocation
    std::vector<std::uint8_t> scratch_;       // one record's rdata, before it joins the arena
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
        } catch (const dns::ParseError& e) {
            error(file, start.line, e.what());
            if (!record_done_) lex.skip_record();
        }
    }
}

void Parser::set_owner(const dns::Name& name) {
    const auto wire = name.wire();
    auto& names = out_.names;
    const bool same = have_owner_ && owner_length_ == wire.size() &&
                      std::equal(wire.begin(), wire.end(), names.begin() + owner_);
    if (!same) {
        if (names.size() > 0xFFFFFFFFu - 256)
            throw dns::ParseError("zone too large (more than 4 GiB of names)");
        owner_ = static_cast<std::uint32_t>(names.size());
        owner_length_ = static_cast<std::uint8_t>(wire.size());
        names.insert(names.end(), wire.begin(), wire.end());
    }
    have_owner_ = true;
    owner_in_zone_ = name.is_subdomain_of(options_.origin);
}

void Parser::append_rdata(dns::RRType type, std::span<const dns::TextToken> tokens, std::size_t rdata_begin) {
    scratch_.clear();
    dns::rdata_from_text(type, tokens, origin_, scratch_);
    if (scratch_.size() > 65535) throw dns::ParseError("rdata longer than 65535 octets");
    out_.rdata_bytes.resize(rdata_begin);
    out_.rdata_bytes.insert(out_.rdata_bytes.end(), scratch_.begin(), scratch_.end());
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
    if (!dns::equal_ignoring_ascii_case(tail, origin_text_)) return;
    if (text.size() > tail.size() && text[text.size() - tail.size() - 1] != '.') return;
    warning(file, line,
            "name '" + std::string(text) + "' has no trailing dot, so it is relative and becomes '" +
                std::string(text) + "." + origin_text_ + ".'; write '" + std::string(text) +
                ".' if the origin was already included");
}

void Parser::parse_line(MasterLexer& lex, const LineStart& start, std::uint32_t file, std::size_t depth) {
    const std::uint32_t line = start.line;
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
        set_owner(owner_from_text(first.text, line));
        if (first.text != "@") warn_if_origin_repeated(first.text, file, line);
        try {
            parse_record(lex, start, file);
        } catch (RecordError& e) {
            // "A 192.0.2.1" in column one reads "A" as the owner: say so when that is the likely mistake.
            const Mnemonic m = mnemonic(first.text);
            if (m.type || m.rclass) {
                e.message += " (the line does not start with blank space, so '" + std::string(first.text) +
                             "' was read as its owner name)";
            }
            throw;
        }
        return;
    }
    if (!have_owner_) {
        throw RecordError{line, "no current owner name: the first record must not start with blank space"};
    }
    parse_record(lex, start, file);
}

Parser::Mnemonic Parser::mnemonic(std::string_view text) {
    // Every type and class mnemonic fits in 11 characters (NSEC3PARAM, CLASS65535, TYPE65535).
    if (text.empty() || text.size() > 11) return {};
    const std::size_t slot = (text.size() * 31 + static_cast<unsigned char>(text[0]) +
                              static_cast<unsigned char>(text.back()) * 7) %
                             mnemonics_.size();
    CachedMnemonic& c = mnemonics_[slot];
    if (c.length == text.size() && std::memcmp(c.text, text.data(), text.size()) == 0) return c.value;
    c.length = static_cast<std::uint8_t>(text.size());
    std::memcpy(c.text, text.data(), text.size());
    c.value = {dns::type_from_text(text), dns::class_from_text(text)};
    return c.value;
}

void Parser::parse_record(MasterLexer& lex, const LineStart& start, std::uint32_t file) {
    const std::uint32_t line = start.line;

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
            if (const auto c = mnemonic(t.text).rclass) {
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
    const auto type = t.quoted ? std::nullopt : mnemonic(t.text).type;
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
    const std::size_t rdata_begin = out_.rdata_bytes.size();
    try {
        append_rdata(*type, tokens_, rdata_begin);
    } catch (const dns::ParseError& e) {
        // Some of the codec's messages already name the type ("NS rdata: ..."); name it for the others.
        const std::string prefix = dns::type_to_text(*type) + " rdata";
        std::string message = e.what();
        if (!message.starts_with(prefix)) message = prefix + ": " + message;
        if (comment_like) message += " ('#' and ':' do not start comments in zone files: use ';')";
        throw RecordError{line, std::move(message)};
    }
    std::uint32_t record_ttl = 0;
    if (ttl) {
        record_ttl = *ttl;
        last_ttl_ = *ttl;
    } else {
        try {
            record_ttl = implicit_ttl(*type, rdata_begin, file, line);
        } catch (...) {
            out_.rdata_bytes.resize(rdata_begin);
            throw;
        }
    }
    add_record(*type, record_ttl, rdata_begin, file, line, !start.indented);
}

std::uint32_t Parser::implicit_ttl(dns::RRType type, std::size_t rdata_begin, std::uint32_t file,
                                   std::uint32_t line) {
    if (default_ttl_) return *default_ttl_;
    if (type == dns::RRType::SOA && !last_ttl_ && out_.rdata_bytes.size() >= rdata_begin + 4) {
        const auto* m = out_.rdata_bytes.data() + out_.rdata_bytes.size() - 4;
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

void Parser::add_record(dns::RRType type, std::uint32_t ttl, std::size_t rdata_begin, std::uint32_t file,
                        std::uint32_t line, bool new_owner) {
    if (!owner_in_zone_) {
        out_.rdata_bytes.resize(rdata_begin);
        if (new_owner) {
            const dns::Name owner =
                dns::Name::from_validated_wire({out_.names.data() + owner_, owner_length_});
            warning(file, line,
                    "ignoring out-of-zone data (" + owner.to_text() +
                        "): it is not at or below the zone name " + options_.origin.to_text());
        }
        return;
    }
    // Offsets are 32-bit: refuse (rather than wrap) past 4 GiB of rdata.
    if (out_.rdata_bytes.size() > 0xFFFFFFFFu || out_.rrs.size() >= 0xFFFFFFFFu) {
        out_.rdata_bytes.resize(rdata_begin);
        throw RecordError{line, "zone too large (more than 4 GiB of record data)"};
    }
    StoredRecord r;
    r.owner = owner_;
    r.owner_length = owner_length_;
    r.rdata = static_cast<std::uint32_t>(rdata_begin);
    r.rdlength = static_cast<std::uint16_t>(out_.rdata_bytes.size() - rdata_begin);
    r.type = type;
    r.ttl = ttl;
    r.line = line;
    r.file = static_cast<std::uint16_t>(file);
    out_.rrs.push_back(r);
}

void Parser::directive(MasterLexer& lex, const Token& name, std::uint32_t file, std::size_t depth) {
    const std::uint32_t line = name.line;
    if (dns::equal_ignoring_ascii_case(name.text, "$TTL")) {
        const Token t = expect_word(lex, line, "TTL after $TTL");
        const auto v = dns::parse_ttl(t.text);
        if (!v) throw RecordError{line, "bad $TTL '" + std::string(t.text) + "'"};
        expect_end(lex, "$TTL");
        default_ttl_ = checked_ttl(*v, file, line, "$TTL");
    } else if (dns::equal_ignoring_ascii_case(name.text, "$ORIGIN")) {
        const Token t = expect_word(lex, line, "name after $ORIGIN");
        dns::Name origin;
        try {
            origin = t.text == "@" ? origin_ : dns::Name::from_text(t.text, origin_);
        } catch (const dns::ParseError& e) {
            throw RecordError{line, "bad $ORIGIN '" + std::string(t.text) + "': " + e.what()};
        }
        expect_end(lex, "$ORIGIN");
        set_origin(std::move(origin));
    } else if (dns::equal_ignoring_ascii_case(name.text, "$INCLUDE")) {
        include(lex, line, depth);
    } else if (dns::equal_ignoring_ascii_case(name.text, "$GENERATE")) {
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
    std::unique_ptr<FileBytes> file_bytes;
    try {
        file_bytes = std::make_unique<FileBytes>(path);
    } catch (const std::runtime_error& e) {
        throw RecordError{line, "$INCLUDE " + std::string(e.what())};
    }
    const std::string_view text = file_bytes->text();
    if (out_.files.size() >= 0xFFFF)
        throw RecordError{line, "$INCLUDE " + path + ": too many included files"};
    const auto index = static_cast<std::uint32_t>(out_.files.size());
    out_.files.push_back(path);

    dns::Name saved_origin = origin_;
    std::string saved_origin_text = origin_text_;
    const OwnerState saved_owner = owner_state();
    if (new_origin) set_origin(std::move(*new_origin));
    include_stack_.push_back(absolute);
    parse_buffer(text, index, depth + 1);
    include_stack_.pop_back();
    origin_ = std::move(saved_origin);
    origin_text_ = std::move(saved_origin_text);
    restore_owner(saved_owner);
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
    // $GENERATE records have their own owners; the current owner of the file stays as it was.
    const OwnerState saved = owner_state();
    struct Restore {
        Parser& parser;
        const OwnerState& state;
        ~Restore() { parser.restore_owner(state); }
    } restore{*this, saved};
    for (std::uint64_t i = range->start; i <= range->stop; i += range->step) {
        const auto value = static_cast<std::int64_t>(i);
        if (auto err = expand_generate_template(lhs_text, value, generated_name_); !err.empty()) {
            throw RecordError{line, "$GENERATE: " + err};
        }
        if (auto err = expand_generate_template(rhs_text, value, generated_rdata_); !err.empty()) {
            throw RecordError{line, "$GENERATE: " + err};
        }
        set_owner(owner_from_text(generated_name_, line));
        tokens.clear();
        const std::size_t rdata_begin = out_.rdata_bytes.size();
        try {
            MasterLexer rdata_lex(generated_rdata_);
            for (Token r = rdata_lex.next(); r.is_word(); r = rdata_lex.next())
                tokens.push_back({r.text, r.quoted});
            append_rdata(*type, tokens, rdata_begin);
        } catch (const LexError& e) {
            throw RecordError{line, "$GENERATE: " + generated_rdata_ + ": " + e.what()};
        } catch (const dns::ParseError& e) {
            throw RecordError{line, "$GENERATE: " + dns::type_to_text(*type) + " rdata '" + generated_rdata_ +
                                        "': " + e.what()};
        }
        std::uint32_t record_ttl = 0;
        try {
            record_ttl = ttl ? *ttl : implicit_ttl(*type, rdata_begin, file, line);
        } catch (...) {
            out_.rdata_bytes.resize(rdata_begin);
            throw;
        }
        add_record(*type, record_ttl, rdata_begin, file, line);
    }
    if (ttl) last_ttl_ = *ttl;
}

}  // namespace

FileBytes::FileBytes(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw std::runtime_error(path + ": " + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw std::runtime_error(path + ": is a directory");
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        // MAP_POPULATE maps the whole (page-cached) file at once instead of faulting it in page by page.
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE,
                         fd, 0);
        if (p != MAP_FAILED) {
            ::close(fd);
            data_ = static_cast<const char*>(p);
            size_ = static_cast<std::size_t>(st.st_size);
            mapped_ = true;
            return;
        }
    }
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw std::runtime_error(path + ": " + std::strerror(err));
        }
        if (n == 0) break;
        copy_.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    data_ = copy_.data();
    size_ = copy_.size();
}

FileBytes::~FileBytes() {
    if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

ParsedZone parse_zone_text(std::string_view text, const std::string& name, const ParseOptions& options) {
    ParsedZone out;
    out.files.push_back(name);
    out.rclass = options.rclass;
    // Typical zone files spend 25-40 octets of text per record: reserving up front avoids regrowing (and
    // briefly doubling) the arrays of a large zone.
    out.rrs.reserve(text.size() / 28 + 16);
    out.names.reserve(text.size() / 3 + 64);
    out.rdata_bytes.reserve(text.size() / 3 + 64);
    Parser parser(options, out);
    parser.parse_root(text, options.allow_include ? name : std::string());
    return out;
}

ParsedZone parse_zone_file(const std::string& path, const ParseOptions& options) {
    std::unique_ptr<FileBytes> file_bytes;
    try {
        file_bytes = std::make_unique<FileBytes>(path);
    } catch (const std::runtime_error& e) {
        ParsedZone out;
        out.files.push_back(path);
        out.diagnostics.error({}, 0, e.what());
        return out;
    }
    return parse_zone_text(file_bytes->text(), path, options);
}

}  // namespace cairn::zonefile
