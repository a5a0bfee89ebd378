// The keys a zone is signed with under its dnssec-policy, kept in the key directory as BIND keeps them
// (K<zone>+<alg>+<tag>.key / .private / .state, dnssec/key_files.hpp). Each `keys` entry of the policy is
// met by a key already in the directory when one fits (same algorithm, the role its flags and .state say,
// the size for RSA, not retired), so keys made by `dnssec-keygen` or by BIND's own signer are used as they
// are; otherwise a key is generated and written with a .state file as BIND 9.18 writes it.
//
// BIND's key manager also walks each key through the RFC 7583 states (rumoured, omnipresent, ...) and
// rolls keys when their lifetime ends. Here a key is published and used from the moment it exists: a zone
// whose keys are all new is signed at once (BIND waits for the DNSKEY TTL plus publish-safety before
// announcing the DS, which only matters to the parent). Rollovers are not done yet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dns/name.hpp"
#include "dnssec/key_files.hpp"

namespace cairn::signer {

// A key the zone is signed with, and what it signs.
struct SigningKey {
    dnssec::BindKey key;
    bool signs_keys = false;  // KSK or CSK: the DNSKEY, CDS and CDNSKEY RRsets
    bool signs_zone = false;  // ZSK or CSK: every other RRset
    std::string file_base;    // the path of its files without suffix
    bool generated = false;   // made by this call
};

struct ZoneKeys {
    std::vector<SigningKey> keys;    // in the policy's order
    std::vector<std::string> notes;  // keys generated, keys found but not usable, for the log
};

// Reads `directory`'s keys of `zone` and meets every entry of `policy` with one, generating and writing
// what is missing (with `now` as their creation, publication and activation time). Throws
// dnssec::KeyFileError (an unreadable key file, a directory that cannot be written) or dnssec::KeyError.
ZoneKeys ensure_zone_keys(const config::DnssecPolicy& policy, const dns::Name& zone,
                          const std::string& directory, std::uint32_t now);

}  // namespace cairn::signer
