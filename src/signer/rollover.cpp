#include "signer/rollover.hpp"

#include <algorithm>
#include <filesystem>

#include "dns/types.hpp"
#include "dnssec/algorithm.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/records.hpp"

namespace cairn::signer {

namespace {

using dnssec::KeyState;
using Role = config::PolicyKey::Role;

std::string role_text(const dnssec::BindKey& key) {
    if (!key.metadata.ksk || !key.metadata.zsk) return "UNKNOWN";
    const bool ksk = *key.metadata.ksk, zsk = *key.metadata.zsk;
    return ksk && zsk ? "CSK" : ksk ? "KSK" : zsk ? "ZSK" : "NOSIGN";
}

std::string describe(const ManagedKey& k) {
    return k.key.file_base() + " (" + role_text(k.key) + ")";
}

// The size a policy entry asks for (BIND's kasp defaults), to compare with the key's.
unsigned wanted_bits(const config::PolicyKey& wanted) {
    if (dnssec::is_rsa(wanted.algorithm)) return wanted.bits != 0 ? wanted.bits : 2048;
    return 0;  // fixed by the algorithm
}

// keymgr_dnsseckey_kaspkey_match: same algorithm, size and roles.
bool matches(const dnssec::BindKey& key, const config::PolicyKey& wanted) {
    if (key.algorithm != wanted.algorithm) return false;
    if (const unsigned bits = wanted_bits(wanted); bits != 0) {
        const auto pub = dnssec::PublicKey::from_dnskey(key.algorithm, key.public_key);
        if (!pub || pub->bits() != bits) return false;
    }
    return key.metadata.ksk == wanted.signs_keys() && key.metadata.zsk == wanted.signs_zone() &&
           (key.flags & dnssec::kRevokeFlag) == 0;
}

// Initialises a state that is not set yet (INITIALIZE_STATE).
void initialise(ManagedKey& k, KeyRecord record, KeyState state, std::uint32_t now) {
    if (!record_state(k.key, record)) set_record_state(k, record, state, now);
}

// keymgr_key_init: roles and states from the timing metadata, for keys that lack them.
void key_init(ManagedKey& k, const config::DnssecPolicy& policy, std::uint32_t now, bool csk) {
    dnssec::BindKey& key = k.key;
    if (!key.metadata.ksk) {
        key.metadata.ksk = key.ksk() || csk;
        k.modified = true;
    }
    if (!key.metadata.zsk) {
        key.metadata.zsk = !key.ksk() || csk;
        k.modified = true;
    }
    KeyState dnskey = KeyState::hidden, ds = KeyState::hidden, zrrsig = KeyState::hidden;
    KeyState goal = KeyState::hidden;
    const std::uint32_t ttlsig = zone_max_ttl(policy) + policy.zone_propagation_delay;
    const std::uint32_t ttlkey = key_ttl(key, policy) + policy.zone_propagation_delay;
    const std::uint32_t ttlds = policy.parent_ds_ttl + policy.parent_propagation_delay;
    const dnssec::KeyTiming& t = key.timing;
    if (t.activate && *t.activate <= now) {
        zrrsig = *t.activate + ttlsig <= now ? KeyState::omnipresent : KeyState::rumoured;
        goal = KeyState::omnipresent;
    }
    if (t.publish && *t.publish <= now) {
        dnskey = *t.publish + ttlkey <= now ? KeyState::omnipresent : KeyState::rumoured;
        goal = KeyState::omnipresent;
    }
    if (t.sync_publish && *t.sync_publish <= now) {
        ds = *t.sync_publish + ttlds <= now ? KeyState::omnipresent : KeyState::rumoured;
        goal = KeyState::omnipresent;
    }
    if (t.inactive && *t.inactive <= now) {
        zrrsig = *t.inactive + ttlsig <= now ? KeyState::hidden : KeyState::unretentive;
        ds = KeyState::unretentive;
        goal = KeyState::hidden;
    }
    if (t.deleted && *t.deleted <= now) {
        dnskey = *t.deleted + ttlkey <= now ? KeyState::hidden : KeyState::unretentive;
        zrrsig = KeyState::hidden;
        ds = KeyState::hidden;
        goal = KeyState::hidden;
    }
    if (!key.metadata.goal) {
        key.metadata.goal = goal;
        k.modified = true;
    }
    initialise(k, KeyRecord::dnskey, dnskey, now);
    if (*key.metadata.ksk) {
        initialise(k, KeyRecord::krrsig, dnskey, now);
        initialise(k, KeyRecord::ds, ds, now);
    }
    if (*key.metadata.zsk) initialise(k, KeyRecord::zrrsig, zrrsig, now);
    key.has_state = true;
}

// keymgr_settime_remove: Removed from Retired, by role.
void set_remove_time(dnssec::BindKey& key, const config::DnssecPolicy& policy) {
    if (!key.timing.inactive) return;
    const std::uint32_t retire = *key.timing.inactive;
    std::uint32_t zsk_remove = 0, ksk_remove = 0;
    if (has_zsk_role(key))
        zsk_remove = retire + zone_max_ttl(policy) + policy.zone_propagation_delay + policy.retire_safety +
                     sign_delay(policy);
    if (has_ksk_role(key))
        ksk_remove = retire + policy.parent_ds_ttl + policy.parent_propagation_delay + policy.retire_safety;
    key.timing.deleted = std::max(zsk_remove, ksk_remove);
}

// keymgr_settime_syncpublish: when the DS may go to the parent.
void set_syncpublish(dnssec::BindKey& key, const config::DnssecPolicy& policy, bool first) {
    if (!key.timing.publish || !has_ksk_role(key)) return;
    const std::uint32_t published = *key.timing.publish;
    std::uint32_t sync =
        published + key_ttl(key, policy) + policy.zone_propagation_delay + policy.publish_safety;
    if (first)
        sync = std::max(
            sync, published + zone_max_ttl(policy) + policy.zone_propagation_delay + policy.publish_safety);
    key.timing.sync_publish = sync;
}

std::uint32_t prepublication_interval(const dnssec::BindKey& key, const config::DnssecPolicy& policy) {
    return key_ttl(key, policy) + policy.publish_safety + policy.zone_propagation_delay;
}

// keymgr_prepublication_time with its side effects (missing Active/Published/PublishCDS/Lifetime/Retired
// filled in).
std::uint32_t prepublication_time(ManagedKey& k, const config::DnssecPolicy& policy, std::uint32_t lifetime,
                                  std::uint32_t now) {
    dnssec::BindKey& key = k.key;
    if (!key.timing.activate) key.timing.activate = now;
    if (!key.timing.publish) key.timing.publish = now;
    const std::uint32_t active = *key.timing.activate, pub = *key.timing.publish;
    const std::uint32_t prepub = prepublication_interval(key, policy);
    if (has_ksk_role(key) && !key.timing.sync_publish) {
        std::uint32_t sync = pub + prepub;
        if (!key.metadata.predecessor)
            sync = std::max(
                sync, pub + zone_max_ttl(policy) + policy.publish_safety + policy.zone_propagation_delay);
        key.timing.sync_publish = sync;
        k.modified = true;
    }
    if (!key.timing.inactive) {
        if (!key.metadata.lifetime) {
            key.metadata.lifetime = lifetime;
            k.modified = true;
        }
        if (*key.metadata.lifetime == 0) return 0;  // unlimited: no rollover
        key.timing.inactive = active + *key.metadata.lifetime;
        k.modified = true;
    }
    const auto removed = key.timing.deleted;
    set_remove_time(key, policy);
    if (key.timing.deleted != removed) k.modified = true;
    const std::uint32_t retire = *key.timing.inactive;
    if (prepub > retire) return now;
    return retire - prepub;
}

// keymgr_key_retire: the key wants to leave.
void retire(ManagedKey& k, const config::DnssecPolicy& policy, std::uint32_t now, KeyManagerRun& run) {
    dnssec::BindKey& key = k.key;
    if (!key.timing.inactive || *key.timing.inactive > now) key.timing.inactive = now;
    key.metadata.goal = KeyState::hidden;
    set_remove_time(key, policy);
    initialise(k, KeyRecord::dnskey, KeyState::omnipresent, now);
    if (has_ksk_role(key)) {
        initialise(k, KeyRecord::krrsig, KeyState::omnipresent, now);
        initialise(k, KeyRecord::ds, KeyState::omnipresent, now);
    }
    if (has_zsk_role(key)) initialise(k, KeyRecord::zrrsig, KeyState::omnipresent, now);
    k.modified = true;
    run.notes.push_back("retire DNSKEY " + describe(k));
}

// keymgr_key_update_lifetime: a policy lifetime changed moves the retire (and remove) time.
void update_lifetime(ManagedKey& k, const config::DnssecPolicy& policy, std::uint32_t now,
                     std::uint32_t lifetime) {
    dnssec::BindKey& key = k.key;
    if (!key.metadata.lifetime) {
        key.metadata.lifetime = lifetime;
        k.modified = true;
        return;
    }
    if (goal_of(key) != KeyState::omnipresent || *key.metadata.lifetime == lifetime) return;
    key.metadata.lifetime = lifetime;
    k.modified = true;
    if (lifetime > 0) {
        key.timing.inactive = key.timing.activate.value_or(now) + lifetime;
        set_remove_time(key, policy);
    } else {
        key.timing.inactive.reset();
        key.timing.deleted.reset();
    }
}

// dns_keymgr_key_may_be_purged: entirely hidden for purge-keys since its last change.
bool may_be_purged(const dnssec::BindKey& key, std::uint32_t after, std::uint32_t now) {
    if (after == 0 || goal_of(key) == KeyState::omnipresent || is_unused(key)) return false;
    for (const KeyRecord r : {KeyRecord::dnskey, KeyRecord::zrrsig, KeyRecord::krrsig, KeyRecord::ds}) {
        const bool applies =
            r == KeyRecord::dnskey || (r == KeyRecord::zrrsig ? has_zsk_role(key) : has_ksk_role(key));
        if (applies && record_state(key, r).value_or(KeyState::hidden) != KeyState::hidden) return false;
    }
    std::uint32_t last = 0;
    for (const dnssec::KeyTime& t :
         {key.timing.dnskey_change, key.timing.zrrsig_change, key.timing.krrsig_change, key.timing.ds_change})
        last = std::max(last, t.value_or(0));
    return last + after < now;
}

bool has_successor(const ManagedKey& predecessor, const Keyring& keys) {
    return std::any_of(keys.begin(), keys.end(), [&](const ManagedKey& s) {
        return predecessor.key.metadata.successor == s.tag && s.key.metadata.predecessor == predecessor.tag;
    });
}

// A key that depends on k (its predecessor, not yet entirely hidden).
bool has_dependant(const ManagedKey& k, const Keyring& keys) {
    for (const ManagedKey& d : keys) {
        if (d.key.metadata.successor != k.tag || k.key.metadata.predecessor != d.tag) continue;
        bool hidden = true;
        for (std::size_t i = 0; i < kKeyRecords; ++i)
            hidden = hidden && record_state(d.key, static_cast<KeyRecord>(i)).value_or(KeyState::hidden) ==
                                   KeyState::hidden;
        if (!hidden) return true;
    }
    return false;
}

ManagedKey create_key(const config::PolicyKey& wanted, const dns::Name& zone, const Keyring& keys,
                      const config::DnssecPolicy& policy, std::uint32_t now) {
    for (;;) {
        const std::uint16_t flags = wanted.signs_keys() ? 257 : 256;
        ManagedKey k = managed(
            dnssec::BindKey::make(zone, flags, dnssec::PrivateKey::generate(wanted.algorithm, wanted.bits)));
        const bool conflict = std::any_of(keys.begin(), keys.end(), [&](const ManagedKey& other) {
            return other.key.algorithm == k.key.algorithm && other.tag == k.tag;
        });
        if (conflict) continue;  // a key tag collision: make another (keymgr_createkey)
        k.key.ttl = policy.dnskey_ttl;
        k.key.timing.created = now;
        k.key.metadata.lifetime = wanted.lifetime.value_or(0);
        k.key.metadata.ksk = wanted.signs_keys();
        k.key.metadata.zsk = wanted.signs_zone();
        k.created = true;
        k.modified = true;
        return k;
    }
}

// keymgr_key_rollover: a successor for `active` when its time has come, or a first key.
void rollover(const config::PolicyKey& wanted, std::optional<std::size_t> active, bool allowed, Keyring& keys,
              const dns::Name& zone, const config::DnssecPolicy& policy, std::uint32_t now,
              KeyManagerRun& run) {
    const std::uint32_t lifetime = wanted.lifetime.value_or(0);
    std::uint32_t prepub = 0;
    if (active) {
        prepub = prepublication_time(keys[*active], policy, lifetime, now);
        if (prepub == 0 || prepub > now) {
            if (prepub != 0 && (run.next_event == 0 || prepub < run.next_event)) run.next_event = prepub;
            return;
        }
        if (has_successor(keys[*active], keys)) return;
        if (!allowed) {
            run.notes.push_back("DNSKEY " + describe(keys[*active]) +
                                " is offline (no private key): cannot start rollover");
            return;
        }
    }
    std::optional<std::size_t> chosen;
    for (std::size_t i = 0; i < keys.size() && !chosen; ++i) {
        if (!keys[i].purged && keys[i].key.private_key && matches(keys[i].key, wanted) &&
            is_unused(keys[i].key))
            chosen = i;
    }
    if (!chosen) {
        keys.push_back(create_key(wanted, zone, keys, policy, now));
        key_init(keys.back(), policy, now, wanted.role == Role::csk);
        chosen = keys.size() - 1;
    }
    ManagedKey& fresh = keys[*chosen];
    fresh.key.metadata.lifetime = lifetime;
    std::uint32_t activate = now;
    if (!active) {
        fresh.key.timing.publish = now;
        fresh.key.timing.activate = now;
        set_syncpublish(fresh.key, policy, true);
    } else {
        ManagedKey& old = keys[*active];
        const std::uint32_t created = fresh.key.timing.created.value_or(now);
        fresh.key.metadata.predecessor = old.tag;
        old.key.metadata.successor = fresh.tag;
        activate = old.key.timing.inactive.value_or(now);
        if (prepub < created) {
            activate += created - prepub;
            prepub = created;
        }
        activate = std::max(activate, created);
        fresh.key.timing.publish = prepub;
        fresh.key.timing.activate = activate;
        set_syncpublish(fresh.key, policy, false);
        old.key.metadata.goal = KeyState::hidden;
        old.modified = true;
    }
    fresh.key.metadata.goal = KeyState::omnipresent;
    if (lifetime > 0) {
        fresh.key.timing.inactive = activate + lifetime;
        set_remove_time(fresh.key, policy);
    }
    fresh.key.has_state = true;
    fresh.modified = true;
    run.notes.push_back("DNSKEY " + describe(fresh) + (fresh.created ? " created" : " selected") +
                        " for policy " + policy.name +
                        (active ? ", successor of " + std::to_string(keys[*active].tag) : ""));
}

void remove_files(const std::string& directory, const dnssec::BindKey& key) {
    std::error_code error;
    for (const char* suffix : {".key", ".private", ".state"})
        std::filesystem::remove(directory + "/" + key.file_base() + suffix, error);
}

Keyring read_keyring(const dns::Name& zone, const std::string& directory) {
    Keyring keys;
    for (dnssec::BindKey& key : dnssec::read_zone_keys(directory, zone))
        keys.push_back(managed(std::move(key)));
    return keys;
}

bool policy_has_csk(const config::DnssecPolicy& policy, std::uint8_t algorithm) {
    return std::any_of(policy.keys.begin(), policy.keys.end(), [&](const config::PolicyKey& k) {
        return k.role == Role::csk && k.algorithm == algorithm;
    });
}

void write_changed(Keyring& keys, const config::DnssecPolicy& policy, const std::string& directory) {
    for (ManagedKey& k : keys) {
        if (k.key.ttl != policy.dnskey_ttl) {
            k.key.ttl = policy.dnskey_ttl;
            k.modified = true;
        }
        if (k.modified && !k.purged) {
            k.key.has_state = true;
            dnssec::write_key(directory, k.key);
        }
        k.modified = false;
    }
}

}  // namespace

std::uint32_t successor_publication_time(const dnssec::BindKey& key, const config::DnssecPolicy& policy,
                                         std::uint32_t now) {
    ManagedKey copy = managed(key);
    return prepublication_time(copy, policy, key.metadata.lifetime.value_or(0), now);
}

KeyManagerRun run_key_manager(const config::DnssecPolicy& policy, const dns::Name& zone,
                              const std::string& directory, std::uint32_t now) {
    KeyManagerRun run;
    run.keys = read_keyring(zone, directory);
    Keyring& keys = run.keys;
    for (ManagedKey& k : keys) {
        // A KSK-flagged key without roles under a CSK policy is taken as the CSK (BIND does so when it is
        // the zone's only key; dnssec-keygen -f KSK makes such keys).
        key_init(k, policy, now, k.key.ksk() && policy_has_csk(policy, k.key.algorithm));
        const bool wanted = std::any_of(policy.keys.begin(), policy.keys.end(),
                                        [&](const config::PolicyKey& p) { return matches(k.key, p); });
        if (!wanted && goal_of(k.key) != KeyState::hidden) retire(k, policy, now, run);
        if (may_be_purged(k.key, policy.purge_keys, now)) {
            remove_files(directory, k.key);
            k.purged = true;
            run.notes.push_back("purge DNSKEY " + describe(k) + " according to policy " + policy.name);
        }
    }
    for (const config::PolicyKey& wanted : policy.keys) {
        const std::uint32_t lifetime = wanted.lifetime.value_or(0);
        std::optional<std::size_t> active;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            ManagedKey& k = keys[i];
            if (k.purged || !k.key.private_key || !matches(k.key, wanted)) continue;
            update_lifetime(k, policy, now, lifetime);
            if (active) {
                // Several keys in use for one entry: the extra ones go (unless in a rollover together).
                if (!is_unused(k.key) && goal_of(k.key) == KeyState::omnipresent && !has_dependant(k, keys) &&
                    !has_dependant(keys[*active], keys))
                    retire(k, policy, now, run);
                continue;
            }
            if (goal_of(k.key) == KeyState::omnipresent || is_active(k.key, now)) active = i;
        }
        bool allowed = true;
        if (!active) {
            // Only a public key: the private key is offline, so no successor is made behind its back.
            for (std::size_t i = 0; i < keys.size() && !active; ++i) {
                if (!keys[i].purged && !keys[i].key.private_key && matches(keys[i].key, wanted)) {
                    active = i;
                    allowed = false;
                }
            }
        }
        rollover(wanted, active, allowed, keys, zone, policy, now, run);
    }
    update_key_states(keys, policy, now, run.next_event, policy.keys.empty());
    write_changed(keys, policy, directory);
    return run;
}

namespace {

std::size_t find_command_key(Keyring& keys, const KeyCommand& command, bool ksk_only) {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const dnssec::BindKey& key = keys[i].key;
        if (ksk_only && !has_ksk_role(key)) continue;
        if (command.tag && keys[i].tag != *command.tag) continue;
        if (command.algorithm && key.algorithm != *command.algorithm) continue;
        if (found)
            throw KeyCommandError(command.tag ? "multiple keys match key " + std::to_string(*command.tag)
                                              : "multiple possible keys found, retry command with -key id");
        found = i;
    }
    if (!found)
        throw KeyCommandError(command.tag ? "key " + std::to_string(*command.tag) + " not found"
                                          : "no key found");
    return *found;
}

std::string when_text(std::uint32_t when) {
    return dnssec::key_time_to_ctime(when);
}

}  // namespace

void check_key_command(const dns::Name& zone, const std::string& directory, std::uint32_t now,
                       const KeyCommand& command) {
    Keyring keys = read_keyring(zone, directory);
    if (command.kind == KeyCommand::Kind::rollover) {
        if (!command.tag) throw KeyCommandError("rollover requires -key");
        const dnssec::BindKey& key = keys[find_command_key(keys, command, false)].key;
        if (!key.timing.activate || *key.timing.activate > now)
            throw KeyCommandError("key " + std::to_string(*command.tag) +
                                  " is not active and cannot be rolled");
        return;
    }
    for (ManagedKey& k : keys) {
        if (!k.key.metadata.ksk) k.key.metadata.ksk = k.key.ksk();
    }
    find_command_key(keys, command, true);
}

std::string apply_key_command(const config::DnssecPolicy& policy, const dns::Name& zone,
                              const std::string& directory, std::uint32_t now, const KeyCommand& command) {
    check_key_command(zone, directory, now, command);
    Keyring keys = read_keyring(zone, directory);
    const std::uint32_t when = command.when.value_or(now);
    std::string text;
    if (command.kind == KeyCommand::Kind::rollover) {
        ManagedKey& k = keys[find_command_key(keys, command, false)];
        // The successor is published at `when`: the key retires one prepublication interval later.
        k.key.timing.inactive = when + prepublication_interval(k.key, policy);
        text = "Rollover for key " + std::to_string(k.tag) + " scheduled on " + when_text(when);
        k.modified = true;
    } else {
        for (ManagedKey& k : keys) {
            if (!k.key.metadata.ksk) k.key.metadata.ksk = k.key.ksk();
        }
        ManagedKey& k = keys[find_command_key(keys, command, true)];
        const bool published = command.kind == KeyCommand::Kind::ds_published;
        if (published) {
            k.key.timing.ds_publish = when;
            k.key.metadata.ds = KeyState::rumoured;
        } else {
            k.key.timing.ds_delete = when;
            k.key.metadata.ds = KeyState::unretentive;
        }
        text = std::string("KSK ") + std::to_string(k.tag) + ": Marked DS as " +
               (published ? "published" : "withdrawn") + " since " + when_text(when);
        k.modified = true;
    }
    for (ManagedKey& k : keys) {
        if (!k.modified) continue;
        k.key.has_state = true;
        dnssec::write_key(directory, k.key);
    }
    return text;
}

namespace {

void keytime_status(std::string& out, const dnssec::BindKey& key, std::uint32_t now, const char* label,
                    KeyRecord record, const dnssec::KeyTime& time) {
    out += label;
    const auto state = record_state(key, record);
    if (state == KeyState::rumoured || state == KeyState::omnipresent) {
        out += "yes - since ";
    } else if (time && now < *time) {
        out += "no  - scheduled ";
    } else {
        out += "no\n";
        return;
    }
    if (time) out += dnssec::key_time_to_ctime(*time) + "\n";
}

void rollover_status(std::string& out, const dnssec::BindKey& key, const config::DnssecPolicy& policy,
                     std::uint32_t now, bool zsk) {
    out += "\n";
    const KeyState goal = goal_of(key);
    auto state = record_state(key, zsk ? KeyRecord::zrrsig : KeyRecord::krrsig);
    const dnssec::KeyTime active = zsk ? key.timing.activate : key.timing.publish;
    const dnssec::KeyTime retire = zsk ? key.timing.inactive : key.timing.deleted;
    if (!active || *active == 0) return;
    if (goal == KeyState::hidden && (state == KeyState::unretentive || state == KeyState::hidden)) {
        state = record_state(key, KeyRecord::dnskey);
        if (state == KeyState::rumoured || state == KeyState::omnipresent) {
            if (key.timing.deleted)
                out +=
                    "  Key is retired, will be removed on " + dnssec::key_time_to_ctime(*key.timing.deleted);
        } else {
            out += "  Key has been removed from the zone";
        }
    } else if (retire) {
        std::uint32_t when = *retire;
        if (now < when) {
            if (goal == KeyState::omnipresent) {
                out += "  Next rollover scheduled on ";
                dnssec::BindKey copy = key;
                copy.metadata.lifetime = when - *active;
                when = successor_publication_time(copy, policy, now);
            } else {
                out += "  Key will retire on ";
            }
        } else {
            out += "  Rollover is due since ";
        }
        out += dnssec::key_time_to_ctime(when);
    } else {
        out += "  No rollover scheduled";
    }
    out += "\n";
}

void keystate_status(std::string& out, const char* label, std::optional<KeyState> state) {
    if (state) out += std::string("  - ") + label + dnssec::to_text(*state) + "\n";
}

}  // namespace

std::string key_status_text(const config::DnssecPolicy& policy, const dns::Name& zone,
                            const std::string& directory, std::uint32_t now) {
    std::string out =
        "dnssec-policy: " + policy.name + "\ncurrent time:  " + dnssec::key_time_to_ctime(now) + "\n";
    for (const ManagedKey& k : read_keyring(zone, directory)) {
        const dnssec::BindKey& key = k.key;
        if (is_unused(key)) continue;
        out += "\nkey: " + std::to_string(k.tag) + " (" +
               std::string(dns::dnssec_algorithm_mnemonic(key.algorithm)) + "), " + role_text(key) + "\n";
        keytime_status(out, key, now, "  published:      ", KeyRecord::dnskey, key.timing.publish);
        if (has_ksk_role(key))
            keytime_status(out, key, now, "  key signing:    ", KeyRecord::krrsig, key.timing.publish);
        if (has_zsk_role(key))
            keytime_status(out, key, now, "  zone signing:   ", KeyRecord::zrrsig, key.timing.activate);
        rollover_status(out, key, policy, now, has_zsk_role(key));
        keystate_status(out, "goal:           ", key.metadata.goal);
        keystate_status(out, "dnskey:         ", key.metadata.dnskey);
        keystate_status(out, "ds:             ", key.metadata.ds);
        keystate_status(out, "zone rrsig:     ", key.metadata.zrrsig);
        keystate_status(out, "key rrsig:      ", key.metadata.krrsig);
    }
    return out;
}

}  // namespace cairn::signer
