#include "zone/zone.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "dns/rdata.hpp"
#include "zone/zone_build.hpp"
#include "zone/zone_dnssec.hpp"
#include "zone/zone_wire.hpp"

namespace cairn::zone {
namespace {

using dns::RRType;

std::string lowered_string(std::span<const std::uint8_t> wire) {
    std::string out(wire.size(), '\0');
    for (std::size_t i = 0; i < wire.size(); ++i)
        out[i] = static_cast<char>(dns::lower_ascii(wire[i]));
    return out;
}

std::span<const std::uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string describe(std::span<const std::uint8_t> wire) {
    return dns::Name::from_validated_wire(wire).to_text();
}

// Labels two uncompressed wire names share from the right, ignoring ASCII case.
std::size_t common_labels(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    std::uint8_t oa[128], ob[128];
    std::size_t na = 0, nb = 0;
    for (std::size_t pos = 0; a[pos] != 0; pos += 1 + a[pos])
        oa[na++] = static_cast<std::uint8_t>(pos);
    for (std::size_t pos = 0; b[pos] != 0; pos += 1 + b[pos])
        ob[nb++] = static_cast<std::uint8_t>(pos);
    std::size_t common = 0;
    while (common < na && common < nb) {
        const auto la = a.subspan(oa[na - 1 - common]);
        const auto lb = b.subspan(ob[nb - 1 - common]);
        if (!dns::wire_names_equal(la.first(1 + la[0]), lb.first(1 + lb[0]))) break;
        ++common;
    }
    return common;
}

struct SortKey {
    std::uint64_t hi = 0, lo = 0;  // big-endian prefix of the canonical key, zero-padded
    std::uint32_t index = 0;
    std::uint16_t type = 0;
    bool complete = false;  // the whole key fits the prefix: equal prefixes mean equal owners
};

SortKey sort_key(std::span<const std::uint8_t> owner, std::size_t origin_labels, std::uint32_t index) {
    const CanonicalPrefix p = canonical_prefix(owner, origin_labels);
    SortKey k;
    k.hi = p.hi;
    k.lo = p.lo;
    k.index = index;
    k.complete = p.complete;
    return k;
}

// Read access to the parser's arenas, as RecordVectorSource gives to a vector of records.
struct ParsedZoneSource {
    const ParsedZone& zone;
    std::size_t size() const { return zone.size(); }
    std::span<const std::uint8_t> owner(std::size_t i) const { return zone.owner_wire(i); }
    RRType type(std::size_t i) const { return zone.rrs[i].type; }
    dns::RRClass rclass(std::size_t) const { return zone.rclass; }
    std::uint32_t ttl(std::size_t i) const { return zone.rrs[i].ttl; }
    std::span<const std::uint8_t> rdata(std::size_t i) const { return zone.rdata(i); }
};

}  // namespace

// Builds the stored arrays; the Zone constructor derives the rest. No per-record or per-name allocation:
// record indices are sorted in canonical order (owner, type, rdata) and nodes, including the empty
// non-terminals between consecutive owners, come out of one pass over them.
class ZoneBuilder {
  public:
    template <class Source>
    static Zone::Parts parts_from(const dns::Name& origin, const Source& src) {
        const std::size_t n = src.size();
        if (n == 0) throw ZoneError("zone " + origin.to_text() + " has no records");
        if (n >= 0xFFFFFFF0u) throw ZoneError("zone has too many records");
        Zone::Parts parts;
        parts.origin = origin;
        parts.rclass = src.rclass(0);
        const auto origin_wire = origin.wire();
        const std::size_t origin_labels = origin.label_count();

        std::size_t rr_bytes = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto owner = src.owner(i);
            auto describe_owner = [&] { return dns::Name::from_validated_wire(owner).to_text(); };
            if (owner.size() < origin_wire.size() ||
                !dns::wire_names_equal(owner.last(origin_wire.size()), origin_wire) ||
                common_labels(owner, origin_wire) != origin_labels) {
                throw ZoneError("record " + describe_owner() + " is outside zone " + origin.to_text());
            }
            if (src.rclass(i) != parts.rclass) {
                throw ZoneError("record " + describe_owner() + " has class " +
                                dns::class_to_text(src.rclass(i)) + " in a zone of class " +
                                dns::class_to_text(parts.rclass));
            }
            const RRType type = src.type(i);
            if (static_cast<std::uint16_t>(type) == 0 || dns::is_meta_type(type)) {
                throw ZoneError("record " + describe_owner() + " has meta type " + dns::type_to_text(type));
            }
            if (src.rdata(i).size() > 0xFFFF)
                throw ZoneError("record " + describe_owner() + " has oversized rdata");
            rr_bytes += kRRHeaderSize + src.rdata(i).size();
        }
        if (rr_bytes > 0xFFFFFFFFu) throw ZoneError("zone data exceeds 4 GiB");

        // Sorting compares a 16-octet prefix of each owner's canonical key first (labels below the origin,
        // right to left); only owners whose key is longer fall back to a full canonical comparison.
        LargeVector<SortKey> keys(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            keys[i] = sort_key(src.owner(i), origin_labels, i);
            keys[i].type = static_cast<std::uint16_t>(src.type(i));
        }
        const auto less = [&](const SortKey& ka, const SortKey& kb) {
            if (ka.hi != kb.hi) return ka.hi < kb.hi;
            if (ka.lo != kb.lo) return ka.lo < kb.lo;
            const std::uint32_t a = ka.index, b = kb.index;
            if (!(ka.complete && kb.complete)) {
                const auto by_owner = dns::canonical_compare(src.owner(a), src.owner(b));
                if (by_owner != std::strong_ordering::equal) return by_owner == std::strong_ordering::less;
            }
            if (ka.type != kb.type) return ka.type < kb.type;
            // RFC 4034 §6.3 order: names inside rdata compare without case, so "NS ns1" and "NS NS1" meet
            // and merge into one record (RFC 6840 §5.1, as BIND merges them).
            const auto by_rdata =
                dns::rdata_canonical_compare(static_cast<RRType>(ka.type), src.rdata(a), src.rdata(b));
            if (by_rdata != std::strong_ordering::equal) return by_rdata == std::strong_ordering::less;
            return a < b;
        };
        // Records streamed out of another zone (a transfer from a primary that sends in canonical order, a
        // version with a few differences appended) are sorted but for a short tail: sort the tail alone and
        // merge it in, one linear pass instead of a full sort.
        const auto sorted_end = std::is_sorted_until(keys.begin(), keys.end(), less);
        if (static_cast<std::size_t>(keys.end() - sorted_end) <= n / 8) {
            std::sort(sorted_end, keys.end(), less);
            std::inplace_merge(keys.begin(), sorted_end, keys.end(), less);
        } else {
            std::sort(keys.begin(), keys.end(), less);
        }
        // Where owners and RRsets change, told by the keys: equal complete keys are equal owners, and
        // different prefixes are different owners; only long equal prefixes compare the names.
        enum : std::uint8_t { kNewOwner = 1, kNewRRset = 2 };
        LargeVector<std::uint8_t> starts(n);
        LargeVector<std::uint32_t> order(n);
        std::size_t owners = 1, rrsets = 1;
        order[0] = keys[0].index;
        starts[0] = kNewOwner | kNewRRset;
        for (std::size_t i = 1; i < n; ++i) {
            const SortKey& k = keys[i];
            const SortKey& prev = keys[i - 1];
            order[i] = k.index;
            bool same_owner = k.hi == prev.hi && k.lo == prev.lo;
            if (same_owner && !(k.complete && prev.complete))
                same_owner = dns::wire_names_equal(src.owner(k.index), src.owner(prev.index));
            const bool same_rrset = same_owner && k.type == prev.type;
            starts[i] =
                static_cast<std::uint8_t>((same_owner ? 0 : kNewOwner) | (same_rrset ? 0 : kNewRRset));
            owners += !same_owner;
            rrsets += !same_rrset;
        }
        keys = {};

        parts.rr.reserve(rr_bytes);
        parts.rrsets.reserve(rrsets);
        parts.nodes.reserve(owners + owners / 4 + 16);  // room for some empty non-terminals
        parts.names.reserve(owners * 24);
        std::span<const std::uint8_t> previous;  // the last node's name, as spelled
        auto add_node = [&](std::span<const std::uint8_t> spelling) {
            Node node;
            node.name = static_cast<std::uint32_t>(parts.names.size());
            node.name_size = static_cast<std::uint8_t>(spelling.size());
            bool mixed_case = false;
            for (const auto c : spelling) {
                const auto low = dns::lower_ascii(c);
                mixed_case |= low != c;
                parts.names.push_back(low);
            }
            node.spelling = node.name;
            if (mixed_case) {
                node.spelling = static_cast<std::uint32_t>(parts.names.size());
                parts.names.insert(parts.names.end(), spelling.begin(), spelling.end());
            }
            node.first_rrset = static_cast<std::uint32_t>(parts.rrsets.size());
            parts.nodes.push_back(node);
            previous = spelling;
        };
        add_node(origin_wire);

        std::size_t r = 0;
        while (r < n) {
            const auto owner = src.owner(order[r]);
            // Owners differ from the previous node's name, except the first when it is the apex.
            if (r != 0 || !dns::wire_names_equal(owner, previous)) {
                // Ancestors below the deepest one shared with the previous node have not been seen yet
                // (canonical order lists a subtree right after its root): they are empty non-terminals.
                const std::size_t shared = common_labels(owner, previous);
                std::size_t labels = 0;
                std::uint8_t offsets[128];
                for (std::size_t pos = 0; owner[pos] != 0; pos += 1 + owner[pos]) {
                    offsets[labels++] = static_cast<std::uint8_t>(pos);
                }
                for (std::size_t depth = shared + 1; depth < labels; ++depth) {
                    add_node(owner.subspan(offsets[labels - depth]));
                }
                add_node(owner);
            }
            Node& node = parts.nodes.back();
            // One RRset per type, identical RRs merged.
            do {
                append_rrset(parts, node, src, order.data(), r, n,
                             [&](std::size_t k) { return !(starts[k] & kNewRRset); });
            } while (r < n && !(starts[r] & kNewOwner));
        }
        if (parts.nodes.size() >= 0xFFFFFFF0u) throw ZoneError("zone has too many names");
        return parts;
    }
};

std::shared_ptr<const Zone> Zone::build(const dns::Name& origin, const std::vector<Record>& records) {
    return std::make_shared<const Zone>(ZoneBuilder::parts_from(origin, RecordVectorSource{records}));
}

std::shared_ptr<const Zone> Zone::build(const dns::Name& origin, const ParsedZone& parsed) {
    return std::make_shared<const Zone>(ZoneBuilder::parts_from(origin, ParsedZoneSource{parsed}));
}

Zone::Zone(Parts parts) : origin_(std::move(parts.origin)), rclass_(parts.rclass) {
    auto owned = std::make_shared<Owned>();
    owned->names = std::move(parts.names);
    owned->nodes = std::move(parts.nodes);
    owned->rrsets = std::move(parts.rrsets);
    owned->rr = std::move(parts.rr);
    a_.names = owned->names;
    a_.nodes = owned->nodes;
    a_.rrsets = owned->rrsets;
    a_.rr = owned->rr;
    derive(*owned);
    a_.links = owned->links;
    a_.packed = owned->packed;
    a_.packed_sets = owned->packed_sets;
    a_.pointers = owned->pointers;
    storage_ = std::move(owned);
    built_layout_ = true;
    dnssec_ = ZoneDnssec::derive(*this);
}

Zone::~Zone() = default;

std::shared_ptr<const Zone> Zone::adopt(dns::Name origin, dns::RRClass rclass, const Arrays& arrays,
                                        std::shared_ptr<void> storage) {
    std::shared_ptr<Zone> z(new Zone());
    z->origin_ = std::move(origin);
    z->rclass_ = rclass;
    z->a_ = arrays;
    z->storage_ = std::move(storage);
    z->validate_adopted();
    z->dnssec_ = ZoneDnssec::derive(*z);
    return z;
}

void Zone::check_names(bool adopted) {
    const std::string origin_lower = lowered_string(origin_.wire());
    const auto origin_bytes = as_bytes(origin_lower);
    if (a_.nodes.empty()) throw ZoneError("zone has no nodes");
    if (a_.nodes.size() >= 0xFFFFFFF0u) throw ZoneError("zone has too many nodes");

    // Names: valid, lowercased, below the origin, strictly increasing in canonical order.
    for (std::size_t i = 0; i < a_.nodes.size(); ++i) {
        Node& n = a_.nodes[i];
        if (std::size_t{n.name} + n.name_size > a_.names.size() ||
            std::size_t{n.spelling} + n.name_size > a_.names.size()) {
            throw ZoneError("node name lies outside the name arena");
        }
        const auto nm = name(n);
        const auto labels = wire_name_labels(nm);
        if (labels < 0) throw ZoneError("malformed node name");
        for (const auto c : nm) {
            if (c >= 'A' && c <= 'Z') throw ZoneError("node name is not lowercased");
        }
        if (n.spelling != n.name && !dns::wire_names_equal(nm, spelling(n)))
            throw ZoneError("node spelling differs from its name");
        if (adopted) {
            if (n.labels != labels) throw ZoneError("node label count is wrong");
            if (n.reserved != 0) throw ZoneError("node has a nonzero reserved field");
        }
        n.labels = static_cast<std::uint8_t>(labels);
        if (nm.size() < origin_bytes.size() ||
            std::memcmp(nm.data() + nm.size() - origin_bytes.size(), origin_bytes.data(),
                        origin_bytes.size()) != 0 ||
            (labels == static_cast<int>(origin_.label_count()) && nm.size() != origin_bytes.size())) {
            throw ZoneError("name " + describe(nm) + " is outside the zone");
        }
        if (i == 0) {
            if (nm.size() != origin_bytes.size()) throw ZoneError("the first node is not the apex");
        } else if (adopted &&
                   dns::canonical_compare(name(a_.nodes[i - 1]), nm) != std::strong_ordering::less) {
            // ZoneBuilder sorted a built zone's nodes itself.
            throw ZoneError("nodes are not in strict canonical order");
        }
    }
}

void Zone::build_table() {
    // At most half full.
    std::size_t size = 16;
    while (size < a_.nodes.size() * 2)
        size <<= 1;
    auto storage = std::make_shared<LargeVector<Slot>>(size, Slot{});
    Slot* table = storage->data();
    table_mask_ = size - 1;
    // The slots are random accesses into a table larger than the caches: hash a few nodes ahead and
    // prefetch their slots.
    constexpr std::uint32_t kAhead = 8;
    std::uint64_t ahead[kAhead];
    const auto count = static_cast<std::uint32_t>(a_.nodes.size());
    for (std::uint32_t i = 0; i < count + kAhead; ++i) {
        if (i >= kAhead) {
            const std::uint64_t h = ahead[i % kAhead];
            std::uint64_t slot = h & table_mask_;
            while (table[slot].node != 0)
                slot = (slot + 1) & table_mask_;
            const Node& n = a_.nodes[i - kAhead];
            table[slot] = {static_cast<std::uint32_t>(h >> 32), i - kAhead + 1, n.name, n.first_rrset};
        }
        if (i < count) {
            const std::uint64_t h = SuffixHasher::hash(name(a_.nodes[i]));
            __builtin_prefetch(&table[h & table_mask_], 1);
            ahead[i % kAhead] = h;
        }
    }
    table_ = table;
    table_storage_ = std::move(storage);
}

void Zone::check_rrsets(bool adopted) {
    // RRsets: contiguous per node, types increasing, RRs well formed.
    std::uint32_t expected_rrset = 0;
    rr_count_ = 0;
    for (Node& n : a_.nodes) {
        if (n.first_rrset != expected_rrset ||
            std::size_t{n.first_rrset} + n.rrset_count > a_.rrsets.size()) {
            throw ZoneError("node RRset ranges are inconsistent");
        }
        expected_rrset += n.rrset_count;
        std::uint16_t previous_type = 0;
        for (std::uint32_t s = n.first_rrset; s < n.first_rrset + n.rrset_count; ++s) {
            RRset& set = a_.rrsets[s];
            const auto type = static_cast<RRType>(set.type);
            if (set.type <= previous_type && s != n.first_rrset)
                throw ZoneError("RRset types are not sorted");
            if (set.type == 0 || dns::is_meta_type(type)) throw ZoneError("RRset of a meta type");
            previous_type = set.type;
            if (set.count == 0) throw ZoneError("empty RRset");
            if (std::size_t{set.wire} + set.wire_size > a_.rr.size())
                throw ZoneError("RRset lies outside the RR arena");
            if (adopted && set.reserved != 0) throw ZoneError("RRset has a nonzero reserved field");
            const auto w = wire(set);
            std::size_t pos = 0;
            for (std::uint16_t k = 0; k < set.count; ++k) {
                if (w.size() - pos < kRRHeaderSize) throw ZoneError("truncated RR");
                if (w[pos] != 0xC0 || w[pos + 1] != 0x0C || read16(w, pos + 2) != set.type ||
                    read16(w, pos + 4) != static_cast<std::uint16_t>(rclass_)) {
                    throw ZoneError("RR header does not match its RRset");
                }
                const std::size_t len = read16(w, pos + 10);
                if (w.size() - pos - kRRHeaderSize < len) throw ZoneError("truncated rdata");
                if (k == 0) {
                    const std::uint32_t ttl = read32(w, pos + 6);
                    if (adopted && set.ttl != ttl) throw ZoneError("RRset TTL differs from its first RR's");
                    set.ttl = ttl;
                }
                pos += kRRHeaderSize + len;
            }
            if (pos != w.size()) throw ZoneError("RRset wire size does not match its RRs");
            rr_count_ += set.count;
        }
    }
    if (expected_rrset != a_.rrsets.size()) throw ZoneError("RRsets not owned by any node");
}

// The flags a node has by itself (not the ones its parent or children give it).
std::uint16_t Zone::own_flags(std::uint32_t i) const {
    const Node& n = a_.nodes[i];
    const auto nm = name(n);
    std::uint16_t flags = 0;
    if (n.rrset_count == 0) flags |= kNodeEmpty;
    if (nm.size() >= 2 && nm[0] == 1 && nm[1] == '*') flags |= kNodeWildcard;
    if (find_rrset(n, RRType::CNAME)) flags |= kNodeCname;
    if (find_rrset(n, RRType::DNAME)) flags |= kNodeDname;
    if (i != 0 && find_rrset(n, RRType::NS)) flags |= kNodeDelegation;
    return flags;
}

// Flags and links, parents first (canonical order puts every ancestor before its descendants, so the
// parent of a node is the latest node one label shorter). An adopted zone's stored values must equal them.
void Zone::link_nodes(bool adopted) {
    std::uint32_t latest_at[LookupName::kMaxLabels + 2];
    std::fill(std::begin(latest_at), std::end(latest_at), kNoNode);
    for (std::uint32_t i = 0; i < a_.nodes.size(); ++i) {
        Node& n = a_.nodes[i];
        const auto nm = name(n);
        std::uint16_t flags = own_flags(i);
        std::uint32_t parent = kNoNode, cut = kNoNode;
        latest_at[n.labels] = i;
        if (i == 0) {
            if (flags & kNodeDname) cut = 0;
        } else {
            if (n.rrset_count == 0 && i + 1 < a_.nodes.size() && a_.nodes[i + 1].labels <= n.labels) {
                // An empty node must have a descendant, which sorts right after it.
                throw ZoneError("empty node " + describe(nm) + " has no descendants");
            }
            if (i + 1 == a_.nodes.size() && n.rrset_count == 0)
                throw ZoneError("empty node without descendants");
            parent = latest_at[n.labels - 1];
            const auto wanted = nm.subspan(1 + nm[0]);
            if (parent == kNoNode) throw ZoneError("node " + describe(nm) + " has no parent node");
            const auto parent_name = name(a_.nodes[parent]);
            if (parent_name.size() != wanted.size() ||
                std::memcmp(parent_name.data(), wanted.data(), wanted.size()) != 0) {
                throw ZoneError("node " + describe(nm) + " has no parent node");
            }
            const Node& p = a_.nodes[parent];
            if (p.cut != kNoNode) {
                flags |= kNodeOccluded;
                cut = p.cut;
            } else if (flags & (kNodeDelegation | kNodeDname)) {
                cut = i;
            }
        }
        if (!adopted) {
            n.flags = static_cast<std::uint16_t>(flags | (n.flags & kNodeWildcardChild));
            n.parent = parent;
            n.cut = cut;
            if (i == 0 || !(flags & kNodeWildcard)) continue;
            Node& p = a_.nodes[parent];
            p.wildcard = i;
            p.flags |= kNodeWildcardChild;
            continue;
        }
        // The wildcard child sorts after its parent: check the link from both ends.
        if (n.wildcard != kNoNode) {
            if (n.wildcard <= i || n.wildcard >= a_.nodes.size() || a_.nodes[n.wildcard].parent != i) {
                throw ZoneError("node " + describe(nm) + " has a wrong wildcard link");
            }
            const auto child = name(a_.nodes[n.wildcard]);
            if (child.size() < 2 || child[0] != 1 || child[1] != '*')
                throw ZoneError("node " + describe(nm) + " has a wrong wildcard link");
            flags |= kNodeWildcardChild;
        }
        if ((flags & kNodeWildcard) && i != 0 && a_.nodes[parent].wildcard != i)
            throw ZoneError("node " + describe(nm) + " is a wildcard its parent does not link");
        if (n.flags != flags || n.parent != parent || n.cut != cut)
            throw ZoneError("node " + describe(nm) + " has wrong flags or links");
    }
}

void Zone::read_soa() {
    const RRset* soa_set = soa();
    if (soa_set == nullptr) throw ZoneError("zone " + origin_.to_text() + " has no SOA record at its apex");
    if (soa_set->count != 1) throw ZoneError("zone " + origin_.to_text() + " has more than one SOA record");
    const auto rdata = wire(*soa_set).subspan(kRRHeaderSize);
    const std::size_t mname = rdata_name_size(rdata, 0);
    const std::size_t rname = mname ? rdata_name_size(rdata, mname) : 0;
    if (rname == 0 || rdata.size() != mname + rname + 20) throw ZoneError("malformed SOA rdata");
    const std::size_t at = mname + rname;
    serial_ = read32(rdata, at);
    soa_minimum_ = read32(rdata, at + 16);
    soa_ttl_ = soa_set->ttl;
}

void Zone::derive(Owned& out) {
    check_names(false);
    build_table();
    check_rrsets(false);
    for (Node& n : a_.nodes) {
        n.flags = 0;
        n.wildcard = kNoNode;
    }
    link_nodes(false);
    read_soa();

    // Compressed renderings, then additional-section links: NS, MX and SRV targets that are nodes of this
    // zone with addresses.
    out.links.clear();
    out.packed.clear();
    out.packed_sets.clear();
    out.pointers.clear();
    std::vector<std::uint32_t> packed_target_at;
    for (const Node& owner : a_.nodes) {
        for (std::uint32_t s = owner.first_rrset; s < owner.first_rrset + owner.rrset_count; ++s)
            derive_rrset(out, a_.rrsets[s], owner, packed_target_at);
    }
    out.links.shrink_to_fit();
    out.packed.shrink_to_fit();
    out.packed_sets.shrink_to_fit();
    out.pointers.shrink_to_fit();
}

void Zone::derive_rrset(Owned& out, RRset& set, const Node& owner, std::vector<std::uint32_t>& target_at) {
    set.packed = 0xFFFFFFFFu;
    const bool packed = pack(out, set, owner, target_at);
    link_additional(out, set, packed, target_at);
}

void Zone::link_additional(Owned& out, RRset& set, bool packed, const std::vector<std::uint32_t>& target_at) {
    set.additional = static_cast<std::uint32_t>(out.links.size());
    set.additional_count = 0;
    const std::size_t target_offset = additional_target_offset(static_cast<RRType>(set.type));
    if (target_offset == kNoTarget) return;
    std::uint8_t lowered[255];
    const auto w = wire(set);
    std::size_t rr_index = 0;
    for (std::size_t pos = 0; pos < w.size(); ++rr_index) {
        const std::size_t len = read16(w, pos + 10);
        const auto rdata = w.subspan(pos + kRRHeaderSize, len);
        const std::size_t rr_start = pos;
        pos += kRRHeaderSize + len;
        const std::size_t size = rdata_name_size(rdata, target_offset);
        if (size == 0) {
            throw ZoneError(dns::type_to_text(static_cast<RRType>(set.type)) + " rdata is malformed");
        }
        for (std::size_t k = 0; k < size; ++k)
            lowered[k] = dns::lower_ascii(rdata[target_offset + k]);
        LookupName target;
        if (!target.assign({lowered, size})) continue;
        const std::uint32_t node = find(target);  // only names of this zone are nodes
        if (node == kNoNode) continue;
        const Node& tn = a_.nodes[node];
        if (!find_rrset(tn, RRType::A) && !find_rrset(tn, RRType::AAAA)) continue;
        const auto begin = out.links.begin() + set.additional;
        if (std::any_of(begin, out.links.end(), [&](const AdditionalLink& l) { return l.node == node; })) {
            continue;
        }
        if (set.additional_count == 0xFFFF) break;
        const std::size_t at = packed ? target_at[rr_index] : rr_start + kRRHeaderSize + target_offset;
        out.links.push_back({node, static_cast<std::uint32_t>(at)});
        ++set.additional_count;
    }
}

// The compressed renderings and additional links of an adopted zone are not recomputed; they are checked
// to be in range and well framed, which is what answers need to stay inside their buffers.
void Zone::check_renderings() {
    for (const PackedRRset& p : a_.packed_sets) {
        if (std::size_t{p.wire} + p.wire_size > a_.packed.size() ||
            std::size_t{p.first_pointer} + p.pointer_count > a_.pointers.size() || p.pointer_count == 0) {
            throw ZoneError("packed RRset lies outside its arrays");
        }
        const auto w = wire(p);
        for (std::size_t pos = 0; pos < w.size();) {
            if (w.size() - pos < kRRHeaderSize) throw ZoneError("truncated packed RR");
            const std::size_t len = read16(w, pos + 10);
            if (w.size() - pos - kRRHeaderSize < len) throw ZoneError("truncated packed rdata");
            pos += kRRHeaderSize + len;
        }
        std::uint32_t max_inner = 0;
        for (const RdataPointer& r : pointers(p)) {
            if (std::size_t{r.at} + 2 > w.size() || r.reserved != 0)
                throw ZoneError("malformed rdata pointer");
            if (r.kind == RdataPointer::owner_suffix) {
                if (r.value == 0 || r.value > 255) throw ZoneError("malformed rdata pointer");
            } else if (r.kind == RdataPointer::in_rrset) {
                if (r.value >= r.at) throw ZoneError("malformed rdata pointer");
                max_inner = std::max<std::uint32_t>(max_inner, r.value);
            } else {
                throw ZoneError("malformed rdata pointer");
            }
        }
        if (p.max_inner != max_inner) throw ZoneError("packed RRset has a wrong pointer reach");
    }
    for (const RRset& set : a_.rrsets) {
        const auto type = static_cast<RRType>(set.type);
        std::size_t rendering = set.wire_size;
        if (set.packed != 0xFFFFFFFFu) {
            if (set.packed >= a_.packed_sets.size() ||
                (type != RRType::NS && type != RRType::PTR && type != RRType::MX && type != RRType::SOA)) {
                throw ZoneError("RRset has a wrong packed rendering");
            }
            rendering = a_.packed_sets[set.packed].wire_size;
        }
        if (set.additional > a_.links.size()) throw ZoneError("RRset has wrong additional links");
        if (set.additional_count == 0) continue;
        if (additional_target_offset(type) == kNoTarget ||
            std::size_t{set.additional} + set.additional_count > a_.links.size()) {
            throw ZoneError("RRset has wrong additional links");
        }
        for (const AdditionalLink& l : additional(set)) {
            if (l.node >= a_.nodes.size() || l.name_offset >= rendering ||
                (!find_rrset(a_.nodes[l.node], RRType::A) && !find_rrset(a_.nodes[l.node], RRType::AAAA))) {
                throw ZoneError("RRset has wrong additional links");
            }
        }
    }
}

void Zone::validate_adopted() {
    check_names(true);
    build_table();
    check_rrsets(true);
    link_nodes(true);
    read_soa();
    check_renderings();
    built_layout_ = has_builder_layout();
}

bool Zone::pack(Owned& out, RRset& set, const Node& owner, std::vector<std::uint32_t>& target_at) {
    const auto type = static_cast<RRType>(set.type);
    if (type != RRType::NS && type != RRType::PTR && type != RRType::MX && type != RRType::SOA) return false;
    const auto w = wire(set);
    const auto owner_name = name(owner);
    // A wildcard's answers are owned by the query name, whose suffixes differ from the node's.
    const bool use_owner = !owner.has(kNodeWildcard);
    const std::size_t start = out.packed.size();
    const std::size_t first_pointer = out.pointers.size();
    std::uint32_t max_inner = 0;
    target_at.clear();

    // Names written literally so far: where each suffix starts in the packed wire, and its source bytes.
    struct Literal {
        std::uint32_t at;
        const std::uint8_t* bytes;
        std::uint8_t size;
    };
    Literal literals[64];
    std::size_t literal_count = 0;

    auto is_owner_suffix = [&](std::span<const std::uint8_t> suffix) {
        if (!use_owner || suffix.size() > owner_name.size()) return false;
        const std::size_t at = owner_name.size() - suffix.size();
        std::size_t pos = 0;
        while (pos < at)
            pos += 1 + owner_name[pos];
        return pos == at && dns::wire_names_equal(owner_name.subspan(at), suffix);
    };
    // Writes `name` (uncompressed, valid) compressed; returns where it starts in the packed wire.
    auto put_name = [&](std::span<const std::uint8_t> name) {
        const auto name_at = static_cast<std::uint32_t>(out.packed.size() - start);
        std::size_t i = 0;
        while (name[i] != 0) {
            const auto suffix = name.subspan(i);
            bool found = false;
            RdataPointer pointer;
            if (is_owner_suffix(suffix)) {
                pointer = {0, static_cast<std::uint16_t>(suffix.size()), RdataPointer::owner_suffix};
                found = true;
            } else {
                for (std::size_t k = 0; k < literal_count && !found; ++k) {
                    if (literals[k].size == suffix.size() &&
                        dns::wire_names_equal({literals[k].bytes, literals[k].size}, suffix)) {
                        pointer = {0, static_cast<std::uint16_t>(literals[k].at), RdataPointer::in_rrset};
                        max_inner = std::max(max_inner, literals[k].at);
                        found = true;
                    }
                }
            }
            if (found) {
                pointer.at = static_cast<std::uint32_t>(out.packed.size() - start);
                out.pointers.push_back(pointer);
                out.packed.push_back(0xC0);
                out.packed.push_back(0);
                return name_at;
            }
            const std::size_t at = out.packed.size() - start;
            if (literal_count < std::size(literals) && at <= 0xFFFF) {
                literals[literal_count++] = {static_cast<std::uint32_t>(at), suffix.data(),
                                             static_cast<std::uint8_t>(suffix.size())};
            }
            out.packed.insert(out.packed.end(), name.begin() + static_cast<std::ptrdiff_t>(i),
                              name.begin() + static_cast<std::ptrdiff_t>(i + 1 + name[i]));
            i += 1 + name[i];
        }
        out.packed.push_back(0);
        return name_at;
    };

    for (std::size_t pos = 0; pos < w.size();) {
        const std::size_t len = read16(w, pos + 10);
        const auto rdata = w.subspan(pos + kRRHeaderSize, len);
        const std::size_t rr_at = out.packed.size();
        out.packed.insert(out.packed.end(), w.begin() + static_cast<std::ptrdiff_t>(pos),
                          w.begin() + static_cast<std::ptrdiff_t>(pos + kRRHeaderSize));
        pos += kRRHeaderSize + len;
        const std::size_t first = type == RRType::MX ? 2 : 0;
        const std::size_t first_size = rdata_name_size(rdata, first);
        if (first_size == 0) throw ZoneError(dns::type_to_text(type) + " rdata is malformed");
        out.packed.insert(out.packed.end(), rdata.begin(),
                          rdata.begin() + static_cast<std::ptrdiff_t>(first));
        target_at.push_back(put_name(rdata.subspan(first, first_size)));
        std::size_t rest = first + first_size;
        if (type == RRType::SOA) {
            const std::size_t second_size = rdata_name_size(rdata, rest);
            if (second_size == 0) throw ZoneError("malformed SOA rdata");
            put_name(rdata.subspan(rest, second_size));
            rest += second_size;
        }
        out.packed.insert(out.packed.end(), rdata.begin() + static_cast<std::ptrdiff_t>(rest), rdata.end());
        const std::size_t rdlength = out.packed.size() - rr_at - kRRHeaderSize;
        out.packed[rr_at + 10] = static_cast<std::uint8_t>(rdlength >> 8);
        out.packed[rr_at + 11] = static_cast<std::uint8_t>(rdlength);
    }
    if (out.pointers.size() == first_pointer) {
        out.packed.resize(start);
        return false;
    }
    set.packed = static_cast<std::uint32_t>(out.packed_sets.size());
    out.packed_sets.push_back({static_cast<std::uint32_t>(start),
                               static_cast<std::uint32_t>(out.packed.size() - start),
                               static_cast<std::uint32_t>(first_pointer),
                               static_cast<std::uint32_t>(out.pointers.size() - first_pointer), max_inner});
    return true;
}

std::uint32_t Zone::find(const LookupName& q, std::size_t skip) const {
    const std::uint64_t h = q.suffix_hash(skip);
    const auto want = q.suffix(skip);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::uint64_t slot = h & table_mask_;; slot = (slot + 1) & table_mask_) {
        const Slot& entry = table_[slot];
        if (entry.node == 0) return kNoNode;
        if (entry.tag != tag) continue;
        // Start loading the node and its RRsets while the name is compared: the caller reads them next.
        // Both ends of each: records need not start on a cache line.
        const auto* node = reinterpret_cast<const char*>(a_.nodes.data() + entry.node - 1);
        const auto* rrsets = reinterpret_cast<const char*>(a_.rrsets.data() + entry.first_rrset);
        __builtin_prefetch(node);
        __builtin_prefetch(node + sizeof(Node) - 1);
        __builtin_prefetch(rrsets);
        __builtin_prefetch(rrsets + 64);
        // Wire names are self-delimiting: a stored name whose first want.size() octets equal `want` is
        // `want` (its root label ends at the same place), so the node's own size need not be read first.
        if (std::size_t{entry.name} + want.size() <= a_.names.size() &&
            std::memcmp(a_.names.data() + entry.name, want.data(), want.size()) == 0) {
            return entry.node - 1;
        }
    }
}

Lookup Zone::lookup(const LookupName& q) const {
    Lookup result;
    const std::size_t apex_labels = a_.nodes[0].labels;
    const std::size_t deepest_skip = q.labels() >= apex_labels ? q.labels() - apex_labels : 0;
    for (std::size_t skip = 0; skip < deepest_skip; ++skip) {
        const std::uint32_t node = find(q, skip);
        if (node != kNoNode) {
            result.node = node;
            result.exact = skip == 0;
            result.encloser_skip = skip;
            return result;
        }
    }
    result.node = 0;
    result.exact = deepest_skip == 0;
    result.encloser_skip = deepest_skip;
    return result;
}

std::uint32_t Zone::predecessor(std::span<const std::uint8_t> lowered_wire) const {
    // First node not less than the name; the one before it is the predecessor.
    std::size_t lo = 0, hi = a_.nodes.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (dns::canonical_compare(name(a_.nodes[mid]), lowered_wire) == std::strong_ordering::less) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo == 0 ? kNoNode : static_cast<std::uint32_t>(lo - 1);
}

std::vector<Record> Zone::records() const {
    std::vector<Record> out;
    out.reserve(rr_count_);
    for_each_rr([&](std::span<const std::uint8_t> owner, RRType type, dns::RRClass cls, std::uint32_t ttl,
                    std::span<const std::uint8_t> rdata) {
        out.push_back(
            Record{dns::Name::from_validated_wire(owner), type, cls, ttl, {rdata.begin(), rdata.end()}});
    });
    return out;
}

std::size_t Zone::memory_bytes() const {
    return sizeof(Zone) + a_.names.size_bytes() + a_.nodes.size_bytes() + a_.rrsets.size_bytes() +
           a_.rr.size_bytes() + a_.links.size_bytes() + a_.packed.size_bytes() + a_.packed_sets.size_bytes() +
           a_.pointers.size_bytes() + (table_mask_ + 1) * sizeof(Slot) +
           (dnssec_ ? dnssec_->memory_bytes() : 0);
}

}  // namespace cairn::zone
