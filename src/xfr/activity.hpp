// What the transfer client is doing right now, for `rndc status` ("xfers running", "xfers deferred", "soa
// queries in progress"): process-wide counts that query_soa() and fetch() keep themselves while they run,
// and the refreshes that are due but wait for their turn, which the scheduler sets.
#pragma once

#include <atomic>

namespace cairn::xfr {

struct TransferActivity {
    std::atomic<unsigned> soa_queries{0};  // SOA queries to primaries in flight
    std::atomic<unsigned> transfers{0};    // incoming AXFR and IXFR in progress
    std::atomic<unsigned> deferred{0};     // refreshes due and waiting for the transfer thread
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
