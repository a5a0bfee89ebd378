// Sends NOTIFY (RFC 1996) for primary zones from a thread of its own: each new serial starts a round
// (xfr::NotifyRound) that retries every target with backoff until it answers or is given up. A newer
// serial of the same zone replaces the round still running for the older one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "xfr/notify.hpp"
#include "zone/zone.hpp"

namespace cairn::server {

// What was sent for one zone since the start, and what is still being tried.
struct NotifyCounts {
    std::uint64_t sent = 0;     // NOTIFY messages sent, retries included
    std::uint64_t failed = 0;   // of those, the ones that got no answer or an error rcode
    std::uint32_t pending = 0;  // targets of the current round neither answered nor given up yet
};

class NotifySender {
  public:
    NotifySender();
    ~NotifySender();  // stops the thread; pending rounds are dropped
    NotifySender(const NotifySender&) = delete;
    NotifySender& operator=(const NotifySender&) = delete;

    // Notifies `targets` (an address with the port to use, and the key that signs, if any) that `zone` has
    // a new version. `label` names the zone in the log. No targets: nothing happens.
    void notify(const std::string& label, const zone::Zone& zone, std::vector<xfr::Primary> targets);

    // The counts of the zone `label` names (as given to notify()). Any thread.
    NotifyCounts counts(const std::string& label) const;

  private:
    struct Round {
        std::string label;
        dns::Name origin;
        zone::Record soa;
        std::map<std::string, xfr::Primary> targets;  // by NotifyRound's key
        // Copies of the targets' TSIG keys, which the targets point to: a reload may free the originals
        // while the round still runs.
        std::map<std::string, std::shared_ptr<const dns::TsigKey>> keys;
        xfr::NotifyRound schedule;
        std::set<std::string> outstanding;  // keys not answered yet
    };
    struct Job {
        std::string label, key;
        dns::Name origin;
        zone::Record soa;
        xfr::Primary target;
        std::shared_ptr<const dns::TsigKey> key_copy;  // what target.key points to, while the job runs
    };
    void run();
    enum class Outcome { acknowledged, error_answer, no_answer };
    static Outcome send(const Job& job);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::string, Round> rounds_;  // by label
    struct Totals {
        std::uint64_t sent = 0, failed = 0;
    };
    std::map<std::string, Totals> totals_;  // by label, kept when the round ends
    std::thread thread_;
};

}  // namespace cairn::server
