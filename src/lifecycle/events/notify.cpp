// The notify event (RFC 1996 §3.6): tells the zone's secondaries of the version it serves, a primary after
// each load, a secondary after each transfer (§3.5: it is a primary to its own secondaries). The targets are
// BIND's: the zone's NS targets except the SOA MNAME, their addresses taken from the zone itself, minus our
// own addresses, plus also-notify (or also-notify alone with `notify explicit`). Each target is retried with
// backoff until it answers (xfr::NotifyRound); the event only sends what is due and schedules itself again
// for the next retry, so a silent secondary never holds the zone's other events. A new round waits for
// notify-delay after the previous one began, as BIND's. Each message waits its turn at notify-rate (the
// zone's first round after its first load at startup-notify-rate, BIND's DNS_ZONEFLG_NEEDSTARTUPNOTIFY):
// RequestGate paces them over all zones, so a server starting or reloading thousands of zones does not flood
// its secondaries.
#include <utility>

#include "lifecycle/events/handlers.hpp"
#include "zone/diff.hpp"

namespace cairn::lifecycle {

namespace {

std::int64_t seconds_now() {
    return wall_now() / 1000;
}

}  // namespace

std::map<std::string, xfr::Primary> notify_targets(Runtime& rt, Zone& zone) {
    NotifyRun& run = zone.notify;
    const ZoneConfig& config = zone.config;
    std::vector<std::string> also;
    for (const auto& target : config.also_notify)
        also.push_back(target.to_text());
    const xfr::NotifyTargets targets =
        xfr::notify_targets(*zone.version, config.notify, also, rt.own_addresses);
    if (!run.explained) {  // once per zone: it stays true until the configuration changes
        run.explained = true;
        for (const auto& name : targets.unresolved)
            rt.log(LogTopic::notify, LogLevel::info,
                   "{}: NS {} has no address in zones served here; not notified (use also-notify)",
                   config.label(), name.to_text());
        for (const auto& address : targets.ourselves)
            rt.log(LogTopic::notify, LogLevel::info, "{}: NS address {} is this server; not notified",
                   config.label(), address);
    }
    std::map<std::string, xfr::Primary> out;
    for (const auto& address : targets.addresses) {
        const auto hash = address.find('#');  // also-notify entries carry their port
        xfr::Primary target;
        target.address = address.substr(0, hash);
        if (hash != std::string::npos)
            target.port = static_cast<std::uint16_t>(std::stoul(address.substr(hash + 1)));
        const auto parsed = dns::IpAddress::parse(target.address);
        if (!parsed) continue;
        if (rt.blackholed && rt.blackholed(*parsed)) continue;
        const ServerRule* rule = server_rule_for(config.servers, *parsed);
        if (rule != nullptr && rule->bogus.value_or(false)) continue;
        if (rule != nullptr) target.key = rule->key;
        for (const auto& configured : config.also_notify) {
            if (configured.to_text() == address) target.key = configured.key;
        }
        out.emplace(target.to_text(), std::move(target));
    }
    return out;
}

Peer notify_peer(const Zone& zone, const xfr::Primary& target) {
    Peer peer = peer_of(target, zone.config.notify_source, zone.config.notify_source_v6);
    if (const ServerRule* rule = server_rule_for(zone.config.servers, peer.address)) {
        const auto& source = peer.address.is_v6() ? rule->notify_source_v6 : rule->notify_source;
        if (source) peer.source = source;
    }
    return peer;
}

namespace {

// Messages of an older round still waiting for notify-rate are not sent: the new round tells of a newer
// serial.
void withdraw_queued(Runtime& rt, NotifyRun& run) {
    for (const auto& [key, ticket] : run.queued)
        rt.gate.withdraw(ticket);
    run.queued.clear();
}

// A new round for the served serial: its targets, with the key and source each is sent with.
void start_round(Runtime& rt, Zone& zone) {
    NotifyRun& run = zone.notify;
    withdraw_queued(rt, run);
    run.startup_round = std::exchange(run.startup, false);
    run.targets = notify_targets(rt, zone);
    std::vector<std::string> keys;
    for (const auto& [key, target] : run.targets)
        keys.push_back(key);
    run.serial = zone.version->serial();
    run.soa = zone::soa_record(*zone.version);
    run.last_round = wall_now();
    if (keys.empty()) {
        run.round.reset();
        return;
    }
    run.round.emplace(std::move(keys), seconds_now(), rt.timeouts.notify_first_retry,
                      rt.timeouts.notify_attempts);
}

void transmit(Runtime& rt, const ZonePtr& zone, const std::string& key, const xfr::Primary& target,
              std::uint32_t serial, const zone::Record& soa);

// Queues the message to `key` at the gate (at most one per target waits: a retry that comes due meanwhile is
// the same message).
void send(Runtime& rt, const ZonePtr& zone, const std::string& key) {
    NotifyRun& run = zone->notify;
    if (run.queued.count(key) != 0) return;
    const std::uint64_t ticket =
        rt.gate.notify(run.startup_round,
                       [&rt, zone, key, target = run.targets.at(key), serial = run.serial, soa = *run.soa] {
                           zone->notify.queued.erase(key);
                           if (!zone->removed) transmit(rt, zone, key, target, serial, soa);
                       });
    if (ticket != 0) run.queued[key] = ticket;
}

void transmit(Runtime& rt, const ZonePtr& zone, const std::string& key, const xfr::Primary& target,
              std::uint32_t serial, const zone::Record& soa) {
    NotifyRun& run = zone->notify;
    const Peer peer = notify_peer(*zone, target);
    ++zone->state.counters.notifies_sent;
    ++rt.totals.notifies_sent;
    // Keyed by target and round: a message of an older round still counts when its answer (or silence)
    // comes, even after a newer round began.
    const std::string flight = key + " " + std::to_string(serial) + " " + std::to_string(run.sends++);
    run.in_flight[flight] = std::make_unique<NotifyOut>(
        rt.reactor, target, peer, zone->config.origin, soa, rt.timeouts.notify,
        // The keyring the target's key lives in, kept until the answer is verified (a reload may replace it).
        [&rt, zone, key, flight, serial, keyring = zone->config.keys,
         signer = target.key != nullptr ? " (TSIG key " + target.key->name.to_text() + ")"
                                        : std::string()](NotifyOut::Outcome outcome) {
            (void)keyring;  // held, not read
            NotifyRun& run = zone->notify;
            if (auto found = run.in_flight.find(flight); found != run.in_flight.end()) {
                rt.reactor.post([retired = std::shared_ptr<NotifyOut>(std::move(found->second))] {});
                run.in_flight.erase(found);
            }
            const std::string label = zone->config.label();
            const bool acknowledged = outcome.rcode == dns::Rcode::NOERROR;
            if (!acknowledged) {
                ++zone->state.counters.notifies_failed;
                ++rt.totals.notifies_failed;
            }
            if (outcome.rcode) {
                if (acknowledged) {
                    rt.log(LogTopic::notify, LogLevel::info, "{}: sent notify for serial {} to {}{}", label,
                           serial, key, signer);
                } else {
                    rt.log(LogTopic::notify, LogLevel::warning, "{}: notify for serial {} to {} answered {}",
                           label, serial, key, dns::rcode_to_text(*outcome.rcode));
                }
                // Any answer ends the retries (an error answer will not change by asking again).
                if (run.round && run.serial == serial) run.round->answered(key);
            } else {
                rt.log(LogTopic::notify, LogLevel::info, "{}: notify for serial {} to {}{}: {}", label,
                       serial, key, signer, outcome.error);
            }
            zone->state.last_notify = {
                seconds_now(), acknowledged,
                acknowledged
                    ? "serial " + std::to_string(serial) + " to " + key
                    : key + ": " + (outcome.rcode ? dns::rcode_to_text(*outcome.rcode) : outcome.error)};
            if (run.round && run.round->finished()) {
                for (const auto& gone : run.round->given_up())
                    rt.log(LogTopic::notify, LogLevel::warning, "{}: gave up notifying {}", label, gone);
                run.round.reset();
                schedule_secondary_check(rt, *zone, true);
            }
            zone->state.notifies_pending = run.round ? run.round->pending() : 0;
            rt.publish(*zone, false);
        });
}

}  // namespace

void schedule_notify(Runtime& rt, Zone& zone) {
    if (zone.config.notify == xfr::NotifyMode::No && zone.config.also_notify.empty()) return;
    if (zone.version == nullptr) return;
    const WallMs earliest = zone.notify.last_round + WallMs{zone.config.notify_delay} * 1000;
    zone.notify.round.reset();  // a newer serial replaces the round still running for the older one
    zone.notify.serial = 0;
    zone.notify.wanted = true;
    rt.scheduler.reschedule(zone.events, EventType::notify, std::max(wall_now(), earliest));
}

void event_notify(Runtime& rt, const ZonePtr& zone) {
    Zone& z = *zone;
    if (z.version == nullptr || !z.answerable) {
        rt.done(z);
        return;
    }
    if (z.notify.wanted && !rt.visible_to_queries(z)) {
        // The new version is not in the query path's snapshot yet (the server publishes within ~100 ms).
        rt.scheduler.schedule(z.events, EventType::notify, wall_now() + 20);
        rt.done(z);
        return;
    }
    // A new round only when one was asked for (a new version, the operator); a retry of an older round
    // that comes due after a newer version arrived waits for that version's own round instead.
    if (z.notify.wanted) {
        z.notify.wanted = false;
        start_round(rt, z);
        // The periodic checks start with the first round (a silent target keeps a round going for a minute).
        if (z.notify.round) schedule_secondary_check(rt, z, false);
    } else if (z.notify.round && z.notify.serial != z.version->serial()) {
        z.notify.round.reset();
    }
    if (z.notify.round) {
        for (const std::string& key : z.notify.round->due(seconds_now()))
            send(rt, zone, key);
        z.state.notifies_pending = z.notify.round->pending();
        if (!z.notify.round->finished()) {
            rt.scheduler.schedule(z.events, EventType::notify, z.notify.round->next_event() * 1000);
        } else if (z.notify.in_flight.empty() && z.notify.queued.empty()) {
            for (const auto& gone : z.notify.round->given_up())
                rt.log(LogTopic::notify, LogLevel::warning, "{}: gave up notifying {}", z.config.label(),
                       gone);
            z.notify.round.reset();
            schedule_secondary_check(rt, z, true);
        }
    }
    rt.publish(z, false);
    rt.done(z);
}

}  // namespace cairn::lifecycle
