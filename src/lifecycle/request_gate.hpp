// BIND's limits on a secondary's outgoing work, applied to all zones together: SOA queries start at most
// serial-query-rate per second (evenly: a tenth of the rate at a time at most, as BIND's rate limiter
// ticks), at most transfers-in inbound transfers run at once and at most transfers-per-ns of them from one
// primary (a `server { transfers N; }` overrides that for its address).
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
    // Calls `go` when a transfer from `primary` may start; it then holds a slot until transfer_done().
    // `per_primary`: the limit for that primary (transfers-per-ns, or its server statement's).
    Ticket transfer(const std::string& primary, std::uint32_t per_primary, Go go);
    void transfer_done(const std::string& primary);
    void withdraw(Ticket ticket);

    std::size_t transfers_running() const { return running_; }
    std::size_t waiting() const { return soa_waiting_.size() + transfer_waiting_.size(); }

  private:
    void refill();
    void release_soa();
    void release_transfers();
    void publish_waiting() const;  // xfr::transfer_activity().deferred

    Reactor& reactor_;
    Limits limits_;
    Ticket next_ticket_ = 1;

    double tokens_ = 0;
    Reactor::Clock::time_point refilled_ = Reactor::Clock::now();
    Reactor::TimerId soa_timer_ = 0;
    struct SoaWaiter {
        Ticket ticket;
        Go go;
    };
    std::deque<SoaWaiter> soa_waiting_;

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
