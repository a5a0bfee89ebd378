#include "zone/zone.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "zone/zone_wire.hpp"

namespace cairn::zone {
namespace {

using dns::RRType;

// A memcmp-comparable key giving RFC 4034 §6.1 canonical order: labels right to left, each label's
// octets escaped so that 0x00 can terminate a label (0x00 -> 01 01, 0x01 -> 01 02).
std::string canonical_key(std::span<const std::uint8_t> lowered) {
    std::uint8_t offsets[128];
    std::size_t count = 0;
    for (std::size_t pos = 0; lowered[pos] != 0; pos += 1 + lowered[pos]) {
        offsets[count++] = static_cast<std::uint8_t>(pos);
    }
    std::string key;
    key.reserve(lowered.size() + 4);
    while (count-- > 0) {
        const std::size_t pos = offsets[count];
        for (std::size_t i = 1; i <= lowered[pos]; ++i) {
            const auto c = lowered[pos + i];
            if (c <= 1) {
                key.push_back('\x01');
                key.push_back(static_cast<char>(c + 1));
            } else {
                key.push_back(static_cast<char>(c));
            }
        }
        key.push_back('\0');
    }
    return key;
}

std::string lowered_string(std::span<const std::uint8_t> wire) {
    std::string out(wire.size(), '\0');
    for (std::size_t i = 0; i < wire.size(); ++i)
        out[i] = static_cast<char>(dns::lower_ascii(wire[i]));
    return out;
}

std::span<const std::uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v));
}

std::string describe(std::span<const std::uint8_t> wire) {
    return dns::Name::from_validated_wire(wire).to_text();
}

}  // namespace

// Builds the stored arrays from records; the Zone constructor derives the rest.
class ZoneBuilder {
  public:
    static Zone::Parts parts_from(const dns::Name& origin, std::vector<Record> records) {
        if (records.empty()) throw ZoneError("zone " + origin.to_text() + " has no records");
        Zone::Parts parts;
        parts.origin = origin;
        parts.rclass = records.front().rclass;

        // Distinct lowercased owners plus every ancestor up to the origin (empty non-terminals).
        std::unordered_map<std::string, std::uint32_t> index;
        std::vector<std::string> lowered;
        std::vector<std::string> spellings;
        std::vector<std::uint32_t> record_node(records.size());
        const std::string origin_lower = lowered_string(origin.wire());
        const std::size_t origin_labels = origin.label_count();
        // A node is spelled as its first owner; ancestors interned on the way only until an owner shows up.
        std::vector<bool> spelled_by_owner;
        auto intern = [&](std::string key, std::span<const std::uint8_t> spelling, bool is_owner) {
            auto [it, added] = index.try_emplace(std::move(key), static_cast<std::uint32_t>(lowered.size()));
            if (added) {
                lowered.push_back(it->first);
                spellings.emplace_back(reinterpret_cast<const char*>(spelling.data()), spelling.size());
                spelled_by_owner.push_back(is_owner);
            } else if (is_owner && !spelled_by_owner[it->second]) {
                spellings[it->second].assign(reinterpret_cast<const char*>(spelling.data()), spelling.size());
                spelled_by_owner[it->second] = true;
            }
            return std::pair{it->second, added};
        };
        intern(origin_lower, origin.wire(), true);
        for (std::size_t r = 0; r < records.size(); ++r) {
            const Record& rec = records[r];
            if (!rec.owner.is_subdomain_of(origin)) {
                throw ZoneError("record " + rec.owner.to_text() + " is outside zone " + origin.to_text());
            }
            if (rec.rclass != parts.rclass) {
                throw ZoneError("record " + rec.owner.to_text() + " has class " +
                                dns::class_to_text(rec.rclass) + " in a zone of class " +
                                dns::class_to_text(parts.rclass));
            }
            if (dns::is_meta_type(rec.type) || rec.type == RRType::TSIG || rec.type == RRType::TKEY) {
                throw ZoneError("record " + rec.owner.to_text() + " has meta type " +
                                dns::type_to_text(rec.type));
            }
            if (rec.rdata.size() > 0xFFFF)
                throw ZoneError("record " + rec.owner.to_text() + " has oversized rdata");
            auto [node, added] = intern(lowered_string(rec.owner.wire()), rec.owner.wire(), true);
            record_node[r] = node;
            if (!added) continue;
            // Ancestors: stop at the first one already known (its own ancestors are known too).
            std::span<const std::uint8_t> spelling = rec.owner.wire();
            std::size_t labels = rec.owner.label_count();
            while (labels > origin_labels + 1) {
                spelling = spelling.subspan(1 + spelling[0]);
                --labels;
                if (!intern(lowered_string(spelling), spelling, false).second) break;
            }
        }
        if (lowered.size() > 0xFFFFFFF0u) throw ZoneError("zone has too many names");

        // Canonical order.
        std::vector<std::string> keys(lowered.size());
        for (std::size_t i = 0; i < lowered.size(); ++i)
            keys[i] = canonical_key(as_bytes(lowered[i]));
        std::vector<std::uint32_t> order(lowered.size());
        for (std::uint32_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
        keys.clear();
        keys.shrink_to_fit();
        std::vector<std::uint32_t> rank(order.size());
        for (std::uint32_t i = 0; i < order.size(); ++i)
            rank[order[i]] = i;

        // Records by (node, type), keeping input order inside an RRset.
        std::vector<std::uint32_t> by_node(records.size());
        for (std::uint32_t i = 0; i < by_node.size(); ++i)
            by_node[i] = i;
        std::stable_sort(by_node.begin(), by_node.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto na = rank[record_node[a]], nb = rank[record_node[b]];
            if (na != nb) return na < nb;
            return records[a].type < records[b].type;
        });

        parts.nodes.resize(order.size());
        std::size_t total_names = 0;
        for (const auto& l : lowered)
            total_names += l.size();
        parts.names.reserve(total_names + total_names / 8);
        for (std::uint32_t i = 0; i < order.size(); ++i) {
            const std::string& low = lowered[order[i]];
            Node& n = parts.nodes[i];
            n.name = static_cast<std::uint32_t>(parts.names.size());
            n.name_size = static_cast<std::uint8_t>(low.size());
            parts.names.insert(parts.names.end(), low.begin(), low.end());
        }
        for (std::uint32_t i = 0; i < order.size(); ++i) {
            const std::string& low = lowered[order[i]];
            const std::string& spell = spellings[order[i]];
            Node& n = parts.nodes[i];
            if (spell == low) {
                n.spelling = n.name;
            } else {
                n.spelling = static_cast<std::uint32_t>(parts.names.size());
                parts.names.insert(parts.names.end(), spell.begin(), spell.end());
            }
        }
        lowered.clear();
        spellings.clear();
        index.clear();

        std::size_t rr_bytes = 0;
        for (const Record& rec : records)
            rr_bytes += kRRHeaderSize + rec.rdata.size();
        if (rr_bytes > 0xFFFFFFFFu) throw ZoneError("zone data exceeds 4 GiB");
        parts.rr.reserve(rr_bytes);

        std::size_t r = 0;
        while (r < by_node.size()) {
            const std::uint32_t node = rank[record_node[by_node[r]]];
            Node& n = parts.nodes[node];
            n.first_rrset = static_cast<std::uint32_t>(parts.rrsets.size());
            // Nodes without records (empty non-terminals) before this one keep first_rrset consistent.
            while (r < by_node.size() && rank[record_node[by_node[r]]] == node) {
                const RRType type = records[by_node[r]].type;
                RRset set;
                set.type = static_cast<std::uint16_t>(type);
                set.wire = static_cast<std::uint32_t>(parts.rr.size());
                const std::size_t first_record = r;
                while (r < by_node.size() && rank[record_node[by_node[r]]] == node &&
                       records[by_node[r]].type == type) {
                    const Record& rec = records[by_node[r]];
                    bool duplicate = false;
                    for (std::size_t k = first_record; k < r && !duplicate; ++k) {
                        duplicate = records[by_node[k]].rdata == rec.rdata;
                    }
                    ++r;
                    if (duplicate) continue;
                    if (set.count == 0xFFFF) throw ZoneError("RRset with more than 65535 records");
                    parts.rr.push_back(0xC0);
                    parts.rr.push_back(0x0C);
                    put16(parts.rr, static_cast<std::uint16_t>(rec.type));
                    put16(parts.rr, static_cast<std::uint16_t>(rec.rclass));
                    put32(parts.rr, rec.ttl);
                    put16(parts.rr, static_cast<std::uint16_t>(rec.rdata.size()));
                    parts.rr.insert(parts.rr.end(), rec.rdata.begin(), rec.rdata.end());
                    ++set.count;
                }
                set.wire_size = static_cast<std::uint32_t>(parts.rr.size() - set.wire);
                parts.rrsets.push_back(set);
                if (n.rrset_count == 0xFFFF) throw ZoneError("node with more than 65535 RRsets");
                ++n.rrset_count;
            }
        }
        // Empty nodes point where the next RRsets start, so ranges stay contiguous.
        std::uint32_t next = static_cast<std::uint32_t>(parts.rrsets.size());
        for (std::size_t i = parts.nodes.size(); i-- > 0;) {
            if (parts.nodes[i].rrset_count == 0) parts.nodes[i].first_rrset = next;
            next = parts.nodes[i].first_rrset;
        }
        return parts;
    }
};

std::shared_ptr<const Zone> Zone::build(const dns::Name& origin, std::vector<Record> records) {
    return std::make_shared<const Zone>(ZoneBuilder::parts_from(origin, std::move(records)));
}

Zone::Zone(Parts parts)
    : origin_(std::move(parts.origin)),
      rclass_(parts.rclass),
      names_(std::move(parts.names)),
      nodes_(std::move(parts.nodes)),
      rrsets_(std::move(parts.rrsets)),
      rr_(std::move(parts.rr)) {
    derive();
}

Zone::~Zone() = default;

void Zone::derive() {
    const std::string origin_lower = lowered_string(origin_.wire());
    const auto origin_bytes = as_bytes(origin_lower);
    if (nodes_.empty()) throw ZoneError("zone has no nodes");
    if (nodes_.size() >= 0xFFFFFFF0u) throw ZoneError("zone has too many nodes");

    // Names: valid, lowercased, below the origin, strictly increasing in canonical order.
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        Node& n = nodes_[i];
        if (std::size_t{n.name} + n.name_size > names_.size() ||
            std::size_t{n.spelling} + n.name_size > names_.size()) {
            throw ZoneError("node name lies outside the name arena");
        }
        const auto nm = name(n);
        const auto labels = wire_name_labels(nm);
        if (labels < 0) throw ZoneError("malformed node name");
        for (const auto c : nm) {
            if (c >= 'A' && c <= 'Z') throw ZoneError("node name is not lowercased");
        }
        if (!dns::wire_names_equal(nm, spelling(n))) throw ZoneError("node spelling differs from its name");
        n.labels = static_cast<std::uint8_t>(labels);
        if (nm.size() < origin_bytes.size() ||
            std::memcmp(nm.data() + nm.size() - origin_bytes.size(), origin_bytes.data(),
                        origin_bytes.size()) != 0 ||
            (labels == static_cast<int>(origin_.label_count()) && nm.size() != origin_bytes.size())) {
            throw ZoneError("name " + describe(nm) + " is outside the zone");
        }
        if (i == 0) {
            if (nm.size() != origin_bytes.size()) throw ZoneError("the first node is not the apex");
        } else if (dns::canonical_compare(name(nodes_[i - 1]), nm) != std::strong_ordering::less) {
            throw ZoneError("nodes are not in strict canonical order");
        }
    }

    // Hash table at most half full.
    std::size_t size = 16;
    while (size < nodes_.size() * 2)
        size <<= 1;
    table_.assign(size, 0);
    table_mask_ = size - 1;
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
        const std::uint64_t h = SuffixHasher::hash(name(nodes_[i]));
        std::uint64_t slot = h & table_mask_;
        while (table_[slot] != 0)
            slot = (slot + 1) & table_mask_;
        table_[slot] = (h & 0xFFFFFFFF00000000ULL) | (std::uint64_t{i} + 1);
    }

    // RRsets: contiguous per node, types increasing, RRs well formed.
    std::uint32_t expected_rrset = 0;
    rr_count_ = 0;
    for (Node& n : nodes_) {
        if (n.first_rrset != expected_rrset || std::size_t{n.first_rrset} + n.rrset_count > rrsets_.size()) {
            throw ZoneError("node RRset ranges are inconsistent");
        }
        expected_rrset += n.rrset_count;
        std::uint16_t previous_type = 0;
        for (std::uint32_t s = n.first_rrset; s < n.first_rrset + n.rrset_count; ++s) {
            RRset& set = rrsets_[s];
            const auto type = static_cast<RRType>(set.type);
            if (set.type <= previous_type && s != n.first_rrset)
                throw ZoneError("RRset types are not sorted");
            if (set.type == 0 || dns::is_meta_type(type)) throw ZoneError("RRset of a meta type");
            previous_type = set.type;
            if (set.count == 0) throw ZoneError("empty RRset");
            if (std::size_t{set.wire} + set.wire_size > rr_.size())
                throw ZoneError("RRset lies outside the RR arena");
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
                if (k == 0) set.ttl = read32(w, pos + 6);
                pos += kRRHeaderSize + len;
            }
            if (pos != w.size()) throw ZoneError("RRset wire size does not match its RRs");
            rr_count_ += set.count;
        }
    }
    if (expected_rrset != rrsets_.size()) throw ZoneError("RRsets not owned by any node");

    // Flags and links, parents first (canonical order puts every ancestor before its descendants).
    for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
        Node& n = nodes_[i];
        n.flags = 0;
        n.wildcard = kNoNode;
        n.cut = kNoNode;
        n.parent = kNoNode;
        const auto nm = name(n);
        if (n.rrset_count == 0) n.flags |= kNodeEmpty;
        if (nm.size() >= 2 && nm[0] == 1 && nm[1] == '*') n.flags |= kNodeWildcard;
        if (find_rrset(n, RRType::CNAME)) n.flags |= kNodeCname;
        if (find_rrset(n, RRType::DNAME)) n.flags |= kNodeDname;
        if (i != 0 && find_rrset(n, RRType::NS)) n.flags |= kNodeDelegation;
        if (i == 0) {
            if (n.has(kNodeDname)) n.cut = 0;
            continue;
        }
        if (n.rrset_count == 0 && i + 1 < nodes_.size() && nodes_[i + 1].labels <= n.labels) {
            // An empty node must have a descendant, which sorts right after it.
            throw ZoneError("empty node " + describe(nm) + " has no descendants");
        }
        if (i + 1 == nodes_.size() && n.rrset_count == 0) throw ZoneError("empty node without descendants");
        LookupName parent_name;
        if (!parent_name.assign(nm.subspan(1 + nm[0]))) throw ZoneError("malformed node name");
        const std::uint32_t p = find(parent_name);
        if (p == kNoNode || p >= i) throw ZoneError("node " + describe(nm) + " has no parent node");
        n.parent = p;
        Node& parent = nodes_[p];
        if (n.has(kNodeWildcard)) {
            parent.wildcard = i;
            parent.flags |= kNodeWildcardChild;
        }
        if (parent.cut != kNoNode) {
            n.flags |= kNodeOccluded;
            n.cut = parent.cut;
        } else if (n.has(kNodeDelegation) || n.has(kNodeDname)) {
            n.cut = i;
        }
    }

    // SOA.
    const RRset* soa_set = soa();
    if (soa_set == nullptr) throw ZoneError("zone " + origin_.to_text() + " has no SOA record at its apex");
    if (soa_set->count != 1) throw ZoneError("zone " + origin_.to_text() + " has more than one SOA record");
    {
        const auto rdata = wire(*soa_set).subspan(kRRHeaderSize);
        const std::size_t mname = rdata_name_size(rdata, 0);
        const std::size_t rname = mname ? rdata_name_size(rdata, mname) : 0;
        if (rname == 0 || rdata.size() != mname + rname + 20) throw ZoneError("malformed SOA rdata");
        const std::size_t at = mname + rname;
        serial_ = read32(rdata, at);
        soa_minimum_ = read32(rdata, at + 16);
        soa_ttl_ = soa_set->ttl;
    }

    // Additional-section links: NS, MX and SRV targets that are nodes of this zone with addresses.
    links_.clear();
    std::uint8_t lowered[255];
    for (RRset& set : rrsets_) {
        set.additional = static_cast<std::uint32_t>(links_.size());
        set.additional_count = 0;
        const std::size_t target_at = additional_target_offset(static_cast<RRType>(set.type));
        if (target_at == kNoTarget) continue;
        const auto w = wire(set);
        for (std::size_t pos = 0; pos < w.size();) {
            const std::size_t len = read16(w, pos + 10);
            const auto rdata = w.subspan(pos + kRRHeaderSize, len);
            const std::size_t rr_start = pos;
            pos += kRRHeaderSize + len;
            const std::size_t size = rdata_name_size(rdata, target_at);
            if (size == 0)
                throw ZoneError(dns::type_to_text(static_cast<RRType>(set.type)) + " rdata is malformed");
            for (std::size_t k = 0; k < size; ++k)
                lowered[k] = dns::lower_ascii(rdata[target_at + k]);
            LookupName target;
            if (!target.assign({lowered, size})) continue;
            if (!dns::Name::from_validated_wire({lowered, size}).is_subdomain_of(origin_)) continue;
            const std::uint32_t node = find(target);
            if (node == kNoNode) continue;
            const Node& tn = nodes_[node];
            if (!find_rrset(tn, RRType::A) && !find_rrset(tn, RRType::AAAA)) continue;
            const auto begin = links_.begin() + set.additional;
            if (std::any_of(begin, links_.end(), [&](const AdditionalLink& l) { return l.node == node; }))
                continue;
            if (set.additional_count == 0xFFFF) break;
            links_.push_back({node, static_cast<std::uint32_t>(rr_start + kRRHeaderSize + target_at)});
            ++set.additional_count;
        }
    }
    links_.shrink_to_fit();
}

std::uint32_t Zone::find(const LookupName& q, std::size_t skip) const {
    const std::uint64_t h = q.suffix_hash(skip);
    const auto want = q.suffix(skip);
    const std::uint64_t tag = h & 0xFFFFFFFF00000000ULL;
    for (std::uint64_t slot = h & table_mask_;; slot = (slot + 1) & table_mask_) {
        const std::uint64_t entry = table_[slot];
        if (entry == 0) return kNoNode;
        if ((entry & 0xFFFFFFFF00000000ULL) != tag) continue;
        const auto index = static_cast<std::uint32_t>(entry) - 1;
        const Node& n = nodes_[index];
        if (n.name_size == want.size() &&
            std::memcmp(names_.data() + n.name, want.data(), want.size()) == 0) {
            return index;
        }
    }
}

Lookup Zone::lookup(const LookupName& q) const {
    Lookup result;
    const std::size_t apex_labels = nodes_[0].labels;
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
    std::size_t lo = 0, hi = nodes_.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (dns::canonical_compare(name(nodes_[mid]), lowered_wire) == std::strong_ordering::less) {
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
    return sizeof(Zone) + names_.capacity() + nodes_.capacity() * sizeof(Node) +
           rrsets_.capacity() * sizeof(RRset) + rr_.capacity() + links_.capacity() * sizeof(AdditionalLink) +
           table_.capacity() * sizeof(std::uint64_t);
}

}  // namespace cairn::zone
