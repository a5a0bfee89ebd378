// Writes a transferred zone to the secondary's file, atomically (temporary file, fsync, rename, fsync of
// the directory), in text (canonical, as named-compilezone writes it) or raw format, so a crash leaves the
// previous file or the new one and a restart serves the zone at once.
#pragma once

#include <functional>
#include <string>

#include "zone/zone.hpp"

namespace cairn::xfr {

enum class ZoneFileFormat : std::uint8_t { Text, Raw };

// Throws std::runtime_error naming the file on I/O errors. `cancelled`, asked as the text is written,
// abandons the write (the temporary file is removed, the previous file stays) and throws.
void save_zone_file(const zone::Zone& zone, const std::string& path, ZoneFileFormat format,
                    const std::function<bool()>& cancelled = {});

}  // namespace cairn::xfr
