// The write_file event of a secondary zone, after each new version it serves: the zone file is written
// atomically (temporary file, fsync, rename), so that a restart serves this version at once. The event only
// hands the version to a background save on a worker and ends, like a NOTIFY sent: a save waiting behind
// other zones' fsyncs never holds the zone's next refresh. A zone has at most one save in flight; a newer
// version that comes meanwhile is saved next (the one in between is skipped). A stop during the write leaves
// the previous file (the temporary one is removed).
#include "lifecycle/events/handlers.hpp"
#include "xfr/zone_save.hpp"

namespace cairn::lifecycle {

namespace {

void save_next(Runtime& rt, const ZonePtr& zone) {
    if (zone->saving || zone->unsaved == nullptr) return;
    std::shared_ptr<const zone::Zone> version = std::move(zone->unsaved);
    zone->unsaved.reset();
    if (zone->config.file.empty()) return;
    zone->saving = true;
    rt.off_thread<std::string>(
        zone, WorkerPool::Priority::save,
        [version, file = zone->config.file, raw = zone->config.raw](const Cancel& cancel) {
            try {
                xfr::save_zone_file(*version, file,
                                    raw ? xfr::ZoneFileFormat::Raw : xfr::ZoneFileFormat::Text,
                                    [&cancel] { return cancel.requested(); });
                return std::string();
            } catch (const std::exception& e) {
                return std::string("cannot save the zone: ") + e.what();
            }
        },
        [&rt, zone, serial = version->serial()](std::string error) {
            zone->saving = false;
            if (error.empty()) {
                zone->state.committed_serial = serial;
            } else {
                rt.log(LogTopic::xfr_in, LogLevel::error, "{} (secondary): {}", zone->config.label(), error);
            }
            zone->state.last_save = {wall_now() / 1000, error.empty(),
                                     error.empty() ? "saved serial " + std::to_string(serial) : error};
            rt.publish(*zone, false);
            save_next(rt, zone);
        });
}

}  // namespace

void event_write_file(Runtime& rt, const ZonePtr& zone) {
    save_next(rt, zone);
    rt.done(*zone);
}

void event_trim_journal(Runtime& rt, const ZonePtr& zone) {
    if (zone->version == nullptr) {
        rt.done(*zone);
        return;
    }
    store::Journal* journal = nullptr;
    try {
        if (zone->journal == nullptr)
            zone->journal = &rt.store.journal(zone->config.view, zone->config.origin);
        journal = zone->journal;
    } catch (const std::exception& e) {
        rt.done(*zone);
        return;
    }
    using Trimmed = std::pair<std::size_t, std::optional<store::JournalInfo>>;
    rt.off_thread<Trimmed>(
        zone, WorkerPool::Priority::save,
        [journal, bound = zone->journal_bound(*zone->version)](const Cancel&) -> Trimmed {
            try {
                const std::size_t dropped = journal->trim(bound);
                return {dropped, journal->info()};
            } catch (const std::exception&) {
                return {0, std::nullopt};
            }
        },
        [&rt, zone](Trimmed trimmed) {
            if (trimmed.first != 0)
                rt.log(LogTopic::general, LogLevel::info, "{}: journal trimmed by {} entries to its bound",
                       zone->config.label(), trimmed.first);
            if (trimmed.second && trimmed.second->entries != 0) {
                zone->state.journal_bytes = trimmed.second->bytes;
                zone->state.journal_entries = trimmed.second->entries;
            }
            rt.publish(*zone, false);
            rt.done(*zone);
        });
}

}  // namespace cairn::lifecycle
