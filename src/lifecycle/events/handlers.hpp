// The event handlers, one file each (events/*.cpp), as Knot's src/knot/events/handlers/. Each runs on the
// reactor thread when the Scheduler starts its event, and calls Runtime::done() when the zone may start its
// next event: at once, or after its network requests and worker tasks have finished.
#pragma once

#include <map>
#include <string>

#include "lifecycle/runtime.hpp"
#include "signer/rollover.hpp"

namespace cairn::lifecycle {

void event_load(Runtime& rt, const ZonePtr& zone);
void event_refresh(Runtime& rt, const ZonePtr& zone);
void event_expire(Runtime& rt, const ZonePtr& zone);
void event_notify(Runtime& rt, const ZonePtr& zone);
void event_write_file(Runtime& rt, const ZonePtr& zone);
void event_trim_journal(Runtime& rt, const ZonePtr& zone);
void event_secondary_check(Runtime& rt, const ZonePtr& zone);
void event_signature_expiry(Runtime& rt, const ZonePtr& zone);
void event_sign(Runtime& rt, const ZonePtr& zone);

// A signed version of a zone file's version (events/sign.cpp), made on a worker: `previous` is the signed
// version served (nullptr: none yet); its difference goes to `journal`.
struct SignOutcome {
    std::shared_ptr<const zone::Zone> signed_zone;  // nullptr: signing failed (`error` says why)
    std::uint32_t earliest = 0;                     // the earliest RRSIG expiration
    std::size_t signatures = 0;
    std::vector<SigningKeyStatus> keys;  // the keys signing, for zonestatus
    std::vector<std::string> notes;      // keys generated or left out, for the log
    std::string error;
    std::string journaled;
    std::uint32_t next_key_event = 0;  // when the key manager must run again (0: none pending)
};
// `commands` (rndc dnssec -rollover / -checkds, checked when given) are applied to the key files first.
SignOutcome sign_version(const ZoneConfig& config, const zone::Zone& unsigned_zone,
                         const std::shared_ptr<const zone::Zone>& previous, store::Journal* journal,
                         std::uint64_t salt_seed, const std::vector<signer::KeyCommand>& commands = {});
// Reactor thread: serves a signing's result (or logs its failure and tries again later) and schedules the
// next signing.
void serve_signed(Runtime& rt, Zone& zone, std::shared_ptr<const zone::Zone> unsigned_version,
                  SignOutcome outcome);

// What a new version means for the zone's state (serials, size, load time); then publishes it.
void serve_version(Runtime& rt, Zone& zone, std::shared_ptr<const zone::Zone> version, std::int64_t now);
// Starts a NOTIFY round for the version served, after the zone's notify-delay.
void schedule_notify(Runtime& rt, Zone& zone);

// The zone's NOTIFY targets (BIND's: NS targets but the MNAME, with addresses from the zones served here,
// minus our own, plus also-notify; blackholed and bogus servers left out), by "address#port", each with the
// TSIG key it is sent with. The first call per configuration logs the NS targets left out.
std::map<std::string, xfr::Primary> notify_targets(Runtime& rt, Zone& zone);
// Where NOTIFY (and the secondary checks) go to `target` from: notify-source, or its server statement's.
Peer notify_peer(const Zone& zone, const xfr::Primary& target);
// Asks the secondaries for their SOA: shortly (`after_notify`: a round just ended, they are transferring)
// or after secondary-check-interval.
void schedule_secondary_check(Runtime& rt, Zone& zone, bool after_notify);
// The served version's earliest RRSIG expiration: the warning it is under now (logged when it changes) and
// the signature_expiry event at the next threshold (`at_threshold`: that event is running).
void check_signatures(Runtime& rt, Zone& zone, bool at_threshold = false);

}  // namespace cairn::lifecycle
