#include "signer/key_states.hpp"

namespace cairn::signer {

namespace {

using dnssec::KeyState;
using Pattern = std::array<std::optional<KeyState>, kKeyRecords>;  // nullopt: any state (BIND's NA)

constexpr KeyState H = KeyState::hidden;
constexpr KeyState R = KeyState::rumoured;
constexpr KeyState O = KeyState::omnipresent;
constexpr KeyState U = KeyState::unretentive;
constexpr std::nullopt_t NA = std::nullopt;
constexpr int kNoRecord = -1;

dnssec::KeyTime& change_slot(dnssec::BindKey& key, KeyRecord record) {
    switch (record) {
        case KeyRecord::dnskey:
            return key.timing.dnskey_change;
        case KeyRecord::zrrsig:
            return key.timing.zrrsig_change;
        case KeyRecord::krrsig:
            return key.timing.krrsig_change;
        case KeyRecord::ds:
            break;
    }
    return key.timing.ds_change;
}

std::optional<KeyState>& state_slot(dnssec::BindKey& key, KeyRecord record) {
    switch (record) {
        case KeyRecord::dnskey:
            return key.metadata.dnskey;
        case KeyRecord::zrrsig:
            return key.metadata.zrrsig;
        case KeyRecord::krrsig:
            return key.metadata.krrsig;
        case KeyRecord::ds:
            break;
    }
    return key.metadata.ds;
}

bool same_key(const ManagedKey& a, const ManagedKey& b) {
    return a.key.algorithm == b.key.algorithm && a.tag == b.tag;
}

bool in_use(std::optional<KeyState> s) {
    return s == R || s == O;
}

// Does `key` match `states`, pretending `subject`'s record `type` is already in `next`? An unset state
// only matches hidden (keymgr_key_match_state).
bool match(const ManagedKey& key, const ManagedKey& subject, int type, std::optional<KeyState> next,
           const Pattern& states) {
    for (std::size_t i = 0; i < kKeyRecords; ++i) {
        if (!states[i]) continue;
        std::optional<KeyState> state;
        if (next && static_cast<int>(i) == type && same_key(key, subject))
            state = next;
        else
            state = record_state(key.key, static_cast<KeyRecord>(i));
        if (!state) {
            if (states[i] != H) return false;
            continue;
        }
        if (state != states[i]) return false;
    }
    return true;
}

// d is the direct predecessor of k.
bool direct_dep(const ManagedKey& d, const ManagedKey& k) {
    return d.key.metadata.successor == k.tag && k.key.metadata.predecessor == d.tag;
}

// Some key (not entirely hidden) is the direct predecessor of k; its tag in `dep`.
bool depends(const ManagedKey& k, const Keyring& keys, std::uint16_t* dep) {
    for (const ManagedKey& d : keys) {
        if (!direct_dep(d, k)) continue;
        if (match(d, k, kNoRecord, NA, Pattern{H, H, H, H})) continue;
        if (dep != nullptr) *dep = d.tag;
        return true;
    }
    return false;
}

// z is a successor of x (equation 2), directly or through a chain of keys rolled faster than their
// rollovers completed.
bool is_successor(const ManagedKey& x, const ManagedKey& z, const ManagedKey& key, int type,
                  std::optional<KeyState> next, const Keyring& keys, int depth = 0) {
    std::uint16_t dep_x = 0, dep_z = 0;
    if (depth > static_cast<int>(keys.size())) return false;
    if (depends(x, keys, &dep_x)) return false;
    if (!depends(z, keys, &dep_z)) return false;
    if (x.tag == dep_z) return true;
    Pattern zst{};
    for (std::size_t i = 0; i < kKeyRecords; ++i)
        zst[i] = record_state(z.key, static_cast<KeyRecord>(i));
    for (const ManagedKey& y : keys) {
        if (y.tag == z.tag || y.tag != dep_z) continue;
        if (match(y, key, type, next, zst)) return is_successor(x, y, key, type, next, keys, depth + 1);
    }
    return false;
}

bool exists_with_state(const Keyring& keys, const ManagedKey& key, int type, std::optional<KeyState> next,
                       const Pattern& states, const Pattern& successor_states, bool check_successor,
                       bool match_algorithms) {
    for (const ManagedKey& d : keys) {
        if (match_algorithms && d.key.algorithm != key.key.algorithm) continue;
        if (!match(d, key, type, next, states)) continue;
        if (!check_successor) return true;
        for (const ManagedKey& s : keys) {
            if (&s == &d) continue;
            if (!match(s, key, type, next, successor_states)) continue;
            if (is_successor(d, s, key, type, next, keys)) return true;
        }
    }
    return false;
}

const Pattern kAny{NA, NA, NA, NA};

// (3e) every DS hidden, or a chain of trust for the validators that still see one.
bool ds_hidden_or_chained(const Keyring& keys, const ManagedKey& key, int type, std::optional<KeyState> next,
                          bool must_be_hidden) {
    Pattern dnskey_chained{O, NA, O, NA};
    for (const ManagedKey& d : keys) {
        if (d.key.algorithm != key.key.algorithm) continue;
        if (match(d, key, type, next, Pattern{NA, NA, NA, H})) continue;
        if (must_be_hidden) return false;
        if (match(d, key, type, next, dnskey_chained)) continue;
        dnskey_chained[3] = O;
        if (!exists_with_state(keys, key, type, next, dnskey_chained, kAny, false, true)) return false;
    }
    return true;
}

// (3i) every DNSKEY hidden, or signatures that validate from the ones published.
bool dnskey_hidden_or_chained(const Keyring& keys, const ManagedKey& key, int type,
                              std::optional<KeyState> next) {
    Pattern rrsig_chained{O, O, NA, NA};
    for (const ManagedKey& d : keys) {
        if (d.key.algorithm != key.key.algorithm) continue;
        if (match(d, key, type, next, Pattern{H, NA, NA, NA})) continue;
        if (const auto s = record_state(d.key, KeyRecord::dnskey)) rrsig_chained[0] = s;
        if (!exists_with_state(keys, key, type, next, rrsig_chained, kAny, false, true)) return false;
    }
    return true;
}

// Rule 1 (3a): a DS, present or being introduced.
bool have_ds(const Keyring& keys, const ManagedKey& key, int type, std::optional<KeyState> next,
             bool to_insecure) {
    return exists_with_state(keys, key, type, next, Pattern{NA, NA, NA, O}, kAny, false, false) ||
           exists_with_state(keys, key, type, next, Pattern{NA, NA, NA, R}, kAny, false, false) ||
           (to_insecure && exists_with_state(keys, key, type, next, kAny, kAny, false, false));
}

// Rule 2 (3b-3e): a DNSKEY with its KRRSIG and DS, or two keys in a successor relation swapping them.
bool have_dnskey(const Keyring& keys, const ManagedKey& key, int type, std::optional<KeyState> next) {
    static const Pattern present{O, NA, O, O};                                        // (3b)
    static const Pattern ds_out{O, NA, O, U}, ds_in{O, NA, O, R};                     // (3c)
    static const Pattern old_keys[] = {{U, NA, U, O}, {O, NA, U, O}, {U, NA, O, O}};  // (3d)p
    static const Pattern new_keys[] = {{R, NA, R, O}, {O, NA, R, O}, {R, NA, O, O}};  // (3d)s
    if (exists_with_state(keys, key, type, next, present, kAny, false, true)) return true;
    if (exists_with_state(keys, key, type, next, ds_out, ds_in, true, true)) return true;
    for (const Pattern& p : old_keys)
        for (const Pattern& s : new_keys)
            if (exists_with_state(keys, key, type, next, p, s, true, true)) return true;
    return ds_hidden_or_chained(keys, key, type, next, false);
}

// Rule 3 (3f-3i): zone signatures by a published key, or two keys swapping DNSKEY or signatures.
bool have_rrsig(const Keyring& keys, const ManagedKey& key, int type, std::optional<KeyState> next) {
    return ds_hidden_or_chained(keys, key, type, next, true) ||
           exists_with_state(keys, key, type, next, Pattern{O, O, NA, NA}, kAny, false, true) ||
           exists_with_state(keys, key, type, next, Pattern{U, O, NA, NA}, Pattern{R, O, NA, NA}, true,
                             true) ||
           exists_with_state(keys, key, type, next, Pattern{O, U, NA, NA}, Pattern{O, R, NA, NA}, true,
                             true) ||
           dnskey_hidden_or_chained(keys, key, type, next);
}

// The rollover methods: pre-publication for zone signatures, double-DS for the DS.
bool policy_approval(const Keyring& keys, const ManagedKey& key, KeyRecord record, KeyState next) {
    if (next != R) return true;
    const int type = static_cast<int>(record);
    const auto dnskey = record_state(key.key, KeyRecord::dnskey).value_or(H);
    switch (record) {
        case KeyRecord::dnskey:
            return true;
        case KeyRecord::zrrsig:
            if (dnskey == O) return true;
            // A new algorithm's first key may sign before its DNSKEY is known everywhere.
            return !(exists_with_state(keys, key, type, next, Pattern{O, NA, O, O}, kAny, false, true) ||
                     exists_with_state(keys, key, type, next, Pattern{O, NA, O, U}, Pattern{O, NA, O, R},
                                       true, true) ||
                     exists_with_state(keys, key, type, next, Pattern{U, NA, NA, O}, Pattern{R, NA, NA, O},
                                       true, true));
        case KeyRecord::krrsig:
            return dnskey != H;
        case KeyRecord::ds:
            return dnskey == O;
    }
    return false;
}

// Equation 1: if the zone is valid now, it stays valid after the move.
bool transition_allowed(const Keyring& keys, const ManagedKey& key, KeyRecord record, KeyState next,
                        bool to_insecure) {
    const int type = static_cast<int>(record);
    return (!have_ds(keys, key, type, NA, to_insecure) || have_ds(keys, key, type, next, to_insecure)) &&
           (!have_dnskey(keys, key, type, NA) || have_dnskey(keys, key, type, next)) &&
           (!have_rrsig(keys, key, type, NA) || have_rrsig(keys, key, type, next));
}

// When the move to `next` becomes safe (keymgr_transition_time).
std::uint32_t transition_time(ManagedKey& key, KeyRecord record, KeyState next,
                              const config::DnssecPolicy& policy, std::uint32_t now) {
    if (next == R || next == U) return now;  // into an uncertain state: no wait
    dnssec::KeyTime& last_slot = change_slot(key.key, record);
    if (!last_slot) {
        last_slot = now;
        key.modified = true;
    }
    const std::uint32_t last = *last_slot;
    switch (record) {
        case KeyRecord::dnskey:
        case KeyRecord::krrsig:
            // Ipub = Dprp + TTLkey (+ publish-safety when introducing).
            return last + key_ttl(key.key, policy) + policy.zone_propagation_delay +
                   (next == O ? policy.publish_safety : 0);
        case KeyRecord::zrrsig: {
            // Iret = Dsgn + Dprp + TTLsig (+ retire-safety); Dsgn only when a key is replaced.
            std::uint32_t t =
                last + zone_max_ttl(policy) + policy.zone_propagation_delay + policy.retire_safety;
            if (key.key.metadata.predecessor || key.key.metadata.successor) t += sign_delay(policy);
            return t;
        }
        case KeyRecord::ds: {
            // Iret = DprpP + TTLds (+ retire-safety), from when the parent was seen to publish/withdraw.
            const dnssec::KeyTime seen = next == O ? key.key.timing.ds_publish : key.key.timing.ds_delete;
            if (!seen || *seen > now) return now + 3600;  // not yet: look again in an hour
            return *seen + policy.parent_ds_ttl + policy.parent_propagation_delay + policy.retire_safety;
        }
    }
    return now;
}

// The edges of the state machine towards the key's goal.
KeyState desired(const dnssec::BindKey& key, KeyState state) {
    if (!key.metadata.goal) return state;
    if (*key.metadata.goal == H) return state == R || state == O ? U : H;
    if (*key.metadata.goal == O) return state == R || state == O ? O : R;
    return state;
}

}  // namespace

const char* to_text(KeyRecord record) {
    switch (record) {
        case KeyRecord::dnskey:
            return "DNSKEY";
        case KeyRecord::zrrsig:
            return "ZRRSIG";
        case KeyRecord::krrsig:
            return "KRRSIG";
        case KeyRecord::ds:
            break;
    }
    return "DS";
}

ManagedKey managed(dnssec::BindKey key) {
    ManagedKey m;
    m.tag = key.tag();
    m.key = std::move(key);
    return m;
}

std::optional<KeyState> record_state(const dnssec::BindKey& key, KeyRecord record) {
    return state_slot(const_cast<dnssec::BindKey&>(key), record);
}

void set_record_state(ManagedKey& key, KeyRecord record, KeyState state, std::uint32_t now) {
    state_slot(key.key, record) = state;
    change_slot(key.key, record) = now;
    key.modified = true;
}

bool has_ksk_role(const dnssec::BindKey& key) {
    return key.metadata.ksk.value_or(false);
}
bool has_zsk_role(const dnssec::BindKey& key) {
    return key.metadata.zsk.value_or(false);
}
KeyState goal_of(const dnssec::BindKey& key) {
    return key.metadata.goal.value_or(H);
}

bool dnskey_published(const dnssec::BindKey& key) {
    if (key.metadata.dnskey) return in_use(key.metadata.dnskey);
    return key.timing.publish.has_value();
}
bool signs_zone_now(const dnssec::BindKey& key) {
    return has_zsk_role(key) && in_use(key.metadata.zrrsig);
}
bool signs_keys_now(const dnssec::BindKey& key) {
    return has_ksk_role(key) && in_use(key.metadata.krrsig);
}
bool cds_published(const dnssec::BindKey& key) {
    return has_ksk_role(key) && in_use(key.metadata.ds);
}

bool is_unused(const dnssec::BindKey& key) {
    const dnssec::KeyTiming& t = key.timing;
    for (const dnssec::KeyTime* other : {&t.publish, &t.activate, &t.revoke, &t.inactive, &t.deleted,
                                         &t.ds_publish, &t.ds_delete, &t.sync_publish, &t.sync_delete}) {
        if (other->has_value()) return false;
    }
    for (std::size_t i = 0; i < kKeyRecords; ++i) {
        const auto r = static_cast<KeyRecord>(i);
        if (change_slot(const_cast<dnssec::BindKey&>(key), r).has_value() && record_state(key, r) != H)
            return false;
    }
    return true;
}

bool is_active(const dnssec::BindKey& key, std::uint32_t now) {
    bool time_ok = key.timing.activate && *key.timing.activate <= now;
    bool inactive = key.timing.inactive && *key.timing.inactive <= now;
    bool ds_ok = true, zrrsig_ok = true;
    const bool ksk = key.metadata.ksk.value_or(key.ksk());
    const bool zsk = key.metadata.zsk.value_or(!key.ksk());
    if (ksk && key.metadata.ds) {
        ds_ok = in_use(key.metadata.ds);
        time_ok = true;
        inactive = false;
    }
    if (zsk && key.metadata.zrrsig) {
        zrrsig_ok = in_use(key.metadata.zrrsig);
        time_ok = true;
        inactive = false;
    }
    return ds_ok && zrrsig_ok && time_ok && !inactive;
}

std::uint32_t zone_max_ttl(const config::DnssecPolicy& policy) {
    return policy.max_zone_ttl != 0 ? policy.max_zone_ttl : 7 * 86400;
}

std::uint32_t sign_delay(const config::DnssecPolicy& policy) {
    return policy.signatures_validity > policy.signatures_refresh
               ? policy.signatures_validity - policy.signatures_refresh
               : 0;
}

std::uint32_t key_ttl(const dnssec::BindKey& key, const config::DnssecPolicy& policy) {
    return key.ttl.value_or(policy.dnskey_ttl);
}

void update_key_states(Keyring& keys, const config::DnssecPolicy& policy, std::uint32_t now,
                       std::uint32_t& next_event, bool to_insecure) {
    // Each pass moves what it can; a move can allow another, so repeat until none does. Every move goes
    // forward on a finite cycle towards a fixed goal, so this ends; the bound is a guard only.
    for (int pass = 0; pass < 64; ++pass) {
        bool changed = false;
        for (ManagedKey& k : keys) {
            if (k.purged) continue;
            for (std::size_t i = 0; i < kKeyRecords; ++i) {
                const auto record = static_cast<KeyRecord>(i);
                const std::optional<KeyState> state = record_state(k.key, record);
                if (!state) continue;  // not this key's record
                const KeyState next = desired(k.key, *state);
                if (next == *state) continue;
                if (!policy_approval(keys, k, record, next)) continue;
                if (!transition_allowed(keys, k, record, next, to_insecure)) continue;
                const std::uint32_t when = transition_time(k, record, next, policy, now);
                if (when > now) {
                    if (next_event == 0 || when < next_event) next_event = when;
                    continue;
                }
                set_record_state(k, record, next, now);
                changed = true;
            }
        }
        if (!changed) return;
    }
}

}  // namespace cairn::signer
