// One configured zone's state, the single record every reader shares: `rndc zonestatus`, the statistics
// channel (/metrics, /json, the status page) and the query path (why a zone answers SERVFAIL) read
// snapshots of it; nobody copies it field by field. The lifecycle's event thread is its only writer and
// publishes a fresh immutable snapshot after every change.
//
// A primary's view of its own secondaries (its NOTIFY targets): what each answered to the SOA queries sent
// after every NOTIFY round and periodically (issue 17; the article: alert when a secondary diverges for
// longer than five minutes). Neither BIND nor Knot nor NSD watches its secondaries.
//
// Serials as NSD's xfrd keeps them: the one served, the one committed to disk (the zone file or the
// journal), the one a NOTIFY announced, and what the primary answered last. Timers as Knot and
// store::ZoneTimers keep them. Each kind of work (load, refresh, transfer, notify) keeps its last outcome
// with its time and, when it failed, the reason in words an operator can act on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "lifecycle/zone_config.hpp"
#include "store/zone_timers.hpp"

namespace cairn::lifecycle {

// Where a zone stands, as the health signals show it.
enum class ZonePhase : std::uint8_t {
    loading,          // configured, its first load not finished
    loaded,           // served and, for a secondary, its last refresh succeeded
    failed,           // its file could not be loaded (a primary, or a secondary's saved copy is broken)
    refreshing,       // a secondary checking or transferring from its primaries
    refresh_failing,  // a secondary whose last refresh failed: retrying, serving its copy until EXPIRE
    expired,          // a secondary past EXPIRE without a successful refresh: SERVFAIL until one succeeds
};
std::string_view to_string(ZonePhase phase);  // "loaded", "refresh failing", ...

// The last time one kind of work ran for the zone.
struct Outcome {
    std::int64_t at = 0;  // seconds since the epoch; 0: never
    bool ok = false;
    std::string detail;  // what happened ("transferred serial 7 (incremental) from ...") or why it failed
};

struct ZoneCounters {
    std::uint64_t load_failures = 0;
    std::uint64_t refresh_failures = 0;
    std::uint64_t transfers_in = 0, transfers_in_failed = 0;
    std::uint64_t notifies_sent = 0, notifies_failed = 0;  // NOTIFY messages (retries included)
    std::uint64_t notifies_received = 0;
};

// One secondary of the zone, as its last SOA checks found it.
struct SecondaryStatus {
    std::string address;                  // "192.0.2.1#53"
    std::optional<std::uint32_t> serial;  // the serial it answered last (unset: never answered)
    std::int64_t checked_at = 0;          // the last check (answered or not); seconds since the epoch
    std::int64_t answered_at = 0;         // the last check it answered
    // Since when it has not served our current serial: when the first serial it lacks was served here (or,
    // if it never answered, the first check). 0: in step.
    std::int64_t behind_since = 0;
    std::int64_t expires_at = 0;  // its copy's expiry from its EDNS EXPIRE (RFC 7314); 0: not told
    std::string error;            // why the last check got no usable answer; empty: it answered
    bool lagging = false;         // behind for longer than secondary-lag-warning (logged once)
};

// The secondary's serials behind `served` (RFC 1982 distance), 0 when in step or ahead or unknown.
std::uint32_t serials_behind(const SecondaryStatus& secondary, std::optional<std::uint32_t> served);

// A key a signed zone is signed with, as `rndc zonestatus` and `rndc dnssec -status` show it.
struct SigningKeyStatus {
    std::uint16_t tag = 0;
    std::uint8_t algorithm = 0;
    std::string role;  // "KSK", "ZSK" or "CSK"
    std::string file;  // "Kexample.com.+013+12345"
    std::int64_t created = 0;
    std::optional<std::uint32_t> lifetime;  // seconds; unset: unlimited
};

struct ZoneState {
    // Identity.
    std::string view{kDefaultView};
    dns::Name origin;
    dns::RRClass rclass = dns::RRClass::IN;
    ZoneRole role = ZoneRole::primary;
    std::string file;

    ZonePhase phase = ZonePhase::loading;
    // Why the zone is not served, or not served fresh: the failed load ("FILE:LINE: ..."), the failing
    // refresh, the expiry. Empty when all is well.
    std::string problem;

    // Serials (unset: none yet).
    std::optional<std::uint32_t> served_serial;
    std::optional<std::uint32_t> committed_serial;
    std::optional<std::uint32_t> notified_serial;
    std::optional<std::uint32_t> primary_serial;
    std::string primary;  // who answered last ("192.0.2.1#53")
    // Set while the primary's serial is lower than ours (RFC 1982): the warning with both serials and the
    // fix. multi-master zones leave it empty, as BIND stays quiet for them.
    std::string serial_warning;

    std::uint64_t nodes = 0;
    std::uint64_t records = 0;
    std::int64_t loaded_at = 0;  // when the served version was loaded or transferred

    store::ZoneTimers timers;  // secondaries: last/next refresh and the expire deadline
    bool full_transfer_pending = false;

    Outcome last_load, last_refresh, last_transfer, last_notify, last_save;
    ZoneCounters counters;
    std::uint32_t notifies_pending = 0;  // targets of the current round not answered nor given up yet

    std::optional<std::uint64_t> journal_bytes, journal_entries;  // unset: the zone keeps no journal

    // Signed zones: the earliest RRSIG expiration of the version served (Unix time; 0: unsigned), and the
    // warning it is under: 14 or 7 (days or fewer left), 0 for none.
    std::int64_t signatures_expire = 0;
    std::uint32_t signatures_warning_days = 0;

    std::vector<SecondaryStatus> secondaries;  // by address, as the last checks found them
    std::uint32_t secondary_lag_warning = 0;   // seconds behind before a secondary is `lagging`
    // Signed zones (dnssec-policy): the policy, the zone file's serial beside the signed one served, the
    // keys signing, the earliest RRSIG expiration of the served version and when it is re-signed next
    // (seconds since the epoch).
    std::string dnssec_policy;  // "" when not signed
    std::optional<std::uint32_t> unsigned_serial;
    std::vector<SigningKeyStatus> signing_keys;
    std::optional<std::uint32_t> rrsig_earliest_expiry;
    std::int64_t next_resign = 0;
    std::int64_t next_key_event = 0;  // the key manager's next transition or rollover (0: none)
    Outcome last_sign;

    std::string label() const;  // "zone example.com/IN[/view]"
    bool served() const { return served_serial.has_value() && phase != ZonePhase::expired; }
};

}  // namespace cairn::lifecycle
