// Helpers shared by the zone file tests: parse a text zone and look for a diagnostic.
#pragma once

#include <string>
#include <string_view>

#include "dns/name.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::zonefile::testing {

using zone::Diagnostic;
using zone::Diagnostics;
using zone::ParsedZone;
using zone::Severity;

inline ParseOptions options_for(std::string_view origin = "example.com.") {
    ParseOptions o;
    o.origin = dns::Name::from_text(origin);
    return o;
}

inline ParsedZone parse(std::string_view text, std::string_view origin = "example.com.") {
    return parse_zone_text(text, "z.zone", options_for(origin));
}

inline LoadedZone load(std::string_view text, CheckOptions checks = {},
                       std::string_view origin = "example.com.") {
    LoadOptions o;
    o.parse = options_for(origin);
    o.checks = checks;
    return load_zone_text(text, "z.zone", o);
}

// True when a diagnostic of `severity` on `line` contains `needle` (line 0: zone-wide).
inline bool has(const Diagnostics& d, Severity severity, std::uint32_t line, std::string_view needle) {
    for (const Diagnostic& x : d.all()) {
        if (x.severity == severity && x.line == line && x.message.find(needle) != std::string::npos)
            return true;
    }
    return false;
}

inline std::string dump(const Diagnostics& d) {
    std::string out;
    for (const Diagnostic& x : d.all())
        out += x.to_text() + "\n";
    return out;
}

inline constexpr std::string_view kHead =
    "$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 7200 3600 604800 300\n"
    "  NS ns1\n"
    "ns1 A 192.0.2.1\n";  // lines 1-4

}  // namespace cairn::zonefile::testing
