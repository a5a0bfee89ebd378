// What DNSSEC validation (RFC 4033-4035) takes from named.conf, as plain values with BIND 9.18's defaults:
// dnssec-validation, the trust anchors (`trust-anchors`, and the older `managed-keys` / `trusted-keys`),
// validate-except, synth-from-dnssec (RFC 8198), the NTA defaults, and the RFC 5011 timers. The limits
// against KeyTrap and NSEC3 floods (CVE-2023-50387, CVE-2023-50868) are cairn's, at least as strict as
// BIND 9.18.24+ and Unbound 1.19.1+.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dnssec/budget.hpp"

namespace cairn::resolver {

// One `trust-anchors` entry (BIND 9.15+): `NAME static-key|initial-key FLAGS PROTOCOL ALGORITHM "KEY";` or
// `NAME static-ds|initial-ds TAG ALGORITHM DIGEST-TYPE "DIGEST";`. `trusted-keys` entries are static-key,
// `managed-keys` entries initial-key. Static anchors are trusted as written for as long as they are
// configured; initial ones only start RFC 5011 maintenance (rfc5011.hpp), whose state then decides.
struct TrustAnchorConfig {
    enum class Kind : std::uint8_t { static_key, initial_key, static_ds, initial_ds };
    dns::Name zone;
    Kind kind = Kind::static_key;
    std::vector<std::uint8_t> rdata;  // DNSKEY rdata (the *-key kinds) or DS rdata (the *-ds kinds)
    bool is_ds() const { return kind == Kind::static_ds || kind == Kind::initial_ds; }
    bool is_managed() const { return kind == Kind::initial_key || kind == Kind::initial_ds; }
};

// RFC 5011 timers. BIND uses 30 days for both hold-downs and re-queries the DNSKEY RRset at most every
// 15 days and at least every hour (min(TTL/2, expiry/2)). BIND's test-only `-T mkeytimers=` shortens them;
// cairn's named.conf has `trust-anchor-hold-down-time` and `trust-anchor-refresh-time` for the same use
// (documented as test knobs: an operator has no reason to change them).
struct Rfc5011Timers {
    std::uint32_t add_hold_down = 30 * 86400;     // a new key is trusted after this (RFC 5011 §2.4.1)
    std::uint32_t remove_hold_down = 30 * 86400;  // a revoked key is forgotten after this (§2.4.2)
    std::uint32_t min_refresh = 3600;             // active refresh: at least this apart (§2.3)
    std::uint32_t max_refresh = 15 * 86400;       // and at most this apart
};

struct ValidationSettings {
    // dnssec-validation yes|auto (true) or no (false). With auto the configuration layer adds the
    // built-in root anchors (trust_anchors.hpp).
    bool enabled = false;
    std::vector<TrustAnchorConfig> anchors;
    std::vector<dns::Name> validate_except;  // permanent negative trust anchors
    bool synth_from_dnssec = true;           // RFC 8198 aggressive NSEC/NSEC3 (BIND: yes)
    std::uint32_t nta_lifetime = 3600;       // nta-lifetime (BIND: 1 hour; at most 1 week)
    std::uint32_t nta_recheck = 300;         // nta-recheck (BIND: 5 minutes; 0: never)
    // Bogus results are cached for at most this long (Unbound's val-bogus-ttl 60), cause and all.
    std::uint32_t bogus_ttl = 60;
    Rfc5011Timers rfc5011;
    // Work bounds: per upstream answer (each DNSKEY, DS or data reply) and per client query (everything
    // its resolution validates). BIND 9.18.24+: 16 validations per fetch; Unbound 1.19.1+: 8 signatures
    // at a time, 16 suspensions (128 per query), 8 NSEC3 hashes at a time.
    dnssec::WorkLimits per_answer;
    dnssec::WorkLimits per_query{64, 4, 128, 50};
};

}  // namespace cairn::resolver
