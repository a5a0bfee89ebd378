// The keys a zone is signed with under its dnssec-policy, kept in the key directory as BIND keeps them
// (K<zone>+<alg>+<tag>.key / .private / .state, dnssec/key_files.hpp). The key manager (signer/rollover.hpp)
// runs first: it takes keys made by `dnssec-keygen` or by BIND's own signer as they are, generates what the
// policy lacks, rolls keys whose lifetime ended and moves every key through the RFC 7583 states
// (signer/key_states.hpp). What the states say then makes the signed zone, as BIND's hints do: a key whose
// DNSKEY is rumoured or omnipresent is published, one whose zone (key) RRSIG state is rumoured or
// omnipresent signs the zone (the DNSKEY RRset), one whose DS state is rumoured or omnipresent has its CDS
// and CDNSKEY published.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dns/name.hpp"
#include "dnssec/key_files.hpp"

namespace cairn::signer {

// A key of the signed zone, and what it does there.
struct SigningKey {
    dnssec::BindKey key;
    bool signs_keys = false;  // the DNSKEY, CDS and CDNSKEY RRsets
    bool signs_zone = false;  // every other RRset
    bool published = true;    // its DNSKEY is in the zone
    bool cds = false;         // its CDS and CDNSKEY are in the zone
    std::string file_base;    // the path of its files without suffix
    bool generated = false;   // made by this call
};

struct ZoneKeys {
    std::vector<SigningKey> keys;      // the keys published or signing, in key file order
    std::vector<std::string> notes;    // keys generated, retired, purged, for the log
    std::uint32_t next_key_event = 0;  // when the key manager must run again (0: no key event pending)
};

// Runs the key manager over `directory`'s keys of `zone` at `now` (writing what changed) and returns the
// keys the signed zone is made with. Throws dnssec::KeyFileError (an unreadable key file, a directory that
// cannot be written) or dnssec::KeyError.
ZoneKeys ensure_zone_keys(const config::DnssecPolicy& policy, const dns::Name& zone,
                          const std::string& directory, std::uint32_t now);

}  // namespace cairn::signer
