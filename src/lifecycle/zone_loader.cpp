#include "lifecycle/zone_loader.hpp"

#include <sys/stat.h>

#include <exception>

#include "zonefile/raw.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::lifecycle {

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

std::string check_limits(const zone::Zone& zone, const LoadLimits& limits) {
    if (limits.max_records && zone.rr_count() > *limits.max_records)
        return std::to_string(zone.rr_count()) + " records, more than max-records " +
               std::to_string(*limits.max_records);
    if (!limits.max_zone_ttl) return {};
    std::string breach;
    zone.for_each_rr([&](const auto& owner, dns::RRType type, dns::RRClass, std::uint32_t ttl, auto) {
        if (!breach.empty() || ttl <= *limits.max_zone_ttl) return;
        breach = "record " + dns::Name::from_validated_wire(owner).to_text() + " " + dns::type_to_text(type) +
                 " has TTL " + std::to_string(ttl) + ", more than max-zone-ttl " +
                 std::to_string(*limits.max_zone_ttl);
    });
    return breach;
}

ZoneLoadResult load_zone(const ZoneSource& source, const LoadLimits& limits) {
    ZoneLoadResult result;
    try {
        if (source.raw) {
            load_raw(source, result);
        } else {
            load_text(source, result);
        }
        if (result.loaded) {
            const std::string breach = check_limits(*result.loaded->zone, limits);
            if (!breach.empty()) {
                result.errors.push_back(source.file + ": " + breach + ": not loaded");
                result.loaded.reset();
            }
        }
    } catch (const std::exception& e) {
        result.errors.push_back(source.file + ": " + e.what());
        result.loaded.reset();
    }
    return result;
}

}  // namespace cairn::lifecycle
