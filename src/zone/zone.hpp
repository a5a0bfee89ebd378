// The in-memory zone database: an immutable structure built once from a zone's records and shared as
// std::shared_ptr<const Zone>. Everything the query path needs is computed at build time so that lookups
// never allocate: nodes in canonical order (predecessor = previous index), an open-addressing hash of
// node names, per-node flags and links (parent, wildcard child, enclosing zone cut), RRsets stored as
// pre-rendered RR wire, and links from NS/MX/SRV targets to the nodes that hold their addresses.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/lookup_name.hpp"
#include "zone/parsed_zone.hpp"
#include "zone/record.hpp"

namespace cairn::zone {

class ZoneDnssec;

// A zone that cannot be built (no SOA, data outside the origin, sizes beyond the format's limits...).
class ZoneError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;

// Per-node facts, precomputed.
enum NodeFlag : std::uint16_t {
    kNodeDelegation = 1 << 0,     // NS below the apex: a zone cut
    kNodeDname = 1 << 1,          // has a DNAME RRset
    kNodeWildcardChild = 1 << 2,  // "*.<this name>" exists
    kNodeEmpty = 1 << 3,          // no RRsets: an empty non-terminal
    kNodeOccluded = 1 << 4,       // strictly below a zone cut or DNAME: glue or occluded data
    kNodeCname = 1 << 5,          // has a CNAME RRset
    kNodeWildcard = 1 << 6,       // the leftmost label is "*"
};

struct Node {
    std::uint32_t name = 0;          // offset of the lowercased wire name in the name arena
    std::uint32_t spelling = 0;      // offset of the name as first spelled in the records
    std::uint32_t first_rrset = 0;   // index of the node's first RRset; RRsets are sorted by type
    std::uint32_t parent = kNoNode;  // the node of the parent name (every ancestor up to the apex is a node)
    std::uint32_t wildcard = kNoNode;  // the node "*.<this name>"
    std::uint32_t cut = kNoNode;       // the highest zone cut (delegation or DNAME) at or above this node
    std::uint16_t rrset_count = 0;
    std::uint16_t flags = 0;
    std::uint8_t name_size = 0;
    std::uint8_t labels = 0;     // absolute label count, root not counted
    std::uint16_t reserved = 0;  // makes the struct padding-free: the raw format stores it as it is

    bool has(NodeFlag f) const { return (flags & f) != 0; }
};

// The RRs of one RRset are stored pre-rendered as consecutive wire RRs, each owner written as the
// compression pointer C0 0C (the question name); an answer that needs another owner patches those two
// octets. So the common answer is one memcpy.
struct RRset {
    std::uint32_t wire = 0;              // offset in the RR arena
    std::uint32_t wire_size = 0;         // octets of all its RRs
    std::uint32_t additional = 0;        // first entry in the additional-link array
    std::uint16_t additional_count = 0;  // one node index per target name found in the zone
    std::uint16_t type = 0;
    std::uint16_t count = 0;             // RRs
    std::uint16_t reserved = 0;          // no padding: stored as it is in the raw format
    std::uint32_t ttl = 0;               // of the first RR
    std::uint32_t packed = 0xFFFFFFFFu;  // index of its compressed rendering, if it has one
};

// A rendering of an RRset whose rdata names are compressed (RFC 1035 §4.1.4, for the RFC 1035 types NS,
// PTR, MX, SOA): each name keeps its own leading labels and ends in a pointer either to a suffix of the
// owner name (wherever the answer places it) or to a name earlier in the same RRset. Answers patch the
// pointers, as they patch owners.
struct RdataPointer {
    enum Kind : std::uint8_t { owner_suffix, in_rrset };
    std::uint32_t at = 0;  // offset of the 2-octet pointer in the packed wire
    std::uint16_t value =
        0;  // owner_suffix: octets of the owner's suffix; in_rrset: offset in the packed wire
    Kind kind = owner_suffix;
    std::uint8_t reserved = 0;  // no padding: stored as it is in the raw format
};

struct PackedRRset {
    std::uint32_t wire = 0;  // offset in the packed arena
    std::uint32_t wire_size = 0;
    std::uint32_t first_pointer = 0;
    std::uint32_t pointer_count = 0;
    std::uint32_t max_inner = 0;  // largest in_rrset target: it must stay within pointer reach
};

inline constexpr std::size_t kRRHeaderSize = 12;

// A target name of an NS/MX/SRV RRset that is a node of the zone holding A or AAAA records. The offset
// says where that name sits inside the RRset's wire, so an answer can point glue owners at it.
struct AdditionalLink {
    std::uint32_t node = kNoNode;
    std::uint32_t name_offset = 0;
};  // owner pointer, type, class, TTL, rdlength

// Result of walking a query name down the zone.
struct Lookup {
    std::uint32_t node = kNoNode;  // exact match, or else the closest encloser
    bool exact = false;
    std::size_t encloser_skip = 0;  // labels of the query name above the closest encloser (0 on a match)
};

class Zone {
  public:
    // Builds the database. Records must all be at or below `origin`, of one class, with exactly one SOA
    // at the apex. Identical RRs are merged; RRs of an RRset are kept in rdata order. Throws ZoneError.
    // The ParsedZone form reads the zone file parser's arenas directly (no copy per record).
    static std::shared_ptr<const Zone> build(const dns::Name& origin, const std::vector<Record>& records);
    static std::shared_ptr<const Zone> build(const dns::Name& origin, const ParsedZone& parsed);

    // The change of one owner name for patch(): its lowercased wire name and every record it holds in the
    // new version (none: it goes away), in the order build() would number them.
    struct OwnerEdit {
        std::vector<std::uint8_t> name;
        std::vector<Record> records;
    };
    // `base` with the records of the edited owners replaced (the apex's included: it holds the SOA), built
    // from base's arrays without rebuilding the unchanged names: every array equals what build() makes of
    // the same records. Null when the change is too large for that to pay (more than 64 + nodes/32 owners),
    // when a record is one build() refuses (left to it for its error), or when base's arrays are not laid
    // out as the builder lays them (a crafted raw file). Throws ZoneError as build() would.
    static std::shared_ptr<const Zone> patch(const Zone& base, std::vector<OwnerEdit> edits);

    const dns::Name& origin() const { return origin_; }
    dns::RRClass rclass() const { return rclass_; }

    // --- SOA facts
    std::uint32_t serial() const { return serial_; }
    std::uint32_t soa_ttl() const { return soa_ttl_; }
    std::uint32_t soa_minimum() const { return soa_minimum_; }
    std::uint32_t negative_ttl() const { return soa_ttl_ < soa_minimum_ ? soa_ttl_ : soa_minimum_; }

    // --- nodes
    static constexpr std::uint32_t apex() { return 0; }  // the apex sorts first
    std::size_t node_count() const { return a_.nodes.size(); }
    const Node& node(std::uint32_t index) const { return a_.nodes[index]; }
    std::span<const std::uint8_t> name(const Node& n) const {
        return {a_.names.data() + n.name, n.name_size};
    }
    std::span<const std::uint8_t> spelling(const Node& n) const {
        return {a_.names.data() + n.spelling, n.name_size};
    }
    std::span<const RRset> rrsets(const Node& n) const {
        return {a_.rrsets.data() + n.first_rrset, n.rrset_count};
    }
    const RRset* find_rrset(const Node& n, dns::RRType type) const {
        const auto t = static_cast<std::uint16_t>(type);
        for (const RRset& s : rrsets(n)) {
            if (s.type == t) return &s;
            if (s.type > t) break;
        }
        return nullptr;
    }
    std::span<const std::uint8_t> wire(const RRset& s) const { return {a_.rr.data() + s.wire, s.wire_size}; }
    const PackedRRset* packed(const RRset& s) const {
        return s.packed == 0xFFFFFFFFu ? nullptr : &a_.packed_sets[s.packed];
    }
    std::span<const std::uint8_t> wire(const PackedRRset& p) const {
        return {a_.packed.data() + p.wire, p.wire_size};
    }
    std::span<const RdataPointer> pointers(const PackedRRset& p) const {
        return {a_.pointers.data() + p.first_pointer, p.pointer_count};
    }
    // Offsets in AdditionalLink refer to the packed wire when the RRset has one.
    std::span<const AdditionalLink> additional(const RRset& s) const {
        return {a_.links.data() + s.additional, s.additional_count};
    }
    std::uint32_t rrset_index(const RRset& s) const {
        return static_cast<std::uint32_t>(&s - a_.rrsets.data());
    }
    const RRset* soa() const { return find_rrset(a_.nodes[0], dns::RRType::SOA); }
    // What signed answers need (zone_dnssec.hpp); null for a zone without RRSIG, NSEC or NSEC3 records.
    const ZoneDnssec* dnssec() const { return dnssec_.get(); }
    const RRset* apex_ns() const { return find_rrset(a_.nodes[0], dns::RRType::NS); }

    // --- lookups; `name` must be at or below the origin (the zone table guarantees it)
    std::uint32_t find(const LookupName& name, std::size_t skip = 0) const;  // kNoNode when absent
    Lookup lookup(const LookupName& name) const;
    // Index of the last node that sorts before `name` in canonical order (the apex has none: kNoNode).
    std::uint32_t predecessor(std::span<const std::uint8_t> lowered_wire) const;

    // --- cache hints for a batch of queries, in three rounds over the batch so that its cache misses
    // overlap: the hash slot of a name (`hash` is LookupName::suffix_hash(0) of it), then the node, name
    // and RRsets that slot points at, then the wire of the node's RRset of `type`. Each round reads only
    // what the one before brought in; none is needed for a correct answer.
    void prefetch_slot(std::uint64_t hash) const { __builtin_prefetch(&table_[hash & table_mask_]); }
    void prefetch_node(std::uint64_t hash) const {
        const Slot& entry = table_[hash & table_mask_];
        if (entry.node == 0 || entry.tag != static_cast<std::uint32_t>(hash >> 32)) return;
        __builtin_prefetch(a_.names.data() + entry.name);
        __builtin_prefetch(a_.nodes.data() + entry.node - 1);
        __builtin_prefetch(a_.rrsets.data() + entry.first_rrset);
    }
    void prefetch_rrset(std::uint64_t hash, dns::RRType type) const {
        const Slot& entry = table_[hash & table_mask_];
        if (entry.node == 0 || entry.tag != static_cast<std::uint32_t>(hash >> 32)) return;
        const RRset* set = find_rrset(a_.nodes[entry.node - 1], type);
        if (set == nullptr) return;
        __builtin_prefetch(a_.rr.data() + set->wire);
        __builtin_prefetch(a_.rr.data() + set->wire + set->wire_size - 1);
    }

    // --- iteration in canonical order
    // Calls f(owner_spelling, type, rclass, ttl, rdata) for every RR.
    template <typename F>
    void for_each_rr(F&& f) const {
        for (const Node& n : a_.nodes) {
            for (const RRset& s : rrsets(n)) {
                const auto w = wire(s);
                std::size_t pos = 0;
                while (pos < w.size()) {
                    const auto cls = static_cast<std::uint16_t>((w[pos + 4] << 8) | w[pos + 5]);
                    const std::uint32_t ttl = (std::uint32_t{w[pos + 6]} << 24) |
                                              (std::uint32_t{w[pos + 7]} << 16) |
                                              (std::uint32_t{w[pos + 8]} << 8) | w[pos + 9];
                    const std::size_t len = static_cast<std::size_t>((w[pos + 10] << 8) | w[pos + 11]);
                    f(spelling(n), static_cast<dns::RRType>(s.type), static_cast<dns::RRClass>(cls), ttl,
                      w.subspan(pos + kRRHeaderSize, len));
                    pos += kRRHeaderSize + len;
                }
            }
        }
    }
    std::vector<Record> records() const;
    std::size_t rr_count() const { return rr_count_; }
    std::size_t memory_bytes() const;

    // The stored arrays, for the raw format.
    struct Parts;
    Zone(Parts parts);  // validates and derives; throws ZoneError (use build() or read_raw())
    ~Zone();

    // Every array of a zone, derived ones included: what the raw format stores. Each points into
    // memory that `storage` keeps alive.
    struct Arrays {
        std::span<std::uint8_t> names;  // lowercased names, then spellings that differ
        std::span<Node> nodes;
        std::span<RRset> rrsets;
        std::span<std::uint8_t> rr;  // pre-rendered RRs
        std::span<AdditionalLink> links;
        std::span<std::uint8_t> packed;
        std::span<PackedRRset> packed_sets;
        std::span<RdataPointer> pointers;
    };
    // A zone over arrays read back from the raw format: checks that the derived fields are exactly what
    // derive() would compute and that every offset and index is in range, so a crafted file cannot make
    // a lookup or an answer read out of bounds. Throws ZoneError.
    static std::shared_ptr<const Zone> adopt(dns::Name origin, dns::RRClass rclass, const Arrays& arrays,
                                             std::shared_ptr<void> storage);
    const Arrays& arrays() const { return a_; }

  private:
    friend class ZoneBuilder;
    friend class ZonePatcher;
    Zone() = default;
    struct Owned;
    void derive(Owned& out);  // computes every derived field from the stored arrays, validating them
    void validate_adopted();  // checks stored derived fields (see adopt())
    // The steps both share; `adopted` compares stored derived values instead of setting them.
    void check_names(bool adopted);
    void build_table();
    void check_rrsets(bool adopted);
    void link_nodes(bool adopted);
    void read_soa();
    void check_renderings();
    // Builds the packed rendering of `set` owned by `owner`; fills `target_at` with where each RR's
    // additional-section target name starts in it. False (nothing kept) when compression saves nothing.
    bool pack(Owned& out, RRset& set, const Node& owner, std::vector<std::uint32_t>& target_at);
    // Both renderings-derived parts of one RRset: pack() then link_additional() (needs the hash table).
    void derive_rrset(Owned& out, RRset& set, const Node& owner, std::vector<std::uint32_t>& target_at);
    void link_additional(Owned& out, RRset& set, bool packed, const std::vector<std::uint32_t>& target_at);
    std::uint16_t own_flags(std::uint32_t node) const;  // empty, wildcard, CNAME, DNAME, delegation
    // True when the arrays lie as the builder lays them out (each in node and RRset order, without gaps),
    // which patch() relies on: a raw file written from a built zone does.
    bool has_builder_layout() const;

    dns::Name origin_;
    dns::RRClass rclass_ = dns::RRClass::IN;
    std::shared_ptr<void> storage_;  // owns what a_ points into
    Arrays a_;
    // Open addressing, power-of-two size. Rebuilt at load rather than stored: it depends on the hash
    // function, not on the zone. A slot holds what a lookup reads next, so that the name, the node and
    // its RRsets are fetched from memory at once rather than one after another (on a large zone each of
    // them is a cache miss).
    struct alignas(16) Slot {
        std::uint32_t tag = 0;          // hash high bits
        std::uint32_t node = 0;         // node index + 1; 0 = empty slot
        std::uint32_t name = 0;         // Node::name
        std::uint32_t first_rrset = 0;  // Node::first_rrset
    };
    const Slot* table_ = nullptr;  // table_mask_ + 1 slots
    std::uint64_t table_mask_ = 0;
    std::size_t rr_count_ = 0;
    std::uint32_t serial_ = 0, soa_ttl_ = 0, soa_minimum_ = 0;
    bool built_layout_ = false;  // arrays laid out by the builder (in node order): patch() can splice them
    // Owns the slots; a version patched without moving any node or changing its offsets shares them.
    std::shared_ptr<const LargeVector<Slot>> table_storage_;
    std::shared_ptr<const ZoneDnssec> dnssec_;  // derived last, from everything above
};

// The stored (non-derived) content of a zone: what the raw format writes and reads back.
struct Zone::Parts {
    dns::Name origin;
    dns::RRClass rclass = dns::RRClass::IN;
    LargeVector<std::uint8_t> names;
    LargeVector<Node> nodes;    // only name, spelling, name_size, first_rrset, rrset_count are stored
    LargeVector<RRset> rrsets;  // only wire, wire_size, type, count are stored
    LargeVector<std::uint8_t> rr;
};

}  // namespace cairn::zone
