// Automated updates of DNSSEC trust anchors (RFC 5011) for `initial-key` / `initial-ds` anchors (BIND's
// managed keys). Each validated DNSKEY RRset of a managed zone (signed by a key trusted now) moves its keys'
// states on:
//
//   a new SEP key                        -> AddPend, trusted once the add hold-down (30 days) has passed
//                                           with the key seen all along (a key gone while pending is
//                                           forgotten);
//   a trusted key absent from the RRset  -> Missing (still trusted, RFC 5011 §4), Valid again when back;
//   a key with REVOKE set, self-signed   -> Revoked (never trusted again), forgotten after the remove
//                                           hold-down (30 days).
//
// At initialisation (no state for the zone yet) the keys that match the configured initial anchor are
// trusted and the other SEP keys of the RRset start AddPend, as BIND does. The state is written to a file
// after every change and read back at start, so that a restart neither forgets a key nor trusts one
// again (a revoked key stays revoked even if the configuration still lists it).
//
// Each change is also told as BIND's managed-keys zone logs it ("Key 12345 for zone . is now trusted
// (acceptance timer complete)", "New key 12345 observed for zone 'example': starting 30-day acceptance
// timer", "Trusted key 12345 for zone example is now revoked", ...): take_events() hands the lines to the
// owner, which logs them under "managed-keys-zone: ".
//
// Thread-safe (one mutex; changes are rare). Time is Unix time.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "resolver/reply_classifier.hpp"
#include "resolver/validation_settings.hpp"

namespace cairn::resolver {

enum class ManagedKeyState : std::uint8_t { add_pending, valid, missing, revoked };
std::string_view to_string(ManagedKeyState s);

struct ManagedKey {
    std::vector<std::uint8_t> dnskey;  // the DNSKEY rdata, REVOKE bit clear (the key's identity)
    std::uint16_t tag = 0;             // of that rdata
    std::uint8_t algorithm = 0;
    ManagedKeyState state = ManagedKeyState::add_pending;
    std::int64_t first_seen = 0;
    std::int64_t trust_at = 0;   // add_pending: when it becomes trusted
    std::int64_t remove_at = 0;  // revoked: when it is forgotten
    bool trusted() const { return state == ManagedKeyState::valid || state == ManagedKeyState::missing; }
};

struct ManagedZone {
    dns::Name zone;
    bool initialised = false;                // a DNSKEY RRset has been seen since the anchor was configured
    std::vector<TrustAnchorConfig> initial;  // the configured initial-key / initial-ds anchors
    std::vector<ManagedKey> keys;
    std::int64_t last_refresh = 0;  // when a validated DNSKEY RRset was last seen
    std::int64_t next_refresh = 0;  // when to ask again (RFC 5011 §2.3)
};

// BIND's test-only `named -T mkeytimers=HOUR[/DAY[/MONTH]]` (seconds; DAY defaults to 24 HOURs, MONTH to
// 30 DAYs): the refresh is at least HOUR and at most 15 DAYs apart, both hold-downs last a MONTH, so that a
// test rolls a key in seconds. nullopt when the text does not parse or a value is 0.
std::optional<Rfc5011Timers> rfc5011_timers_from_text(std::string_view text);

class ManagedKeys {
  public:
    explicit ManagedKeys(Rfc5011Timers timers = {}) : timers_(timers) {}

    // The configured initial anchors (call before load_state and use).
    void configure(const std::vector<TrustAnchorConfig>& initial);
    bool empty() const;

    // A DNSKEY RRset of `zone`, already validated with a key trusted now (DnssecValidator checks that).
    // `ttl`: the RRset's TTL (for the next refresh). True when the trusted set changed.
    bool observe(const dns::Name& zone, const RRsetData& dnskeys, std::uint32_t ttl, std::int64_t now);
    // Time passing alone (hold-downs ending between two fetches); true when the trusted set changed.
    bool tick(std::int64_t now);
    // A refresh failed: ask again in min_refresh.
    void refresh_failed(const dns::Name& zone, std::int64_t now);
    // `rndc managed-keys refresh`: every zone is due now.
    void refresh_now();
    // `rndc managed-keys sync`: the file is to be written even though nothing changed.
    void mark_dirty();

    // Zones whose DNSKEY RRset should be asked for again now; each is postponed by min_refresh so that one
    // slow answer does not bring a flood of refreshes.
    std::vector<dns::Name> due(std::int64_t now);

    // What to trust now, per managed zone: DNSKEY rdata of the trusted keys; for a zone not initialised yet,
    // the configured initial anchors (their DS or DNSKEY rdata, `is_ds` says which).
    struct Trusted {
        dns::Name zone;
        std::vector<std::vector<std::uint8_t>> dnskeys;
        std::vector<std::vector<std::uint8_t>> ds;
    };
    std::vector<Trusted> trusted() const;
    std::vector<ManagedZone> zones() const;

    // The state file: "; comment" lines, then per key
    //   ZONE STATE TRUST_AT REMOVE_AT FIRST_SEEN DNSKEY-RDATA
    // with times as YYYYMMDDHHMMSS ("-" for none), and "ZONE initialised LAST_REFRESH" per zone. Keys of
    // zones no longer configured are dropped when loading. Throws std::runtime_error on a line that does not
    // parse (nothing is changed then).
    std::string to_text(std::int64_t now) const;
    void load_text(const std::string& text);
    // The file was changed by observe/tick since the last call (the owner writes it then).
    bool take_dirty();
    // The state changes since the last call, as BIND's log lines (without the "managed-keys-zone: ").
    std::vector<std::string> take_events();

  private:
    ManagedZone* find(const dns::Name& zone);
    std::int64_t refresh_interval(std::uint32_t ttl) const;

    Rfc5011Timers timers_;
    mutable std::mutex mutex_;
    std::map<dns::Name, ManagedZone> zones_;
    bool dirty_ = false;
    std::vector<std::string> events_;
};

}  // namespace cairn::resolver
