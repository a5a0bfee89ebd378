#include "config/parser.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dns/name.hpp"
#include "dns/text.hpp"

namespace cairn::config {

namespace {

bool looks_like_address(std::string_view text) {
    const std::string_view head = text.substr(0, text.find('/'));
    if (head.empty()) return false;
    const bool has_colon = head.find(':') != std::string_view::npos;
    const bool has_dot = head.find('.') != std::string_view::npos;
    if (!has_colon && !has_dot && text.find('/') == std::string_view::npos) return false;
    for (char c : head) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (has_colon ? !(hex || c == ':' || c == '.') : !((c >= '0' && c <= '9') || c == '.')) return false;
    }
    return true;
}

}  // namespace

std::string join_path(std::string_view base, std::string_view path) {
    if (!path.empty() && path.front() == '/') return std::string(path);
    std::string joined(base);
    if (!joined.empty() && joined.back() != '/') joined += '/';
    joined += path;
    return joined;
}

ClauseParser::ClauseParser(Config& config, std::vector<Diagnostic>& warnings, std::string base_directory)
    : config_(config), warnings_(warnings), base_directory_(std::move(base_directory)) {}

void ClauseParser::parse_file(const std::string& path) {
    push_file(path, Location{});
    Scope scope;
    scope.config = &config_;
    parse_statements(kTop, scope, false);
}

void ClauseParser::parse_text(const std::string& name, std::string text) {
    lexer_.push(name, std::move(text));
    Scope scope;
    scope.config = &config_;
    parse_statements(kTop, scope, false);
}

void ClauseParser::push_file(const std::string& path, const Location& where) {
    const std::string full = join_path(base_directory_, path);
    for (const std::string& open : lexer_.open_sources()) {
        if (open == path) fail_at(where, "include loop: '" + path + "' includes itself");
    }
    if (lexer_.open_sources().size() >= 32) fail_at(where, "includes nested too deeply at '" + path + "'");
    std::ifstream in(full, std::ios::binary);
    struct stat info {};
    if (!in || ::stat(full.c_str(), &info) != 0 || S_ISDIR(info.st_mode)) {
        if (where.line == 0) {
            throw ParseFailure(Diagnostic{path, 0, Severity::Error, "open: file not found"});
        }
        fail_at(where, "open '" + path + "' failed: file not found");
    }
    std::ostringstream content;
    content << in.rdbuf();
    lexer_.push(path, content.str());
}

void ClauseParser::include_file(const Token& include_token) {
    const Token name = next();
    if (name.kind != Token::Kind::Quoted) fail(name, "expected quoted string");
    if (!includes_allowed_) fail(name, "include is not allowed here");
    expect(';');
    // BIND expands shell patterns in include names; a pattern that matches nothing is an error too.
    const std::string pattern = join_path(base_directory_, name.text);
    std::vector<std::string> files;
    if (name.text.find_first_of("*?[") != std::string::npos) {
        glob_t matches{};
        if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
            for (std::size_t i = 0; i < matches.gl_pathc; ++i)
                files.emplace_back(matches.gl_pathv[i]);
        }
        ::globfree(&matches);
        if (files.empty()) fail_at(name.where, "include '" + name.text + "': no file matches");
    } else {
        files.push_back(name.text);
    }
    (void)include_token;
    // The lexer reads the last pushed source first.
    for (auto it = files.rbegin(); it != files.rend(); ++it)
        push_file(*it, name.where);
}

void ClauseParser::expect(char special) {
    const Token token = next();
    if (token.is_special(special)) return;
    if (special == ';') {
        if (token.kind == Token::Kind::End) fail_at(token.where, "missing ';' before end of file");
        fail_at(token.where, "missing ';' before '" + token.text + "'");
    }
    fail(token, std::string("'") + special + "' expected");
}

bool ClauseParser::accept(char special) {
    if (!peek().is_special(special)) return false;
    next();
    return true;
}

bool ClauseParser::peek_keyword(std::string_view keyword) {
    const Token& token = peek();
    return token.kind == Token::Kind::Word && dns::equal_ignoring_ascii_case(token.text, keyword);
}

bool ClauseParser::accept_keyword(std::string_view keyword) {
    if (!peek_keyword(keyword)) return false;
    next();
    return true;
}

void ClauseParser::fail(const Token& near, std::string message) {
    fail_at(near.where, message + " " + near.describe());
}

void ClauseParser::warn(const Location& where, std::string message) {
    warnings_.push_back(Diagnostic::at(where, Severity::Warning, std::move(message)));
}

std::string ClauseParser::astring(const char* what) {
    const Token token = next();
    if (!token.is_string()) fail(token, std::string("expected ") + what);
    return token.text;
}

std::string ClauseParser::qstring() {
    const Token token = next();
    if (token.kind != Token::Kind::Quoted) fail(token, "expected quoted string");
    return token.text;
}

std::string ClauseParser::ustring() {
    const Token token = next();
    if (token.kind != Token::Kind::Word) fail(token, "expected unquoted string");
    return token.text;
}

std::uint64_t ClauseParser::number(std::uint64_t max) {
    const Token token = next();
    if (token.kind != Token::Kind::Word) fail(token, "expected number");
    const auto value = dns::parse_decimal(token.text, UINT64_MAX);
    if (!value) fail(token, "expected number");
    if (*value > max) fail(token, "number out of range (at most " + std::to_string(max) + ")");
    return *value;
}

std::uint16_t ClauseParser::port() {
    const Token token = next();
    const auto value = token.kind == Token::Kind::Word ? dns::parse_decimal(token.text, 65535) : std::nullopt;
    if (!value) fail(token, "expected port number (0-65535)");
    return static_cast<std::uint16_t>(*value);
}

bool ClauseParser::boolean() {
    const Token token = next();
    if (token.kind == Token::Kind::Word) {
        for (std::string_view yes : {"yes", "true", "1"}) {
            if (dns::equal_ignoring_ascii_case(token.text, yes)) return true;
        }
        for (std::string_view no : {"no", "false", "0"}) {
            if (dns::equal_ignoring_ascii_case(token.text, no)) return false;
        }
    }
    fail(token, "boolean expected");
}

std::uint64_t ClauseParser::size_value() {
    const Token token = next();
    std::string_view text = token.text;
    std::uint64_t unit = 1;
    if (!text.empty()) {
        switch (dns::lower_ascii(static_cast<std::uint8_t>(text.back()))) {
            case 'k':
                unit = 1024;
                break;
            case 'm':
                unit = 1024 * 1024;
                break;
            case 'g':
                unit = 1024ull * 1024 * 1024;
                break;
            default:
                break;
        }
        if (unit != 1) text.remove_suffix(1);
    }
    const auto value =
        token.kind == Token::Kind::Word ? dns::parse_decimal(text, UINT64_MAX / unit) : std::nullopt;
    if (!value) fail(token, "expected integer and optional unit");
    return *value * unit;
}

SizeLimit ClauseParser::size_limit() {
    if (accept_keyword("unlimited")) return SizeLimit{SizeLimit::Kind::Unlimited, 0};
    if (accept_keyword("default")) return SizeLimit{SizeLimit::Kind::Default, 0};
    return SizeLimit{SizeLimit::Kind::Bytes, size_value()};
}

std::optional<std::uint32_t> parse_iso8601_duration(std::string_view text) {
    // P[nY][nM][nW][nD][T[nH][nM][nS]], any case; BIND counts a year as 365 days and a month as 31, and
    // takes a bare "P" or "PT" as zero.
    if (text.empty() || (text[0] != 'P' && text[0] != 'p')) return std::nullopt;
    std::uint64_t total = 0;
    bool in_time = false;
    std::size_t i = 1;
    while (i < text.size()) {
        const char c = static_cast<char>(dns::lower_ascii(static_cast<std::uint8_t>(text[i])));
        if (c == 't') {
            if (in_time) return std::nullopt;
            in_time = true;
            ++i;
            continue;
        }
        std::uint64_t value = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
            if (++digits > 10) return std::nullopt;
            ++i;
        }
        if (digits == 0 || i == text.size()) return std::nullopt;
        const char unit = static_cast<char>(dns::lower_ascii(static_cast<std::uint8_t>(text[i++])));
        std::uint64_t seconds = 0;
        if (!in_time && unit == 'y')
            seconds = 31536000;
        else if (!in_time && unit == 'm')
            seconds = 2678400;
        else if (!in_time && unit == 'w')
            seconds = 604800;
        else if (!in_time && unit == 'd')
            seconds = 86400;
        else if (in_time && unit == 'h')
            seconds = 3600;
        else if (in_time && unit == 'm')
            seconds = 60;
        else if (in_time && unit == 's')
            seconds = 1;
        else
            return std::nullopt;
        total += value * seconds;
        if (total > UINT32_MAX) return std::nullopt;
    }
    return static_cast<std::uint32_t>(total);
}

std::uint32_t ClauseParser::duration_value() {
    const Token token = next();
    std::optional<std::uint32_t> value;
    if (token.kind == Token::Kind::Word) {
        value = parse_iso8601_duration(token.text);
        if (!value) value = dns::parse_ttl(token.text);
    }
    if (!value) fail(token, "expected ISO 8601 duration or TTL value");
    return *value;
}

std::string ClauseParser::enum_value(std::span<const std::string_view> choices) {
    const Token token = next();
    if (token.kind == Token::Kind::Word) {
        for (std::string_view choice : choices) {
            if (dns::equal_ignoring_ascii_case(token.text, choice)) return std::string(choice);
        }
    }
    std::string list;
    for (std::string_view choice : choices)
        list += (list.empty() ? "" : ", ") + std::string(choice);
    fail(token, "expected one of " + list);
}

dns::IpAddress ClauseParser::ip_address(int family) {
    const Token token = next();
    const auto address = token.kind == Token::Kind::Word ? dns::IpAddress::parse(token.text) : std::nullopt;
    if (!address || (family != 0 && address->family != family)) {
        fail(token, family == AF_INET    ? "expected IPv4 address"
                    : family == AF_INET6 ? "expected IPv6 address"
                                         : "expected IP address");
    }
    return *address;
}

AmlElement ClauseParser::aml_element() {
    AmlElement element;
    element.where = peek().where;
    if (accept('!')) element.negated = true;
    const Token token = next();
    if (token.is_special('{')) {
        // Bounded so that a hostile file cannot exhaust the stack.
        if (aml_depth_ >= kMaxAmlDepth) fail_at(token.where, "address match list nested too deeply");
        ++aml_depth_;
        element.kind = AmlElement::Kind::List;
        while (!accept('}')) {
            element.list.push_back(aml_element());
            expect(';');
        }
        --aml_depth_;
        return element;
    }
    if (!token.is_string()) fail(token, "expected address match list element");
    if (token.kind == Token::Kind::Word && dns::equal_ignoring_ascii_case(token.text, "key")) {
        const Token name = next();
        if (!name.is_string()) fail(name, "expected key name");
        element.kind = AmlElement::Kind::Key;
        element.name = name.text;
        try {
            element.key = dns::Name::from_text(name.text, dns::Name());
        } catch (const dns::ParseError& e) {
            fail_at(name.where, "bad key name '" + name.text + "': " + e.what());
        }
        return element;
    }
    if (token.kind == Token::Kind::Word && looks_like_address(token.text)) {
        std::string why;
        const auto prefix = IpPrefix::parse(token.text, &why);
        if (!prefix) fail_at(token.where, "'" + token.text + "': " + why);
        element.kind = AmlElement::Kind::Prefix;
        element.prefix = *prefix;
        return element;
    }
    if (dns::equal_ignoring_ascii_case(token.text, "any")) {
        element.kind = AmlElement::Kind::Any;
    } else if (dns::equal_ignoring_ascii_case(token.text, "none")) {
        element.kind = AmlElement::Kind::None;
    } else if (dns::equal_ignoring_ascii_case(token.text, "localhost")) {
        element.kind = AmlElement::Kind::Localhost;
    } else if (dns::equal_ignoring_ascii_case(token.text, "localnets")) {
        element.kind = AmlElement::Kind::Localnets;
    } else if (token.kind == Token::Kind::Word && dns::equal_ignoring_ascii_case(token.text, "geoip")) {
        fail(token, "geoip ACL elements are not supported");
    } else {
        element.kind = AmlElement::Kind::AclName;
        element.name = token.text;
    }
    return element;
}

AddressMatchList ClauseParser::aml() {
    AddressMatchList list;
    list.where = peek().where;
    expect('{');
    while (!accept('}')) {
        list.elements.push_back(aml_element());
        expect(';');
    }
    return list;
}

RemoteList ClauseParser::remote_list() {
    RemoteList list;
    list.where = peek().where;
    for (;;) {
        if (accept_keyword("port")) {
            list.port = port();
        } else if (accept_keyword("dscp")) {
            number(63);
        } else {
            break;
        }
    }
    expect('{');
    while (!accept('}')) {
        RemoteEntry entry;
        const Token token = next();
        entry.where = token.where;
        if (!token.is_string()) fail(token, "expected address or primaries list name");
        const auto address =
            token.kind == Token::Kind::Word ? dns::IpAddress::parse(token.text) : std::nullopt;
        if (address) {
            entry.address = SocketAddress{*address, std::nullopt};
        } else if (token.kind == Token::Kind::Word && looks_like_address(token.text)) {
            fail_at(token.where, "'" + token.text + "' is not a valid IP address");
        } else {
            entry.list_name = token.text;
        }
        for (;;) {
            if (entry.address && accept_keyword("port")) {
                entry.address->port = port();
            } else if (accept_keyword("dscp")) {
                number(63);
            } else if (accept_keyword("key")) {
                entry.key = astring("key name");
            } else if (accept_keyword("tls")) {
                entry.tls = astring("tls name");
            } else {
                break;
            }
        }
        list.entries.push_back(std::move(entry));
        expect(';');
    }
    return list;
}

std::vector<std::string> ClauseParser::name_list() {
    std::vector<std::string> names;
    expect('{');
    while (!accept('}')) {
        names.push_back(astring());
        expect(';');
    }
    return names;
}

SocketAddress ClauseParser::source_address(int family) {
    SocketAddress source;
    source.address.family = static_cast<sa_family_t>(family);
    if (peek().kind == Token::Kind::Word && peek().text == "*") {
        next();
    } else {
        source.address = ip_address(family);
    }
    for (;;) {
        if (accept_keyword("port")) {
            if (peek().kind == Token::Kind::Word && peek().text == "*") {
                next();
            } else {
                source.port = port();
            }
        } else if (accept_keyword("dscp")) {
            number(63);
        } else {
            break;
        }
    }
    return source;
}

void ClauseParser::skip_value() {
    int depth = 0;
    for (;;) {
        const Token& token = peek();
        if (token.kind == Token::Kind::End) return;  // the caller reports the missing ; or }
        if (depth == 0 && (token.is_special(';') || token.is_special('}'))) return;
        if (token.is_special('{')) ++depth;
        if (token.is_special('}')) --depth;
        next();
    }
}

void ClauseParser::parse_block(Context context, Scope& scope) {
    expect('{');
    parse_statements(context, scope, true);
}

void ClauseParser::parse_statements(Context context, Scope& scope, bool braced) {
    std::vector<std::string_view> seen;
    for (;;) {
        const Token& token = peek();
        if (token.kind == Token::Kind::End) {
            if (braced) fail(token, "'}' expected");
            return;
        }
        if (braced && token.is_special('}')) {
            next();
            return;
        }
        parse_clause(context, scope, seen);
    }
}

void ClauseParser::parse_clause(Context context, Scope& scope, std::vector<std::string_view>& seen) {
    const Token keyword = next();
    if (keyword.kind != Token::Kind::Word) fail(keyword, "expected a statement name");
    if (dns::equal_ignoring_ascii_case(keyword.text, "include")) {
        include_file(keyword);
        return;
    }
    const Clause* clause = find_clause(keyword.text, context);
    if (clause == nullptr) {
        std::string message = "unknown option '" + keyword.text + "'";
        const std::string_view suggestion = suggest_keyword(keyword.text, context);
        if (!suggestion.empty()) message += "; did you mean '" + std::string(suggestion) + "'?";
        fail_at(keyword.where, message);
    }
    switch (clause->support) {
        case Support::Ancient:
            fail_at(keyword.where, "option '" + keyword.text + "' no longer exists");
        case Support::NotConfigured:
            fail_at(keyword.where, "option '" + keyword.text + "' was not enabled at compile time");
        case Support::Deprecated:
            warn(keyword.where, "option '" + keyword.text + "' is deprecated");
            break;
        case Support::Obsolete:
            warn(keyword.where, "option '" + keyword.text + "' is obsolete and should be removed");
            break;
        default:
            break;
    }
    if (!clause->multiple) {
        if (std::find(seen.begin(), seen.end(), clause->name) != seen.end()) {
            fail_at(keyword.where, "'" + keyword.text + "' redefined near '" + keyword.text + "'");
        }
        seen.push_back(clause->name);
    }
    if (context == kZone && scope.zone != nullptr)
        scope.zone->written.push_back({clause->name, keyword.where});
    if (clause->support == Support::Unimplemented) {
        const std::string_view reason = not_applied_reason(clause->name);
        warn(keyword.where, reason.empty()
                                ? "'" + keyword.text + "' is not implemented by cairn yet; ignored"
                                : "'" + keyword.text + "' is not supported: " + std::string(reason));
    }
    if (clause->handler == nullptr) {
        skip_value();
    } else {
        Scope inner = scope;
        inner.context = context;
        inner.where = keyword.where;
        inner.keyword = clause->name;
        clause->handler(*this, inner);
    }
    expect(';');
}

}  // namespace cairn::config
