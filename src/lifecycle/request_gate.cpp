#include "lifecycle/request_gate.hpp"

#include <algorithm>
#include <chrono>

#include "xfr/activity.hpp"

namespace cairn::lifecycle {

namespace {

// What may start together: a tenth of a second's worth (at least one), so that no second sees more than the
// rate and a tenth. A bucket as deep as the rate let twice the rate out in the first second of a burst of
// NOTIFYs (seen by a primary: 10 SOA queries within one second at serial-query-rate 5).
double burst(std::uint32_t rate) {
    return std::max<double>(1, rate / 10);
}

}  // namespace

void RequestGate::set_limits(const Limits& limits) {
    limits_ = limits;
    set_rate(soa_, limits_.serial_query_rate);
    set_rate(notify_, limits_.notify_rate);
    set_rate(startup_notify_, limits_.startup_notify_rate);
    release_transfers();
}

void RequestGate::set_rate(Paced& paced, std::uint32_t rate) {
    rate = std::max<std::uint32_t>(1, rate);  // BIND takes 0 as 1
    if (paced.rate != rate || paced.tokens == 0) paced.tokens = burst(rate);
    paced.rate = rate;
    release(paced);
}

RequestGate::Ticket RequestGate::soa_query(bool urgent, Go go) {
    return pace(soa_, urgent, std::move(go));
}

RequestGate::Ticket RequestGate::notify(bool startup, Go go) {
    return pace(startup ? startup_notify_ : notify_, false, std::move(go));
}

RequestGate::Ticket RequestGate::pace(Paced& paced, bool urgent, Go go) {
    const Ticket ticket = next_ticket_++;
    if (urgent) {
        paced.waiting.push_front({ticket, std::move(go)});
    } else {
        paced.waiting.push_back({ticket, std::move(go)});
    }
    release(paced);
    // Released at once: the ticket is spent.
    const bool waiting = std::any_of(paced.waiting.begin(), paced.waiting.end(),
                                     [&](const Paced::Waiter& w) { return w.ticket == ticket; });
    return waiting ? ticket : 0;
}

void RequestGate::release(Paced& paced) {
    const auto now = Reactor::Clock::now();
    paced.tokens =
        std::min(burst(paced.rate),
                 paced.tokens + std::chrono::duration<double>(now - paced.refilled).count() * paced.rate);
    paced.refilled = now;
    while (!paced.waiting.empty() && paced.tokens >= 1) {
        paced.tokens -= 1;
        Go go = std::move(paced.waiting.front().go);
        paced.waiting.pop_front();
        go();
    }
    publish_waiting();
    if (paced.waiting.empty() || paced.timer != 0) return;
    const auto wait = std::chrono::duration<double>((1 - paced.tokens) / paced.rate);
    paced.timer = reactor_.after(
        std::chrono::duration_cast<Reactor::Clock::duration>(wait) + std::chrono::milliseconds(1),
        [this, &paced] {
            paced.timer = 0;
            release(paced);
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
    for (Paced* paced : {&soa_, &notify_, &startup_notify_})
        std::erase_if(paced->waiting, [&](const Paced::Waiter& w) { return w.ticket == ticket; });
    std::erase_if(transfer_waiting_, [&](const TransferWaiter& w) { return w.ticket == ticket; });
    publish_waiting();
}

void RequestGate::publish_waiting() const {
    xfr::transfer_activity().deferred = static_cast<unsigned>(waiting());
}

}  // namespace cairn::lifecycle
