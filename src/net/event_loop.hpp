// A single-threaded event loop for the work that waits on the network outside the query workers: the
// recursive resolver's upstream queries (net/upstream_client.hpp). Sockets are watched with epoll, timers
// kept in a heap (epoll_wait's timeout wakes the loop for the earliest), and other threads hand it work with
// post(), which an eventfd wakes it for.
//
// Everything but post() and stop() runs on the loop's own thread (callbacks included), so what a loop owns
// needs no lock.
//
// Why this and not libuv, libevent or Asio (all in Debian): the query workers already run their own epoll
// and recvmmsg loops, tuned system call by system call (docs/benchmarks.md), and none of those libraries
// would replace them; they would only add a second event model beside the first, with its own allocation
// per operation (libuv requests, Asio handlers) and a dependency for what is here a hundred lines over
// epoll_wait. The resolver needs sockets, one timer per upstream query and a cross-thread queue: nothing
// a library does better at this scale.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <unordered_map>
#include <vector>

#include "net/fd.hpp"

namespace cairn::net {

class EventLoop {
  public:
    using Clock = std::chrono::steady_clock;
    using TimerId = std::uint64_t;

    // What a watched socket calls back; `events` are epoll's (EPOLLIN, EPOLLOUT, EPOLLERR, ...).
    class Watcher {
      public:
        virtual void on_ready(std::uint32_t events) = 0;

      protected:
        ~Watcher() = default;
    };

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Loop thread. Throws net::Error when epoll refuses the descriptor.
    void watch(int fd, std::uint32_t events, Watcher& watcher);
    void modify(int fd, std::uint32_t events, Watcher& watcher);
    void unwatch(int fd);  // before the descriptor is closed

    // Loop thread: `callback` runs at `when` (or on the next turn when that has passed). A cancelled timer
    // never runs; cancelling one that ran or was cancelled does nothing.
    TimerId at(Clock::time_point when, std::function<void()> callback);
    void cancel(TimerId id);

    // Loop thread: `task` runs at the end of this turn, once every event of the turn has been handled. A
    // watcher that finishes frees itself this way: an event of the same turn may still name it.
    void at_end_of_turn(std::function<void()> task) { end_of_turn_.push_back(std::move(task)); }

    // Any thread: `task` runs on the loop's thread soon. Tasks posted after stop() are dropped.
    void post(std::function<void()> task);

    // Runs until stop(); then runs what was posted before stop() and returns.
    void run();
    // Runs one turn: waits at most `max_wait` for events (or the next timer), handles them, returns.
    void run_once(Clock::duration max_wait);
    void stop();  // any thread
    bool stopping() const;

    // The loop's idea of now: read once per turn, so that callbacks of one turn agree on it.
    Clock::time_point now() const { return now_; }

    std::size_t pending_timers() const { return callbacks_.size(); }

  private:
    struct Timer {
        Clock::time_point when;
        TimerId id;
        bool operator>(const Timer& other) const { return when > other.when; }
    };
    class Wakeup;

    void run_posted();
    void run_timers();
    void run_end_of_turn();
    int wait_milliseconds(Clock::duration max_wait) const;

    Fd epoll_;
    Fd wakeup_;
    Clock::time_point now_;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::unordered_map<TimerId, std::function<void()>> callbacks_;
    TimerId next_timer_ = 1;
    std::vector<std::function<void()>> end_of_turn_;

    mutable std::mutex posted_mutex_;
    std::vector<std::function<void()>> posted_;
    bool stopped_ = false;  // under posted_mutex_
};

}  // namespace cairn::net
