// Checking one RRset's signatures with a zone's keys (RFC 4035 §5.3), and a DNSKEY RRset against its DS
// set or trust anchor (§5.2), under a work budget (CVE-2023-50387): each RRSIG's validity times first
// (cheap), then at most `keys_per_signature` keys with its tag and algorithm, each verification charged to
// the budget. One good signature by a key of the zone is enough (RFC 6840 §5.11: any algorithm the zone
// uses). When none is good the judgement says precisely why, for the EDE and its EXTRA-TEXT:
//   7  RRSIG example.com/A by key 12345 expired 2026-04-10T12:00:00Z
//   8  RRSIG example.com/A by key 12345 not valid before 2026-04-10T12:00:00Z
//   25 RRSIG example.com/A by key 12345 expires before it is valid
//   6  RRSIG example.com/A by key 12345 does not verify / no DNSKEY 12345 (algorithm 13) in example.com
//   10 no RRSIG for example.com/A in secure zone example.com
//   9  DS 12345/13/2 for example.com matches no DNSKEY
//   11 DNSKEY 12345 for example.com matches DS 12345/13/2 but is no zone key
//   5  gave up on example.com/A: more than 16 signature verifications for one answer (KeyTrap limit)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "dnssec/budget.hpp"
#include "resolver/cache_entry.hpp"
#include "resolver/key_cache.hpp"
#include "resolver/reply_classifier.hpp"

namespace cairn::resolver {

struct Judgement {
    Security security = Security::bogus;  // secure, bogus, or indeterminate (the budget ran out)
    std::optional<dns::EdeCode> ede;
    std::string text;
    std::uint8_t rrsig_labels = 0;  // secure: the good RRSIG's label count (below the owner's: a wildcard)
    std::uint32_t ttl = 0;          // secure: min(TTL, original TTL, time to the good RRSIG's expiration)
    bool secure() const { return security == Security::secure; }
    static Judgement fail(Security s, dns::EdeCode code, std::string text) {
        Judgement j;
        j.security = s;
        j.ede = code;
        j.text = std::move(text);
        return j;
    }
};

// Names in EXTRA-TEXTs have no trailing dot (Name::to_text_without_dot): "example.com/A".
std::string rrset_text(const dns::Name& owner, dns::RRType type);
// "gave up on X: more than 16 signature verifications ..." for the limit the budget hit.
std::string budget_text(const dnssec::WorkBudget& budget, const std::string& what);

// Checks `set`'s RRSIGs made by `signer` with `keys` (the signer's zone keys) at Unix time `now`.
Judgement verify_rrset(const RRsetData& set, const dns::Name& signer, std::span<const ZoneKey> keys,
                       std::int64_t now, dnssec::WorkBudget& budget);

// DS records (or an anchor's DS records) cairn can use for a zone: a supported algorithm and digest type,
// and SHA-1 only where the same key has no other digest (RFC 4509 §3). `unsupported` says what was left
// out when nothing is usable: EDE 1 (algorithms) or 2 (digest types).
struct UsableDs {
    std::vector<std::vector<std::uint8_t>> ds;
    std::optional<dns::EdeCode> unsupported;
    std::string unsupported_text;  // "DS 12345/253/2 for example.com: algorithm 253 not supported"
};
UsableDs usable_ds(const dns::Name& zone, const std::vector<std::vector<std::uint8_t>>& ds);

// The DNSKEY RRset of `zone` against the DS records `ds` (already filtered by usable_ds) and the trusted
// DNSKEY records `anchor_keys` (trust anchors given as keys): a key must match one of them and sign the
// RRset. On success `keys` receives the RRset's zone keys.
Judgement verify_dnskey_rrset(const RRsetData& dnskeys, const dns::Name& zone,
                              const std::vector<std::vector<std::uint8_t>>& ds,
                              const std::vector<std::vector<std::uint8_t>>& anchor_keys, std::int64_t now,
                              dnssec::WorkBudget& budget, std::vector<ZoneKey>& keys);

// The signer named by an RRset's RRSIGs: the first whose signer is the owner or an ancestor of it and at
// or below `bailiwick`. nullopt when there is none.
std::optional<dns::Name> rrsig_signer(const RRsetData& set, const dns::Name& bailiwick);

}  // namespace cairn::resolver
