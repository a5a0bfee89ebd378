// The recursive-descent reader behind config::load(): statements and blocks driven by the grammar table,
// value parsers for BIND's value kinds, includes, and the working directory BIND's `directory` sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/grammar.hpp"
#include "config/lexer.hpp"

namespace cairn::config {

// What a clause handler writes into: the objects of the blocks that enclose the clause.
struct Scope {
    Config* config = nullptr;
    Context context = kTop;
    Options* options = nullptr;
    ViewSettings* view_settings = nullptr;
    ZoneSettings* settings = nullptr;
    View* view = nullptr;
    Zone* zone = nullptr;
    Key* key = nullptr;
    Server* server = nullptr;
    LogChannel* channel = nullptr;
    DnssecPolicy* policy = nullptr;
    RateLimit* rate_limit = nullptr;
    Probe* probe = nullptr;
    Location where;  // the clause keyword
    std::string_view keyword;
};

class ClauseParser {
  public:
    ClauseParser(Config& config, std::vector<Diagnostic>& warnings, std::string base_directory);

    // Reads `path` (relative to the base directory) as the main file.
    void parse_file(const std::string& path);
    void parse_text(const std::string& name, std::string text);

    // --- token level
    Token next() { return lexer_.next(); }
    const Token& peek() { return lexer_.peek(); }
    void expect(char special);
    bool accept(char special);
    bool peek_keyword(std::string_view keyword);    // the next token is this unquoted word
    bool accept_keyword(std::string_view keyword);  // same, consuming it
    [[noreturn]] void fail(const Token& near, std::string message);
    void warn(const Location& where, std::string message);

    // --- value kinds
    std::string astring(const char* what = "string");  // quoted or not
    std::string qstring();                             // quoted only
    std::string ustring();                             // unquoted only
    std::uint64_t number(std::uint64_t max = UINT32_MAX);
    std::uint16_t port();
    bool boolean();
    std::uint64_t size_value();      // NUMBER[k|m|g]
    SizeLimit size_limit();          // size | unlimited | default
    std::uint32_t duration_value();  // TTL style units ("1d2h") or ISO 8601 ("P1DT2H")
    std::string enum_value(std::span<const std::string_view> choices);
    dns::IpAddress ip_address(int family = 0);  // family 0: either
    AddressMatchList aml();                     // { element; ... }
    RemoteList remote_list();                   // [port N] [dscp N] { element; ... }
    std::vector<std::string> name_list();       // { name; name; }
    SocketAddress source_address(int family);   // ( addr | * ) [port ( N | * )]
    void skip_value();                          // the rest of an unimplemented clause

    // --- structure
    void parse_block(Context context, Scope& scope);  // { clauses } (the caller expects the final ;)
    std::string& base_directory() { return base_directory_; }
    void allow_includes(bool allowed) { includes_allowed_ = allowed; }
    Config& config() { return config_; }

  private:
    void parse_statements(Context context, Scope& scope, bool braced);
    void parse_clause(Context context, Scope& scope, std::vector<std::string_view>& seen);
    void include_file(const Token& include_token);
    void push_file(const std::string& path, const Location& where);
    AmlElement aml_element();

    static constexpr int kMaxAmlDepth = 32;

    Config& config_;
    std::vector<Diagnostic>& warnings_;
    int aml_depth_ = 0;
    bool includes_allowed_ = true;
    std::string base_directory_;
    Lexer lexer_;
};

// BIND's ISO 8601 durations ("P1Y2M3W4DT5H6M7S"); nullopt when malformed or over 32 bits.
std::optional<std::uint32_t> parse_iso8601_duration(std::string_view text);

// Directory-relative path handling shared with Config::resolve_path.
std::string join_path(std::string_view base, std::string_view path);

}  // namespace cairn::config
