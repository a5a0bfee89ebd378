// What the transfer client is doing right now, for `rndc status` ("xfers running", "xfers deferred", "soa
// queries in progress"): process-wide counts that the SOA checks and transfers keep themselves while they run
// (the zone lifecycle's SoaCheck and TransferIn, and the blocking query_soa() and fetch()), and the
// refreshes that wait for a limit (serial-query-rate, transfers-in, transfers-per-ns), which the
// lifecycle's RequestGate sets.
#pragma once

#include <atomic>

namespace cairn::xfr {

struct TransferActivity {
    std::atomic<unsigned> soa_queries{0};  // SOA queries to primaries in flight
    std::atomic<unsigned> transfers{0};    // incoming AXFR and IXFR in progress
    std::atomic<unsigned> deferred{0};     // refreshes waiting for a limit before their SOA query or transfer
};

TransferActivity& transfer_activity();

// Counts one in `counter` for its lifetime.
class InProgress {
  public:
    explicit InProgress(std::atomic<unsigned>& counter) : counter_(counter) { ++counter_; }
    ~InProgress() { --counter_; }
    InProgress(const InProgress&) = delete;
    InProgress& operator=(const InProgress&) = delete;

  private:
    std::atomic<unsigned>& counter_;
};

}  // namespace cairn::xfr
