// When a UDP thread pauses before its next receive so that queries gather into larger batches.
//
// A receive and a send cost the same two system calls whether they carry one query or sixty-four, and on
// a virtual machine with page-table isolation a system call (with the TLB refill after it) costs more
// than answering a query. Under a steady stream the thread wakes for almost every datagram (2.6 per read
// at 110k queries/s on loopback). Pausing a few microseconds after a batch lets the next one gather first,
// as a NIC's interrupt coalescing does: on the benchmark it took reads from 2.6 to 20.6 queries and the
// user CPU per query from 1.38 to 0.64 µs, for at most `pause` of added latency.
//
// The pause is only taken while traffic is a stream: after a receive that found at least two queries
// queued, whether it slept for the first or followed a pause. A lone query (one found, after sleeping for it)
// is answered and the thread goes back to sleep in its receive, so a quiet server neither delays answers nor
// makes extra system calls. A full batch goes straight to the next receive: more is already waiting.
#pragma once

#include <chrono>
#include <cstddef>
#include <ctime>

#include "net/limits.hpp"

namespace cairn::net {

class UdpCoalescing {
  public:
    // Fewer queries than this in a batch: the stream has thinned out and pausing would not pay for its
    // extra system call.
    static constexpr std::size_t kStreamBatch = 2;

    explicit UdpCoalescing(std::chrono::microseconds pause) : pause_(pause) {}

    bool enabled() const { return pause_.count() > 0; }

    // After each receive, blocking or not: how many queries it read, and whether it left the socket
    // drained (a receive that came back full did not).
    void received(std::size_t queries, bool drained) {
        pausing_ = enabled() && queries >= kStreamBatch && drained;
    }

    // Whether the next receive comes after a pause, and then does not block.
    bool pausing() const { return pausing_; }

    timespec pause() const {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(pause_).count();
        return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    }

  private:
    std::chrono::microseconds pause_;
    bool pausing_ = false;
};

}  // namespace cairn::net
