#include "net/udp_worker.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <exception>

#include "net/error.hpp"
#include "net/sockets.hpp"

namespace cairn::net {

namespace {

constexpr int kMaxEvents = 16;
constexpr unsigned kRoundsPerEvent = 4;  // then other sockets get a turn

void set_blocking(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        throw Error(system_message("fcntl", errno));
}

}  // namespace

UdpWorker::UdpWorker(unsigned index, WorkerShared& shared) : index_(index), shared_(shared) {}

void UdpWorker::add_socket(Fd fd, const Endpoint& local) {
    sockets_.push_back(std::make_unique<Socket>(std::move(fd), local));
}

void UdpWorker::wake() {
    // A shut-down socket wakes its sleeping reader, and reads as empty from then on.
    if (sleeps_in_receive()) ::shutdown(sockets_.front()->fd.get(), SHUT_RD);
}

void UdpWorker::run() {
    if (sockets_.empty()) return;
    if (sleeps_in_receive()) {
        run_receiving(*sockets_.front());
    } else {
        run_polling();
    }
}

void UdpWorker::run_receiving(Socket& socket) {
    const int fd = socket.fd.get();
    set_blocking(fd);
    PacketHandler& handler = *shared_.handler;
    while (!shared_.stopping.load(std::memory_order_relaxed)) {
        // Outside a handler batch while asleep, so that snapshot reclamation never waits for traffic.
        const std::size_t n = batch_.receive(fd, true);
        if (n == 0) continue;
        handler.begin_batch(index_);
        batch_.answer(n, socket.local, handler, index_, shared_.failures);
        handler.end_batch(index_);
        batch_.send(fd);
    }
}

void UdpWorker::run_polling() {
    Fd epoll(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) throw Error(system_message("epoll_create1", errno));
    Pollable stop{Pollable::Kind::stop};
    auto watch = [&](Pollable* source, int fd) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = source;
        if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
            throw Error(system_message("epoll_ctl", errno));
    };
    watch(&stop, shared_.stop_fd);
    for (auto& s : sockets_)
        watch(s.get(), s->fd.get());

    std::array<epoll_event, kMaxEvents> events;
    PacketHandler& handler = *shared_.handler;
    while (true) {
        const int n = epoll_wait(epoll.get(), events.data(), kMaxEvents, -1);
        if (n < 0 && errno != EINTR) throw Error(system_message("epoll_wait", errno));
        handler.begin_batch(index_);
        for (int i = 0; i < n; ++i) {
            auto* source = static_cast<Pollable*>(events[i].data.ptr);
            if (source->kind != Pollable::Kind::udp) {
                handler.end_batch(index_);
                return;  // the stop event
            }
            auto& s = *static_cast<Socket*>(source);
            batch_.serve(s.fd.get(), s.local, handler, index_, kRoundsPerEvent, shared_.failures);
        }
        handler.end_batch(index_);
    }
}

}  // namespace cairn::net
