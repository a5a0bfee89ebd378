#include "signer/zone_keys.hpp"

#include <algorithm>

#include "dnssec/algorithm.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/records.hpp"

namespace cairn::signer {

namespace {

using Role = config::PolicyKey::Role;

// The role a key has: its .state file's KSK/ZSK lines when it has them (BIND's key manager writes them),
// else its flags (dnssec-keygen -f KSK makes 257: a KSK, which a csk entry also takes, as BIND does).
bool fits_role(const dnssec::BindKey& key, Role role) {
    const bool ksk = key.metadata.ksk.value_or(key.ksk());
    const bool zsk = key.metadata.zsk.value_or(!key.ksk());
    switch (role) {
        case Role::csk:
            return key.ksk() && (key.metadata.zsk.has_value() ? zsk : true);
        case Role::ksk:
            return ksk && key.ksk() && !(key.metadata.zsk.value_or(false));
        case Role::zsk:
            return zsk && !key.ksk();
    }
    return false;
}

// Retired or removed by its timing metadata: no longer signs.
bool retired(const dnssec::BindKey& key, std::uint32_t now) {
    return (key.timing.inactive && *key.timing.inactive <= now) ||
           (key.timing.deleted && *key.timing.deleted <= now);
}

bool fits(const dnssec::BindKey& key, const config::PolicyKey& wanted, std::uint32_t now) {
    if (key.algorithm != wanted.algorithm || !key.private_key || !fits_role(key, wanted.role) ||
        retired(key, now) || (key.flags & dnssec::kRevokeFlag) != 0)
        return false;
    if (dnssec::is_rsa(wanted.algorithm) && wanted.bits != 0 && key.private_key->bits() != wanted.bits)
        return false;
    return true;
}

std::string role_text(Role role) {
    return role == Role::csk ? "CSK" : role == Role::ksk ? "KSK" : "ZSK";
}

dnssec::BindKey generate(const config::PolicyKey& wanted, const dns::Name& zone, std::uint32_t now,
                         std::uint32_t dnskey_ttl) {
    const std::uint16_t flags = wanted.role == Role::zsk ? 256 : 257;
    dnssec::BindKey key =
        dnssec::BindKey::make(zone, flags, dnssec::PrivateKey::generate(wanted.algorithm, wanted.bits));
    key.ttl = dnskey_ttl;
    key.timing.created = now;
    key.timing.publish = now;
    key.timing.activate = now;
    if (wanted.role != Role::zsk) key.timing.sync_publish = now;
    key.has_state = true;
    key.metadata.ksk = wanted.signs_keys();
    key.metadata.zsk = wanted.signs_zone();
    key.metadata.lifetime = wanted.lifetime.value_or(0);
    // Published and signing from the start (see the header): every state is where it ends up.
    key.metadata.goal = dnssec::KeyState::omnipresent;
    key.metadata.dnskey = dnssec::KeyState::omnipresent;
    key.timing.dnskey_change = now;
    if (wanted.signs_zone()) {
        key.metadata.zrrsig = dnssec::KeyState::omnipresent;
        key.timing.zrrsig_change = now;
    }
    if (wanted.signs_keys()) {
        key.metadata.krrsig = dnssec::KeyState::omnipresent;
        key.metadata.ds = dnssec::KeyState::hidden;
        key.timing.krrsig_change = now;
        key.timing.ds_change = now;
    }
    return key;
}

}  // namespace

ZoneKeys ensure_zone_keys(const config::DnssecPolicy& policy, const dns::Name& zone,
                          const std::string& directory, std::uint32_t now) {
    ZoneKeys out;
    std::vector<dnssec::BindKey> found = dnssec::read_zone_keys(directory, zone);
    std::vector<bool> taken(found.size(), false);
    for (const config::PolicyKey& wanted : policy.keys) {
        SigningKey signing;
        signing.signs_keys = wanted.signs_keys();
        signing.signs_zone = wanted.signs_zone();
        bool have = false;
        for (std::size_t i = 0; i < found.size() && !have; ++i) {
            if (taken[i] || !fits(found[i], wanted, now)) continue;
            taken[i] = true;
            signing.key = found[i];
            have = true;
        }
        if (!have) {
            signing.key = generate(wanted, zone, now, policy.dnskey_ttl);
            dnssec::write_key(directory, signing.key);
            signing.generated = true;
            out.notes.push_back("generated " + role_text(wanted.role) + " " + signing.key.file_base() + " (" +
                                std::string(dns::dnssec_algorithm_mnemonic(wanted.algorithm)) + ")");
        }
        signing.file_base = directory + "/" + signing.key.file_base();
        out.keys.push_back(std::move(signing));
    }
    for (std::size_t i = 0; i < found.size(); ++i) {
        if (!taken[i])
            out.notes.push_back("key " + found[i].file_base() + " in " + directory +
                                " is not used: the policy has no role for it");
    }
    return out;
}

}  // namespace cairn::signer
