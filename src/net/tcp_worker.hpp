// One worker's TCP thread: an event loop over its TCP listeners (one per listen address), the connections
// it accepted, the replies other threads post for them (TcpReplyQueue), and the shared stop event.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/endpoint.hpp"
#include "net/fd.hpp"
#include "net/handler.hpp"
#include "net/pollable.hpp"
#include "net/tcp_connection.hpp"
#include "net/worker_shared.hpp"

namespace cairn::net {

class TcpWorker {
  public:
    struct Listener : Pollable {
        Listener(Fd f, const Endpoint& at) : Pollable(Kind::listener), fd(std::move(f)), local(at) {}
        Fd fd;
        Endpoint local;
    };

    // `index`: the thread index the handler sees (tcp_thread_index).
    TcpWorker(unsigned index, WorkerShared& shared);
    ~TcpWorker();
    void add_listener(Fd fd, const Endpoint& local);

    void run();  // until the stop event fires

  private:
    void watch(Pollable* source, int fd, std::uint32_t events);
    void accept_clients(Listener& listener, TcpConnection::Clock::time_point now);
    void service(TcpConnection& connection, std::uint32_t events, TcpConnection::Clock::time_point now);
    void close(TcpConnection& connection);
    void close_expired(TcpConnection::Clock::time_point now);
    // At the connection limit: closes this thread's idlest connection that has no work in hand; false
    // when there is none (every connection of this thread is busy, or they all live on other threads).
    bool make_room();
    void deliver_replies(TcpConnection::Clock::time_point now);

    unsigned index_;
    WorkerShared& shared_;
    Fd epoll_;
    Pollable stop_{Pollable::Kind::stop};
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::list<std::unique_ptr<TcpConnection>> connections_;
    std::vector<std::unique_ptr<TcpConnection>> retired_;  // closed this round, freed at its end
    unsigned open_ = 0;                                    // connections_.size(), kept at hand
    // Connections by id, for replies posted later; ids are never reused, so a reply for a connection that
    // has closed finds nothing.
    std::unordered_map<std::uint64_t, TcpConnection*> by_id_;
    std::uint64_t next_id_ = 1;
    TcpReplyQueue replies_;
    std::vector<std::uint8_t> tcp_scratch_;
};

}  // namespace cairn::net
