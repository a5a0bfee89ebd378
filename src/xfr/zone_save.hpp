// Writes a transferred zone to the secondary's file, atomically (temporary file, fsync, rename, fsync of
// the directory), in text (canonical, as named-compilezone writes it) or raw format, so a crash leaves the
// previous file or the new one and a restart serves the zone at once.
//
// Many zones saved at once (a secondary's start with thousands of zones, a primary's mass reload) are saved
// as a batch: every file is written to its temporary, then one syncfs(2) per file system makes them all
// durable, then each is renamed into place and each directory synced once. One fsync per file cost a
// journal commit each: 10,000 zones took 55 s of fsyncs on its own; the batch's guarantee is the same
// (a crash leaves each file old or new, never part-written).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "zone/zone.hpp"

namespace cairn::xfr {

enum class ZoneFileFormat : std::uint8_t { Text, Raw };

// Throws std::runtime_error naming the file on I/O errors. `cancelled`, asked as the text is written,
// abandons the write (the temporary file is removed, the previous file stays) and throws.
void save_zone_file(const zone::Zone& zone, const std::string& path, ZoneFileFormat format,
                    const std::function<bool()>& cancelled = {});

// A zone file written beside its final path (`path`.tmp-PID), not yet durable nor in place.
struct StagedZoneFile {
    std::string temporary;
    std::string path;
};

// Writes the zone's text to the temporary beside `path` without syncing it; throws as save_zone_file
// (removing the temporary).
StagedZoneFile stage_zone_file(const zone::Zone& zone, const std::string& path,
                               const std::function<bool()>& cancelled = {});

// Makes the staged files durable (one syncfs per file system), renames each into place and syncs each
// directory once. Returns an error text per file, empty for those now in place; a file that failed keeps
// the previous one (its temporary is removed).
std::vector<std::string> commit_zone_files(const std::vector<StagedZoneFile>& files);

}  // namespace cairn::xfr
