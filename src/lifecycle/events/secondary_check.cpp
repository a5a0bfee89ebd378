// The secondary_check event (issue 17, beyond BIND): a zone that notifies asks each of its NOTIFY targets
// (NS targets and also-notify, notify_targets()) for the zone's SOA, a few seconds after every NOTIFY round
// ends and every secondary-check-interval seconds, with the SOA check the refresh uses (SoaCheck, UDP with
// TCP on TC, signed with the key the target is notified with, asking EDNS EXPIRE). Each answer updates the
// target's SecondaryStatus in the zone's state: its serial, since when it lacks ours, its copy's expiry
// from EDNS EXPIRE. A secondary behind (or silent) for longer than secondary-lag-warning is logged once as
// a warning, and once more when it catches up; the article asks for an alert on divergence within five
// minutes, the default threshold.
//
// The event only sends: the answers arrive later (a silent secondary takes the SOA check's timeouts), so
// the zone's other events never wait for a secondary. The checks are SOA queries as a refresh's are, so
// they count against serial-query-rate (BIND's default 20 a second, all zones together) through the same
// RequestGate, after the refreshes a NOTIFY asked for: 10,000 zones each watching two secondaries spread
// their checks out instead of sending 20,000 queries at once.
#include <algorithm>

#include "dns/serial.hpp"
#include "lifecycle/events/handlers.hpp"

namespace cairn::lifecycle {

namespace {

// After a NOTIFY round: the secondaries' own SOA query and transfer take this long on a healthy network.
constexpr WallMs kAfterNotifyMs = 3000;

std::int64_t seconds_now() {
    return wall_now() / 1000;
}

SecondaryStatus& status_of(ZoneState& state, const std::string& address) {
    auto& all = state.secondaries;
    auto at = std::lower_bound(all.begin(), all.end(), address,
                               [](const SecondaryStatus& s, const std::string& a) { return s.address < a; });
    if (at == all.end() || at->address != address) {
        at = all.insert(at, SecondaryStatus{});
        at->address = address;
    }
    return *at;
}

// What one check found, and the warning when the secondary has been behind for too long.
void record(Runtime& rt, Zone& zone, const std::string& key, const std::optional<xfr::SoaAnswer>& answer,
            const std::optional<Failure>& failure) {
    const std::int64_t now = seconds_now();
    ZoneState& state = zone.state;
    SecondaryStatus& secondary = status_of(state, key);
    secondary.checked_at = now;
    if (answer) {
        secondary.serial = answer->serial();
        secondary.answered_at = now;
        secondary.error.clear();
        secondary.expires_at = answer->expire ? now + *answer->expire : 0;
    } else {
        secondary.error = failure ? failure->what : "no answer";
    }
    const std::optional<std::uint32_t> ours = state.served_serial;
    if (!ours) return;
    const bool behind = !secondary.serial || dns::serial_less(*secondary.serial, *ours);
    const std::string label = zone.config.label();
    if (!behind) {
        if (secondary.lagging)
            rt.log(LogTopic::notify, LogLevel::info,
                   "{}: secondary {} caught up (serial {}) after {} s behind", label, key, *secondary.serial,
                   now - secondary.behind_since);
        secondary.behind_since = 0;
        secondary.lagging = false;
        return;
    }
    // It lacks the version served since it was loaded, at least; a secondary never heard from counts from
    // the first check.
    if (secondary.behind_since == 0)
        secondary.behind_since =
            secondary.serial && state.loaded_at != 0 ? std::min(state.loaded_at, now) : now;
    const std::int64_t seconds = now - secondary.behind_since;
    if (secondary.lagging || seconds < static_cast<std::int64_t>(zone.config.secondary_lag_warning)) return;
    secondary.lagging = true;
    if (secondary.serial) {
        rt.log(LogTopic::notify, LogLevel::warning,
               "{}: secondary {} has serial {}, {} behind ours ({}), for {} s: it is not taking our "
               "transfers (check its log, its primaries and our allow-transfer){}",
               label, key, *secondary.serial, serials_behind(secondary, ours), *ours, seconds,
               secondary.error.empty() ? "" : "; last check: " + secondary.error);
    } else {
        rt.log(LogTopic::notify, LogLevel::warning, "{}: secondary {} has not answered for {} s: {}", label,
               key, seconds, secondary.error);
    }
}

// Sends one check (the gate let it go): its answer, or its failure, is recorded when it comes.
void start_check(Runtime& rt, const ZonePtr& zone, const std::string& key, const xfr::Primary& target) {
    Zone& z = *zone;
    SoaCheck::Options options;
    const Peer peer = notify_peer(z, target);
    const ServerRule* rule = server_rule_for(z.config.servers, peer.address);
    options.client.edns = rule == nullptr || rule->edns.value_or(true);
    options.client.edns_udp_size = z.config.edns_udp_size;
    options.udp = rt.timeouts.soa_udp;
    options.tcp_timeout = rt.timeouts.soa_tcp;
    options.try_tcp = false;  // a secondary's SOA is no reason for a TCP connection
    z.secondary_checks.in_flight[key] = std::make_unique<SoaCheck>(
        rt.reactor, target, peer, z.config.origin, options,
        // The keyring the target's key lives in, kept until the answer is verified.
        [&rt, zone, key, keyring = z.config.keys](std::optional<xfr::SoaAnswer> answer,
                                                  std::optional<Failure> failure) {
            (void)keyring;  // held, not read
            auto& in_flight = zone->secondary_checks.in_flight;
            if (auto found = in_flight.find(key); found != in_flight.end()) {
                rt.reactor.post([retired = std::shared_ptr<SoaCheck>(std::move(found->second))] {});
                in_flight.erase(found);
            }
            if (zone->removed) return;
            record(rt, *zone, key, answer, failure);
            rt.publish(*zone, false);
        });
}

}  // namespace

void schedule_secondary_check(Runtime& rt, Zone& zone, bool after_notify) {
    if (zone.removed || zone.config.secondary_check_interval == 0) return;
    const WallMs wait = after_notify ? kAfterNotifyMs : WallMs{zone.config.secondary_check_interval} * 1000;
    rt.scheduler.schedule(zone.events, EventType::secondary_check, wall_now() + wait);
}

void event_secondary_check(Runtime& rt, const ZonePtr& zone) {
    Zone& z = *zone;
    z.state.secondary_lag_warning = z.config.secondary_lag_warning;
    if (z.version == nullptr || !z.answerable || z.config.secondary_check_interval == 0) {
        rt.done(z);
        return;
    }
    const std::map<std::string, xfr::Primary> targets = notify_targets(rt, z);
    // Targets no longer configured (a reload, new NS records) leave the list.
    std::erase_if(z.state.secondaries,
                  [&](const SecondaryStatus& s) { return targets.count(s.address) == 0; });
    for (const auto& [key, target] : targets) {
        SecondaryChecks& checks = z.secondary_checks;
        // The last one is still waiting for the gate or for its answer.
        if (checks.in_flight.count(key) != 0 || checks.waiting.count(key) != 0) continue;
        // The target is copied (its key points into the zone's keyring, which the check holds).
        const RequestGate::Ticket ticket =
            rt.gate.soa_query(false, [&rt, zone, key = key, target = target, keyring = z.config.keys] {
                (void)keyring;  // held, not read
                zone->secondary_checks.waiting.erase(key);
                if (zone->removed) return;
                start_check(rt, zone, key, target);
            });
        if (ticket != 0) checks.waiting[key] = ticket;
    }
    if (!targets.empty()) schedule_secondary_check(rt, z, false);
    rt.publish(z, false);
    rt.done(z);
}

}  // namespace cairn::lifecycle
