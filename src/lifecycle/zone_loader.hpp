// Loads one zone from disk (zone file text, or the raw format) into the zone database, remembering which
// files it read so that a reload can skip zones whose files have not changed, and refusing what BIND
// refuses at load: a record whose TTL exceeds max-zone-ttl, more records than max-records.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/zone.hpp"

namespace cairn::lifecycle {

struct ZoneSource {
    dns::Name origin;
    std::string file;  // as the daemon opens it (relative to its working directory, the config's directory)
    bool raw = false;  // masterfile-format raw
    dns::RRClass rclass = dns::RRClass::IN;

    bool operator==(const ZoneSource&) const = default;
};

// Identifies one version of a file on disk.
struct FileStamp {
    std::string path;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    std::int64_t modified_ns = 0;

    static std::optional<FileStamp> of(const std::string& path);  // nullopt when it cannot be stat()ed
    bool operator==(const FileStamp&) const = default;
};

struct ZoneVersion {
    ZoneSource source;
    std::shared_ptr<const zone::Zone> zone;
    std::vector<FileStamp> files;  // the zone file and every $INCLUDE, as they were when read

    // True when every file read is still the same on disk.
    bool unchanged_on_disk() const;
};

struct ZoneLoadResult {
    std::optional<ZoneVersion> loaded;  // empty when the zone failed to load
    std::vector<std::string> errors;    // "FILE:LINE: message" where a line is known
    std::vector<std::string> warnings;
};

struct LoadLimits {
    std::optional<std::uint32_t> max_zone_ttl;
    std::optional<std::uint64_t> max_records;
};

ZoneLoadResult load_zone(const ZoneSource& source, const LoadLimits& limits = {});

// The first breach of `limits` by `zone` ("record www.example. A has TTL 90000, more than max-zone-ttl
// 86400"), or "" when it keeps them.
std::string check_limits(const zone::Zone& zone, const LoadLimits& limits);

}  // namespace cairn::lifecycle
