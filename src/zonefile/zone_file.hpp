// One call for tools and the server: read a zone file, run the zone checks, say whether it loads.
#pragma once

#include <string>

#include "zonefile/checks.hpp"
#include "zonefile/master_parser.hpp"

namespace cairn::zonefile {

using zone::ParsedZone;

struct LoadOptions {
    ParseOptions parse;
    CheckOptions checks;
};

struct LoadedZone {
    ParsedZone zone;
    bool ok = false;  // no errors: the zone may be served
    std::uint32_t serial = 0;
};

// Reads `path` for the zone `options.parse.origin`; the whole-zone checks run only when the file itself read
// cleanly (as BIND runs its post-load checks only on a loaded zone).
LoadedZone load_zone_file(const std::string& path, const LoadOptions& options);
LoadedZone load_zone_text(std::string_view text, const std::string& name, const LoadOptions& options);

}  // namespace cairn::zonefile
