// The network front end: worker threads that receive DNS messages over UDP and TCP on every listen
// address and pass them to a PacketHandler.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "net/endpoint.hpp"
#include "net/handler.hpp"
#include "net/worker_shared.hpp"

namespace cairn::net {

struct ServerOptions {
    // Port 0 picks a free port; UDP and TCP then share it.
    std::vector<Endpoint> listen;
    unsigned workers = 0;  // 0: one per CPU
    bool udp = true;
    bool tcp = true;
    // Open connections at most (BIND's default), shared evenly by the workers. At the limit a new
    // connection closes the idlest one of its worker rather than being turned away (Knot's way), so slow
    // or idle clients cannot lock fresh ones out.
    unsigned tcp_clients = 150;
    // BIND's timeouts and defaults: for the first query of a connection, between queries, and between
    // queries of a client that uses edns-tcp-keepalive (RFC 7828).
    std::chrono::milliseconds tcp_initial_timeout{30000};
    std::chrono::milliseconds tcp_idle_timeout{30000};
    std::chrono::milliseconds tcp_keepalive_timeout{30000};
    // How long a UDP thread pauses after a batch, while queries stream in, so that the next batch gathers
    // (udp_coalescing.hpp); 0 turns it off.
    std::chrono::microseconds udp_coalesce{10};
};

class Server {
  public:
    // Binds every socket (one per worker per address and protocol, sharing the address through
    // SO_REUSEPORT). Throws net::Error when an address is in use or cannot be bound.
    Server(ServerOptions options, PacketHandler& handler);
    ~Server();  // stops
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void start();
    // Stops every worker and closes all sockets and connections; returns when the threads have ended.
    void stop();

    // The addresses actually bound, ports resolved.
    const std::vector<Endpoint>& endpoints() const;
    unsigned worker_count() const;
    // Thread indexes the handler sees are below this (see worker_shared.hpp: a UDP and a TCP thread per
    // worker); size per-thread state by it.
    unsigned thread_slots() const;
    unsigned tcp_connections() const;  // open right now, over all workers
    unsigned tcp_high_water() const;   // the most open at once since start
    unsigned tcp_limit() const;        // tcp-clients
    std::uint64_t failures() const;    // handler exceptions survived (see WorkerShared::failures)
    UdpCounters udp_counters() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::net
