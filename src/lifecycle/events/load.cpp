// The load event: a primary reads its zone file; a secondary reads the copy it saved and resumes its
// persisted timers. The reading happens on a worker.
//
// A primary's new file is refused, and the version served so far kept, when its serial is not newer than
// the served one (RFC 1982) while its content changed: secondaries would never take the change (BIND
// refuses a serial that went backwards too). With ixfr-from-differences the difference is journaled for
// IXFR. A zone that never loaded is shown as failed, with the first error (`FILE:LINE: ...`), and answers
// SERVFAIL saying so; the other zones are not affected.
#include <filesystem>

#include "dns/serial.hpp"
#include "lifecycle/events/handlers.hpp"
#include "zone/diff.hpp"

namespace cairn::lifecycle {

namespace {

std::int64_t seconds_now() {
    return wall_now() / 1000;
}

struct PrimaryLoad {
    enum class Kind { up_to_date, loaded, refused, failed } kind = Kind::failed;
    std::optional<ZoneVersion> loaded;
    std::vector<FileStamp> files;  // up_to_date with a touched file: the new stamps
    std::vector<std::string> warnings;
    std::string error;                   // failed / refused: why, for the operator
    std::string journaled;               // what was journaled, or why not
    std::optional<SignOutcome> signing;  // signed zones: the signed version of what was loaded
};

// Worker: everything a primary's load does that blocks (the file, the comparison, the journal).
// `previous` is the zone file's version served so far (a signed zone's unsigned version), `previous_signed`
// the signed version served.
PrimaryLoad load_primary_file(const ZoneConfig& config, const LoadLimits& limits,
                              std::shared_ptr<const zone::Zone> previous,
                              std::vector<FileStamp> previous_files, store::Journal* journal,
                              std::shared_ptr<const zone::Zone> previous_signed, std::uint64_t salt_seed) {
    PrimaryLoad out;
    const ZoneSource source{config.origin, config.file, config.raw, config.rclass};
    if (previous != nullptr) {
        ZoneVersion held{source, previous, previous_files};
        if (!previous_files.empty() && held.unchanged_on_disk()) {
            out.kind = PrimaryLoad::Kind::up_to_date;
            return out;
        }
    }
    ZoneLoadResult result = load_zone(source, limits);
    out.warnings = std::move(result.warnings);
    if (!result.loaded) {
        out.error = result.errors.empty() ? config.file + ": failed to load" : result.errors.front();
        if (result.errors.size() > 1)
            out.error += " (and " + std::to_string(result.errors.size() - 1) + " more errors)";
        return out;
    }
    const zone::Zone& fresh = *result.loaded->zone;
    if (previous != nullptr) {
        const std::uint32_t old_serial = previous->serial(), new_serial = fresh.serial();
        if (new_serial == old_serial) {
            if (zone::first_differing_array(*previous, fresh) == nullptr ||
                zone::diff_zones(*previous, fresh).empty()) {
                out.kind = PrimaryLoad::Kind::up_to_date;
                out.files = std::move(result.loaded->files);
                return out;
            }
            out.kind = PrimaryLoad::Kind::refused;
            out.error = "the zone changed but its serial " + std::to_string(new_serial) +
                        " did not: not loaded, still serving the previous version (raise the serial)";
            return out;
        }
        if (!dns::serial_greater(new_serial, old_serial)) {
            out.kind = PrimaryLoad::Kind::refused;
            out.error = "serial " + std::to_string(new_serial) + " is not newer than the served " +
                        std::to_string(old_serial) +
                        " (RFC 1982): not loaded, still serving the previous version (secondaries would keep "
                        "the old one)";
            return out;
        }
        if (config.ixfr_from_differences && !config.signed_inline() && journal != nullptr) {
            try {
                journal->append(zone::diff_zones(*previous, fresh), config.journal_bound(fresh));
                out.journaled = "journaled the difference from serial " + std::to_string(old_serial) +
                                " to " + std::to_string(new_serial);
            } catch (const std::exception& e) {
                out.journaled = std::string("difference not journaled: ") + e.what();
            }
        }
    }
    if (config.signed_inline()) {
        out.signing = sign_version(config, fresh, previous_signed, journal, salt_seed);
        if (out.signing->signed_zone == nullptr) {
            out.kind = PrimaryLoad::Kind::failed;
            out.error = out.signing->error;
            return out;
        }
    }
    out.kind = PrimaryLoad::Kind::loaded;
    out.loaded = std::move(result.loaded);
    return out;
}

void finish_primary(Runtime& rt, Zone& zone, PrimaryLoad load) {
    const std::int64_t now = seconds_now();
    const std::string label = zone.config.label();
    for (const auto& warning : load.warnings)
        rt.log(LogTopic::general, LogLevel::warning, "{}: {}", label, warning);
    zone.state.last_load.at = now;
    switch (load.kind) {
        case PrimaryLoad::Kind::up_to_date:
            if (!load.files.empty()) zone.files = std::move(load.files);
            zone.state.last_load.ok = true;
            zone.state.last_load.detail = "up to date";
            break;
        case PrimaryLoad::Kind::loaded: {
            zone.files = std::move(load.loaded->files);
            if (!load.journaled.empty())
                rt.log(LogTopic::general,
                       load.journaled.starts_with("journaled") ? LogLevel::info : LogLevel::error, "{}: {}",
                       label, load.journaled);
            if (load.signing) {
                serve_signed(rt, zone, load.loaded->zone, std::move(*load.signing));
            } else {
                serve_version(rt, zone, load.loaded->zone, now);
            }
            zone.state.committed_serial = zone.version->serial();
            zone.state.last_load.ok = true;
            zone.state.last_load.detail = "loaded serial " + std::to_string(zone.version->serial());
            zone.state.phase = ZonePhase::loaded;
            zone.state.problem.clear();
            rt.log(
                LogTopic::general, LogLevel::info, "{}: loaded serial {}", label,
                zone.unsigned_version != nullptr ? zone.unsigned_version->serial() : zone.version->serial());
            if (zone.config.journals_reloads() && zone.journal != nullptr) {
                try {
                    const store::JournalInfo info = zone.journal->info();
                    zone.state.journal_bytes = info.bytes;
                    zone.state.journal_entries = info.entries;
                } catch (const std::exception&) {
                }
            }
            schedule_notify(rt, zone);
            rt.publish(zone, true);
            return;
        }
        case PrimaryLoad::Kind::refused:
        case PrimaryLoad::Kind::failed:
            zone.state.last_load.ok = false;
            zone.state.last_load.detail = load.error;
            ++zone.state.counters.load_failures;
            ++rt.totals.load_failures;
            if (zone.version != nullptr) {
                rt.log(LogTopic::general, LogLevel::error, "{}: {}; still serving serial {}", label,
                       load.error, zone.version->serial());
            } else {
                zone.state.phase = ZonePhase::failed;
                zone.state.problem = load.error;
                rt.log(LogTopic::general, LogLevel::error, "{}: not loaded: {}", label, load.error);
            }
            break;
    }
    rt.publish(zone, false);
}

// Secondaries: remove what an interrupted save left ("FILE.tmp-PID", raw "FILE.tmp.XXXXXX").
std::vector<std::string> remove_stale_temporaries(const std::string& file) {
    std::vector<std::string> removed;
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::path path(file);
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const std::string stem = path.filename().string();
    for (const auto& entry : fs::directory_iterator(directory, error)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= stem.size() + 5 || name.compare(0, stem.size(), stem) != 0) continue;
        const std::string tail = name.substr(stem.size());
        if (!tail.starts_with(".tmp-") && !tail.starts_with(".tmp.")) continue;
        if (fs::remove(entry.path(), error)) removed.push_back(entry.path().string());
    }
    return removed;
}

struct SecondaryLoad {
    std::shared_ptr<const zone::Zone> copy;
    std::optional<store::ZoneTimers> timers;
    store::Journal* journal = nullptr;
    std::optional<store::JournalInfo> journal_info;
    std::vector<std::string> warnings;
};

}  // namespace

void event_load(Runtime& rt, const ZonePtr& zone) {
    if (!zone->config.secondary()) {
        store::Journal* journal = nullptr;
        if (zone->config.journals_reloads()) {
            try {
                if (zone->journal == nullptr)
                    zone->journal = &rt.store.journal(zone->config.view, zone->config.origin);
                journal = zone->journal;
            } catch (const std::exception& e) {
                rt.log(LogTopic::general, LogLevel::error, "{}: journal unavailable: {}",
                       zone->config.label(), e.what());
            }
        }
        rt.off_thread<PrimaryLoad>(
            zone, WorkerPool::Priority::serve,
            [config = zone->config, limits = zone->load_limits(),
             previous = zone->config.signed_inline() ? zone->unsigned_version : zone->version,
             files = zone->files, journal, signed_version = zone->version,
             seed = zone->salt_seed](const Cancel&) {
                return load_primary_file(config, limits, previous, files, journal, signed_version, seed);
            },
            [&rt, zone](PrimaryLoad load) {
                finish_primary(rt, *zone, std::move(load));
                rt.done(*zone);
            });
        return;
    }
    // A secondary's saved copy: read once, at start (or when the zone is added); later versions come from
    // its primaries.
    rt.off_thread<SecondaryLoad>(
        zone, WorkerPool::Priority::serve,
        [config = zone->config, limits = zone->load_limits(), store = &rt.store](const Cancel&) {
            SecondaryLoad out;
            if (!config.file.empty()) {
                for (const auto& stale : remove_stale_temporaries(config.file))
                    out.warnings.push_back("removed " + stale + ", left by an interrupted save");
                if (FileStamp::of(config.file)) {
                    ZoneLoadResult loaded = load_zone({config.origin, config.file, config.raw, config.rclass},
                                                      {std::nullopt, limits.max_records});
                    for (const auto& error : loaded.errors)
                        out.warnings.push_back("the saved copy is not usable: " + error);
                    if (loaded.loaded) out.copy = loaded.loaded->zone;
                }
            }
            try {
                out.timers = store->load_timers(config.view, config.origin);
            } catch (const std::exception& e) {
                out.warnings.push_back(std::string("ignoring damaged timers: ") + e.what());
            }
            // A secondary journals what it receives, for IXFR to its own secondaries (also after a restart).
            try {
                out.journal = &store->journal(config.view, config.origin);
                out.journal_info = out.journal->info();
            } catch (const std::exception& e) {
                out.warnings.push_back(std::string("journal unavailable: ") + e.what());
            }
            return out;
        },
        [&rt, zone](SecondaryLoad load) {
            const std::int64_t now = seconds_now();
            const std::string label = zone->config.label();
            if (load.journal != nullptr) zone->journal = load.journal;
            if (load.journal_info) {
                zone->state.journal_bytes = load.journal_info->bytes;
                zone->state.journal_entries = load.journal_info->entries;
            }
            for (const auto& warning : load.warnings)
                rt.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): {}", label, warning);
            zone->state.last_load.at = now;
            zone->state.last_load.ok = true;
            if (load.copy) {
                zone->schedule.loaded(load.copy->serial(),
                                      xfr::soa_timers(zone::soa_record(*load.copy).rdata), now, load.timers);
                serve_version(rt, *zone, load.copy, now);
                zone->state.committed_serial = load.copy->serial();
                zone->state.last_load.detail =
                    "loaded the saved copy, serial " + std::to_string(load.copy->serial());
                zone->answerable = zone->schedule.serving(now);
                zone->state.phase = zone->answerable ? ZonePhase::loaded : ZonePhase::expired;
                if (!zone->answerable) {
                    zone->state.problem =
                        "the saved copy (serial " + std::to_string(load.copy->serial()) +
                        ") expired while the server was down; not served until a refresh succeeds";
                    rt.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): {}", label,
                           zone->state.problem);
                } else {
                    rt.log(LogTopic::xfr_in, LogLevel::info,
                           "{} (secondary): serving the saved copy, serial {}", label, load.copy->serial());
                    schedule_notify(rt, *zone);
                }
            } else {
                zone->schedule.no_copy(now);
                zone->state.last_load.detail = "no saved copy";
                zone->state.problem = "no copy yet: waiting for the first transfer";
            }
            zone->state.timers = zone->schedule.timers();
            rt.schedule_refresh_timers(*zone);
            if (zone->state.journal_entries.value_or(0) > 1)  // an older, larger bound may have let it grow
                rt.scheduler.schedule(zone->events, EventType::trim_journal, wall_now());
            rt.publish(*zone, true);
            rt.done(*zone);
        });
}

void serve_version(Runtime& rt, Zone& zone, std::shared_ptr<const zone::Zone> version, std::int64_t now) {
    (void)rt;
    zone.version = std::move(version);
    zone.answerable = true;
    zone.state.served_serial = zone.version->serial();
    zone.state.nodes = zone.version->node_count();
    zone.state.records = zone.version->rr_count();
    zone.state.loaded_at = now;
}

}  // namespace cairn::lifecycle
