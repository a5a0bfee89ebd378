// One worker thread's event loop: its own UDP sockets and TCP listeners (one per listen address), the TCP
// connections it accepted, and a shared stop event.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "net/endpoint.hpp"
#include "net/fd.hpp"
#include "net/handler.hpp"
#include "net/pollable.hpp"
#include "net/tcp_connection.hpp"
#include "net/udp_batch.hpp"

namespace cairn::net {

// State every worker shares.
struct WorkerShared {
    PacketHandler* handler = nullptr;
    int stop_fd = -1;  // eventfd, readable once stop is requested
    unsigned tcp_clients = 150;
    std::chrono::milliseconds tcp_idle_timeout{30000};
    std::atomic<unsigned> tcp_open{0};
    // Exceptions out of the handler (or allocation failures): a worker survives them, losing the UDP
    // batch or the TCP connection at hand; counted so that they show.
    std::atomic<std::uint64_t> failures{0};
};

class Worker {
  public:
    struct Socket : Pollable {
        Socket(Kind kind, Fd f, const Endpoint& at) : Pollable(kind), fd(std::move(f)), local(at) {}
        Fd fd;
        Endpoint local;
    };

    Worker(unsigned index, WorkerShared& shared);
    ~Worker();
    void add_udp(Fd fd, const Endpoint& local);
    void add_listener(Fd fd, const Endpoint& local);

    void run();  // until the stop event fires

  private:
    void watch(Pollable* source, int fd, std::uint32_t events);
    void accept_clients(Socket& listener, TcpConnection::Clock::time_point now);
    void service(TcpConnection& connection, std::uint32_t events, TcpConnection::Clock::time_point now);
    void close(TcpConnection& connection);
    void close_idle(TcpConnection::Clock::time_point now);

    unsigned index_;
    WorkerShared& shared_;
    Fd epoll_;
    Pollable stop_{Pollable::Kind::stop};
    std::vector<std::unique_ptr<Socket>> sockets_;
    std::list<std::unique_ptr<TcpConnection>> connections_;
    UdpBatch udp_;
    std::vector<std::uint8_t> tcp_scratch_;
};

}  // namespace cairn::net
