// What the validator learnt about zones' keys (Unbound's key cache): for each zone reached from a trust
// anchor, its validated DNSKEY RRset with the public keys parsed once (secure), or the fact that the zone
// and everything below it is insecure (a delegation proven to have no DS, no usable algorithm or digest,
// NSEC3 over the iteration limit, an NTA) or bogus / indeterminate (with the reason, kept for a short
// while so that a broken zone is not asked again for every query). The DNSKEY and DS RRsets themselves also
// go to the cache with their verdict, for clients that ask for them.
//
// Thread-safe: one map under a shared mutex, entries immutable and shared (a reader keeps its entry alive
// after the lock is gone). Bounded in count: expired entries go first, then the oldest.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "dnssec/keys.hpp"

namespace cairn::resolver {

struct ZoneKey {
    std::vector<std::uint8_t> rdata;  // the DNSKEY rdata
    std::uint16_t tag = 0;
    std::uint16_t flags = 0;
    std::uint8_t algorithm = 0;
    std::optional<dnssec::PublicKey> key;  // nullopt: an algorithm cairn does not verify, or malformed
};

enum class KeyState : std::uint8_t { secure, insecure, bogus, indeterminate };

struct KeyEntry {
    dns::Name zone;  // lowercased
    KeyState state = KeyState::indeterminate;
    std::vector<ZoneKey> keys;  // secure: the zone keys of the validated DNSKEY RRset
    std::uint32_t expire = 0;   // monotonic seconds
    std::int64_t stored_wall = 0;
    // insecure: why (EDE 1, 2, 27 or none for a plain unsigned delegation); bogus / indeterminate: the EDE
    // and text every answer below gets.
    std::optional<dns::EdeCode> ede;
    std::string reason;
    bool fresh(std::uint32_t now) const { return now < expire; }
};

// The keys of a DNSKEY RRset that are zone keys (RFC 4034 §2.1.1: flag bit 7) and not revoked (RFC 5011
// §2.1), parsed. At most kMaxZoneKeys are kept (no zone needs more; a KeyTrap zone gains nothing).
inline constexpr std::size_t kMaxZoneKeys = 64;
std::vector<ZoneKey> zone_keys(const std::vector<std::vector<std::uint8_t>>& dnskey_rdatas);

class KeyCache {
  public:
    explicit KeyCache(std::size_t max_entries = 20000) : max_entries_(max_entries) {}

    std::shared_ptr<const KeyEntry> find(const dns::Name& zone, std::uint32_t now) const;
    // The deepest fresh entry at or above `name` that is not above `floor` (an anchored zone).
    std::shared_ptr<const KeyEntry> closest(const dns::Name& name, const dns::Name& floor,
                                            std::uint32_t now) const;
    void store(std::shared_ptr<const KeyEntry> entry);

    std::size_t remove_tree(const dns::Name& top);  // `top` and below
    std::size_t remove(const dns::Name& zone);
    std::size_t clear();
    std::size_t sweep(std::uint32_t now);
    std::size_t size() const;
    std::vector<std::shared_ptr<const KeyEntry>> entries() const;

  private:
    std::size_t max_entries_;
    mutable std::shared_mutex mutex_;
    std::map<dns::Name, std::shared_ptr<const KeyEntry>> entries_;
};

}  // namespace cairn::resolver
