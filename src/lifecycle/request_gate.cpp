#include "lifecycle/request_gate.hpp"

#include <algorithm>
#include <chrono>

#include "xfr/activity.hpp"

namespace cairn::lifecycle {

namespace {

// The SOA queries that may start together: a tenth of a second's worth (at least one), so that no second
// sees more than the rate and a tenth. A bucket as deep as the rate let twice the rate out in the first
// second of a burst of NOTIFYs (seen by a primary: 10 SOA queries within one second at serial-query-rate 5).
double soa_burst(std::uint32_t rate) {
    return std::max<double>(1, rate / 10);
}

}  // namespace

void RequestGate::set_limits(const Limits& limits) {
    const bool first = limits_.serial_query_rate != limits.serial_query_rate || tokens_ == 0;
    limits_ = limits;
    if (first) tokens_ = soa_burst(limits_.serial_query_rate);
    release_soa();
    release_transfers();
}

void RequestGate::refill() {
    const auto now = Reactor::Clock::now();
    const double rate = std::max<std::uint32_t>(1, limits_.serial_query_rate);
    tokens_ = std::min(soa_burst(limits_.serial_query_rate),
                       tokens_ + std::chrono::duration<double>(now - refilled_).count() * rate);
    refilled_ = now;
}

RequestGate::Ticket RequestGate::soa_query(bool urgent, Go go) {
    refill();
    if (soa_waiting_.empty() && tokens_ >= 1) {
        tokens_ -= 1;
        go();
        return 0;
    }
    const Ticket ticket = next_ticket_++;
    if (urgent) {
        soa_waiting_.push_front({ticket, std::move(go)});
    } else {
        soa_waiting_.push_back({ticket, std::move(go)});
    }
    release_soa();
    return ticket;
}

void RequestGate::release_soa() {
    refill();
    while (!soa_waiting_.empty() && tokens_ >= 1) {
        tokens_ -= 1;
        Go go = std::move(soa_waiting_.front().go);
        soa_waiting_.pop_front();
        go();
    }
    publish_waiting();
    if (soa_waiting_.empty() || soa_timer_ != 0) return;
    const double rate = std::max<std::uint32_t>(1, limits_.serial_query_rate);
    const auto wait = std::chrono::duration<double>((1 - tokens_) / rate);
    soa_timer_ = reactor_.after(
        std::chrono::duration_cast<Reactor::Clock::duration>(wait) + std::chrono::milliseconds(1), [this] {
            soa_timer_ = 0;
            release_soa();
        });
}

RequestGate::Ticket RequestGate::transfer(const std::string& primary, std::uint32_t per_primary, Go go) {
    const Ticket ticket = next_ticket_++;
    transfer_waiting_.push_back({ticket, primary, std::max<std::uint32_t>(1, per_primary), std::move(go)});
    release_transfers();
    // Released at once: the ticket is spent.
    const bool waiting = std::any_of(transfer_waiting_.begin(), transfer_waiting_.end(),
                                     [&](const TransferWaiter& w) { return w.ticket == ticket; });
    return waiting ? ticket : 0;
}

void RequestGate::transfer_done(const std::string& primary) {
    if (running_ > 0) --running_;
    const auto found = per_primary_running_.find(primary);
    if (found != per_primary_running_.end() && --found->second == 0) per_primary_running_.erase(found);
    release_transfers();
}

void RequestGate::release_transfers() {
    const std::size_t limit = std::max<std::uint32_t>(1, limits_.transfers_in);
    for (auto it = transfer_waiting_.begin(); it != transfer_waiting_.end() && running_ < limit;) {
        std::uint32_t& from_primary = per_primary_running_[it->primary];
        if (from_primary >= it->limit) {
            ++it;  // that primary is busy; the next waiter may be for another one
            continue;
        }
        ++from_primary;
        ++running_;
        Go go = std::move(it->go);
        it = transfer_waiting_.erase(it);
        go();  // may queue more; the iterator stays valid for a deque only at the ends: restart
        it = transfer_waiting_.begin();
    }
    publish_waiting();
}

void RequestGate::withdraw(Ticket ticket) {
    if (ticket == 0) return;
    std::erase_if(soa_waiting_, [&](const SoaWaiter& w) { return w.ticket == ticket; });
    std::erase_if(transfer_waiting_, [&](const TransferWaiter& w) { return w.ticket == ticket; });
    publish_waiting();
}

void RequestGate::publish_waiting() const {
    xfr::transfer_activity().deferred = static_cast<unsigned>(waiting());
}

}  // namespace cairn::lifecycle
