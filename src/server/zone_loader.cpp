#include "server/zone_loader.hpp"

#include <sys/stat.h>

#include <exception>

#include "zonefile/raw.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::server {

std::optional<FileStamp> FileStamp::of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    FileStamp stamp;
    stamp.path = path;
    stamp.device = st.st_dev;
    stamp.inode = st.st_ino;
    stamp.size = st.st_size;
    stamp.modified_ns = std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    return stamp;
}

bool ZoneVersion::unchanged_on_disk() const {
    for (const auto& stamp : files) {
        if (FileStamp::of(stamp.path) != stamp) return false;
    }
    return true;
}

namespace {

// Stamps taken before reading: a file edited while it is read then looks changed at the next reload.
std::vector<FileStamp> stamp_all(const std::vector<std::string>& paths) {
    std::vector<FileStamp> stamps;
    for (const auto& path : paths) {
        if (auto stamp = FileStamp::of(path)) stamps.push_back(*stamp);
    }
    return stamps;
}

void load_raw(const ZoneSource& source, ZoneLoadResult& result) {
    auto stamps = stamp_all({source.file});
    auto zone = zonefile::read_raw(source.file);
    if (!(zone->origin() == source.origin)) {
        result.errors.push_back(source.file + ": raw zone is for " + zone->origin().to_text() + ", not " +
                                source.origin.to_text());
        return;
    }
    result.loaded = ZoneVersion{source, std::move(zone), std::move(stamps)};
}

void load_text(const ZoneSource& source, ZoneLoadResult& result) {
    const auto before = FileStamp::of(source.file);
    zonefile::LoadOptions options;
    options.parse.origin = source.origin;
    options.parse.rclass = source.rclass;
    zonefile::LoadedZone loaded = zonefile::load_zone_file(source.file, options);
    for (const auto& d : loaded.zone.diagnostics.all()) {
        (d.severity == zone::Severity::Error ? result.errors : result.warnings).push_back(d.to_text());
    }
    if (!loaded.ok) {
        if (result.errors.empty()) result.errors.push_back(source.file + ": failed to load");
        return;
    }
    std::vector<FileStamp> stamps;
    if (before) stamps.push_back(*before);
    for (std::size_t i = 1; i < loaded.zone.files.size(); ++i) {
        if (auto stamp = FileStamp::of(loaded.zone.files[i])) stamps.push_back(*stamp);
    }
    auto zone = zone::Zone::build(source.origin, loaded.zone);  // straight from the parser's arenas
    result.loaded = ZoneVersion{source, std::move(zone), std::move(stamps)};
}

}  // namespace

ZoneLoadResult load_zone(const ZoneSource& source) {
    ZoneLoadResult result;
    try {
        if (source.raw) {
            load_raw(source, result);
        } else {
            load_text(source, result);
        }
    } catch (const std::exception& e) {
        result.errors.push_back(source.file + ": " + e.what());
        result.loaded.reset();
    }
    return result;
}

}  // namespace cairn::server
