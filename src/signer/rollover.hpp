// The key manager of a zone under a dnssec-policy, as BIND 9.18's dns_keymgr_run (lib/dns/keymgr.c): at
// every signing the zone's keys are read from the key directory and
//   - keys without RFC 7583 states (made by dnssec-keygen, or by an older signer) get them from their
//     timing metadata (Publish, Activate, SyncPublish, Inactive, Delete), as keymgr_key_init;
//   - keys the policy has no entry for are retired (goal hidden); fully hidden keys are deleted
//     `purge-keys` after their last change;
//   - each `keys` entry gets an active key; when its lifetime ends (Retired = Active + lifetime) a
//     successor is made (or a pre-generated unused key taken) and published
//     dnskey-ttl + publish-safety + zone-propagation-delay before (ZSK pre-publication, KSK double-DS,
//     CSK both), with Predecessor/Successor linking the two;
//   - the states move (signer/key_states.hpp) and the changed keys are written back (.key, .private,
//     .state), so BIND can take the keys over at any point, and cairn BIND's;
// and it says when it must run again (the next key event). The operator's `rndc dnssec -rollover` and
// `-checkds` change the key files the same way BIND's do, and `-status` prints BIND's report.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dns/name.hpp"
#include "signer/key_states.hpp"

namespace cairn::signer {

struct KeyManagerRun {
    Keyring keys;                    // the zone's keys after the run, purged ones included (marked)
    std::uint32_t next_event = 0;    // when a key must move next (0: nothing scheduled)
    std::vector<std::string> notes;  // keys created, retired, purged, for the log
};

// Runs the key manager over `directory`'s keys of `zone` at `now`, writing what changed. Throws
// dnssec::KeyFileError (unreadable key file, directory that cannot be written) or dnssec::KeyError.
KeyManagerRun run_key_manager(const config::DnssecPolicy& policy, const dns::Name& zone,
                              const std::string& directory, std::uint32_t now);

// An operator's command on the zone's keys (rndc dnssec).
struct KeyCommand {
    enum class Kind : std::uint8_t { rollover, ds_published, ds_withdrawn };
    Kind kind = Kind::rollover;
    std::optional<std::uint16_t> tag;       // -key; required for rollover
    std::optional<std::uint8_t> algorithm;  // -alg
    std::optional<std::uint32_t> when;      // -when; unset: now
};

// A command that does not apply (no such key, several keys match, key not active); the message says why.
class KeyCommandError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Applies `command` to the key files (as dns_keymgr_rollover / dns_keymgr_checkds[_id]); the zone must be
// signed again afterwards for it to take effect. Returns rndc's text. Throws KeyCommandError, KeyFileError.
std::string apply_key_command(const config::DnssecPolicy& policy, const dns::Name& zone,
                              const std::string& directory, std::uint32_t now, const KeyCommand& command);
// Checks `command` against the key files without writing (the control channel's immediate answer).
void check_key_command(const dns::Name& zone, const std::string& directory, std::uint32_t now,
                       const KeyCommand& command);

// `rndc dnssec -status`: BIND 9.18's report (dns_keymgr_status) of the keys in the directory at `now`.
std::string key_status_text(const config::DnssecPolicy& policy, const dns::Name& zone,
                            const std::string& directory, std::uint32_t now);

// When the successor of `key` is due to be published (keymgr_prepublication_time, without its side
// effects): 0 when the key has no lifetime and no retire time.
std::uint32_t successor_publication_time(const dnssec::BindKey& key, const config::DnssecPolicy& policy,
                                         std::uint32_t now);

}  // namespace cairn::signer
