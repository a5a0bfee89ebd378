// The zone lifecycle as the daemon sees it: every configured zone with its state (ZoneState), its events
// on the scheduler, its transfers and NOTIFYs in flight on one event thread (Reactor), its blocking work on
// a few workers (WorkerPool), its journal and timers in the store. Thread-safe: the main thread configures
// and reloads, the control channel asks for refreshes, the query workers hand over NOTIFYs, the statistics
// channel reads snapshots; the zones themselves are only ever touched by the event thread.
//
// Start-up: configure() loads every zone (waiting for the loads), the daemon then opens its listeners and
// calls start_network(): refreshes and NOTIFYs only begin then, so that no secondary's answer to our
// NOTIFY (its SOA query) finds the listeners closed. stop() ends everything in flight at once.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dns/ip_address.hpp"
#include "lifecycle/log.hpp"
#include "lifecycle/runtime.hpp"
#include "lifecycle/zone_config.hpp"
#include "lifecycle/zone_state.hpp"
#include "signer/rollover.hpp"
#include "store/journal.hpp"
#include "zone/zone.hpp"

namespace cairn::lifecycle {

// What one zone shows outside the event thread, replaced whole at every change.
struct ZoneView {
    std::shared_ptr<const ZoneState> state;
    std::shared_ptr<const zone::Zone> version;  // the copy held (nullptr: none)
    bool answerable = false;                    // queries are answered from `version`; else SERVFAIL
    const store::Journal* journal = nullptr;    // for IXFR out; lives as long as the Zones
    // Secondaries: the expire deadline (seconds since the epoch, 0: none), kept current without a new
    // snapshot, for the EDNS EXPIRE option of transfers out (RFC 7314).
    std::shared_ptr<const std::atomic<std::int64_t>> expire_at;
};

// What a configure() or reload_zone() did to the zones it loaded.
struct LoadReport {
    std::size_t loaded = 0, up_to_date = 0;
    std::vector<std::pair<std::string, std::string>> failed;  // (zone name without the dot, why)
    bool timed_out = false;                                   // loads still running when the wait ended

    // "1 zone failed: corp.test (zones/corp.test:6: ...)"; "" when none failed.
    std::string failures() const;
};

struct ZonesOptions {
    std::string directory = ".";  // the store (cairn.lmdb) lives here
    unsigned workers = 2;
    LogSink log;
    std::vector<std::string> own_addresses;                 // never NOTIFY these
    std::function<bool(const dns::IpAddress&)> blackholed;  // never talk to these
    // Any thread, often: what queries should see changed (a version, an expiry). Must be cheap.
    std::function<void()> served_changed;
    Timeouts timeouts;
};

class Zones {
  public:
    explicit Zones(ZonesOptions options);
    ~Zones();  // stop() with a generous deadline
    Zones(const Zones&) = delete;
    Zones& operator=(const Zones&) = delete;

    // Main thread. Takes the zones to run (configuration order): new ones are added and loaded, removed ones
    // stop, kept ones take their new settings, and every primary's file is checked and reloaded when it
    // changed. Waits up to `wait` for the loads it started.
    LoadReport configure(std::vector<ZoneConfig> zones, const Limits& limits,
                         std::chrono::milliseconds wait = std::chrono::minutes(10));
    // `rndc reload ZONE`: that primary's file only. Throws std::runtime_error (no such zone, a secondary).
    LoadReport reload_zone(const std::string& view, const dns::Name& origin,
                           std::chrono::milliseconds wait = std::chrono::minutes(2));
    // Refreshes and NOTIFYs may start (the listeners are open).
    void start_network();

    enum class Request { refresh, retransfer, notify, sign };
    // The operator's refresh (an SOA check now, as after a NOTIFY), retransfer (AXFR now whatever the
    // serial) or notify (a NOTIFY round now). Returns rndc's text; throws std::runtime_error with the reason.
    std::string request(const std::string& view, const dns::Name& origin, Request request);
    // `rndc dnssec -rollover / -checkds`: checked against the key files now (std::runtime_error with the
    // reason), applied by a signing started now. Returns rndc's text.
    std::string key_command(const std::string& view, const dns::Name& origin,
                            const signer::KeyCommand& command);
    // `rndc dnssec -status`: BIND's report of the zone's keys. Throws std::runtime_error.
    std::string dnssec_status(const std::string& view, const dns::Name& origin);
    // A NOTIFY for a secondary zone from a source allowed to send it (the server checks that); `serial`
    // from its answer section when given. Returns at once: the refresh starts on the event thread.
    void notified(const std::string& view, const dns::Name& origin, std::optional<std::uint32_t> serial);

    // Snapshots, in configuration order. Any thread.
    std::vector<ZoneView> zones() const;
    // Any thread. With `served_changed` set, a zone's NOTIFY for a new version waits until the server says
    // its query path holds it: read served_generation() before taking zones() for a snapshot, and pass it to
    // published() once that snapshot is live.
    std::uint64_t served_generation() const;
    void published(std::uint64_t generation);
    Totals totals() const;

    // Ends the events in flight at once (no new ones), gives the workers until `deadline` and writes the
    // timers. False when a worker was still busy then (the caller should exit without waiting for it).
    bool stop(std::chrono::steady_clock::time_point deadline);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::lifecycle
