#include "server/notify_sender.hpp"

#include <chrono>
#include <climits>
#include <ctime>

#include "dns/types.hpp"
#include "server/log_setup.hpp"
#include "xfr/client.hpp"
#include "zone/diff.hpp"

namespace cairn::server {

namespace {

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(::time(nullptr));
}

}  // namespace

NotifySender::NotifySender() : thread_([this] { run(); }) {}

NotifySender::~NotifySender() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void NotifySender::notify(const std::string& label, const zone::Zone& zone,
                          std::vector<xfr::Primary> targets) {
    if (targets.empty()) return;
    std::map<std::string, xfr::Primary> by_key;
    std::map<std::string, std::shared_ptr<const dns::TsigKey>> tsig_keys;
    std::vector<std::string> keys;
    for (auto& target : targets) {
        std::string key = target.to_text();
        if (target.key != nullptr) {
            auto copy = std::make_shared<const dns::TsigKey>(*target.key);
            target.key = copy.get();
            tsig_keys.emplace(key, std::move(copy));
        }
        if (by_key.emplace(key, std::move(target)).second) keys.push_back(key);
    }
    std::set<std::string> outstanding(keys.begin(), keys.end());
    Round round{label,
                zone.origin(),
                zone::soa_record(zone),
                std::move(by_key),
                std::move(tsig_keys),
                xfr::NotifyRound(std::move(keys), now_seconds()),
                std::move(outstanding)};
    {
        std::lock_guard lock(mutex_);
        rounds_.insert_or_assign(label, std::move(round));
    }
    wake_.notify_all();
}

NotifyCounts NotifySender::counts(const std::string& label) const {
    std::lock_guard lock(mutex_);
    NotifyCounts out;
    if (const auto totals = totals_.find(label); totals != totals_.end()) {
        out.sent = totals->second.sent;
        out.failed = totals->second.failed;
    }
    if (const auto round = rounds_.find(label); round != rounds_.end())
        out.pending = static_cast<std::uint32_t>(round->second.outstanding.size());
    return out;
}

NotifySender::Outcome NotifySender::send(const Job& job) {
    const std::uint32_t serial = zone::soa_serial(job.soa.rdata);
    try {
        const dns::Rcode rcode = xfr::send_notify(job.target, job.origin, &job.soa, std::chrono::seconds(2));
        if (rcode == dns::Rcode::NOERROR) {
            logs::notify().info(
                "{}: sent notify for serial {} to {}{}", job.label, serial, job.key,
                job.target.key != nullptr ? " (TSIG key " + job.target.key->name.to_text() + ")" : "");
            return Outcome::acknowledged;
        }
        logs::notify().warn("{}: notify for serial {} to {} answered {}", job.label, serial, job.key,
                            dns::rcode_to_text(rcode));
        return Outcome::error_answer;  // any answer ends the retries
    } catch (const std::exception& e) {
        logs::notify().info("{}: notify for serial {} to {}: {}", job.label, serial, job.key, e.what());
        return Outcome::no_answer;
    }
}

void NotifySender::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        std::vector<Job> jobs;
        for (auto& [label, round] : rounds_) {
            for (const std::string& key : round.schedule.due(now_seconds())) {
                const auto copy = round.keys.find(key);
                jobs.push_back(Job{label, key, round.origin, round.soa, round.targets.at(key),
                                   copy == round.keys.end() ? nullptr : copy->second});
            }
        }
        if (!jobs.empty()) {
            // Sending blocks up to its timeout: without the lock, so that notify() never waits on the
            // network.
            lock.unlock();
            std::vector<Outcome> outcomes;
            for (const Job& job : jobs)
                outcomes.push_back(send(job));
            lock.lock();
            for (std::size_t i = 0; i < jobs.size(); ++i) {
                Totals& totals = totals_[jobs[i].label];
                ++totals.sent;
                if (outcomes[i] != Outcome::acknowledged) ++totals.failed;
                const auto found = rounds_.find(jobs[i].label);
                if (outcomes[i] == Outcome::no_answer || found == rounds_.end()) continue;
                if (found->second.soa.rdata != jobs[i].soa.rdata) continue;  // replaced by a newer serial
                found->second.schedule.answered(jobs[i].key);
                found->second.outstanding.erase(jobs[i].key);
            }
            continue;
        }
        std::int64_t next = INT64_MAX;
        for (auto it = rounds_.begin(); it != rounds_.end();) {
            if (it->second.schedule.finished()) {
                for (const auto& gone : it->second.schedule.given_up())
                    logs::notify().warn("{}: gave up notifying {}", it->second.label, gone);
                it = rounds_.erase(it);
                continue;
            }
            next = std::min(next, it->second.schedule.next_event());
            ++it;
        }
        if (next == INT64_MAX) {
            wake_.wait(lock);
        } else if (next > now_seconds()) {
            wake_.wait_for(lock, std::chrono::seconds(next - now_seconds()));
        }
    }
}

}  // namespace cairn::server
