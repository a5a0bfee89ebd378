// The key state machine of RFC 7583 as "Flexible and Robust Key Rollover" (van Rijswijk-Deij et al.)
// formalises it, the way BIND 9.18's key manager runs it (lib/dns/keymgr.c, keymgr_update): each key has
// a goal (omnipresent: it wants to be used; hidden: it wants to go) and four records whose state moves
// hidden -> rumoured -> omnipresent -> unretentive -> hidden: its DNSKEY, the zone's RRSIGs it makes
// (ZRRSIG, ZSK/CSK), the DNSKEY RRset's RRSIGs it makes (KRRSIG, KSK/CSK) and its DS at the parent
// (KSK/CSK). A record moves when
//   - the rollover method allows it (pre-publication for a ZSK: the DNSKEY is omnipresent before its
//     signatures are introduced; double-DS for a KSK: the DS is only introduced once the DNSKEY is),
//   - the zone stays valid for every validator: there is always a DS, a DNSKEY with its KRRSIG, and
//     RRSIGs that chain to it (equations 3a-3i), and
//   - enough time has passed for caches to have seen the previous state (transition times below, from
//     dnskey-ttl, publish-safety, retire-safety, zone-propagation-delay, max-zone-ttl, signatures-validity
//     minus signatures-refresh, parent-ds-ttl, parent-propagation-delay and the DS seen at the parent).
// The states and the time each last changed are the .state file's (dnssec/key_files.hpp), so a zone moves
// between BIND and cairn mid-rollover.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "dnssec/key_files.hpp"

namespace cairn::signer {

// The records of a key, in BIND's order (DST_KEY_DNSKEY, ZRRSIG, KRRSIG, DS).
enum class KeyRecord : std::uint8_t { dnskey, zrrsig, krrsig, ds };
inline constexpr std::size_t kKeyRecords = 4;
const char* to_text(KeyRecord record);

// A key of the zone as the key manager holds it.
struct ManagedKey {
    dnssec::BindKey key;
    std::uint16_t tag = 0;
    bool modified = false;  // its files must be written
    bool created = false;   // generated in this run
    bool purged = false;    // its files were removed (purge-keys)
};
using Keyring = std::vector<ManagedKey>;

ManagedKey managed(dnssec::BindKey key);

std::optional<dnssec::KeyState> record_state(const dnssec::BindKey& key, KeyRecord record);
void set_record_state(ManagedKey& key, KeyRecord record, dnssec::KeyState state, std::uint32_t now);
// The key's roles from its .state file (KSK/ZSK lines); unset lines count as no.
bool has_ksk_role(const dnssec::BindKey& key);
bool has_zsk_role(const dnssec::BindKey& key);
dnssec::KeyState goal_of(const dnssec::BindKey& key);  // hidden when unset (dst_key_goal)

// What the states mean for the signed zone (BIND's dst_key_is_published / is_signing, syncpublish):
// the DNSKEY is in the zone, the key signs the zone / the DNSKEY RRset, its CDS and CDNSKEY are published.
bool dnskey_published(const dnssec::BindKey& key);
bool signs_zone_now(const dnssec::BindKey& key);
bool signs_keys_now(const dnssec::BindKey& key);
bool cds_published(const dnssec::BindKey& key);
// No timing but Created, and every state time only for a hidden record: a key made ahead and never used.
bool is_unused(const dnssec::BindKey& key);
// Active for its roles: activation passed, and (states win over times) its DS / zone RRSIGs introduced.
bool is_active(const dnssec::BindKey& key, std::uint32_t now);

// The policy's intervals as BIND's kasp gives them.
std::uint32_t zone_max_ttl(const config::DnssecPolicy& policy);  // max-zone-ttl, one week when 0
std::uint32_t sign_delay(const config::DnssecPolicy& policy);    // validity - refresh (Dsgn)
std::uint32_t key_ttl(const dnssec::BindKey& key, const config::DnssecPolicy& policy);

// Moves every record of every key as far as the rules allow at `now` (repeating until nothing moves), as
// keymgr_update. `next_event` is lowered to the earliest time a waiting transition becomes due (0 stays
// "none yet"). `to_insecure`: the policy has no keys (the zone goes unsigned). Changed keys are marked
// modified with the change time set.
void update_key_states(Keyring& keys, const config::DnssecPolicy& policy, std::uint32_t now,
                       std::uint32_t& next_event, bool to_insecure = false);

}  // namespace cairn::signer
