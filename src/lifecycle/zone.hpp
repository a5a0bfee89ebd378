// One configured zone inside the lifecycle: its configuration, its state (the ZoneState every reader sees
// a snapshot of), the version it serves, its SOA timers and its events. Only the reactor thread touches a
// Zone; the handlers in events/ each do one kind of work on it.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lifecycle/events.hpp"
#include "lifecycle/requests.hpp"
#include "lifecycle/zone_config.hpp"
#include "lifecycle/zone_loader.hpp"
#include "lifecycle/zone_state.hpp"
#include "signer/rollover.hpp"
#include "store/journal.hpp"
#include "xfr/notify.hpp"
#include "xfr/refresh.hpp"
#include "zone/diff.hpp"
#include "zone/zone.hpp"

namespace cairn::lifecycle {

class RefreshRun;

// The NOTIFY round of the zone's current serial (RFC 1996 §3.6) and the messages in flight.
struct NotifyRun {
    std::optional<xfr::NotifyRound> round;
    std::uint32_t serial = 0;
    std::optional<zone::Record> soa;
    std::map<std::string, xfr::Primary> targets;                  // by the round's key ("192.0.2.1#53")
    std::map<std::string, std::unique_ptr<NotifyOut>> in_flight;  // by target, serial and send number
    std::uint64_t sends = 0;
    WallMs last_round = 0;   // when the last round began (notify-delay counts from it)
    bool explained = false;  // the targets left out were logged
    bool wanted = false;     // a new round was asked for (schedule_notify)
};

// The SOA checks of the zone's secondaries in flight (events/secondary_check.cpp), by target.
struct SecondaryChecks {
    std::map<std::string, std::unique_ptr<SoaCheck>> in_flight;
};

class Zone {
  public:
    explicit Zone(ZoneConfig zone_config);
    ~Zone();
    Zone(const Zone&) = delete;
    Zone& operator=(const Zone&) = delete;

    ZoneConfig config;
    ZoneState state;

    std::shared_ptr<const zone::Zone> version;  // the copy held (served unless expired)
    // Signed zones: the zone file's version `version` is signed from, and the NSEC3 salt's seed (chosen once
    // per zone, so that a re-sign keeps the chain).
    std::shared_ptr<const zone::Zone> unsigned_version;
    std::uint64_t salt_seed = 0;
    // rndc dnssec -rollover / -checkds waiting for the next signing, which applies them to the key files
    // (the key manager runs there, on a worker: the files have one writer).
    std::vector<signer::KeyCommand> key_commands;
    bool answerable = false;  // queries are answered from `version`
    // The served-change count when queries were last meant to see a new version of this zone (Runtime::
    // visible_to_queries): its NOTIFY waits until the server's snapshot holds it.
    std::uint64_t served_generation = 0;
    std::vector<FileStamp> files;       // what `version` was read from (primaries)
    store::Journal* journal = nullptr;  // opened on first use

    xfr::RefreshSchedule schedule;              // secondaries
    bool full_transfer = false;                 // the next refresh takes AXFR whatever the serial
    bool urgent = false;                        // the next refresh was asked for: it skips the queue
    std::unique_ptr<RefreshRun> refresh;        // while a refresh event runs
    std::shared_ptr<const zone::Zone> unsaved;  // secondaries: the version write_file saves next
    bool saving = false;                        // a save of the zone file is in flight
    NotifyRun notify;
    SecondaryChecks secondary_checks;
    bool removed = false;  // no longer configured: its events stop
    // The expire deadline readers of the served snapshot see (EDNS EXPIRE of transfers out).
    std::shared_ptr<std::atomic<std::int64_t>> expire_at = std::make_shared<std::atomic<std::int64_t>>(0);

    ZoneEvents events;

    std::string key() const;  // "view/origin" (lower case)
    LoadLimits load_limits() const { return config.load_limits(); }
    // The journal's bound: max-journal-size, or twice the zone (BIND's default).
    std::size_t journal_bound(const zone::Zone& zone) const;
};

using ZonePtr = std::shared_ptr<Zone>;

}  // namespace cairn::lifecycle
