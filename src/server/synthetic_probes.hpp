// Synthetic probes (issue 17; cairn's own `probe "NAME" { ... };` statement, beyond BIND): cairnd asks NAME
// TYPE, with RD set, of each configured server (or of itself) every `every` seconds, through the doctor's
// query batches (doctor/probe.hpp: random port and ID, TCP on TC), and records per probe and server the
// latency, rcode and answer of the last run, its runs and failures, and since when it fails. A server that
// starts failing a probe is logged (a warning with the reason and the `cairn doctor` command that names the
// failure type), and again when it passes again. One thread of its own: nothing here is on the query path.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "doctor/observations.hpp"
#include "net/endpoint.hpp"
#include "server/settings.hpp"
#include "stats/probes_report.hpp"

namespace cairn::server {

// What one answer (or its absence) says about a probe: passed, or why not.
struct ProbeCheck {
    bool ok = false;
    std::string rcode;                // "" without an answer
    std::vector<std::string> answer;  // the records of the probe's type, presentation format
    std::string problem;              // "" when ok
};
ProbeCheck check_probe_answer(const ProbeSettings& probe, const doctor::QueryResult& result);

class SyntheticProbes {
  public:
    SyntheticProbes();
    ~SyntheticProbes();
    SyntheticProbes(const SyntheticProbes&) = delete;
    SyntheticProbes& operator=(const SyntheticProbes&) = delete;

    // At start and after each reload (main thread): the probes to run, and cairnd's own address for those
    // that name no server. A probe and server unchanged keep their counters and failing streak; the first
    // run of a new one is due at once.
    void configure(std::vector<ProbeSettings> probes, const net::Endpoint& self);
    // The results now, in configuration order (statistics threads).
    std::vector<stats::ProbeGauge> gauge() const;
    void stop();

  private:
    struct Target {
        const ProbeSettings* probe = nullptr;
        net::Endpoint server;
        stats::ProbeGauge state;
        std::chrono::steady_clock::time_point due;
    };
    void run();
    void record(Target& target, const doctor::QueryResult& result, std::int64_t now);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::vector<ProbeSettings> probes_;  // what targets_ point into; replaced only with targets_
    std::vector<Target> targets_;
    std::thread thread_;
};

}  // namespace cairn::server
