// The daemon's secondary zones: one xfr::SecondaryZone per `type secondary` zone, refreshed from a transfer
// thread of its own (never a query worker). A new version (or an expired zone, nullptr) lands in a slot the
// main thread reads when it builds the next serving snapshot; changed() tells it to build one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/handler.hpp"
#include "server/settings.hpp"
#include "store/environment.hpp"
#include "xfr/secondary.hpp"

namespace cairn::server {

class SecondaryRunner {
  public:
    // `environment` opens the store on first use; it may return null (no persisted timers or journals).
    // `changed` runs (on the transfer thread) whenever a served version changed, to wake the main thread.
    SecondaryRunner(std::function<store::Environment*()> environment, std::function<void()> changed = {});
    ~SecondaryRunner();  // stops the thread (a transfer in progress finishes first, bounded by its timeouts)
    SecondaryRunner(const SecondaryRunner&) = delete;
    SecondaryRunner& operator=(const SecondaryRunner&) = delete;

    // Takes the secondary zones of `settings` (main thread): new ones start from their file's copy, ones no
    // longer configured stop, ones whose settings changed start over. `keys` keeps the primaries' keys alive.
    void configure(const std::vector<ViewSettings>& views, std::shared_ptr<const dns::TsigKeyring> keys);

    // The version to serve for a zone (zone nullptr: none yet); `expired`: the copy is past EXPIRE, answer
    // SERVFAIL for it.
    struct Served {
        std::shared_ptr<const zone::Zone> zone;
        bool expired = false;
    };
    Served served(const std::string& view, const dns::Name& origin) const;
    // The running secondary (nullptr when `origin` is not one of ours).
    std::shared_ptr<const xfr::SecondaryZone> secondary(const std::string& view,
                                                        const dns::Name& origin) const;

    // True once after any served version changed.
    bool take_changed() { return changed_.exchange(false); }
    // True once after any refresh ended (its timers moved, even when the copy was up to date).
    bool take_timers_changed() { return timers_changed_.exchange(false); }

    enum class NotifyVerdict { NotSecondary, Refused, Accepted };
    // A NOTIFY for `origin` from `client`: Accepted (a refresh starts soon) when it is one of our secondary
    // zones and the source may notify: a primary's address (any port) or allow-notify, which sees `key`, the
    // TSIG key that verified the NOTIFY (nullptr: unsigned).
    NotifyVerdict notify(const std::string& view, const dns::Name& origin, const net::ClientInfo& client,
                         const dns::Name* key = nullptr);

    // An operator's `refresh` (a SOA check at once, as after a NOTIFY) or, with `full_transfer`, `retransfer`
    // (an AXFR at once, whatever the primary's serial). False when `origin` is not one of our secondaries.
    bool refresh_now(const std::string& view, const dns::Name& origin, bool full_transfer);

  private:
    using Key = std::pair<std::string, std::string>;  // view, lowercased origin
    struct Entry {
        ZoneSettings settings;
        std::shared_ptr<xfr::SecondaryZone> zone;
    };
    void run();

    std::function<store::Environment*()> environment_;
    std::function<void()> on_changed_;
    std::shared_ptr<const dns::TsigKeyring> keys_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool poke_ = false;
    std::map<Key, Entry> zones_;
    mutable std::mutex served_mutex_;  // publish() runs on the transfer thread, inside a refresh
    std::map<Key, Served> served_;
    std::atomic<bool> changed_{false};
    std::atomic<bool> timers_changed_{false};
    std::thread thread_;
};

}  // namespace cairn::server
