#include "server/synthetic_probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "dns/edns.hpp"
#include "dns/rdata.hpp"
#include "doctor/probe.hpp"
#include "doctor/verdict.hpp"
#include "server/log_setup.hpp"

namespace cairn::server {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool same_text(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::optional<dns::ExtendedError> extended_error(const dns::Message& m) {
    if (!m.edns) return std::nullopt;
    const dns::EdnsOption* option = m.edns->find(dns::EdnsOptionCode::EDE);
    return option == nullptr ? std::nullopt : dns::parse_ede(option->data);
}

// The failure type `cairn doctor` would most likely name for what a probe saw (the probe asks with RD, as a
// client of the server does): silence is resolver-down; SERVFAIL saying no authority answered is
// authoritative-down; a DNSSEC EDE is dnssec; a negative answer for a name expected to exist may be a
// negative-cache outage. A guess from one answer: the log line gives the command that proves it.
std::optional<doctor::Failure> likely_failure(const doctor::QueryResult& result, bool negative) {
    if (!result.answered()) return doctor::Failure::resolver_down;
    if (const auto ede = extended_error(*result.message)) {
        if (ede->info_code == 22 || ede->info_code == 23) return doctor::Failure::authoritative_down;
        if ((ede->info_code >= 1 && ede->info_code <= 12 && ede->info_code != 3 && ede->info_code != 4) ||
            ede->info_code == 25)
            return doctor::Failure::dnssec;
    }
    if (negative) return doctor::Failure::negative_cache;
    return std::nullopt;
}

}  // namespace

ProbeCheck check_probe_answer(const ProbeSettings& probe, const doctor::QueryResult& result) {
    ProbeCheck check;
    if (!result.answered()) {
        check.problem = "no answer: " + result.describe();
        return check;
    }
    const dns::Message& m = *result.message;
    check.rcode = dns::rcode_to_text(m.rcode());
    for (const dns::ResourceRecord& rr : m.answer) {
        if (rr.type == probe.type) check.answer.push_back(dns::rdata_to_text(rr.type, rr.rdata));
    }
    if (m.rcode() != dns::Rcode::NOERROR) {
        check.problem = check.rcode;
        if (const auto ede = extended_error(m)) {
            const std::string_view name = dns::ede_code_name(ede->info_code);
            check.problem += fmt::format(" (EDE {}{}{}{})", ede->info_code, name.empty() ? "" : " ", name,
                                         ede->extra_text.empty() ? "" : ": " + ede->extra_text);
        }
        return check;
    }
    if (check.answer.empty()) {
        check.problem = "no " + dns::type_to_text(probe.type) + " record in the answer (NODATA)";
        return check;
    }
    for (const std::string& wanted : probe.expect) {
        const bool found = std::any_of(check.answer.begin(), check.answer.end(),
                                       [&](const std::string& got) { return same_text(got, wanted); });
        if (!found) {
            check.problem = "the answer lacks " + wanted;
            return check;
        }
    }
    check.ok = true;
    return check;
}

SyntheticProbes::SyntheticProbes() : thread_([this] { run(); }) {}

SyntheticProbes::~SyntheticProbes() {
    stop();
}

void SyntheticProbes::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void SyntheticProbes::configure(std::vector<ProbeSettings> probes, const net::Endpoint& self) {
    std::lock_guard lock(mutex_);
    // The previous targets point into the previous probes: both are kept until the new ones are built.
    const std::vector<ProbeSettings> previous_probes = std::move(probes_);
    const std::vector<Target> previous = std::move(targets_);
    probes_ = std::move(probes);
    targets_.clear();
    const auto now = SteadyClock::now();
    for (const ProbeSettings& probe : probes_) {
        const std::vector<net::Endpoint> servers =
            probe.servers.empty() ? std::vector<net::Endpoint>{self} : probe.servers;
        for (const net::Endpoint& server : servers) {
            Target target;
            target.probe = &probe;
            target.server = server;
            target.due = now;
            target.state.probe = probe.label;
            target.state.type = dns::type_to_text(probe.type);
            target.state.server = server.to_string();
            for (const Target& old : previous) {
                if (*old.probe == probe && old.server == server) {
                    target.state = old.state;  // unchanged: its counters and streak go on
                    target.due = old.due;
                }
            }
            targets_.push_back(std::move(target));
        }
    }
    wake_.notify_all();
}

std::vector<stats::ProbeGauge> SyntheticProbes::gauge() const {
    std::lock_guard lock(mutex_);
    std::vector<stats::ProbeGauge> out;
    out.reserve(targets_.size());
    for (const Target& target : targets_)
        out.push_back(target.state);
    return out;
}

void SyntheticProbes::record(Target& target, const doctor::QueryResult& result, std::int64_t now) {
    const ProbeSettings& probe = *target.probe;
    const ProbeCheck check = check_probe_answer(probe, result);
    stats::ProbeGauge& s = target.state;
    const bool was_failing = s.ran && !s.ok;
    ++s.runs;
    s.ran = true;
    s.ok = check.ok;
    s.last_run = now;
    s.rtt_ms = result.answered() ? std::optional(result.rtt_ms) : std::nullopt;
    s.rcode = check.rcode;
    s.answer = check.answer;
    s.problem = check.problem;
    const std::string what = fmt::format("probe {} {} at {}", probe.label, s.type, s.server);
    if (!check.ok) {
        ++s.failures;
        if (!was_failing) {
            s.failing_since = now;
            const bool negative = result.answered() &&
                                  (result.message->rcode() == dns::Rcode::NXDOMAIN ||
                                   (result.message->rcode() == dns::Rcode::NOERROR && check.answer.empty()));
            const std::optional<doctor::Failure> failure = likely_failure(result, negative);
            logs::general().warn("{}: failing: {}; {}run `cairn doctor {} {} --resolver {}` for the verdict",
                                 what, check.problem,
                                 failure ? fmt::format("likely {}; ", doctor::failure_name(*failure)) : "",
                                 probe.name.to_text(), s.type, s.server);
        }
    } else if (was_failing) {
        logs::general().info("{}: passes again after {} s ({})", what, now - s.failing_since.value_or(now),
                             result.describe());
        s.failing_since.reset();
    }
}

void SyntheticProbes::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto next = SteadyClock::time_point::max();
        for (const Target& target : targets_)
            next = std::min(next, target.due);
        if (next > SteadyClock::now()) {
            if (next == SteadyClock::time_point::max())
                wake_.wait(lock);
            else
                wake_.wait_until(lock, next);
            continue;
        }
        // The due targets of the first due probe, asked together; the lock is released while they are.
        const ProbeSettings probe = *std::min_element(targets_.begin(), targets_.end(), [](auto& a, auto& b) {
                                         return a.due < b.due;
                                     })->probe;
        const auto now = SteadyClock::now();
        std::vector<doctor::Prober::Request> requests;
        for (Target& target : targets_) {
            if (*target.probe == probe && target.due <= now) {
                doctor::Prober::Request request;
                request.server = target.server;
                request.name = probe.name;
                request.type = probe.type;
                request.flags.rd = true;
                requests.push_back(std::move(request));
                target.due = now + probe.every;
            }
        }
        lock.unlock();
        std::vector<doctor::QueryResult> results;
        try {
            doctor::Prober prober(
                doctor::Prober::Clock::now() + probe.timeout + std::chrono::milliseconds(200), probe.timeout);
            results = prober.run(requests);
        } catch (const std::exception& e) {
            logs::general().error("probe {}: cannot send: {}", probe.label, e.what());
        }
        lock.lock();
        const std::int64_t wall = static_cast<std::int64_t>(std::time(nullptr));
        for (std::size_t i = 0; i < results.size(); ++i) {
            for (Target& target : targets_) {  // still configured (a reload may have come meanwhile)
                if (*target.probe == probe && target.server == requests[i].server)
                    record(target, results[i], wall);
            }
        }
    }
}

}  // namespace cairn::server
