// One secondary zone, end to end: the refresh schedule, the client, the journal (so our own secondaries
// get IXFR from us), the zone file and the persisted timers. The daemon gives it a publish callback and
// calls it from a transfer thread; everything it does to the served data goes through that callback, and
// only with a complete, checked new version.
//
// Wiring (server): per `type secondary` zone, construct with the settings, the store::Environment and a
// publish(zone) that swaps the zone into the serving snapshot (nullptr: stop serving it, it expired);
// start() with the copy loaded from `file` (or nullptr); a transfer thread loops: wait until
// next_event(now) or a NOTIFY, then tick(now) and, when due(now), refresh(). NOTIFY handling calls
// notified(now) (cheap, from a worker thread). status() backs `rndc zonestatus`; remaining_expire() is
// the EXPIRE option value (RFC 7314) our answers for the zone carry.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/environment.hpp"
#include "store/journal.hpp"
#include "xfr/client.hpp"
#include "xfr/refresh.hpp"
#include "xfr/zone_save.hpp"

namespace cairn::xfr {

struct SecondaryConfig {
    dns::Name zone;
    std::vector<Primary> primaries;
    // Holds what the primaries' keys point into for as long as this zone lives: a reload that replaces the
    // configuration's keyring must not pull it from under a refresh.
    std::shared_ptr<const dns::TsigKeyring> keys;
    RefreshBounds bounds;
    std::string file;  // where each new version is written ("" = keep it in memory only)
    ZoneFileFormat format = ZoneFileFormat::Text;
    std::size_t max_journal_bytes = store::Journal::kUnlimited;
    ClientOptions client;
};

struct SecondaryStatus {
    bool has_copy = false;
    bool serving = false;
    bool expired = false;
    bool refreshing = false;
    std::uint32_t serial = 0;
    store::ZoneTimers timers;
    std::string last_error;              // empty after a success
    std::string last_primary;            // who answered last
    std::string last_transfer;           // "full", "incremental", "up to date"
    bool full_transfer_pending = false;  // a retransfer waits for the next refresh
};

class SecondaryZone {
  public:
    using Publish = std::function<void(std::shared_ptr<const zone::Zone>)>;
    // Problems (a failed refresh, expiry, a file or store that cannot be written) are warnings; the rest,
    // such as a transfer that landed, informational.
    enum class LogLevel { info, warning };
    using Log = std::function<void(LogLevel, const std::string&)>;

    // `env` may be null: no journal, no persisted timers.
    SecondaryZone(SecondaryConfig config, store::Environment* env, Publish publish, Log log = {});

    // Takes the copy read from the zone file (nullptr when there is none) and resumes persisted timers;
    // publishes the copy unless its timers say it has expired.
    void start(std::shared_ptr<const zone::Zone> loaded, std::int64_t now);

    bool due(std::int64_t now) const;
    std::int64_t next_event(std::int64_t now) const;
    // Unpublishes the zone when it has expired since the last call.
    void tick(std::int64_t now);
    // One refresh (blocking, network I/O): SOA check and transfer. `clock` gives now after the I/O.
    // Returns true on success (up to date or a new version published).
    bool refresh(const std::function<std::int64_t()>& clock);
    // A NOTIFY for the zone from an allowed source; true when a refresh should start now. An operator's
    // `refresh` is the same request.
    bool notified(std::int64_t now);
    // An operator's `retransfer`: the next refresh (due at once, as after a NOTIFY) takes a full AXFR even
    // when the primary's serial is not newer, and serves and saves that copy. The request is consumed by that
    // refresh whether it succeeds or not (a failed one is not retried as AXFR, as in BIND); true when a
    // refresh should start now.
    bool full_transfer_requested(std::int64_t now);

    SecondaryStatus status(std::int64_t now) const;
    std::optional<std::uint32_t> remaining_expire(std::int64_t now) const;
    std::shared_ptr<const zone::Zone> current() const;

  private:
    void persist_timers();
    void log(const std::string& line) const {
        if (log_) log_(LogLevel::info, line);
    }
    void warn(const std::string& line) const {
        if (log_) log_(LogLevel::warning, line);
    }

    SecondaryConfig config_;
    store::Environment* env_;
    std::optional<store::Journal> journal_;
    Publish publish_;
    Log log_;
    mutable std::mutex mutex_;
    RefreshSchedule schedule_;
    std::shared_ptr<const zone::Zone> current_;
    bool published_ = false;
    bool full_transfer_ = false;  // the next refresh ignores the serial and takes AXFR
    std::string last_error_, last_primary_, last_transfer_;
};

}  // namespace cairn::xfr
