// The daemon's control signals, received synchronously by the main thread: SIGHUP reloads, SIGTERM and
// SIGINT stop; a realtime signal the process sends itself (wake()) ends a wait early, so that another
// thread's news (a secondary zone's new version) is served at once instead of at the next timeout. Construct
// before starting any thread so that every thread inherits the blocked mask and only the waiting thread ever
// sees these signals.
#pragma once

#include <signal.h>

#include <chrono>

namespace cairn::server {

enum class Signal { none, reload, stop, wake };

class SignalWaiter {
  public:
    SignalWaiter();
    ~SignalWaiter();  // restores the previous mask
    SignalWaiter(const SignalWaiter&) = delete;
    SignalWaiter& operator=(const SignalWaiter&) = delete;

    // Waits up to `timeout` for a control signal; Signal::none on timeout.
    Signal wait(std::chrono::milliseconds timeout);
    // Any thread: makes the waiting thread's wait() return Signal::wake now (or its next one, at once).
    static void wake();

  private:
    sigset_t set_;
    sigset_t previous_;
};

}  // namespace cairn::server
