#include "resolver/cache.hpp"

#include <malloc.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

#include "resolver/read_section.hpp"
#include "resolver/stats.hpp"

namespace cairn::resolver {
namespace {

static_assert(std::is_trivially_destructible_v<CacheEntry>, "entries are freed with free()");

// Slot values: 0 empty, 1 a tombstone (a removed entry; probing goes on past it), otherwise an entry
// pointer in the low 48 bits and the top 16 bits of its key hash above, so that most probes that do not
// match never touch the entry.
constexpr std::uint64_t kEmpty = 0;
constexpr std::uint64_t kTombstone = 1;
constexpr std::uint64_t kPointerMask = (std::uint64_t{1} << 48) - 1;
constexpr std::size_t kInitialSlots = 64;
constexpr std::size_t kMallocHeader = sizeof(std::size_t);  // glibc's chunk header beside usable bytes
constexpr std::size_t kMaxShards = 64;
constexpr std::uint64_t kBytesPerShardStep = 1 << 20;  // a shard per MiB of max-cache-size, up to 64

std::uint64_t mix64(std::uint64_t x) {  // MurmurHash3's finaliser
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ULL;
    x ^= x >> 33;
    return x;
}

std::uint64_t key_hash(std::uint64_t name_hash, std::uint32_t key_type) {
    return mix64(name_hash ^ (std::uint64_t{key_type} * 0x9E3779B97F4A7C15ULL));
}

std::uint64_t slot_value(const CacheEntry* entry, std::uint64_t hash) {
    return (hash & ~kPointerMask) | reinterpret_cast<std::uintptr_t>(entry);
}
CacheEntry* slot_entry(std::uint64_t value) {
    return reinterpret_cast<CacheEntry*>(value & kPointerMask);
}
bool slot_live(std::uint64_t value) {
    return value > kTombstone;
}

void free_entry(void* entry) {
    std::free(entry);
}

void count_removed(const CacheEntry& e, FlushCounts& counts) {
    switch (e.kind) {
        case EntryKind::rrset:
            ++counts.positive;
            break;
        case EntryKind::nxdomain:
        case EntryKind::nodata:
            ++counts.negative;
            break;
        case EntryKind::failure:
        case EntryKind::stale_hold:
            ++counts.failures;
            break;
    }
}

void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

// Writes one record in the cache's rendered form (owner pointer to the question, TTL 0 until answered).
std::uint8_t* render_rr(std::uint8_t* p, std::uint16_t type, std::span<const std::uint8_t> rdata) {
    p[0] = 0xC0;
    p[1] = 0x0C;
    put16(p + 2, type);
    put16(p + 4, 1);  // IN
    std::memset(p + 6, 0, 4);
    put16(p + 10, static_cast<std::uint16_t>(rdata.size()));
    if (!rdata.empty()) std::memcpy(p + kRenderedRrHeader, rdata.data(), rdata.size());
    return p + kRenderedRrHeader + rdata.size();
}

std::size_t rendered_size(const std::vector<std::vector<std::uint8_t>>& rdatas) {
    std::size_t n = 0;
    for (const auto& r : rdatas)
        n += kRenderedRrHeader + r.size();
    return n;
}

bool owned_by(const CacheEntry& e, std::span<const std::uint8_t> owner_lower) {
    return e.owner_size == owner_lower.size() &&
           std::memcmp(e.payload(), owner_lower.data(), owner_lower.size()) == 0;
}

bool owner_is_under(std::span<const std::uint8_t> owner, std::span<const std::uint8_t> top_lower) {
    // Both lowercased uncompressed wire names: walk owner's labels until what is left is as long as top.
    std::size_t pos = 0;
    while (owner.size() - pos > top_lower.size()) {
        pos += std::size_t{owner[pos]} + 1;
    }
    return owner.size() - pos == top_lower.size() &&
           std::memcmp(owner.data() + pos, top_lower.data(), top_lower.size()) == 0;
}

}  // namespace

std::string_view to_string(Rank r) {
    switch (r) {
        case Rank::none:
            return "none";
        case Rank::glue:
            return "glue";
        case Rank::referral:
            return "referral";
        case Rank::authority:
            return "non-authoritative authority";
        case Rank::answer:
            return "non-authoritative answer";
        case Rank::auth_authority:
            return "authoritative authority";
        case Rank::auth_answer:
            return "authoritative answer";
    }
    return "?";
}

std::string_view to_string(Security s) {
    switch (s) {
        case Security::unchecked:
            return "not validated";
        case Security::insecure:
            return "insecure";
        case Security::secure:
            return "secure";
        case Security::bogus:
            return "bogus";
        case Security::indeterminate:
            return "indeterminate";
    }
    return "?";
}

struct Cache::Table {
    std::size_t mask = 0;
    std::atomic<std::uint64_t>* slots() { return reinterpret_cast<std::atomic<std::uint64_t>*>(this + 1); }
    const std::atomic<std::uint64_t>* slots() const {
        return reinterpret_cast<const std::atomic<std::uint64_t>*>(this + 1);
    }
    std::size_t capacity() const { return mask + 1; }
    std::size_t bytes() const { return sizeof(Table) + capacity() * sizeof(std::uint64_t); }

    static Table* create(std::size_t capacity) {
        void* memory = std::calloc(1, sizeof(Table) + capacity * sizeof(std::uint64_t));
        if (memory == nullptr) throw std::bad_alloc();
        auto* t = new (memory) Table;
        t->mask = capacity - 1;
        return t;
    }
};
static_assert(std::is_trivially_destructible_v<std::atomic<std::uint64_t>>);

struct Cache::Shard {
    std::atomic<Table*> table{nullptr};
    std::mutex writer;
    std::size_t live = 0;
    std::size_t tombstones = 0;
    std::size_t hand = 0;     // CLOCK position
    std::uint64_t bytes = 0;  // entries + table
};

Cache::Cache(const CacheSettings& settings, const StaleSettings& stale, Stats& stats, std::uint64_t seed)
    : settings_(settings), stale_(stale), stats_(stats), seed_(mix64(seed | 1)) {
    shard_count_ = kMaxShards;
    if (settings_.max_cache_size != 0) {
        const std::uint64_t steps = std::max<std::uint64_t>(1, settings_.max_cache_size / kBytesPerShardStep);
        shard_count_ = std::min<std::size_t>(kMaxShards, std::bit_floor(steps));
    }
    shard_budget_ = settings_.max_cache_size / shard_count_;
    shards_ = std::make_unique<Shard[]>(shard_count_);
    for (std::size_t i = 0; i < shard_count_; ++i) {
        Table* t = Table::create(kInitialSlots);
        shards_[i].table.store(t);
        shards_[i].bytes = t->bytes();
        bytes_ += t->bytes();
    }
}

Cache::~Cache() {
    // No reader is left (the context is destroyed after its workers stopped).
    for (std::size_t i = 0; i < shard_count_; ++i) {
        Table* t = shards_[i].table.load();
        for (std::size_t s = 0; s < t->capacity(); ++s) {
            const std::uint64_t v = t->slots()[s].load(std::memory_order_relaxed);
            if (slot_live(v)) std::free(slot_entry(v));
        }
        std::free(t);
    }
}

std::uint64_t Cache::name_hash(std::span<const std::uint8_t> owner) const {
    std::uint64_t h = seed_ ^ (owner.size() * 0x9E3779B97F4A7C15ULL);
    std::size_t i = 0;
    for (; i + 8 <= owner.size(); i += 8) {
        std::uint64_t chunk;
        std::memcpy(&chunk, owner.data() + i, 8);
        h = (h ^ chunk) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    if (i < owner.size()) {
        std::uint64_t chunk = 0;
        std::memcpy(&chunk, owner.data() + i, owner.size() - i);
        h = (h ^ chunk) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    return mix64(h);
}

Cache::Shard& Cache::shard_for(std::uint64_t name_hash) const {
    return shards_[(name_hash >> 40) & (shard_count_ - 1)];
}

const CacheEntry* Cache::find(std::span<const std::uint8_t> owner, std::uint64_t name_hash,
                              std::uint32_t key_type) const {
    const std::uint64_t hash = key_hash(name_hash, key_type);
    const Table* table = shard_for(name_hash).table.load(std::memory_order_acquire);
    const auto* slots = table->slots();
    const std::uint64_t tag = hash & ~kPointerMask;
    for (std::size_t i = hash & table->mask;; i = (i + 1) & table->mask) {
        const std::uint64_t v = slots[i].load(std::memory_order_acquire);
        if (v == kEmpty) return nullptr;
        if (v == kTombstone || (v & ~kPointerMask) != tag) continue;
        const CacheEntry* e = slot_entry(v);
        if (e->key_type == key_type && owned_by(*e, owner)) return e;
    }
}

void Cache::prefetch_slot(std::uint64_t name_hash, std::uint32_t key_type) const {
    const std::uint64_t hash = key_hash(name_hash, key_type);
    const Table* table = shard_for(name_hash).table.load(std::memory_order_acquire);
    __builtin_prefetch(&table->slots()[hash & table->mask]);
}

void Cache::prefetch_entry(std::uint64_t name_hash, std::uint32_t key_type) const {
    const std::uint64_t hash = key_hash(name_hash, key_type);
    const Table* table = shard_for(name_hash).table.load(std::memory_order_acquire);
    const std::uint64_t v = table->slots()[hash & table->mask].load(std::memory_order_relaxed);
    if (slot_live(v)) __builtin_prefetch(slot_entry(v));
}

const CacheEntry* Cache::find(const dns::Name& owner, std::uint32_t key_type) const {
    const dns::Name lower = owner.lowercased();
    return find(lower.wire(), name_hash(lower.wire()), key_type);
}

std::uint32_t Cache::clamp_ttl(EntryKind kind, std::uint32_t ttl) const {
    switch (kind) {
        case EntryKind::rrset:
            return std::clamp(ttl, settings_.min_cache_ttl, settings_.max_cache_ttl);
        case EntryKind::nxdomain:
        case EntryKind::nodata:
            return std::clamp(ttl, settings_.min_ncache_ttl, settings_.max_ncache_ttl);
        case EntryKind::failure:
            return ttl != 0 ? ttl : settings_.servfail_ttl;
        case EntryKind::stale_hold:
            return stale_.refresh_time;
    }
    return 0;
}

CacheEntry* Cache::build(const NewEntry& n, std::uint32_t now, std::int64_t now_wall,
                         std::uint64_t name_hash) const {
    const std::uint32_t ttl = clamp_ttl(n.kind, n.ttl);
    if (ttl == 0) return nullptr;
    const dns::Name owner = n.owner.lowercased();
    const std::size_t records_size = n.kind == EntryKind::rrset ? rendered_size(n.rdatas) : 0;
    const std::size_t sigs_size = rendered_size(n.sigs);
    std::size_t extra_size = 0;
    if (n.kind == EntryKind::nxdomain || n.kind == EntryKind::nodata)
        extra_size = n.soa_owner.wire_size() + kRenderedRrHeader + n.soa_rdata.size();
    else if (n.kind == EntryKind::failure || n.kind == EntryKind::stale_hold)
        extra_size = n.cause.size();
    else if (n.dname_owner)
        extra_size = n.dname_owner->wire_size();
    std::size_t proof_size = 0;
    for (const auto& r : n.proof)
        proof_size += r.owner.wire_size() + kRenderedRrHeader + r.rdata.size();
    if (proof_size > UINT16_MAX) return nullptr;
    const std::size_t total =
        sizeof(CacheEntry) + owner.wire_size() + records_size + sigs_size + extra_size + proof_size;

    void* memory = std::malloc(total);
    if (memory == nullptr) throw std::bad_alloc();
    if ((reinterpret_cast<std::uintptr_t>(memory) & ~kPointerMask) != 0) {  // beyond 48-bit addresses
        std::free(memory);
        return nullptr;
    }
    auto* e = new (memory) CacheEntry;
    e->key_type = n.kind == EntryKind::nxdomain     ? kNxdomainKey
                  : n.kind == EntryKind::failure    ? failure_key(n.type)
                  : n.kind == EntryKind::stale_hold ? stale_hold_key(n.type)
                                                    : n.type;
    e->hash = key_hash(name_hash, e->key_type);
    e->expire = now + ttl;
    e->stale_until = e->expire;
    if (stale_.cache_enable && n.kind <= EntryKind::nodata) e->stale_until += stale_.max_stale_ttl;
    e->stored_at = now;
    e->stored_wall = now_wall;
    e->original_ttl = ttl;
    e->alloc_size = static_cast<std::uint32_t>(malloc_usable_size(memory) + kMallocHeader);
    e->kind = n.kind;
    e->rank = n.rank;
    e->security = n.security;
    e->referenced.store(1, std::memory_order_relaxed);  // a new entry gets its second chance
    e->owner_size = static_cast<std::uint8_t>(owner.wire_size());
    e->type = n.type;
    e->rr_count = n.kind == EntryKind::rrset ? static_cast<std::uint16_t>(n.rdatas.size()) : 0;
    e->sig_count = static_cast<std::uint16_t>(n.sigs.size());
    e->ede_code = n.ede_code;
    e->records_size = static_cast<std::uint32_t>(records_size);
    e->sigs_size = static_cast<std::uint32_t>(sigs_size);
    e->extra_size = static_cast<std::uint32_t>(extra_size);
    e->source = n.source;
    e->proof_size = static_cast<std::uint16_t>(proof_size);

    std::uint8_t* p = e->payload();
    std::memcpy(p, owner.wire().data(), owner.wire_size());
    p += owner.wire_size();
    if (n.kind == EntryKind::rrset) {
        for (const auto& rdata : n.rdatas)
            p = render_rr(p, n.type, rdata);
    }
    for (const auto& sig : n.sigs)
        p = render_rr(p, dns::code(dns::RRType::RRSIG), sig);
    if (n.kind == EntryKind::nxdomain || n.kind == EntryKind::nodata) {
        const dns::Name soa_owner = n.soa_owner.lowercased();
        std::memcpy(p, soa_owner.wire().data(), soa_owner.wire_size());
        p += soa_owner.wire_size();
        p = render_rr(p, dns::code(dns::RRType::SOA), n.soa_rdata);
    } else if (n.kind == EntryKind::failure || n.kind == EntryKind::stale_hold) {
        std::memcpy(p, n.cause.data(), n.cause.size());
        p += n.cause.size();
    } else if (n.dname_owner) {
        const dns::Name dname_owner = n.dname_owner->lowercased();
        std::memcpy(p, dname_owner.wire().data(), dname_owner.wire_size());
        p += dname_owner.wire_size();
    }
    for (const auto& r : n.proof) {
        const dns::Name proof_owner = r.owner.lowercased();
        std::memcpy(p, proof_owner.wire().data(), proof_owner.wire_size());
        p += proof_owner.wire_size();
        p = render_rr(p, r.type, r.rdata);
    }
    return e;
}

void Cache::unlink_slot(Shard& shard, std::size_t index, FlushCounts* counts) {
    Table* table = shard.table.load(std::memory_order_relaxed);
    const std::uint64_t v = table->slots()[index].load(std::memory_order_relaxed);
    CacheEntry* e = slot_entry(v);
    table->slots()[index].store(kTombstone, std::memory_order_release);
    ++shard.tombstones;
    --shard.live;
    shard.bytes -= e->alloc_size;
    bytes_.fetch_sub(e->alloc_size, std::memory_order_relaxed);
    entries_.fetch_sub(1, std::memory_order_relaxed);
    if (counts != nullptr) count_removed(*e, *counts);
    retire(e, free_entry);
}

bool Cache::make_room(Shard& shard, std::size_t needed, std::uint32_t now) {
    if (shard_budget_ == 0) return true;
    if (needed > shard_budget_) return false;
    Table* table = shard.table.load(std::memory_order_relaxed);
    const std::size_t capacity = table->capacity();
    // Two full turns of the hand clear every referenced bit and evict everything if need be.
    for (std::size_t step = 0; step < 2 * capacity && shard.bytes + needed > shard_budget_; ++step) {
        const std::size_t i = shard.hand;
        shard.hand = (shard.hand + 1) & table->mask;
        const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
        if (!slot_live(v)) continue;
        const CacheEntry* e = slot_entry(v);
        if (e->kept(now) && e->referenced.load(std::memory_order_relaxed) != 0) {
            e->referenced.store(0, std::memory_order_relaxed);
            continue;
        }
        unlink_slot(shard, i, nullptr);
        stats_.add(Counter::cache_evictions);
    }
    return shard.bytes + needed <= shard_budget_;
}

StoreResult Cache::store(const NewEntry& n, std::uint32_t now, std::int64_t now_wall) {
    const dns::Name lower = n.owner.lowercased();
    const std::uint64_t nh = name_hash(lower.wire());
    CacheEntry* e = build(n, now, now_wall, nh);
    if (e == nullptr) return StoreResult::not_cached;
    Shard& shard = shard_for(nh);
    std::lock_guard lock(shard.writer);

    Table* table = shard.table.load(std::memory_order_relaxed);
    const std::uint64_t tag = e->hash & ~kPointerMask;
    std::size_t existing = SIZE_MAX;
    std::size_t free_slot = SIZE_MAX;
    for (std::size_t i = e->hash & table->mask;; i = (i + 1) & table->mask) {
        const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
        if (v == kEmpty) {
            if (free_slot == SIZE_MAX) free_slot = i;
            break;
        }
        if (v == kTombstone) {
            if (free_slot == SIZE_MAX) free_slot = i;
            continue;
        }
        const CacheEntry* old = slot_entry(v);
        if ((v & ~kPointerMask) == tag && old->key_type == e->key_type && owned_by(*old, e->owner())) {
            existing = i;
            break;
        }
    }

    if (existing != SIZE_MAX) {
        const CacheEntry* old = slot_entry(table->slots()[existing].load(std::memory_order_relaxed));
        if (old->fresh(now) && old->rank > e->rank) {
            std::free(e);
            return StoreResult::kept_existing;
        }
        if (!make_room(shard, e->alloc_size > old->alloc_size ? e->alloc_size - old->alloc_size : 0, now)) {
            std::free(e);
            return StoreResult::not_cached;
        }
        // make_room may have evicted the old entry itself: look again.
        table = shard.table.load(std::memory_order_relaxed);
        const std::uint64_t v = table->slots()[existing].load(std::memory_order_relaxed);
        if (slot_live(v) && slot_entry(v) == old) {
            table->slots()[existing].store(slot_value(e, e->hash), std::memory_order_release);
            shard.bytes += e->alloc_size;
            shard.bytes -= old->alloc_size;
            bytes_.fetch_add(e->alloc_size, std::memory_order_relaxed);
            bytes_.fetch_sub(old->alloc_size, std::memory_order_relaxed);
            retire(const_cast<CacheEntry*>(old), free_entry);
            return StoreResult::stored;
        }
    } else if (!make_room(shard, e->alloc_size, now)) {
        std::free(e);
        return StoreResult::not_cached;
    }

    // Insert, growing (or cleaning out tombstones) first when the table would pass half full.
    table = shard.table.load(std::memory_order_relaxed);
    if ((shard.live + shard.tombstones + 1) * 2 > table->capacity()) {
        auto capacity_for = [&] {
            std::size_t capacity = kInitialSlots;
            while ((shard.live + 1) * 4 > capacity)
                capacity *= 2;
            return capacity;
        };
        // A bigger table counts against max-cache-size like entries do.
        const std::size_t wanted = capacity_for();
        if (wanted > table->capacity() &&
            !make_room(shard, e->alloc_size + (wanted - table->capacity()) * sizeof(std::uint64_t), now)) {
            std::free(e);
            return StoreResult::not_cached;
        }
        const std::size_t capacity = capacity_for();
        Table* grown = Table::create(capacity);
        for (std::size_t i = 0; i < table->capacity(); ++i) {
            const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
            if (!slot_live(v)) continue;
            std::size_t j = slot_entry(v)->hash & grown->mask;
            while (grown->slots()[j].load(std::memory_order_relaxed) != kEmpty)
                j = (j + 1) & grown->mask;
            grown->slots()[j].store(v, std::memory_order_relaxed);
        }
        shard.table.store(grown, std::memory_order_release);
        shard.tombstones = 0;
        shard.hand = 0;
        shard.bytes += grown->bytes();
        shard.bytes -= table->bytes();
        bytes_.fetch_add(grown->bytes(), std::memory_order_relaxed);
        bytes_.fetch_sub(table->bytes(), std::memory_order_relaxed);
        retire(table, free_entry);
        table = grown;
        // The old entry, if any, moved too.
        existing = SIZE_MAX;
    }
    std::size_t i = e->hash & table->mask;
    while (true) {
        const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
        if (v == kEmpty) break;
        if (v == kTombstone) {
            --shard.tombstones;
            break;
        }
        i = (i + 1) & table->mask;
    }
    table->slots()[i].store(slot_value(e, e->hash), std::memory_order_release);
    ++shard.live;
    shard.bytes += e->alloc_size;
    bytes_.fetch_add(e->alloc_size, std::memory_order_relaxed);
    entries_.fetch_add(1, std::memory_order_relaxed);
    return StoreResult::stored;
}

bool Cache::remove(const dns::Name& owner, std::uint32_t key_type) {
    const dns::Name lower = owner.lowercased();
    const std::uint64_t nh = name_hash(lower.wire());
    const std::uint64_t hash = key_hash(nh, key_type);
    Shard& shard = shard_for(nh);
    std::lock_guard lock(shard.writer);
    Table* table = shard.table.load(std::memory_order_relaxed);
    for (std::size_t i = hash & table->mask;; i = (i + 1) & table->mask) {
        const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
        if (v == kEmpty) return false;
        if (!slot_live(v)) continue;
        const CacheEntry* e = slot_entry(v);
        if (e->key_type == key_type && owned_by(*e, lower.wire())) {
            unlink_slot(shard, i, nullptr);
            return true;
        }
    }
}

FlushCounts Cache::remove_name(const dns::Name& owner) {
    const dns::Name lower = owner.lowercased();
    Shard& shard = shard_for(name_hash(lower.wire()));
    FlushCounts counts;
    std::lock_guard lock(shard.writer);
    Table* table = shard.table.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < table->capacity(); ++i) {
        const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
        if (!slot_live(v)) continue;
        if (owned_by(*slot_entry(v), lower.wire())) unlink_slot(shard, i, &counts);
    }
    return counts;
}

std::size_t Cache::remove_if(const std::function<bool(const CacheEntry&)>& doomed, FlushCounts* counts) {
    std::size_t removed = 0;
    for (std::size_t s = 0; s < shard_count_; ++s) {
        Shard& shard = shards_[s];
        std::lock_guard lock(shard.writer);
        Table* table = shard.table.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < table->capacity(); ++i) {
            const std::uint64_t v = table->slots()[i].load(std::memory_order_relaxed);
            if (slot_live(v) && doomed(*slot_entry(v))) {
                unlink_slot(shard, i, counts);
                ++removed;
            }
        }
    }
    return removed;
}

FlushCounts Cache::remove_tree(const dns::Name& top) {
    const dns::Name lower = top.lowercased();
    FlushCounts counts;
    remove_if([&](const CacheEntry& e) { return owner_is_under(e.owner(), lower.wire()); }, &counts);
    return counts;
}

FlushCounts Cache::clear() {
    // Every shard starts over with a small table, so that a flush gives the memory back.
    FlushCounts counts;
    for (std::size_t s = 0; s < shard_count_; ++s) {
        Shard& shard = shards_[s];
        std::lock_guard lock(shard.writer);
        Table* old = shard.table.load(std::memory_order_relaxed);
        Table* fresh = Table::create(kInitialSlots);
        shard.table.store(fresh, std::memory_order_release);
        for (std::size_t i = 0; i < old->capacity(); ++i) {
            const std::uint64_t v = old->slots()[i].load(std::memory_order_relaxed);
            if (!slot_live(v)) continue;
            CacheEntry* e = slot_entry(v);
            count_removed(*e, counts);
            bytes_.fetch_sub(e->alloc_size, std::memory_order_relaxed);
            entries_.fetch_sub(1, std::memory_order_relaxed);
            retire(e, free_entry);
        }
        bytes_.fetch_add(fresh->bytes(), std::memory_order_relaxed);
        bytes_.fetch_sub(old->bytes(), std::memory_order_relaxed);
        retire(old, free_entry);
        shard.live = shard.tombstones = shard.hand = 0;
        shard.bytes = fresh->bytes();
    }
    return counts;
}

std::size_t Cache::sweep(std::uint32_t now) {
    return remove_if([&](const CacheEntry& e) { return !e.kept(now); }, nullptr);
}

void Cache::for_each(const std::function<void(const CacheEntry&)>& visit) const {
    ReadSection section;
    for (std::size_t s = 0; s < shard_count_; ++s) {
        const Table* table = shards_[s].table.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < table->capacity(); ++i) {
            const std::uint64_t v = table->slots()[i].load(std::memory_order_acquire);
            if (slot_live(v)) visit(*slot_entry(v));
        }
    }
}

void Cache::for_each_owned(const dns::Name& owner,
                           const std::function<void(const CacheEntry&)>& visit) const {
    const dns::Name lower = owner.lowercased();
    ReadSection section;
    const Table* table = shard_for(name_hash(lower.wire())).table.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < table->capacity(); ++i) {
        const std::uint64_t v = table->slots()[i].load(std::memory_order_acquire);
        if (!slot_live(v)) continue;
        if (owned_by(*slot_entry(v), lower.wire())) visit(*slot_entry(v));
    }
}

}  // namespace cairn::resolver
