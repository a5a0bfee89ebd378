// State every worker thread of a server shares, and how thread indexes are numbered.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "net/handler.hpp"

namespace cairn::net {

// Each worker runs a UDP thread and a TCP thread, so that the UDP thread can sleep in recvmmsg itself
// (one system call fewer per batch than epoll_wait + recvmmsg). Thread indexes, as passed to the handler
// (ClientInfo::worker, begin_batch, end_batch): worker i's UDP thread is i, its TCP thread workers + i.
constexpr unsigned thread_slots(unsigned workers) {
    return 2 * workers;
}
constexpr unsigned udp_thread_index(unsigned worker) {
    return worker;
}
constexpr unsigned tcp_thread_index(unsigned worker, unsigned workers) {
    return workers + worker;
}

// What the UDP threads have done so far (one worker's, or summed over all).
struct UdpCounters {
    std::uint64_t batches = 0;    // receives that read at least one datagram
    std::uint64_t datagrams = 0;  // datagrams they read
    std::uint64_t pauses = 0;     // coalescing pauses taken
};

struct TcpTimeouts {
    std::chrono::milliseconds initial{30000};    // from accept to the first complete query
    std::chrono::milliseconds idle{30000};       // after a reply, for the next query
    std::chrono::milliseconds keepalive{30000};  // the same, for clients that sent edns-tcp-keepalive
};

struct WorkerShared {
    PacketHandler* handler = nullptr;
    int stop_fd = -1;                   // eventfd, readable once stop is requested
    std::atomic<bool> stopping{false};  // set before stop_fd fires and UDP sockets are shut down
    unsigned tcp_clients = 150;
    unsigned tcp_clients_per_worker = 150;  // each TCP thread's share of tcp_clients
    TcpTimeouts tcp_timeouts;
    std::chrono::microseconds udp_coalesce{0};  // see udp_coalescing.hpp; 0: never pause
    std::atomic<unsigned> tcp_open{0};
    std::atomic<unsigned> tcp_high_water{0};  // the most open at once (rndc status's "TCP high-water")
    // Exceptions out of the handler (or allocation failures): a worker survives them, losing the UDP
    // batch or the TCP connection at hand; counted so that they show.
    std::atomic<std::uint64_t> failures{0};
};

// Raises `mark` to `value` when it is lower (several threads may race; the highest wins).
inline void raise_high_water(std::atomic<unsigned>& mark, unsigned value) {
    unsigned seen = mark.load(std::memory_order_relaxed);
    while (seen < value && !mark.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

}  // namespace cairn::net
