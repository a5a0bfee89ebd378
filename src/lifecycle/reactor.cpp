#include "lifecycle/reactor.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace cairn::lifecycle {

namespace {

[[noreturn]] void system_error(const std::string& what) {
    throw std::runtime_error("zone events: " + what + ": " + std::strerror(errno));
}

constexpr std::uint64_t kWakeRegistration = 0;

}  // namespace

Reactor::Reactor() : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!epoll_) system_error("epoll_create1");
    if (!wake_) system_error("eventfd");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kWakeRegistration;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0) system_error("epoll_ctl");
}

Reactor::~Reactor() {
    stop();
}

void Reactor::start() {
    thread_ = std::thread([this] { run(); });
}

void Reactor::stop() {
    {
        std::lock_guard lock(posted_mutex_);
        stopping_ = true;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_.get(), &one, sizeof one);
    if (thread_.joinable() && !running_here()) thread_.join();
}

void Reactor::post(Task task) {
    {
        // Kept even when stopping: a task may own what a running callback still uses (a retired request);
        // it is destroyed with the queue, never run.
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(task));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_.get(), &one, sizeof one);
}

Reactor::TimerId Reactor::at(Clock::time_point when, Task task) {
    const TimerId id = next_timer_++;
    timer_tasks_.emplace(id, std::move(task));
    due_.push({when, id});
    return id;
}

void Reactor::cancel(TimerId id) {
    timer_tasks_.erase(id);
}

void Reactor::watch(int fd, std::uint32_t events, FdHandler handler) {
    const std::uint64_t registration = next_registration_++;
    epoll_event event{};
    event.events = events;
    event.data.u64 = registration;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) system_error("epoll_ctl add");
    handlers_[fd] = Watched{registration, std::make_shared<FdHandler>(std::move(handler))};
    registrations_[registration] = fd;
}

void Reactor::modify(int fd, std::uint32_t events) {
    const auto found = handlers_.find(fd);
    if (found == handlers_.end()) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = found->second.registration;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &event) != 0) system_error("epoll_ctl mod");
}

void Reactor::unwatch(int fd) {
    const auto found = handlers_.find(fd);
    if (found == handlers_.end()) return;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    registrations_.erase(found->second.registration);
    handlers_.erase(found);
}

void Reactor::drain_posted() {
    std::deque<Task> tasks;
    {
        std::lock_guard lock(posted_mutex_);
        tasks.swap(posted_);
    }
    for (auto& task : tasks) {
        task();
    }
}

int Reactor::next_timeout_ms() {
    while (!due_.empty() && timer_tasks_.count(due_.top().id) == 0)
        due_.pop();  // cancelled
    if (due_.empty()) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due_.top().when - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 3600 * 1000));
}

void Reactor::fire_due_timers() {
    const auto now = Clock::now();
    while (!due_.empty() && due_.top().when <= now) {
        const TimerId id = due_.top().id;
        due_.pop();
        const auto found = timer_tasks_.find(id);
        if (found == timer_tasks_.end()) continue;
        Task task = std::move(found->second);
        timer_tasks_.erase(found);
        task();
    }
}

void Reactor::run() {
    thread_id_ = std::this_thread::get_id();
    std::vector<epoll_event> events(64);
    for (;;) {
        {
            std::lock_guard lock(posted_mutex_);
            if (stopping_) break;
        }
        const int ready =
            ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), next_timeout_ms());
        if (ready < 0 && errno != EINTR) system_error("epoll_wait");
        for (int i = 0; i < ready; ++i) {
            const std::uint64_t registration = events[i].data.u64;
            if (registration == kWakeRegistration) {
                std::uint64_t count = 0;
                [[maybe_unused]] const ssize_t read = ::read(wake_.get(), &count, sizeof count);
                continue;
            }
            const auto fd = registrations_.find(registration);
            if (fd == registrations_.end()) continue;  // unwatched by an earlier handler of this batch
            const std::shared_ptr<FdHandler> handler = handlers_.at(fd->second).handler;
            (*handler)(events[i].events);
        }
        drain_posted();
        fire_due_timers();
    }
    // Abandoned: nothing posted or due runs any more; the owners of the fds close them.
}

}  // namespace cairn::lifecycle
