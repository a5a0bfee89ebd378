#include "server/signals.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace cairn::server {

SignalWaiter::SignalWaiter() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGHUP);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

SignalWaiter::~SignalWaiter() {
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

Signal SignalWaiter::wait(std::chrono::milliseconds timeout) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
    const int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig == SIGHUP) return Signal::reload;
    if (sig == SIGTERM || sig == SIGINT) return Signal::stop;
    return Signal::none;  // timeout or EINTR
}

}  // namespace cairn::server
