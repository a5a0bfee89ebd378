// Writes a transferred zone to the secondary's file, atomically (temporary file, fsync, rename, fsync of
// the directory), in text (canonical, as named-compilezone writes it) or raw format, so a crash leaves the
// previous file or the new one and a restart serves the zone at once.
#pragma once

#include <string>

#include "zone/zone.hpp"

namespace cairn::xfr {

enum class ZoneFileFormat : std::uint8_t { Text, Raw };

// Throws std::runtime_error naming the file on I/O errors.
void save_zone_file(const zone::Zone& zone, const std::string& path, ZoneFileFormat format);

}  // namespace cairn::xfr
