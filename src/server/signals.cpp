#include "server/signals.hpp"

#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <ctime>

namespace cairn::server {

namespace {

int wake_signal() {
    return SIGRTMIN;
}

std::atomic<pthread_t> waiting_thread{};
std::atomic<bool> has_waiting_thread{false};

}  // namespace

SignalWaiter::SignalWaiter() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGHUP);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, wake_signal());
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    waiting_thread = pthread_self();
    has_waiting_thread = true;
}

SignalWaiter::~SignalWaiter() {
    has_waiting_thread = false;
    // A wake-up still pending would kill the process once unblocked (a realtime signal's default action).
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, wake_signal());
    const timespec now{};
    while (sigtimedwait(&wake, nullptr, &now) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

Signal SignalWaiter::wait(std::chrono::milliseconds timeout) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
    const int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig == SIGHUP) return Signal::reload;
    if (sig == SIGTERM || sig == SIGINT) return Signal::stop;
    if (sig == wake_signal()) return Signal::wake;
    return Signal::none;  // timeout or EINTR
}

void SignalWaiter::wake() {
    // Directed at the waiting thread, which blocks it until wait() takes it.
    if (has_waiting_thread) pthread_kill(waiting_thread.load(), wake_signal());
}

}  // namespace cairn::server
