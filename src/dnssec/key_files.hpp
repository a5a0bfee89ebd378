// BIND's key files, read and written so that keys move between BIND 9.18 and cairn as they are:
//   K<zone>+<alg>+<tag>.key      the DNSKEY in presentation form, after comment lines with the timing
//   K<zone>+<alg>+<tag>.private  "Private-key-format: v1.3", the algorithm, the private fields (RSA's
//                                eight integers, or ECDSA's scalar / EdDSA's seed as "PrivateKey"), then
//                                the timing metadata; mode 0600
//   K<zone>+<alg>+<tag>.state    BIND 9.18's key state (dnssec-policy): algorithm, length, lifetime,
//                                predecessor/successor, KSK/ZSK roles, timing, and the RFC 7583 / "Flexible
//                                and Robust Key Rollover" states with the time each last changed
// The same timing slot has a different tag in each file, as in BIND (Created / Generated, Publish /
// Published, Activate / Active, Inactive / Retired, Delete / Removed, SyncPublish / PublishCDS ...). When a
// .state file exists its values win, as BIND reads it last. Unknown tags are ignored, as BIND ignores them.
// Files are written atomically (temporary file, fsync, rename, fsync of the directory).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "dnssec/keys.hpp"

namespace cairn::dnssec {

// A key file that cannot be read or written; the message names the file (and line).
class KeyFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The key states of dnssec-policy (BIND's dst_key_state_t).
enum class KeyState : std::uint8_t { hidden, rumoured, omnipresent, unretentive };
const char* to_text(KeyState s);

// Unix seconds, as BIND stores them (32 bits).
using KeyTime = std::optional<std::uint32_t>;

struct KeyTiming {
    KeyTime created, publish, activate, revoke, inactive, deleted;
    KeyTime ds_publish, ds_delete, sync_publish, sync_delete;
    // .state only: when each state last changed.
    KeyTime dnskey_change, zrrsig_change, krrsig_change, ds_change;
};

struct KeyMetadata {
    std::optional<std::uint32_t> predecessor, successor, max_ttl, roll_period;  // key tags, seconds
    std::optional<std::uint32_t> lifetime, ds_pub_count, ds_del_count;          // .state only
    std::optional<bool> ksk, zsk;                                               // .state only
    std::optional<KeyState> goal, dnskey, zrrsig, krrsig, ds;                   // .state only
};

struct BindKey {
    dns::Name zone;
    dns::RRClass rclass = dns::RRClass::IN;
    std::optional<std::uint32_t> ttl;  // the DNSKEY TTL in the .key file, when it has one
    std::uint16_t flags = 0;
    std::uint8_t algorithm = 0;
    std::vector<std::uint8_t> public_key;  // the DNSKEY public key field
    std::optional<PrivateKey> private_key;
    KeyTiming timing;
    KeyMetadata metadata;
    bool has_state = false;  // a .state file was read, or is to be written

    std::vector<std::uint8_t> dnskey_rdata() const;
    std::uint16_t tag() const;
    bool ksk() const { return (flags & 0x0001) != 0; }
    // "K<zone>+<alg>+<tag>", the zone with its trailing dot (BIND's name for the files).
    std::string file_base() const;

    // A key for `zone` from a private key (flags 256 for a ZSK, 257 for a KSK or CSK).
    static BindKey make(const dns::Name& zone, std::uint16_t flags, PrivateKey key);
};

// Reads the key whose files start with `path_base` ("dir/Kexample.com.+013+29276"; a ".key", ".private" or
// ".state" suffix is dropped): the .key file must exist; .private and .state are read when present.
// Throws KeyFileError.
BindKey read_key(const std::string& path_base);

// Writes .key, .private (when the key has its private part; mode 0600) and .state (when has_state) into
// `directory`. Throws KeyFileError.
void write_key(const std::string& directory, const BindKey& key);

// Every key of `zone` in `directory` (files K<zone>+*.key), in file name order. Throws KeyFileError when
// one cannot be read.
std::vector<BindKey> read_zone_keys(const std::string& directory, const dns::Name& zone);

// The presentation of key times: YYYYMMDDHHMMSS in UTC. from_text also takes plain seconds.
std::string key_time_to_text(std::uint32_t t);
std::optional<std::uint32_t> key_time_from_text(std::string_view text);
// ctime's layout in UTC ("Mon Dec  7 23:10:38 2026"), as BIND prints key times in comments and reports.
std::string key_time_to_ctime(std::uint32_t t);

}  // namespace cairn::dnssec
