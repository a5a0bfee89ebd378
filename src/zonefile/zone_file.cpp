#include "zonefile/zone_file.hpp"

namespace cairn::zonefile {

using zone::ParsedZone;
namespace {

LoadedZone finish(ParsedZone parsed, const LoadOptions& options) {
    LoadedZone out;
    out.zone = std::move(parsed);
    if (!out.zone.diagnostics.has_errors()) check_zone(out.zone, options.parse.origin, options.checks);
    out.ok = !out.zone.diagnostics.has_errors();
    out.serial = zone_serial(out.zone, options.parse.origin);
    return out;
}

}  // namespace

LoadedZone load_zone_file(const std::string& path, const LoadOptions& options) {
    return finish(parse_zone_file(path, options.parse), options);
}

LoadedZone load_zone_text(std::string_view text, const std::string& name, const LoadOptions& options) {
    return finish(parse_zone_text(text, name, options.parse), options);
}

}  // namespace cairn::zonefile
