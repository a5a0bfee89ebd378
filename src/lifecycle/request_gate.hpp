// BIND's limits on the server's outgoing work, applied to all zones together: SOA queries start at most
// serial-query-rate per second, NOTIFY messages go out at most notify-rate per second (startup-notify-rate
// for those of a zone's first load, as BIND's zone manager has one rate limiter for each), each evenly: a
// tenth of the rate at a time at most, as BIND's rate limiter ticks. At most transfers-in inbound transfers
// run at once and at most transfers-per-ns of them from one primary (a `server { transfers N; }` overrides
// that for its address).
// Waiters queue on the reactor thread instead of blocking anything; a waiter for a busy primary never holds
// up one for an idle primary, and SOA checks a NOTIFY or an operator asked for go before periodic ones (a
// NOTIFY is the news a secondary should act on first). The waiters are what `rndc status` calls "xfers
// deferred" (xfr::transfer_activity()).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "lifecycle/reactor.hpp"
#include "lifecycle/zone_config.hpp"

namespace cairn::lifecycle {

class RequestGate {
  public:
    using Go = std::function<void()>;
    using Ticket = std::uint64_t;  // 0: none

    explicit RequestGate(Reactor& reactor) : reactor_(reactor) {}

    void set_limits(const Limits& limits);

    // Calls `go` (now or later, on the reactor thread) when an SOA query may start. Returns a ticket to
    // withdraw() with while it waits; 0 when `go` already ran.
    Ticket soa_query(bool urgent, Go go);
    // Calls `go` when a NOTIFY message may be sent; `startup`: one of the zone's first round after its first
    // load (startup-notify-rate), else notify-rate.
    Ticket notify(bool startup, Go go);
    // Calls `go` when a transfer from `primary` may start; it then holds a slot until transfer_done().
    // `per_primary`: the limit for that primary (transfers-per-ns, or its server statement's).
    Ticket transfer(const std::string& primary, std::uint32_t per_primary, Go go);
    void transfer_done(const std::string& primary);
    void withdraw(Ticket ticket);

    std::size_t transfers_running() const { return running_; }
    // The refreshes waiting for a limit ("xfers deferred"); NOTIFYs waiting are not counted there.
    std::size_t waiting() const { return soa_.waiting.size() + transfer_waiting_.size(); }
    std::size_t notifies_waiting() const { return notify_.waiting.size() + startup_notify_.waiting.size(); }

  private:
    // One of BIND's rate limiters: a token bucket a tenth of a second deep, its waiters in order.
    struct Paced {
        std::uint32_t rate = 20;  // per second
        double tokens = 0;
        Reactor::Clock::time_point refilled = Reactor::Clock::now();
        Reactor::TimerId timer = 0;
        struct Waiter {
            Ticket ticket;
            Go go;
        };
        std::deque<Waiter> waiting;
    };
    void set_rate(Paced& paced, std::uint32_t rate);
    Ticket pace(Paced& paced, bool urgent, Go go);
    void release(Paced& paced);
    void release_transfers();
    void publish_waiting() const;  // xfr::transfer_activity().deferred

    Reactor& reactor_;
    Limits limits_;
    Ticket next_ticket_ = 1;

    Paced soa_, notify_, startup_notify_;

    std::size_t running_ = 0;
    std::map<std::string, std::uint32_t> per_primary_running_;
    struct TransferWaiter {
        Ticket ticket;
        std::string primary;
        std::uint32_t limit;
        Go go;
    };
    std::deque<TransferWaiter> transfer_waiting_;
};

}  // namespace cairn::lifecycle
