// The zone lifecycle's event loop: one thread that waits on epoll for the sockets of SOA queries, zone
// transfers and NOTIFYs in flight and on a heap of timers, so that thousands of zones wait on the network at
// once without a thread each, and a primary that drops every packet costs a timer, never another zone's
// time (NSD's xfrd works the same way; BIND's zone manager runs on its event loop too).
//
// Everything registered runs on the reactor's thread. Other threads hand it work with post() (a queue and
// an eventfd), which is also how results of blocking work done on the WorkerPool come back.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/fd.hpp"

namespace cairn::lifecycle {

class Reactor {
  public:
    using Clock = std::chrono::steady_clock;
    using Task = std::function<void()>;
    using FdHandler = std::function<void(std::uint32_t events)>;  // EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP
    using TimerId = std::uint64_t;

    Reactor();
    ~Reactor();  // stops and joins the thread when it runs
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    // Runs the loop on a thread of its own until stop().
    void start();
    // Ends the loop (from any thread, the reactor's own included) and joins it when called from another
    // thread. Tasks posted and timers not yet due are dropped: whatever is in flight is abandoned.
    void stop();
    bool running_here() const { return std::this_thread::get_id() == thread_id_; }

    // Any thread: runs `task` on the reactor thread, in the order posted.
    void post(Task task);

    // Reactor thread only.
    TimerId at(Clock::time_point when, Task task);
    TimerId after(Clock::duration delay, Task task) { return at(Clock::now() + delay, std::move(task)); }
    void cancel(TimerId id);  // unknown or fired ids are ignored
    // Calls `handler` whenever `fd` is ready for `events` (level-triggered) until unwatch().
    void watch(int fd, std::uint32_t events, FdHandler handler);
    void modify(int fd, std::uint32_t events);
    void unwatch(int fd);

    // How many fds and timers are registered (tests, and the idle check of the benchmark).
    std::size_t watched() const { return handlers_.size(); }
    std::size_t timers() const { return timer_tasks_.size(); }

  private:
    void run();
    void drain_posted();
    int next_timeout_ms();
    void fire_due_timers();

    net::Fd epoll_;
    net::Fd wake_;  // eventfd
    std::mutex posted_mutex_;
    std::deque<Task> posted_;
    bool stopping_ = false;  // under posted_mutex_
    std::thread thread_;
    std::thread::id thread_id_;

    struct Due {
        Clock::time_point when;
        TimerId id;
        bool operator>(const Due& other) const {
            return when != other.when ? when > other.when : id > other.id;
        }
    };
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
    std::unordered_map<TimerId, Task> timer_tasks_;  // cancelled timers are erased here, skipped in due_
    TimerId next_timer_ = 1;
    // A handler may unwatch its own fd (or another's) while it runs, and a closed fd's number may come
    // back at once for a new socket: epoll carries a registration number, never the fd, and stale events
    // of a finished registration are dropped.
    struct Watched {
        std::uint64_t registration;
        std::shared_ptr<FdHandler> handler;
    };
    std::unordered_map<int, Watched> handlers_;
    std::unordered_map<std::uint64_t, int> registrations_;
    std::uint64_t next_registration_ = 1;
};

}  // namespace cairn::lifecycle
