// Sends NOTIFY (RFC 1996) for primary zones from a thread of its own: each new serial starts a round
// (xfr::NotifyRound) that retries every target with backoff until it answers or is given up. A newer
// serial of the same zone replaces the round still running for the older one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "xfr/notify.hpp"
#include "zone/zone.hpp"

namespace cairn::server {

class NotifySender {
  public:
    NotifySender();
    ~NotifySender();  // stops the thread; pending rounds are dropped
    NotifySender(const NotifySender&) = delete;
    NotifySender& operator=(const NotifySender&) = delete;

    // Notifies `targets` (an address with the port to use) that `zone` has a new version. `label` names the
    // zone in the log; a target's key signs its NOTIFY, and `keys` (which holds it) is kept until the round
    // ends. No targets: nothing happens.
    void notify(const std::string& label, const zone::Zone& zone, std::vector<xfr::Primary> targets,
                std::shared_ptr<const dns::TsigKeyring> keys = nullptr);

  private:
    struct Round {
        std::string label;
        dns::Name origin;
        zone::Record soa;
        std::map<std::string, xfr::Primary> targets;  // by NotifyRound's key
        xfr::NotifyRound schedule;
        std::shared_ptr<const dns::TsigKeyring> keys;
    };
    struct Job {
        std::string label, key;
        dns::Name origin;
        zone::Record soa;
        xfr::Primary target;
        std::shared_ptr<const dns::TsigKeyring> keys;  // holds target.key while the job is sent unlocked
    };
    void run();
    static bool send(const Job& job);  // true when the target answered

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::string, Round> rounds_;  // by label
    std::thread thread_;
};

}  // namespace cairn::server
