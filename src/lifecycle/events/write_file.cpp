// The write_file event of a secondary zone, after each new version it serves (whose difference the refresh
// journaled already): the zone file is written atomically (temporary file, fsync, rename), so that a restart
// serves this version at once, and a version that does not follow the journal's last one starts the journal
// over. On a worker, after serving: saving never delays the answers. A stop during the write leaves the
// previous file (the temporary one is removed).
#include "lifecycle/events/handlers.hpp"
#include "xfr/zone_save.hpp"

namespace cairn::lifecycle {

namespace {

struct Saved {
    std::vector<std::string> warnings;
    std::optional<std::uint32_t> committed;
    std::optional<store::JournalInfo> journal;
    std::string error;  // the file could not be written
};

}  // namespace

void event_write_file(Runtime& rt, const ZonePtr& zone) {
    if (zone->unsaved.empty()) {
        rt.done(*zone);
        return;
    }
    store::Journal* journal = nullptr;
    try {
        if (zone->journal == nullptr)
            zone->journal = &rt.store.journal(zone->config.view, zone->config.origin);
        journal = zone->journal;
    } catch (const std::exception& e) {
        rt.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): journal unavailable: {}",
               zone->config.label(), e.what());
    }
    std::vector<PendingSave> work = std::move(zone->unsaved);
    zone->unsaved.clear();
    rt.off_thread<Saved>(
        zone, WorkerPool::Priority::save,
        [work = std::move(work), journal, config = zone->config](const Cancel& cancel) {
            Saved out;
            if (journal != nullptr) {
                try {
                    for (const PendingSave& save : work) {
                        if (save.restart_journal && journal->info().entries != 0) journal->clear();
                    }
                    out.journal = journal->info();
                } catch (const std::exception& e) {
                    out.warnings.push_back(std::string("cannot clear the journal: ") + e.what());
                }
            }
            const zone::Zone& last = *work.back().version;
            if (!config.file.empty()) {
                try {
                    xfr::save_zone_file(last, config.file,
                                        config.raw ? xfr::ZoneFileFormat::Raw : xfr::ZoneFileFormat::Text,
                                        [&cancel] { return cancel.requested(); });
                    out.committed = last.serial();
                } catch (const std::exception& e) {
                    out.error = std::string("cannot save the zone: ") + e.what();
                }
            }
            return out;
        },
        [&rt, zone](Saved saved) {
            const std::string label = zone->config.label();
            for (const auto& warning : saved.warnings)
                rt.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): {}", label, warning);
            if (saved.journal) {
                zone->state.journal_bytes = saved.journal->bytes;
                zone->state.journal_entries = saved.journal->entries;
            }
            if (saved.committed) zone->state.committed_serial = saved.committed;
            if (!saved.error.empty())
                rt.log(LogTopic::xfr_in, LogLevel::error, "{} (secondary): {}", label, saved.error);
            zone->state.last_save = {
                wall_now() / 1000, saved.error.empty(),
                saved.error.empty()
                    ? (saved.committed ? "saved serial " + std::to_string(*saved.committed) : "")
                    : saved.error};
            rt.publish(*zone, false);
            rt.done(*zone);
        });
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
