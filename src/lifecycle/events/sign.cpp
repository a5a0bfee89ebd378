// The sign event: a primary zone with a dnssec-policy is signed from its zone file's version (inline
// signing, as BIND's: the file is never written) on a worker, and the signed version is served, journaled
// for IXFR and announced by NOTIFY like a reload. The event comes back signatures-refresh before the
// earliest RRSIG of the served version expires, so signatures never expire while cairnd runs, or sooner at
// the key manager's next key event (a successor due, a key state that may move: signer/rollover.hpp);
// `rndc sign` runs it now, `rndc loadkeys` too (the key directory is read at every signing), and so do
// `rndc dnssec -rollover / -checkds`, whose changes to the key files are made here, before the key manager
// runs, so that the key files have a single writer.
//
// Each signing signs the whole zone again (a reload's difference is not signed incrementally yet); the
// journal keeps only the difference, so secondaries still take it by IXFR.
//
// The signed serial: the zone file's when it is newer, else one more than the signed version served (BIND's
// serial-update-method increment for the signed zone). After a restart the journal's newest serial counts as
// served, so the signed serial never goes back.
#include <algorithm>
#include <filesystem>
#include <utility>

#include "dns/serial.hpp"
#include "dns/types.hpp"
#include "dnssec/key_files.hpp"
#include "dnssec/keys.hpp"
#include "lifecycle/events/handlers.hpp"
#include "signer/sign_zone.hpp"
#include "signer/zone_keys.hpp"
#include "xfr/refresh.hpp"
#include "zone/diff.hpp"

namespace cairn::lifecycle {

namespace {

SigningKeyStatus key_status(const signer::SigningKey& k) {
    SigningKeyStatus s;
    s.tag = k.key.tag();
    s.algorithm = k.key.algorithm;
    const bool ksk = k.key.metadata.ksk.value_or(k.key.ksk()),
               zsk = k.key.metadata.zsk.value_or(!k.key.ksk());
    s.role = ksk && zsk ? "CSK" : ksk ? "KSK" : "ZSK";
    s.file = k.key.file_base();
    s.created = k.key.timing.created.value_or(0);
    if (k.key.metadata.lifetime.value_or(0) != 0) s.lifetime = k.key.metadata.lifetime;
    return s;
}

std::uint32_t signed_serial(std::uint32_t unsigned_serial, std::optional<std::uint32_t> served) {
    if (!served || dns::serial_greater(unsigned_serial, *served)) return unsigned_serial;
    return *served + 1;
}

}  // namespace

SignOutcome sign_version(const ZoneConfig& config, const zone::Zone& unsigned_zone,
                         const std::shared_ptr<const zone::Zone>& previous, store::Journal* journal,
                         std::uint64_t salt_seed, const std::vector<signer::KeyCommand>& commands) {
    SignOutcome out;
    const auto now = static_cast<std::uint32_t>(wall_now() / 1000);
    try {
        std::error_code error;
        std::filesystem::create_directories(config.key_directory, error);
        for (const signer::KeyCommand& command : commands) {
            try {
                out.notes.push_back(signer::apply_key_command(*config.dnssec_policy, config.origin,
                                                              config.key_directory, now, command));
            } catch (const signer::KeyCommandError& e) {
                out.notes.push_back(std::string("key command not applied: ") + e.what());
            }
        }
        const signer::ZoneKeys keys =
            signer::ensure_zone_keys(*config.dnssec_policy, config.origin, config.key_directory, now);
        out.notes.insert(out.notes.end(), keys.notes.begin(), keys.notes.end());
        out.next_key_event = keys.next_key_event;
        for (const signer::SigningKey& k : keys.keys)
            out.keys.push_back(key_status(k));
        std::optional<std::uint32_t> served;
        if (previous != nullptr) {
            served = previous->serial();
        } else if (journal != nullptr) {
            const store::JournalInfo info = journal->info();
            if (info.entries > 0) served = info.last_serial;
        }
        const signer::SignRequest request{now, signed_serial(unsigned_zone.serial(), served), salt_seed};
        signer::SignedZone result =
            signer::sign_zone(unsigned_zone, keys.keys, *config.dnssec_policy, request);
        out.earliest = result.earliest_expiration;
        out.signatures = result.signatures;
        out.signed_zone = std::move(result.zone);
    } catch (const std::exception& e) {
        out.error = std::string("not signed: ") + e.what();
        return out;
    }
    if (journal == nullptr) return out;
    try {
        if (previous == nullptr) {
            // The versions the journal leads to are not in memory any more: no IXFR from them.
            journal->clear();
            out.journaled = "journal restarted at signed serial " + std::to_string(out.signed_zone->serial());
        } else {
            journal->append(zone::diff_zones(*previous, *out.signed_zone),
                            config.journal_bound(*out.signed_zone));
            out.journaled = "journaled the signed difference from serial " +
                            std::to_string(previous->serial()) + " to " +
                            std::to_string(out.signed_zone->serial());
        }
    } catch (const std::exception& e) {
        out.journaled = std::string("signed difference not journaled: ") + e.what();
    }
    return out;
}

void serve_signed(Runtime& rt, Zone& zone, std::shared_ptr<const zone::Zone> unsigned_version,
                  SignOutcome outcome) {
    const std::int64_t now = wall_now() / 1000;
    const std::string label = zone.config.label();
    for (const std::string& note : outcome.notes)
        rt.log(LogTopic::general, LogLevel::info, "{}: {}", label, note);
    zone.state.last_sign.at = now;
    if (outcome.signed_zone == nullptr) {
        zone.state.last_sign.ok = false;
        zone.state.last_sign.detail = outcome.error;
        rt.log(LogTopic::general, LogLevel::error, "{}: {}", label, outcome.error);
        // The operator hears of it days ahead, not when validators start failing.
        if (zone.state.rrsig_earliest_expiry) {
            const std::int64_t left = std::int64_t{*zone.state.rrsig_earliest_expiry} - now;
            if (left < 14 * 86400)
                rt.log(LogTopic::general, LogLevel::warning,
                       "{}: signatures served expire at {} (in {} hours) and could not be refreshed: {}",
                       label, dnssec::key_time_to_text(*zone.state.rrsig_earliest_expiry), left / 3600,
                       outcome.error);
        }
        // Try again in a minute (a key directory being fixed); the signatures served meanwhile stay valid
        // until their refresh margin runs out.
        zone.state.next_resign = now + 60;
        rt.scheduler.reschedule(zone.events, EventType::sign, zone.state.next_resign * 1000);
        rt.publish(zone, false);
        return;
    }
    if (!outcome.journaled.empty())
        rt.log(LogTopic::general,
               outcome.journaled.starts_with("signed difference not") ? LogLevel::error : LogLevel::info,
               "{}: {}", label, outcome.journaled);
    const bool first = zone.unsigned_version == nullptr || zone.unsigned_version != unsigned_version;
    zone.unsigned_version = std::move(unsigned_version);
    const std::uint32_t expire = xfr::soa_timers(zone::soa_record(*zone.unsigned_version).rdata).expire;
    if (first && zone.config.dnssec_policy->signatures_validity < expire)
        rt.log(
            LogTopic::general, LogLevel::warning,
            "{}: signatures-validity ({} s) is shorter than the SOA EXPIRE ({} s): a secondary cut off from "
            "this primary would serve expired signatures before it stops serving the zone",
            label, zone.config.dnssec_policy->signatures_validity, expire);
    serve_version(rt, zone, outcome.signed_zone, now);
    zone.state.committed_serial = zone.version->serial();
    zone.state.unsigned_serial = zone.unsigned_version->serial();
    zone.state.signing_keys = std::move(outcome.keys);
    zone.state.rrsig_earliest_expiry = outcome.earliest;
    zone.state.next_resign = signer::next_resign_time(*zone.config.dnssec_policy, outcome.earliest,
                                                      static_cast<std::uint32_t>(now));
    // The key manager's next event (a state transition or a successor's publication) signs again too.
    zone.state.next_key_event = outcome.next_key_event;
    std::int64_t next_sign = zone.state.next_resign;
    if (outcome.next_key_event != 0)
        next_sign =
            std::min<std::int64_t>(next_sign, std::max<std::int64_t>(outcome.next_key_event, now + 1));
    if (!zone.key_commands.empty()) next_sign = now;  // a command came in while a load signed: apply it now
    zone.state.last_sign.ok = true;
    zone.state.last_sign.detail = "signed serial " + std::to_string(zone.version->serial()) + " (" +
                                  std::to_string(outcome.signatures) + " signatures)";
    if (zone.journal != nullptr) {
        try {
            const store::JournalInfo info = zone.journal->info();
            zone.state.journal_bytes = info.bytes;
            zone.state.journal_entries = info.entries;
        } catch (const std::exception&) {
        }
    }
    rt.log(LogTopic::general, LogLevel::info,
           "{}: signed serial {} (zone file serial {}), {} signatures, next at {}{}", label,
           zone.version->serial(), zone.unsigned_version->serial(), outcome.signatures,
           dnssec::key_time_to_text(static_cast<std::uint32_t>(next_sign)),
           outcome.next_key_event != 0 && next_sign < zone.state.next_resign ? " (key event)" : "");
    rt.scheduler.reschedule(zone.events, EventType::sign, next_sign * 1000);
    schedule_notify(rt, zone);
    rt.publish(zone, true);
}

void event_sign(Runtime& rt, const ZonePtr& zone) {
    if (!zone->config.signed_inline() || zone->unsigned_version == nullptr) {
        rt.done(*zone);
        return;
    }
    rt.off_thread<SignOutcome>(
        zone, WorkerPool::Priority::serve,
        [config = zone->config, unsigned_version = zone->unsigned_version, previous = zone->version,
         journal = zone->journal, seed = zone->salt_seed,
         commands = std::exchange(zone->key_commands, {})](const Cancel&) {
            return sign_version(config, *unsigned_version, previous, journal, seed, commands);
        },
        [&rt, zone, unsigned_version = zone->unsigned_version](SignOutcome outcome) {
            serve_signed(rt, *zone, unsigned_version, std::move(outcome));
            rt.done(*zone);
        });
}

}  // namespace cairn::lifecycle
