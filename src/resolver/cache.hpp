// A view's resolver cache: RRsets, negative answers and failures keyed by (owner, type), with TTLs counting
// down, the TTL clamps of named.conf, serve-stale windows and max-cache-size enforced by eviction.
//
// Concurrency: readers (the cache-hit path, Resolutions) never lock. The table is split in shards by owner
// name (so that all entries of one name share a shard, and flushname looks at one shard); each shard is an
// open-addressing array of atomic slots, a slot holding an entry pointer with 16 bits of its hash beside it.
// Writers lock their shard, build a new entry, swap the slot and retire the old entry (read_section.hpp);
// a growing shard copies its slots into a new array and retires the old one.
//
// Accounting: every entry counts its whole allocation (as malloc_usable_size reports it, plus malloc's
// header) and every shard its slot array. When a store would take a shard over its share of
// max-cache-size, entries are evicted CLOCK-style: a hand sweeps the slots, drops what is past its stale
// window, clears the "referenced" bit that hits set, and evicts what was not referenced since its last
// pass (second chance, an LRU approximation that costs a hit one relaxed load).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/cache_entry.hpp"
#include "resolver/introspection.hpp"
#include "resolver/settings.hpp"

namespace cairn::resolver {

class Stats;

// A record with its own owner, for an entry's proof block (cache_entry.hpp).
struct ProofRecord {
    dns::Name owner;
    std::uint16_t type = 0;
    std::vector<std::uint8_t> rdata;
};

// What to store: owned values from an upstream reply, before the TTL clamps.
struct NewEntry {
    dns::Name owner;
    std::uint16_t type = 0;  // the RR type; for negatives and failures the type asked
    EntryKind kind = EntryKind::rrset;
    Rank rank = Rank::none;
    Security security = Security::unchecked;
    std::uint32_t ttl = 0;                          // as received; the cache clamps it
    std::vector<std::vector<std::uint8_t>> rdatas;  // rrset: the records (uncompressed wire rdata)
    std::vector<std::vector<std::uint8_t>> sigs;    // RRSIG rdatas covering it
    // Negatives: the SOA that proves it (owner, rdata, TTL as received).
    dns::Name soa_owner;
    std::vector<std::uint8_t> soa_rdata;
    std::uint32_t soa_ttl = 0;
    // Failures: EDE code and the cause (shown with when it was cached); a failure's `ttl`, when not 0,
    // replaces servfail-ttl (bogus answers are kept for the validator's bogus TTL). RRsets and negatives:
    // the EDE of an insecure answer, if any.
    std::uint16_t ede_code = 0;
    std::string cause;
    // DNSSEC: the SOA's RRSIGs and the NSEC/NSEC3 records (with theirs) of a negative answer, or the
    // records that prove a wildcard answer. At most 65535 octets rendered, else nothing is stored.
    std::vector<ProofRecord> proof;
    // A CNAME synthesised from a DNAME: the DNAME's owner, answered before it.
    std::optional<dns::Name> dname_owner;
    dns::IpAddress source;
};

enum class StoreResult : std::uint8_t {
    stored,
    kept_existing,  // a fresh entry of higher rank is there (RFC 2181 §5.4.1)
    not_cached,     // TTL 0 after the clamps, or larger than the whole cache
};

class Cache {
  public:
    Cache(const CacheSettings& settings, const StaleSettings& stale, Stats& stats, std::uint64_t seed);
    ~Cache();
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;

    // ---- Readers: inside a read section (read_section.hpp); the entry stays valid until it is left ----
    std::uint64_t name_hash(std::span<const std::uint8_t> owner_lower) const;
    // The entry with this key whatever its age (the caller decides: fresh, stale, or nothing).
    const CacheEntry* find(std::span<const std::uint8_t> owner_lower, std::uint64_t name_hash,
                           std::uint32_t key_type) const;
    const CacheEntry* find(const dns::Name& owner, std::uint32_t key_type) const;
    // Batch hints (a worker's batch of queries): bring a key's slot, then its entry, into the CPU cache so
    // that the finds that follow do not wait on memory one after another. No effect on results.
    void prefetch_slot(std::uint64_t name_hash, std::uint32_t key_type) const;
    void prefetch_entry(std::uint64_t name_hash, std::uint32_t key_type) const;

    // ---- Writers ----
    StoreResult store(const NewEntry& entry, std::uint32_t now_seconds, std::int64_t now_wall);
    // Removes one entry if present (e.g. a NODATA made obsolete); true when something was removed.
    bool remove(const dns::Name& owner, std::uint32_t key_type);
    FlushCounts remove_name(const dns::Name& owner);
    FlushCounts remove_tree(const dns::Name& top);
    FlushCounts clear();
    // Drops entries past their stale window; returns how many.
    std::size_t sweep(std::uint32_t now_seconds);

    // Calls `visit` for every entry (inside a read section it opens), shard by shard, in no order.
    void for_each(const std::function<void(const CacheEntry&)>& visit) const;
    // The same for the entries owned by `owner` only (one shard is scanned).
    void for_each_owned(const dns::Name& owner, const std::function<void(const CacheEntry&)>& visit) const;

    std::uint64_t entries() const { return entries_.load(std::memory_order_relaxed); }
    std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
    std::uint64_t max_bytes() const { return settings_.max_cache_size; }

    // The TTL an entry of this kind is given (the clamps of named.conf).
    std::uint32_t clamp_ttl(EntryKind kind, std::uint32_t ttl) const;
    const StaleSettings& stale_settings() const { return stale_; }
    const CacheSettings& settings() const { return settings_; }

  private:
    struct Table;
    struct Shard;
    Shard& shard_for(std::uint64_t name_hash) const;
    CacheEntry* build(const NewEntry& entry, std::uint32_t now_seconds, std::int64_t now_wall,
                      std::uint64_t name_hash) const;
    bool make_room(Shard& shard, std::size_t needed, std::uint32_t now_seconds);
    void unlink_slot(Shard& shard, std::size_t index, FlushCounts* counts);
    std::size_t remove_if(const std::function<bool(const CacheEntry&)>& doomed, FlushCounts* counts);

    CacheSettings settings_;
    StaleSettings stale_;
    Stats& stats_;
    std::uint64_t seed_;
    std::size_t shard_count_;
    std::unique_ptr<Shard[]> shards_;
    std::uint64_t shard_budget_;  // bytes per shard; 0: unlimited
    std::atomic<std::uint64_t> entries_{0};
    std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace cairn::resolver
