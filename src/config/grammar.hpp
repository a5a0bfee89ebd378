// BIND's named.conf grammar as a table: for each context (top level, options, view, zone and the blocks
// inside statements) the clauses BIND 9.18 accepts there, whether cairn implements them, and for those it
// implements, the function that parses the value into the typed configuration. Clauses BIND knows but cairn
// does not implement are skipped generically (up to the `;` that ends them, braces balanced) with a warning.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace cairn::config {

class ClauseParser;
struct Scope;

enum Context : std::uint16_t {
    kTop = 1 << 0,
    kOptions = 1 << 1,
    kView = 1 << 2,
    kZone = 1 << 3,
    kKey = 1 << 4,
    kServer = 1 << 5,
    kLogging = 1 << 6,
    kChannel = 1 << 7,
    kControls = 1 << 8,
    kStatistics = 1 << 9,
    kRateLimit = 1 << 10,
    kDnssecPolicy = 1 << 11,
    kProbe = 1 << 12,  // cairn's own probe "NAME" { ... } (no BIND counterpart)
};

enum class Support : std::uint8_t {
    Implemented,    // parsed into the typed configuration
    Unimplemented,  // valid BIND, not applied: warned about (checked when it has a handler, else skipped)
    Deprecated,     // valid BIND that warns "is deprecated" (and is skipped unless a handler exists)
    Obsolete,       // BIND warns "is obsolete and should be removed"; skipped
    Ancient,        // BIND refuses it: "option 'x' no longer exists"
    NotConfigured,  // BIND refuses it unless built with the feature ("was not enabled at compile time")
};

using ClauseHandler = void (*)(ClauseParser& parser, Scope& scope);

struct Clause {
    std::string_view name;
    std::uint16_t contexts;  // Context bits where the clause is valid
    Support support;
    bool multiple;          // may appear more than once in one block
    ClauseHandler handler;  // nullptr: the value is skipped
};

// Every clause of every context (one entry may serve several contexts).
std::span<const Clause> clause_table();
const Clause* find_clause(std::string_view name, Context context);

// Why cairn does not apply a clause it accepts, for the warning ("UPDATE gets NOTIMP"); "" when it has no
// more to say than that it is not implemented yet.
std::string_view not_applied_reason(std::string_view name);

// The valid keyword nearest to `word` by edit distance in `context`, or "" when nothing is close enough.
std::string_view suggest_keyword(std::string_view word, Context context);

}  // namespace cairn::config
