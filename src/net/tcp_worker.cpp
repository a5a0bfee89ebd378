#include "net/tcp_worker.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>

#include "net/error.hpp"
#include "net/limits.hpp"
#include "net/sockets.hpp"

namespace cairn::net {

namespace {

constexpr int kMaxEvents = 128;
constexpr int kAcceptsPerEvent = 32;

}  // namespace

TcpWorker::TcpWorker(unsigned index, WorkerShared& shared)
    : index_(index), shared_(shared), epoll_(epoll_create1(EPOLL_CLOEXEC)), tcp_scratch_(kMaxTcpMessage) {
    if (!epoll_) throw Error(system_message("epoll_create1", errno));
    watch(&stop_, shared_.stop_fd, EPOLLIN);
    watch(&replies_, replies_.fd(), EPOLLIN);
}

TcpWorker::~TcpWorker() {
    while (!connections_.empty())
        close(*connections_.front());
}

void TcpWorker::watch(Pollable* source, int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = source;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw Error(system_message("epoll_ctl", errno));
}

void TcpWorker::add_listener(Fd fd, const Endpoint& local) {
    listeners_.push_back(std::make_unique<Listener>(std::move(fd), local));
    watch(listeners_.back().get(), listeners_.back()->fd.get(), EPOLLIN);
}

void TcpWorker::run() {
    using Clock = TcpConnection::Clock;
    const TcpTimeouts& t = shared_.tcp_timeouts;
    const auto sweep_every = std::clamp(std::min({t.initial, t.idle, t.keepalive}) / 4,
                                        std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
    auto next_sweep = Clock::now() + sweep_every;
    std::array<epoll_event, kMaxEvents> events;
    PacketHandler& handler = *shared_.handler;
    bool stopping = false;
    while (!stopping) {
        const int n =
            epoll_wait(epoll_.get(), events.data(), kMaxEvents, static_cast<int>(sweep_every.count()));
        if (n < 0 && errno != EINTR) throw Error(system_message("epoll_wait", errno));
        const auto now = Clock::now();
        handler.begin_batch(index_);
        for (int i = 0; i < n; ++i) {
            auto* source = static_cast<Pollable*>(events[i].data.ptr);
            switch (source->kind) {
                case Pollable::Kind::listener:
                    try {
                        accept_clients(*static_cast<Listener*>(source), now);
                    } catch (const std::exception&) {
                        shared_.failures.fetch_add(1, std::memory_order_relaxed);
                    }
                    break;
                case Pollable::Kind::connection: {
                    auto& connection = *static_cast<TcpConnection*>(source);
                    // Closed earlier in this round (to make room for a new one): its event is stale.
                    if (!connection.retired) service(connection, events[i].events, now);
                    break;
                }
                case Pollable::Kind::stop:
                    stopping = true;
                    break;
                case Pollable::Kind::replies:
                    deliver_replies(now);
                    break;
                case Pollable::Kind::udp:
                    break;  // UDP sockets are served by the UDP thread
            }
        }
        handler.end_batch(index_);
        if (now >= next_sweep) {
            close_expired(now);
            next_sweep = now + sweep_every;
        }
        retired_.clear();
    }
}

void TcpWorker::accept_clients(Listener& listener, TcpConnection::Clock::time_point now) {
    for (int i = 0; i < kAcceptsPerEvent; ++i) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        Fd fd(accept4(listener.fd.get(), reinterpret_cast<sockaddr*>(&peer), &len,
                      SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) return;  // EAGAIN, or the client already went away
        const bool full = open_ >= shared_.tcp_clients_per_worker ||
                          shared_.tcp_open.load(std::memory_order_relaxed) >= shared_.tcp_clients;
        if (full && !make_room()) continue;  // nothing idle to give up: closing at once sends it elsewhere
        shared_.tcp_open.fetch_add(1);
        raise_high_water(shared_.tcp_high_water, shared_.tcp_open.load(std::memory_order_relaxed));
        const int one = 1;
        setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // pipelined replies go out at once
        Endpoint local = listener.local;
        if (local.address.is_unspecified()) local = local_endpoint(fd.get());
        const std::uint64_t id = next_id_++;
        auto connection = std::make_unique<TcpConnection>(
            std::move(fd), Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&peer)), local, index_,
            shared_.tcp_timeouts, now, id, &replies_);
        auto* raw = connection.get();
        connections_.push_front(std::move(connection));
        raw->position = connections_.begin();
        by_id_.emplace(id, raw);
        raw->registered_events = EPOLLIN;
        ++open_;
        watch(raw, raw->fd(), EPOLLIN);
    }
}

void TcpWorker::service(TcpConnection& connection, std::uint32_t events,
                        TcpConnection::Clock::time_point now) {
    bool keep = false;
    try {
        keep = connection.service(events, *shared_.handler, tcp_scratch_, now);
    } catch (const std::exception&) {
        shared_.failures.fetch_add(1, std::memory_order_relaxed);
    }
    if (!keep) {
        close(connection);
        return;
    }
    const std::uint32_t wanted = connection.wanted_events();
    if (wanted != connection.registered_events) {
        epoll_event ev{};
        ev.events = wanted;
        ev.data.ptr = &connection;
        epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, connection.fd(), &ev);
        connection.registered_events = wanted;
    }
}

void TcpWorker::deliver_replies(TcpConnection::Clock::time_point now) {
    for (const TcpReplyQueue::Reply& reply : replies_.take()) {
        const auto found = by_id_.find(reply.connection);
        if (found == by_id_.end()) continue;  // the connection closed meanwhile: the reply is lost with it
        TcpConnection& connection = *found->second;
        connection.deliver_later_reply(reply.message, now);
        service(connection, 0, now);
    }
}

void TcpWorker::close(TcpConnection& connection) {
    by_id_.erase(connection.id());
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, connection.fd(), nullptr);
    // Kept until the round's events are handled: one of them may still point at it.
    connection.retired = true;
    retired_.push_back(std::move(*connection.position));
    connections_.erase(connection.position);
    --open_;
    shared_.tcp_open.fetch_sub(1);
}

void TcpWorker::close_expired(TcpConnection::Clock::time_point now) {
    for (auto it = connections_.begin(); it != connections_.end();) {
        auto& connection = **it++;
        if (connection.expired(now)) close(connection);
    }
}

bool TcpWorker::make_room() {
    TcpConnection* idlest = nullptr;
    for (const auto& connection : connections_) {
        if (connection->busy()) continue;
        if (idlest == nullptr || connection->last_activity() < idlest->last_activity())
            idlest = connection.get();
    }
    if (idlest == nullptr) return false;
    close(*idlest);
    return true;
}

}  // namespace cairn::net
