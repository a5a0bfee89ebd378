#include "net/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "net/error.hpp"

namespace cairn::net {

namespace {

constexpr int kMaxEvents = 64;

// The eventfd's registration: a tag that is never a Watcher.
char kWakeupTag;

}  // namespace

EventLoop::EventLoop()
    : epoll_(epoll_create1(EPOLL_CLOEXEC)),
      wakeup_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      now_(Clock::now()) {
    if (!epoll_) throw Error(system_message("epoll_create1", errno));
    if (!wakeup_) throw Error(system_message("eventfd", errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &kWakeupTag;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wakeup_.get(), &ev) != 0)
        throw Error(system_message("epoll_ctl", errno));
}

void EventLoop::watch(int fd, std::uint32_t events, Watcher& watcher) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = &watcher;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw Error(system_message("epoll_ctl", errno));
}

void EventLoop::modify(int fd, std::uint32_t events, Watcher& watcher) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = &watcher;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) throw Error(system_message("epoll_ctl", errno));
}

void EventLoop::unwatch(int fd) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::at(Clock::time_point when, std::function<void()> callback) {
    const TimerId id = next_timer_++;
    timers_.push({when, id});
    callbacks_.emplace(id, std::move(callback));
    return id;
}

void EventLoop::cancel(TimerId id) {
    callbacks_.erase(id);  // its heap entry is skipped when it comes up
}

void EventLoop::post(std::function<void()> task) {
    bool was_empty = false;
    {
        std::lock_guard lock(posted_mutex_);
        if (stopped_) return;
        was_empty = posted_.empty();
        posted_.push_back(std::move(task));
    }
    if (was_empty) {
        const std::uint64_t one = 1;
        if (::write(wakeup_.get(), &one, sizeof one) < 0) {
            // EAGAIN only when the counter would overflow: the loop is awake already.
        }
    }
}

void EventLoop::stop() {
    {
        std::lock_guard lock(posted_mutex_);
        stopped_ = true;
    }
    const std::uint64_t one = 1;
    if (::write(wakeup_.get(), &one, sizeof one) < 0) {
        // As in post().
    }
}

bool EventLoop::stopping() const {
    std::lock_guard lock(posted_mutex_);
    return stopped_;
}

int EventLoop::wait_milliseconds(Clock::duration max_wait) const {
    if (!end_of_turn_.empty()) return 0;  // queued outside a turn: run them without waiting
    Clock::duration wait = max_wait;
    // Skip cancelled timers at the top without popping (const): a cancelled one only wakes the loop early.
    if (!timers_.empty()) {
        const auto until = timers_.top().when - Clock::now();
        if (until < wait) wait = until;
    }
    if (wait <= Clock::duration::zero()) return 0;
    // Rounded up, so that the loop does not wake a little before the timer and spin until it is due.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    return ms > 1'000'000 ? 1'000'000 : static_cast<int>(ms);
}

void EventLoop::run_posted() {
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(posted_mutex_);
        tasks.swap(posted_);
    }
    for (auto& task : tasks)
        task();
}

void EventLoop::run_timers() {
    while (!timers_.empty() && timers_.top().when <= now_) {
        const TimerId id = timers_.top().id;
        timers_.pop();
        const auto found = callbacks_.find(id);
        if (found == callbacks_.end()) continue;  // cancelled
        std::function<void()> callback = std::move(found->second);
        callbacks_.erase(found);
        callback();
    }
    // Cancelled timers at the top would keep waking the loop early: drop them now.
    while (!timers_.empty() && callbacks_.count(timers_.top().id) == 0)
        timers_.pop();
}

void EventLoop::run_once(Clock::duration max_wait) {
    std::array<epoll_event, kMaxEvents> events;
    const int n = epoll_wait(epoll_.get(), events.data(), kMaxEvents, wait_milliseconds(max_wait));
    if (n < 0 && errno != EINTR) throw Error(system_message("epoll_wait", errno));
    now_ = Clock::now();
    bool woken = false;
    for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == &kWakeupTag) {
            std::uint64_t count = 0;
            if (::read(wakeup_.get(), &count, sizeof count) < 0) {
                // EAGAIN: already drained.
            }
            woken = true;
            continue;
        }
        static_cast<Watcher*>(events[i].data.ptr)->on_ready(events[i].events);
    }
    if (woken) run_posted();
    run_timers();
    run_end_of_turn();
}

void EventLoop::run_end_of_turn() {
    while (!end_of_turn_.empty()) {
        std::vector<std::function<void()>> tasks;
        tasks.swap(end_of_turn_);
        for (auto& task : tasks)
            task();
    }
}

void EventLoop::run() {
    while (!stopping())
        run_once(std::chrono::seconds(1));
    run_posted();
    run_end_of_turn();  // what the last tasks finished is freed while its owners are still alive
}

}  // namespace cairn::net
