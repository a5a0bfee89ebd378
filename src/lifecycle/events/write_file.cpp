// The write_file event of a secondary zone, after each new version it serves: the zone file is written
// atomically (temporary file, sync, rename), so that a restart serves this version at once. The event only
// hands the version to a background save and ends, like a NOTIFY sent: a save waiting behind other zones'
// never holds the zone's next refresh. Saves are batched (xfr/zone_save.hpp): one worker writes every
// waiting zone's file, makes them all durable with one syncfs, then renames them; the zones whose saves
// come meanwhile make the next batch. Alone, a save is a batch of one, as quick as before; 10,000 zones
// transferred at start no longer cost 10,000 journal commits. A zone has at most one save in flight; a
// newer version that comes meanwhile is saved next (the one in between is skipped). A stop during the write
// leaves the previous files (the temporaries are removed).
#include <unistd.h>

#include "lifecycle/events/handlers.hpp"
#include "xfr/zone_save.hpp"

namespace cairn::lifecycle {

namespace {

// At most this many zone files in one batch, so that the first zones' saves are not held by the last ones'.
constexpr std::size_t kBatchFiles = 1000;

struct Save {
    ZonePtr zone;
    std::shared_ptr<const zone::Zone> version;
    std::string file;
    bool raw = false;
};

void save_next(Runtime& rt, const ZonePtr& zone);

void finish_save(Runtime& rt, const ZonePtr& zone, std::uint32_t serial, const std::string& error) {
    zone->saving = false;
    if (zone->removed) return;
    if (error.empty()) {
        zone->state.committed_serial = serial;
    } else {
        rt.log(LogTopic::xfr_in, LogLevel::error, "{} (secondary): {}", zone->config.label(), error);
    }
    zone->state.last_save = {wall_now() / 1000, error.empty(),
                             error.empty() ? "saved serial " + std::to_string(serial) : error};
    rt.publish(*zone, false);
}

// The errors per save (empty: saved): raw files each on their own (zonefile/raw syncs them), text files
// staged, then committed together.
std::vector<std::string> write_batch(const std::vector<Save>& saves, const Cancel& cancel) {
    std::vector<std::string> errors(saves.size());
    std::vector<xfr::StagedZoneFile> staged;
    std::vector<std::size_t> staged_index;
    const auto cancelled = [&cancel] { return cancel.requested(); };
    for (std::size_t i = 0; i < saves.size(); ++i) {
        try {
            if (saves[i].raw) {
                xfr::save_zone_file(*saves[i].version, saves[i].file, xfr::ZoneFileFormat::Raw, cancelled);
            } else {
                staged.push_back(xfr::stage_zone_file(*saves[i].version, saves[i].file, cancelled));
                staged_index.push_back(i);
            }
        } catch (const std::exception& e) {
            errors[i] = std::string("cannot save the zone: ") + e.what();
        }
    }
    if (cancel.requested()) {
        for (const xfr::StagedZoneFile& file : staged)
            ::unlink(file.temporary.c_str());
        return errors;
    }
    const std::vector<std::string> committed = xfr::commit_zone_files(staged);
    for (std::size_t k = 0; k < staged.size(); ++k)
        if (!committed[k].empty()) errors[staged_index[k]] = "cannot save the zone: " + committed[k];
    return errors;
}

void write_waiting(Runtime& rt) {
    if (rt.saves.writing || rt.saves.waiting.empty()) return;
    std::vector<Save> batch;
    std::size_t taken = 0;
    for (; taken < rt.saves.waiting.size() && batch.size() < kBatchFiles; ++taken) {
        const ZonePtr& zone = rt.saves.waiting[taken];
        batch.push_back({zone, std::move(zone->unsaved), zone->config.file, zone->config.raw});
        zone->unsaved.reset();
    }
    rt.saves.waiting.erase(rt.saves.waiting.begin(), rt.saves.waiting.begin() + static_cast<long>(taken));
    rt.saves.writing = true;
    auto shared = std::make_shared<std::vector<Save>>(std::move(batch));
    rt.workers.submit(WorkerPool::Priority::save, [&rt, shared](const Cancel& cancel) {
        auto errors = std::make_shared<std::vector<std::string>>(write_batch(*shared, cancel));
        if (cancel.requested()) return;
        rt.reactor.post([&rt, shared, errors] {
            rt.saves.writing = false;
            for (std::size_t i = 0; i < shared->size(); ++i)
                finish_save(rt, (*shared)[i].zone, (*shared)[i].version->serial(), (*errors)[i]);
            for (const Save& save : *shared)
                if (!save.zone->removed) save_next(rt, save.zone);
            write_waiting(rt);
        });
    });
}

void save_next(Runtime& rt, const ZonePtr& zone) {
    if (zone->saving || zone->unsaved == nullptr) return;
    if (zone->config.file.empty()) {
        zone->unsaved.reset();
        return;
    }
    zone->saving = true;
    rt.saves.waiting.push_back(zone);
    write_waiting(rt);
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
