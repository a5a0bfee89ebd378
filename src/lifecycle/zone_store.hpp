// The lifecycle's persistent state in the LMDB environment (cairn.lmdb in the server's directory, opened on
// first use): each zone's IXFR journal and a secondary's timers, under one key per (view, zone) so that two
// views holding the same zone keep separate histories. Journals live until the daemon exits, so that serving
// snapshots may point at them.
//
// Timer writes are batched: a change marks the zone and one LMDB transaction saves every marked zone at
// most once a second (one fsync for many zones instead of one each); flush() saves at once (a transfer is
// about to start: a crash during it must find the refresh due at the restart). Lost batched writes only
// make a restart refresh sooner, never keep a copy alive longer: expire deadlines are written with the
// same batch as the refresh that moved them.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "dns/name.hpp"
#include "store/environment.hpp"
#include "store/journal.hpp"
#include "store/zone_timers.hpp"

namespace cairn::lifecycle {

class ZoneStore {
  public:
    // `directory`: where cairn.lmdb lives; `options`: its map size at first (lmdb-mapsize) and what to do
    // when it grows.
    explicit ZoneStore(std::string directory, store::EnvironmentOptions options = {})
        : directory_(std::move(directory)), options_(std::move(options)) {}

    // The name a zone's records are stored under: the origin, or <view>._view.<origin> outside the default
    // view.
    static dns::Name key_of(const std::string& view, const dns::Name& origin);

    // Thread-safe. Throws store::StoreError.
    store::Environment& environment();
    store::Journal& journal(const std::string& view, const dns::Name& origin);

    std::optional<store::ZoneTimers> load_timers(const std::string& view, const dns::Name& origin);
    // Marks the zone's timers for the next batch.
    void save_timers(const std::string& view, const dns::Name& origin, const store::ZoneTimers& timers);
    // Writes every marked zone in one transaction (any thread; a worker's). Throws store::StoreError.
    void flush();
    bool dirty() const;

  private:
    std::string directory_;
    store::EnvironmentOptions options_;
    std::mutex mutex_;  // environment opening and the journal map
    std::unique_ptr<store::Environment> env_;
    std::map<dns::Name, std::unique_ptr<store::Journal>> journals_;
    mutable std::mutex timers_mutex_;
    std::map<dns::Name, store::ZoneTimers> pending_timers_;
};

}  // namespace cairn::lifecycle
