// Zone::patch: a new version of a zone made from the arrays of the previous one. The few edited owners
// (and their ancestors, whose emptiness or spelling may change) are rendered again by the code the full
// build uses; the unchanged nodes between them are copied in bulk, their offsets and indices moved by the
// running shifts (nothing to move when the edits keep their sizes); the hash table is copied and patched.
// The result is what build() makes of the same records, array for array (the oracle test checks it).
#include <algorithm>
#include <bitset>
#include <cstring>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "zone/zone.hpp"
#include "zone/zone_build.hpp"
#include "zone/zone_dnssec.hpp"
#include "zone/zone_wire.hpp"

namespace cairn::zone {

namespace {

using dns::RRType;

constexpr std::uint32_t kNoPacked = 0xFFFFFFFFu;

// Appends in[from, to) with one memcpy (vector::insert copies element by element with an allocator other
// than std::allocator).
template <class T>
void append(LargeVector<T>& out, std::span<T> in, std::size_t from, std::size_t to) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (from == to) return;
    const std::size_t at = out.size();
    out.resize(at + (to - from));
    std::memcpy(out.data() + at, in.data() + from, (to - from) * sizeof(T));
}

bool is_address(std::uint16_t type) {
    return type == static_cast<std::uint16_t>(RRType::A) || type == static_cast<std::uint16_t>(RRType::AAAA);
}

// True when `name` is strictly below `ancestor` (both lowercased wire names).
bool is_below(std::span<const std::uint8_t> name, std::span<const std::uint8_t> ancestor) {
    if (name.size() <= ancestor.size()) return false;
    const std::size_t at = name.size() - ancestor.size();
    std::size_t pos = 0;
    while (pos < at)
        pos += 1 + name[pos];
    return pos == at && std::memcmp(name.data() + at, ancestor.data(), ancestor.size()) == 0;
}

std::string key_of(std::span<const std::uint8_t> name) {
    return {reinterpret_cast<const char*>(name.data()), name.size()};
}

// One name the edit touches: an edited owner or an ancestor of one.
struct Entry {
    std::vector<std::uint8_t> name;  // lowercased wire
    std::vector<std::uint8_t> spelling;
    std::vector<Record> records;    // in the new version, sorted as the builder sorts them
    std::uint32_t base = kNoNode;   // its node in the base zone
    std::uint32_t pos = 0;          // it sits before base node `pos`
    std::uint32_t index = kNoNode;  // its node in the new zone; kNoNode: it goes away
    bool edited = false;
    bool has_records = false;
    bool exists = false;
    bool had_address = false, has_address = false;
    bool moves_cut = false;  // gains or loses a zone cut or DNAME, keeping its place
};

// A run of unchanged base nodes [begin, end) copied to `to`, or one entry.
struct Op {
    Entry* entry = nullptr;
    std::uint32_t begin = 0, end = 0, to = 0;
    std::uint32_t rrset_begin = 0, rrset_end = 0, rrset_to = 0;
};

// How the base nodes from `old_begin` on (up to the next segment) moved.
struct Segment {
    std::uint32_t old_begin = 0;
    std::int64_t nodes = 0, names = 0, rrsets = 0;
};

}  // namespace

class ZonePatcher {
  public:
    static std::shared_ptr<const Zone> run(const Zone& base, std::vector<Zone::OwnerEdit>& edits);

  private:
    ZonePatcher(const Zone& base) : base_(base), b_(base.a_) {}

    bool plan(std::vector<Zone::OwnerEdit>& edits);
    void splice_stored(Zone::Parts& parts);
    void link_entries(Zone& z);
    void patch_table(Zone& z);
    // Moves the slots of the nodes that moved by their segment's shifts.
    void remap_slots(Zone::Slot* table, std::size_t size) const;
    void splice_derived(Zone& z, Zone::Owned& out);

    std::uint32_t remap(std::uint32_t old) const {
        if (old == kNoNode || old < first_shift_) return old;
        const auto it = std::upper_bound(segments_.begin(), segments_.end(), old,
                                         [](std::uint32_t v, const Segment& s) { return v < s.old_begin; });
        return static_cast<std::uint32_t>(old + (it - 1)->nodes);
    }
    void add_segment(const Segment& s) {
        segments_.push_back(s);
        if (first_shift_ == kNoNode && (s.nodes != 0 || s.names != 0 || s.rrsets != 0))
            first_shift_ = s.old_begin;
    }
    bool is_entry_base(std::uint32_t old) const {
        return std::binary_search(entry_bases_.begin(), entry_bases_.end(), old);
    }
    // Packed renderings of the base RRsets [0, s): the index of the first one at or after s.
    std::uint32_t packed_before(std::uint32_t s) const;
    // Copies the derived data of the base RRsets [from, to), placed at new index `at`.
    void copy_derived(Zone& z, Zone::Owned& out, std::uint32_t from, std::uint32_t to, std::uint32_t at,
                      bool with_links);

    const Zone& base_;
    const Zone::Arrays& b_;
    std::vector<Entry> entries_;
    std::vector<std::uint32_t> entry_bases_;  // sorted
    std::vector<Op> ops_;
    std::vector<Segment> segments_;
    std::uint32_t first_shift_ = kNoNode;  // base nodes below it keep their index, names and RRsets
    std::size_t rr_count_ = 0;
};

bool Zone::has_builder_layout() const {
    std::size_t names = 0, rr = 0, links = 0, sets = 0, packed = 0, pointers = 0;
    for (const Node& n : a_.nodes) {
        if (n.name != names) return false;
        names += n.name_size;
        if (n.spelling != n.name) {
            if (n.spelling != names) return false;
            names += n.name_size;
        }
    }
    for (const RRset& s : a_.rrsets) {
        if (s.wire != rr || s.additional != links) return false;
        rr += s.wire_size;
        links += s.additional_count;
        if (s.packed == kNoPacked) continue;
        if (s.packed != sets) return false;
        const PackedRRset& p = a_.packed_sets[sets++];
        if (p.wire != packed || p.first_pointer != pointers) return false;
        packed += p.wire_size;
        pointers += p.pointer_count;
    }
    return names == a_.names.size() && rr == a_.rr.size() && links == a_.links.size() &&
           sets == a_.packed_sets.size() && packed == a_.packed.size() && pointers == a_.pointers.size();
}

std::shared_ptr<const Zone> Zone::patch(const Zone& base, std::vector<OwnerEdit> edits) {
    return ZonePatcher::run(base, edits);
}

bool ZonePatcher::plan(std::vector<Zone::OwnerEdit>& edits) {
    const auto origin = base_.name(b_.nodes[0]);
    const auto rclass = base_.rclass();
    // The edited owners and all their ancestors, in canonical order.
    for (Zone::OwnerEdit& e : edits) {
        for (const Record& r : e.records) {
            // What build() refuses is left to it, for its error message.
            if (r.rclass != rclass || static_cast<std::uint16_t>(r.type) == 0 || dns::is_meta_type(r.type) ||
                r.rdata.size() > 0xFFFF) {
                return false;
            }
        }
        if (!is_below(e.name, origin) &&
            !(e.name.size() == origin.size() && std::equal(e.name.begin(), e.name.end(), origin.begin()))) {
            return false;
        }
        for (std::size_t pos = e.name[0] + 1u; e.name.size() - pos >= origin.size(); pos += 1 + e.name[pos]) {
            Entry a;
            a.name.assign(e.name.begin() + static_cast<std::ptrdiff_t>(pos), e.name.end());
            entries_.push_back(std::move(a));
            if (e.name.size() - pos == origin.size()) break;
        }
        Entry x;
        x.name = std::move(e.name);
        x.records = std::move(e.records);
        x.edited = true;
        entries_.push_back(std::move(x));
    }
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
        const auto c = dns::canonical_compare(a.name, b.name);
        if (c != std::strong_ordering::equal) return c == std::strong_ordering::less;
        return a.edited && !b.edited;  // the edited one is kept
    });
    entries_.erase(std::unique(entries_.begin(), entries_.end(),
                               [](const Entry& a, const Entry& b) { return a.name == b.name; }),
                   entries_.end());
    if (entries_.empty() || !entries_[0].edited || entries_[0].name.size() != origin.size()) return false;

    for (Entry& e : entries_) {
        LookupName ln;
        if (!ln.assign(e.name)) return false;
        e.base = base_.find(ln);
        if (e.base != kNoNode) {
            const Node& n = b_.nodes[e.base];
            for (const RRset& s : base_.rrsets(n))
                e.had_address |= is_address(s.type);
            entry_bases_.push_back(e.base);
        }
        if (e.edited) {
            std::stable_sort(e.records.begin(), e.records.end(), [](const Record& a, const Record& b) {
                if (a.type != b.type) return a.type < b.type;
                return dns::rdata_canonical_compare(a.type, a.rdata, b.rdata) == std::strong_ordering::less;
            });
        } else if (e.base != kNoNode) {
            const Node& n = b_.nodes[e.base];
            const auto owner = dns::Name::from_validated_wire(base_.spelling(n));
            for (const RRset& s : base_.rrsets(n)) {
                const auto w = base_.wire(s);
                for (std::size_t pos = 0; pos < w.size();) {
                    const std::size_t len = read16(w, pos + 10);
                    e.records.push_back(
                        Record{owner,
                               static_cast<RRType>(s.type),
                               rclass,
                               read32(w, pos + 6),
                               {w.begin() + static_cast<std::ptrdiff_t>(pos + kRRHeaderSize),
                                w.begin() + static_cast<std::ptrdiff_t>(pos + kRRHeaderSize + len)}});
                    pos += kRRHeaderSize + len;
                }
            }
        }
        e.has_records = !e.records.empty();
        for (const Record& r : e.records)
            e.has_address |= is_address(static_cast<std::uint16_t>(r.type));
        if (&e == &entries_[0]) {
            e.spelling.assign(base_.origin().wire().begin(), base_.origin().wire().end());
        } else if (e.has_records) {
            e.spelling.assign(e.records[0].owner.wire().begin(), e.records[0].owner.wire().end());
        }
    }
    std::sort(entry_bases_.begin(), entry_bases_.end());
    if (!entries_[0].has_records) return false;

    // Which names remain: those with records, or with a descendant that has some (an empty non-terminal).
    const auto node_count = static_cast<std::uint32_t>(b_.nodes.size());
    for (std::size_t i = entries_.size(); i-- > 0;) {
        Entry& e = entries_[i];
        e.exists = e.has_records;
        for (std::size_t j = i + 1; !e.exists && j < entries_.size() && is_below(entries_[j].name, e.name);
             ++j)
            e.exists = entries_[j].has_records;
        if (!e.exists && e.base != kNoNode) {
            const std::uint8_t labels = b_.nodes[e.base].labels;
            for (std::uint32_t k = e.base + 1; !e.exists && k < node_count && b_.nodes[k].labels > labels;
                 ++k)
                e.exists = b_.nodes[k].rrset_count > 0 && !is_entry_base(k);
        }
    }

    // A zone cut or DNAME that appears or goes at an existing name moves the cut links and occlusion of the
    // names below it: link_entries() derives them again over its subtree.
    for (Entry& e : entries_) {
        if (e.base == kNoNode || !e.exists) continue;
        const Node& n = b_.nodes[e.base];
        bool ns = false, dname = false;
        for (const Record& r : e.records) {
            ns |= r.type == RRType::NS;
            dname |= r.type == RRType::DNAME;
        }
        if (e.base == 0) ns = false;
        e.moves_cut = ns != n.has(kNodeDelegation) || dname != n.has(kNodeDname);
    }

    // The order of the new zone: runs of base nodes and entries.
    std::uint32_t b = 0;
    for (Entry& e : entries_) {
        e.pos = e.base != kNoNode ? e.base : base_.predecessor(e.name) + 1;
        if (e.pos > b) ops_.push_back(Op{nullptr, b, e.pos});
        ops_.push_back(Op{&e});
        b = e.base != kNoNode ? e.pos + 1 : e.pos;
    }
    if (b < node_count) ops_.push_back(Op{nullptr, b, node_count});

    // An empty non-terminal is spelled as the first name below it, which sorts right after it.
    std::span<const std::uint8_t> next;
    for (std::size_t i = ops_.size(); i-- > 0;) {
        const Op& op = ops_[i];
        if (op.entry == nullptr) {
            next = base_.spelling(b_.nodes[op.begin]);
            continue;
        }
        Entry& e = *op.entry;
        if (!e.exists) continue;
        if (!e.has_records)
            e.spelling.assign(next.end() - static_cast<std::ptrdiff_t>(e.name.size()), next.end());
        next = e.spelling;
    }
    return true;
}

void ZonePatcher::splice_stored(Zone::Parts& parts) {
    const auto node_count = static_cast<std::uint32_t>(b_.nodes.size());
    const auto rrset_count = static_cast<std::uint32_t>(b_.rrsets.size());
    std::size_t extra_names = 0, extra_nodes = 0, extra_rrsets = 0, extra_rr = 0;
    for (const Entry& e : entries_) {
        extra_names += 2 * e.name.size();
        ++extra_nodes;
        for (const Record& r : e.records) {
            ++extra_rrsets;
            extra_rr += kRRHeaderSize + r.rdata.size();
        }
    }
    parts.names.reserve(b_.names.size() + extra_names);
    parts.nodes.reserve(b_.nodes.size() + extra_nodes);
    parts.rrsets.reserve(b_.rrsets.size() + extra_rrsets);
    parts.rr.reserve(b_.rr.size() + extra_rr);
    rr_count_ = base_.rr_count();

    for (Op& op : ops_) {
        if (op.entry != nullptr) {
            Entry& e = *op.entry;
            if (e.base != kNoNode) {
                const Node& old = b_.nodes[e.base];
                for (const RRset& s : base_.rrsets(old))
                    rr_count_ -= s.count;
            }
            if (!e.exists) {
                if (e.base != kNoNode) add_segment({e.base, 0, 0, 0});
                continue;
            }
            e.index = static_cast<std::uint32_t>(parts.nodes.size());
            if (e.base != kNoNode) add_segment({e.base, std::int64_t{e.index} - e.base, 0, 0});
            Node node;
            node.name = static_cast<std::uint32_t>(parts.names.size());
            node.name_size = static_cast<std::uint8_t>(e.name.size());
            node.labels = static_cast<std::uint8_t>(wire_name_labels(e.name));
            parts.names.insert(parts.names.end(), e.name.begin(), e.name.end());
            node.spelling = node.name;
            if (e.spelling != e.name) {
                node.spelling = static_cast<std::uint32_t>(parts.names.size());
                parts.names.insert(parts.names.end(), e.spelling.begin(), e.spelling.end());
            }
            node.first_rrset = static_cast<std::uint32_t>(parts.rrsets.size());
            parts.nodes.push_back(node);
            const std::size_t n = e.records.size();
            std::vector<std::uint32_t> order(n);
            for (std::uint32_t k = 0; k < n; ++k)
                order[k] = k;
            const RecordVectorSource src{e.records};
            for (std::size_t r = 0; r < n;) {
                append_rrset(parts, parts.nodes.back(), src, order.data(), r, n,
                             [&](std::size_t k) { return e.records[k].type == e.records[k - 1].type; });
            }
            for (std::uint32_t s = node.first_rrset; s < parts.rrsets.size(); ++s) {
                RRset& set = parts.rrsets[s];
                set.ttl = read32(parts.rr, set.wire + 6);
                rr_count_ += set.count;
            }
            continue;
        }
        // A run of unchanged nodes: their names, nodes, RRsets and RRs lie contiguous in the base arrays.
        const std::uint32_t begin = op.begin, end = op.end;
        const std::uint32_t s0 = b_.nodes[begin].first_rrset;
        const std::uint32_t s1 = end < node_count ? b_.nodes[end].first_rrset : rrset_count;
        const std::size_t n0 = b_.nodes[begin].name;
        const std::size_t n1 = end < node_count ? b_.nodes[end].name : b_.names.size();
        const std::size_t r0 = s0 < rrset_count ? b_.rrsets[s0].wire : b_.rr.size();
        const std::size_t r1 = s1 < rrset_count ? b_.rrsets[s1].wire : b_.rr.size();
        op.to = static_cast<std::uint32_t>(parts.nodes.size());
        op.rrset_begin = s0;
        op.rrset_end = s1;
        op.rrset_to = static_cast<std::uint32_t>(parts.rrsets.size());
        const auto d_names = static_cast<std::int64_t>(parts.names.size()) - static_cast<std::int64_t>(n0);
        const auto d_rrsets = std::int64_t{op.rrset_to} - s0;
        const auto d_rr = static_cast<std::int64_t>(parts.rr.size()) - static_cast<std::int64_t>(r0);
        const auto d_nodes = std::int64_t{op.to} - begin;
        add_segment({begin, d_nodes, d_names, d_rrsets});
        const bool shifted = first_shift_ != kNoNode;  // links may point to moved nodes

        append(parts.names, b_.names, n0, n1);
        append(parts.nodes, b_.nodes, begin, end);
        append(parts.rrsets, b_.rrsets, s0, s1);
        append(parts.rr, b_.rr, r0, r1);
        if (d_names != 0 || d_rrsets != 0 || shifted) {
            for (std::uint32_t i = op.to; i < op.to + (end - begin); ++i) {
                Node& n = parts.nodes[i];
                n.name = static_cast<std::uint32_t>(n.name + d_names);
                n.spelling = static_cast<std::uint32_t>(n.spelling + d_names);
                n.first_rrset = static_cast<std::uint32_t>(n.first_rrset + d_rrsets);
                if (shifted) {
                    n.parent = remap(n.parent);
                    n.wildcard = remap(n.wildcard);
                    n.cut = remap(n.cut);
                }
            }
        }
        if (d_rr != 0) {
            for (std::uint32_t s = op.rrset_to; s < op.rrset_to + (s1 - s0); ++s)
                parts.rrsets[s].wire = static_cast<std::uint32_t>(parts.rrsets[s].wire + d_rr);
        }
    }
    if (first_shift_ == kNoNode) first_shift_ = node_count;
}

// Parent, flags, cut and wildcard links of the entries; the unchanged nodes keep theirs but below a zone
// cut or DNAME that appeared or went.
void ZonePatcher::link_entries(Zone& z) {
    std::unordered_map<std::string, std::uint32_t> index_of;
    for (const Entry& e : entries_) {
        if (e.index != kNoNode) index_of.emplace(key_of(e.name), e.index);
    }
    for (const Entry& e : entries_) {
        if (e.index == kNoNode) continue;
        const std::uint32_t i = e.index;
        Node& n = z.a_.nodes[i];
        std::uint16_t flags = z.own_flags(i);
        n.parent = kNoNode;
        n.cut = kNoNode;
        n.wildcard = kNoNode;
        if (i == 0) {
            if (flags & kNodeDname) n.cut = 0;
        } else {
            const std::span<const std::uint8_t> parent_name(e.name.data() + 1 + e.name[0],
                                                            e.name.size() - 1 - e.name[0]);
            n.parent = index_of.at(key_of(parent_name));
            const Node& p = z.a_.nodes[n.parent];
            if (p.cut != kNoNode) {
                flags |= kNodeOccluded;
                n.cut = p.cut;
            } else if (flags & (kNodeDelegation | kNodeDname)) {
                n.cut = i;
            }
        }
        if (e.base != kNoNode) {
            const std::uint32_t w = b_.nodes[e.base].wildcard;
            if (w != kNoNode && !is_entry_base(w)) {
                n.wildcard = remap(w);
                flags |= kNodeWildcardChild;
            }
        }
        n.flags = flags;
    }
    for (const Entry& e : entries_) {
        if (e.index == kNoNode || e.index == 0) continue;
        Node& n = z.a_.nodes[e.index];
        if (!n.has(kNodeWildcard)) continue;
        Node& p = z.a_.nodes[n.parent];
        p.wildcard = e.index;
        p.flags |= kNodeWildcardChild;
    }
    // Below a cut that appeared or went, every node's cut and occlusion follow from its parent's again, in
    // canonical order (parents first); the subtree is the nodes after it with more labels.
    const auto count = static_cast<std::uint32_t>(z.a_.nodes.size());
    for (const Entry& e : entries_) {
        if (!e.moves_cut) continue;
        const std::uint8_t labels = z.a_.nodes[e.index].labels;
        for (std::uint32_t i = e.index + 1; i < count && z.a_.nodes[i].labels > labels; ++i) {
            Node& n = z.a_.nodes[i];
            const Node& p = z.a_.nodes[n.parent];
            n.flags = static_cast<std::uint16_t>(n.flags & ~kNodeOccluded);
            if (p.cut != kNoNode) {
                n.flags |= kNodeOccluded;
                n.cut = p.cut;
            } else {
                n.cut = n.flags & (kNodeDelegation | kNodeDname) ? i : kNoNode;
            }
        }
    }
}

void ZonePatcher::patch_table(Zone& z) {
    std::size_t size = 16;
    while (size < z.a_.nodes.size() * 2)
        size <<= 1;
    if (size != base_.table_mask_ + 1) {
        z.build_table();
        return;
    }
    z.table_mask_ = base_.table_mask_;
    // Nothing moved and every edited name kept its node, name and first RRset: the slots are the base's.
    bool same_slots = first_shift_ == b_.nodes.size();
    for (const Entry& e : entries_) {
        same_slots = same_slots && e.base != kNoNode && e.index == e.base &&
                     z.a_.nodes[e.index].name == b_.nodes[e.base].name &&
                     z.a_.nodes[e.index].first_rrset == b_.nodes[e.base].first_rrset;
    }
    if (same_slots) {
        z.table_ = base_.table_;
        z.table_storage_ = base_.table_storage_;
        return;
    }
    auto storage = std::make_shared<LargeVector<Zone::Slot>>(base_.table_, base_.table_ + size);
    Zone::Slot* table = storage->data();
    z.table_ = table;
    z.table_storage_ = storage;
    const std::uint64_t mask = z.table_mask_;
    // Removes the base entries' slots first, while every slot still holds base offsets (backward-shift
    // deletion: the slots after it in its cluster move up when their home allows).
    auto base_home = [&](const Zone::Slot& s) {
        return SuffixHasher::hash(base_.name(b_.nodes[s.node - 1])) & mask;
    };
    for (const Entry& e : entries_) {
        if (e.base == kNoNode) continue;
        std::uint64_t j = SuffixHasher::hash(e.name) & mask;
        while (table[j].node != e.base + 1)
            j = (j + 1) & mask;
        for (std::uint64_t i = (j + 1) & mask; table[i].node != 0; i = (i + 1) & mask) {
            const std::uint64_t home = base_home(table[i]);
            const bool stays = j < i ? (j < home && home <= i) : (j < home || home <= i);
            if (stays) continue;
            table[j] = table[i];
            j = i;
        }
        table[j] = Zone::Slot{};
    }
    if (first_shift_ < b_.nodes.size()) {
        // The slots come in hash order: a segment number per moved node, filled run by run, spares each
        // slot a binary search over the segments.
        remap_slots(table, size);
    }
    for (const Entry& e : entries_) {
        if (e.index == kNoNode) continue;
        const std::uint64_t h = SuffixHasher::hash(e.name);
        std::uint64_t slot = h & mask;
        while (table[slot].node != 0)
            slot = (slot + 1) & mask;
        const Node& n = z.a_.nodes[e.index];
        table[slot] = {static_cast<std::uint32_t>(h >> 32), e.index + 1, n.name, n.first_rrset};
    }
}

void ZonePatcher::remap_slots(Zone::Slot* table, std::size_t size) const {
    const auto count = static_cast<std::uint32_t>(b_.nodes.size());
    LargeVector<std::uint32_t> segment_at;
    segment_at.reserve(count - first_shift_);
    const auto first = std::upper_bound(segments_.begin(), segments_.end(), first_shift_,
                                        [](std::uint32_t v, const Segment& g) { return v < g.old_begin; }) -
                       1;
    for (auto g = first; g != segments_.end(); ++g) {
        const std::uint32_t end = g + 1 == segments_.end() ? count : (g + 1)->old_begin;
        segment_at.insert(segment_at.end(), end - std::max(g->old_begin, first_shift_),
                          static_cast<std::uint32_t>(g - segments_.begin()));
    }
    for (Zone::Slot& s : std::span(table, size)) {
        if (s.node == 0 || s.node - 1 < first_shift_) continue;
        const Segment& g = segments_[segment_at[s.node - 1 - first_shift_]];
        s.node = static_cast<std::uint32_t>(s.node + g.nodes);
        s.name = static_cast<std::uint32_t>(s.name + g.names);
        s.first_rrset = static_cast<std::uint32_t>(s.first_rrset + g.rrsets);
    }
}

std::uint32_t ZonePatcher::packed_before(std::uint32_t s) const {
    const std::size_t count = b_.rrsets.size();
    if (s >= count) return static_cast<std::uint32_t>(b_.packed_sets.size());
    for (std::size_t d = 0; s + d < count || d < s; ++d) {
        if (s + d < count && b_.rrsets[s + d].packed != kNoPacked) return b_.rrsets[s + d].packed;
        if (d < s && b_.rrsets[s - 1 - d].packed != kNoPacked) return b_.rrsets[s - 1 - d].packed + 1;
    }
    return 0;
}

void ZonePatcher::copy_derived(Zone& z, Zone::Owned& out, std::uint32_t from, std::uint32_t to,
                               std::uint32_t at, bool with_links) {
    if (from == to) return;
    const std::size_t rrset_count = b_.rrsets.size();
    const std::size_t k0 = packed_before(from), k1 = packed_before(to);
    const std::size_t l0 = b_.rrsets[from].additional;
    const std::size_t l1 = to < rrset_count ? b_.rrsets[to].additional : b_.links.size();
    const std::size_t pset_count = b_.packed_sets.size();
    const std::size_t p0 = k0 < pset_count ? b_.packed_sets[k0].first_pointer : b_.pointers.size();
    const std::size_t p1 = k1 < pset_count ? b_.packed_sets[k1].first_pointer : b_.pointers.size();
    const std::size_t w0 = k0 < pset_count ? b_.packed_sets[k0].wire : b_.packed.size();
    const std::size_t w1 = k1 < pset_count ? b_.packed_sets[k1].wire : b_.packed.size();
    const auto d_links = static_cast<std::int64_t>(out.links.size()) - static_cast<std::int64_t>(l0);
    const auto d_sets = static_cast<std::int64_t>(out.packed_sets.size()) - static_cast<std::int64_t>(k0);
    const auto d_pointers = static_cast<std::int64_t>(out.pointers.size()) - static_cast<std::int64_t>(p0);
    const auto d_packed = static_cast<std::int64_t>(out.packed.size()) - static_cast<std::int64_t>(w0);

    if (with_links) {
        const std::size_t first = out.links.size();
        append(out.links, b_.links, l0, l1);
        if (first_shift_ < b_.nodes.size()) {
            for (std::size_t l = first; l < out.links.size(); ++l)
                out.links[l].node = remap(out.links[l].node);
        }
    }
    const std::size_t first_set = out.packed_sets.size();
    append(out.packed_sets, b_.packed_sets, k0, k1);
    if (d_pointers != 0 || d_packed != 0) {
        for (std::size_t k = first_set; k < out.packed_sets.size(); ++k) {
            out.packed_sets[k].wire = static_cast<std::uint32_t>(out.packed_sets[k].wire + d_packed);
            out.packed_sets[k].first_pointer =
                static_cast<std::uint32_t>(out.packed_sets[k].first_pointer + d_pointers);
        }
    }
    append(out.pointers, b_.pointers, p0, p1);
    append(out.packed, b_.packed, w0, w1);
    if (d_links != 0 || d_sets != 0) {
        for (std::uint32_t t = at; t < at + (to - from); ++t) {
            RRset& s = z.a_.rrsets[t];
            s.additional = static_cast<std::uint32_t>(s.additional + d_links);
            if (s.packed != kNoPacked) s.packed = static_cast<std::uint32_t>(s.packed + d_sets);
        }
    }
}

// Packed renderings and additional links in RRset order: copied for the unchanged RRsets, made anew for
// the entries' and for the unchanged RRsets whose targets gained or lost their addresses.
void ZonePatcher::splice_derived(Zone& z, Zone::Owned& out) {
    std::vector<std::uint32_t> relink;       // base RRsets whose links are computed again
    std::vector<std::uint32_t> lost;         // base nodes that no longer hold addresses
    std::unordered_set<std::string> gained;  // names that hold addresses and did not
    std::bitset<256> gained_sizes;
    for (const Entry& e : entries_) {
        if (e.had_address && !(e.exists && e.has_address)) lost.push_back(e.base);
        if (e.exists && e.has_address && !e.had_address) {
            gained.insert(key_of(e.name));
            gained_sizes.set(e.name.size());
        }
    }
    std::sort(lost.begin(), lost.end());
    const auto& rrsets = b_.rrsets;
    if (!lost.empty()) {
        for (std::size_t l = 0; l < b_.links.size(); ++l) {
            if (!std::binary_search(lost.begin(), lost.end(), b_.links[l].node)) continue;
            const auto it = std::upper_bound(rrsets.begin(), rrsets.end(), l,
                                             [](std::size_t v, const RRset& s) { return v < s.additional; });
            relink.push_back(static_cast<std::uint32_t>(it - 1 - rrsets.begin()));
        }
    }
    if (!gained.empty()) {
        std::string lowered;
        for (std::uint32_t s = 0; s < rrsets.size(); ++s) {
            const std::size_t target = additional_target_offset(static_cast<RRType>(rrsets[s].type));
            if (target == kNoTarget) continue;
            const auto w = base_.wire(rrsets[s]);
            bool hit = false;
            for (std::size_t pos = 0; pos < w.size() && !hit;) {
                const std::size_t len = read16(w, pos + 10);
                const auto rdata = w.subspan(pos + kRRHeaderSize, len);
                pos += kRRHeaderSize + len;
                const std::size_t size = rdata_name_size(rdata, target);
                if (size == 0 || !gained_sizes.test(size)) continue;
                lowered.resize(size);
                for (std::size_t k = 0; k < size; ++k)
                    lowered[k] = static_cast<char>(dns::lower_ascii(rdata[target + k]));
                hit = gained.count(lowered) != 0;
            }
            if (hit) relink.push_back(s);
        }
    }
    std::sort(relink.begin(), relink.end());
    relink.erase(std::unique(relink.begin(), relink.end()), relink.end());

    out.links.reserve(b_.links.size() + 64);
    out.packed.reserve(b_.packed.size() + 1024);
    out.packed_sets.reserve(b_.packed_sets.size() + 64);
    out.pointers.reserve(b_.pointers.size() + 256);
    std::vector<std::uint32_t> target_at;
    Zone::Owned scratch;
    for (const Op& op : ops_) {
        if (op.entry != nullptr) {
            const Entry& e = *op.entry;
            if (e.index == kNoNode) continue;
            const Node& n = z.a_.nodes[e.index];
            for (std::uint32_t s = n.first_rrset; s < n.first_rrset + n.rrset_count; ++s)
                z.derive_rrset(out, z.a_.rrsets[s], n, target_at);
            continue;
        }
        std::uint32_t from = op.rrset_begin;
        auto it = std::lower_bound(relink.begin(), relink.end(), op.rrset_begin);
        for (; it != relink.end() && *it < op.rrset_end; ++it) {
            const std::uint32_t s = *it;
            copy_derived(z, out, from, s, op.rrset_to + (from - op.rrset_begin), true);
            const std::uint32_t t = op.rrset_to + (s - op.rrset_begin);
            copy_derived(z, out, s, s + 1, t, false);
            // The owner: the last node whose RRsets start at or before t.
            const auto owner_it =
                std::upper_bound(z.a_.nodes.begin(), z.a_.nodes.end(), t,
                                 [](std::uint32_t v, const Node& n) { return v < n.first_rrset; });
            const Node& owner = *(owner_it - 1);
            RRset probe = z.a_.rrsets[t];
            scratch.packed.clear();
            scratch.pointers.clear();
            scratch.packed_sets.clear();
            const bool packed = z.pack(scratch, probe, owner, target_at);
            z.link_additional(out, z.a_.rrsets[t], packed, target_at);
            from = s + 1;
        }
        copy_derived(z, out, from, op.rrset_end, op.rrset_to + (from - op.rrset_begin), true);
    }
}

std::shared_ptr<const Zone> ZonePatcher::run(const Zone& base, std::vector<Zone::OwnerEdit>& edits) {
    if (!base.built_layout_ || edits.empty()) return nullptr;
    // Past a few percent of the names, copying around them saves little over a build.
    if (edits.size() > 64 + base.node_count() / 32) return nullptr;
    ZonePatcher p(base);
    if (!p.plan(edits)) return nullptr;

    Zone::Parts parts;
    parts.origin = base.origin();
    parts.rclass = base.rclass();
    p.splice_stored(parts);
    if (parts.nodes.size() >= 0xFFFFFFF0u) throw ZoneError("zone has too many names");

    std::shared_ptr<Zone> z(new Zone());
    z->origin_ = base.origin();
    z->rclass_ = base.rclass();
    auto owned = std::make_shared<Zone::Owned>();
    owned->names = std::move(parts.names);
    owned->nodes = std::move(parts.nodes);
    owned->rrsets = std::move(parts.rrsets);
    owned->rr = std::move(parts.rr);
    z->a_.names = owned->names;
    z->a_.nodes = owned->nodes;
    z->a_.rrsets = owned->rrsets;
    z->a_.rr = owned->rr;
    p.link_entries(*z);
    p.patch_table(*z);
    z->rr_count_ = p.rr_count_;
    z->read_soa();
    p.splice_derived(*z, *owned);
    z->a_.links = owned->links;
    z->a_.packed = owned->packed;
    z->a_.packed_sets = owned->packed_sets;
    z->a_.pointers = owned->pointers;
    z->storage_ = std::move(owned);
    z->built_layout_ = true;
    z->dnssec_ = ZoneDnssec::derive(*z);  // whole: a signer's incremental update is its own work
    return z;
}

}  // namespace cairn::zone
