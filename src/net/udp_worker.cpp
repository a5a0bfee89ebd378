#include "net/udp_worker.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <exception>

#include "net/error.hpp"
#include "net/sockets.hpp"
#include "net/udp_coalescing.hpp"

namespace cairn::net {

namespace {

constexpr int kMaxEvents = 16;
constexpr unsigned kRoundsPerEvent = 4;  // then other sockets get a turn

void set_blocking(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        throw Error(system_message("fcntl", errno));
}

// Only the worker's own thread writes its counters: a plain add, no locked instruction.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by) {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Timers of this thread (its coalescing pauses) fire within a microsecond of their time, not within the
// default 50 µs of slack that would make a 10 µs pause several times longer.
void tighten_timer_slack() {
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
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
    UdpCoalescing coalescing(shared_.udp_coalesce);
    if (coalescing.enabled()) tighten_timer_slack();
    while (!shared_.stopping.load(std::memory_order_relaxed)) {
        // Pauses and sleeps are outside a handler batch, so that snapshot reclamation never waits for them.
        const bool pause = coalescing.pausing();
        if (pause) take_pause(coalescing);
        const std::size_t n = batch_.receive(fd, !pause);
        coalescing.received(n, n < kUdpBatch);
        if (n == 0) continue;
        count_batch(n);
        handler.begin_batch(index_);
        batch_.answer(n, fd, socket.local, handler, index_, shared_.failures);
        handler.end_batch(index_);
        batch_.send(fd);
    }
}

void UdpWorker::take_pause(const UdpCoalescing& coalescing) {
    const timespec pause = coalescing.pause();
    ::nanosleep(&pause, nullptr);  // a signal cutting it short only makes the batch smaller
    bump(counters_.pauses, 1);
}

void UdpWorker::count_batch(std::size_t datagrams) {
    bump(counters_.batches, 1);
    bump(counters_.datagrams, datagrams);
}

UdpCounters UdpWorker::counters() const {
    return {counters_.batches.load(std::memory_order_relaxed),
            counters_.datagrams.load(std::memory_order_relaxed),
            counters_.pauses.load(std::memory_order_relaxed)};
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
    UdpCoalescing coalescing(shared_.udp_coalesce);
    if (coalescing.enabled()) tighten_timer_slack();
    while (true) {
        // After a pause only what has gathered is served: epoll_wait does not block then.
        const bool pause = coalescing.pausing();
        if (pause) take_pause(coalescing);
        const int n = epoll_wait(epoll.get(), events.data(), kMaxEvents, pause ? 0 : -1);
        if (n < 0 && errno != EINTR) throw Error(system_message("epoll_wait", errno));
        std::size_t read = 0;
        bool drained = true;
        handler.begin_batch(index_);
        for (int i = 0; i < n; ++i) {
            auto* source = static_cast<Pollable*>(events[i].data.ptr);
            if (source->kind != Pollable::Kind::udp) {
                handler.end_batch(index_);
                return;  // the stop event
            }
            auto& s = *static_cast<Socket*>(source);
            const std::size_t served =
                batch_.serve(s.fd.get(), s.local, handler, index_, kRoundsPerEvent, shared_.failures);
            if (served > 0) count_batch(served);
            read += served;
            drained = drained && served < kRoundsPerEvent * kUdpBatch;
        }
        handler.end_batch(index_);
        coalescing.received(read, drained);
    }
}

}  // namespace cairn::net
