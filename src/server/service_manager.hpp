// Telling systemd how the daemon is doing: the sd_notify(3) protocol for units of Type=notify, written here
// rather than linking libsystemd for four messages. A state is one datagram of "KEY=VALUE" lines sent to the
// AF_UNIX socket $NOTIFY_SOCKET names (a path, or an abstract socket written with a leading '@'). Without
// that variable (not started by systemd, or not Type=notify) every call does nothing.
//
//   READY=1      the sockets are bound and the zones loaded: systemd starts the units ordered after us
//   RELOADING=1  a reload began (with MONOTONIC_USEC, as systemd 253's Type=notify-reload wants); READY=1
//                again when it is over, whether it succeeded or kept the previous configuration
//   STOPPING=1   shutting down
//   STATUS=...   one line `systemctl status` shows: the number of zones served
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "server/settings.hpp"

namespace cairn::server::service_manager {

// Sends one state; false when there is no $NOTIFY_SOCKET or the datagram could not be sent.
bool notify(std::string_view state);

// The zones `settings` configures, in every view: what STATUS= and `rndc status` count.
std::size_t zone_count(const Settings& settings);

void ready(std::size_t zones);  // READY=1 and STATUS=serving N zones
void reloading();
void stopping();

// RELOADING=1 at construction, READY=1 (with the zone count as it is then) at destruction: put one at the
// top of the reload, whichever way it returns.
class ReloadNotice {
  public:
    explicit ReloadNotice(std::function<std::size_t()> zones) : zones_(std::move(zones)) { reloading(); }
    ~ReloadNotice() { ready(zones_()); }
    ReloadNotice(const ReloadNotice&) = delete;
    ReloadNotice& operator=(const ReloadNotice&) = delete;

  private:
    std::function<std::size_t()> zones_;
};

}  // namespace cairn::server::service_manager
