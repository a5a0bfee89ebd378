#include "zone/diff.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "dns/rdata.hpp"
#include "zone/parsed_zone.hpp"
#include "zone/zone_wire.hpp"

namespace cairn::zone {

namespace {

// Identity of a record for set arithmetic: lowercased owner, type, class, canonical rdata and, when asked,
// the TTL. The owner's wire form is self-delimiting, so plain concatenation is unambiguous.
std::string record_key(std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass rclass,
                       std::span<const std::uint8_t> rdata, const std::uint32_t* ttl) {
    std::string key;
    key.reserve(owner.size() + 10 + rdata.size());
    for (std::uint8_t c : owner)
        key.push_back(static_cast<char>(dns::lower_ascii(c)));
    const auto t = static_cast<std::uint16_t>(type);
    const auto c = static_cast<std::uint16_t>(rclass);
    key.push_back(static_cast<char>(t >> 8));
    key.push_back(static_cast<char>(t));
    key.push_back(static_cast<char>(c >> 8));
    key.push_back(static_cast<char>(c));
    if (ttl != nullptr) {
        for (int shift = 24; shift >= 0; shift -= 8)
            key.push_back(static_cast<char>(*ttl >> shift));
    }
    const auto canonical = dns::rdata_canonical(type, rdata);
    key.append(canonical.begin(), canonical.end());
    return key;
}

std::string key_of(const Record& r, bool with_ttl) {
    return record_key(r.owner.wire(), r.type, r.rclass, r.rdata, with_ttl ? &r.ttl : nullptr);
}

std::string describe(const Record& r) {
    return r.owner.to_text() + " " + std::to_string(r.ttl) + " " + dns::type_to_text(r.type) + " " +
           dns::rdata_to_text(r.type, r.rdata);
}

void check_soa(const Record& soa, const char* which) {
    if (soa.type != dns::RRType::SOA || soa.rdata.size() < 20)
        throw DiffError(std::string("difference has no valid ") + which + " SOA");
}

// An ordered set of records with removal by key.
class RecordSet {
  public:
    bool contains(const std::string& key) const { return index_.count(key) != 0; }
    const Record* find(const std::string& key) const {
        const auto it = index_.find(key);
        return it == index_.end() ? nullptr : &records_[it->second];
    }
    void insert(std::string key, Record r) {
        const auto it = index_.find(key);
        if (it != index_.end()) {
            records_[it->second] = std::move(r);
            return;
        }
        index_.emplace(std::move(key), records_.size());
        records_.push_back(std::move(r));
        live_.push_back(true);
    }
    bool erase(const std::string& key) {
        const auto it = index_.find(key);
        if (it == index_.end()) return false;
        live_[it->second] = false;
        index_.erase(it);
        return true;
    }
    std::size_t size() const { return index_.size(); }
    template <typename F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < records_.size(); ++i) {
            if (live_[i]) f(records_[i]);
        }
    }
    std::vector<Record> take() {
        std::vector<Record> out;
        out.reserve(index_.size());
        for (std::size_t i = 0; i < records_.size(); ++i) {
            if (live_[i]) out.push_back(std::move(records_[i]));
        }
        return out;
    }

  private:
    std::vector<Record> records_;
    std::vector<bool> live_;
    std::unordered_map<std::string, std::size_t> index_;
};

std::atomic<std::uint64_t> g_patched{0}, g_rebuilt{0};

}  // namespace

ApplyCounts apply_counts() {
    return {g_patched.load(), g_rebuilt.load()};
}

std::uint32_t soa_serial(std::span<const std::uint8_t> rdata) {
    // MNAME and RNAME, then five 32-bit fields of which the serial is the first.
    if (rdata.size() < 20) return 0;
    return read32(rdata, rdata.size() - 20);
}

ZoneDiff next_version(const Zone& base) {
    ZoneDiff d;
    d.old_soa = soa_record(base);
    d.new_soa = d.old_soa;
    const std::uint32_t serial = base.serial() + 1;
    auto& rdata = d.new_soa.rdata;
    for (std::size_t k = 0; k < 4; ++k)
        rdata[rdata.size() - 20 + k] = static_cast<std::uint8_t>(serial >> (24 - 8 * k));
    return d;
}

namespace {

template <class T>
bool same_octets(std::span<T> a, std::span<T> b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

}  // namespace

const char* first_differing_array(const Zone& a, const Zone& b) {
    const Zone::Arrays& x = a.arrays();
    const Zone::Arrays& y = b.arrays();
    if (!same_octets(x.names, y.names)) return "names";
    if (!same_octets(x.nodes, y.nodes)) return "nodes";
    if (!same_octets(x.rrsets, y.rrsets)) return "rrsets";
    if (!same_octets(x.rr, y.rr)) return "rr";
    if (!same_octets(x.links, y.links)) return "links";
    if (!same_octets(x.packed, y.packed)) return "packed";
    if (!same_octets(x.packed_sets, y.packed_sets)) return "packed_sets";
    if (!same_octets(x.pointers, y.pointers)) return "pointers";
    return nullptr;
}

std::uint32_t ZoneDiff::from_serial() const {
    return soa_serial(old_soa.rdata);
}
std::uint32_t ZoneDiff::to_serial() const {
    return soa_serial(new_soa.rdata);
}

Record soa_record(const Zone& zone) {
    const RRset* soa = zone.soa();
    const auto w = zone.wire(*soa);
    const std::size_t len = read16(w, 10);
    Record r;
    r.owner = dns::Name::from_validated_wire(zone.spelling(zone.node(Zone::apex())));
    r.type = dns::RRType::SOA;
    r.rclass = static_cast<dns::RRClass>(read16(w, 4));
    r.ttl = read32(w, 6);
    r.rdata.assign(w.begin() + kRRHeaderSize, w.begin() + kRRHeaderSize + len);
    return r;
}

namespace {

// Calls f(type, class, ttl, rdata) for each RR of an RRset's stored wire form.
template <typename F>
void for_each_rr_of(std::span<const std::uint8_t> w, F&& f) {
    std::size_t pos = 0;
    while (pos < w.size()) {
        const auto cls = static_cast<dns::RRClass>((w[pos + 4] << 8) | w[pos + 5]);
        const std::uint32_t ttl = (std::uint32_t{w[pos + 6]} << 24) | (std::uint32_t{w[pos + 7]} << 16) |
                                  (std::uint32_t{w[pos + 8]} << 8) | w[pos + 9];
        const std::size_t len = static_cast<std::size_t>((w[pos + 10] << 8) | w[pos + 11]);
        f(cls, ttl, w.subspan(pos + kRRHeaderSize, len));
        pos += kRRHeaderSize + len;
    }
}

// The same RRs, TTLs and class, byte for byte, ignoring each RR's owner pointer (the first two octets).
bool same_rrs(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    if (a.size() != b.size()) return false;
    std::size_t pos = 0;
    while (pos < a.size()) {
        const std::size_t len = static_cast<std::size_t>((a[pos + 10] << 8) | a[pos + 11]);
        const std::size_t end = pos + kRRHeaderSize + len;
        if (end > b.size() || !std::equal(a.begin() + pos + 2, a.begin() + end, b.begin() + pos + 2))
            return false;
        pos = end;
    }
    return true;
}

}  // namespace

// Both zones hold their nodes in canonical order and each node's RRsets by type, so one merge walk pairs
// the RRsets; only the pairs whose stored bytes differ are compared record by record. A small edit to a
// large zone costs a pass over both, with no per-record allocation.
ZoneDiff diff_zones(const Zone& from, const Zone& to) {
    if (!(from.origin() == to.origin()))
        throw DiffError("cannot compare different zones " + from.origin().to_text() + " and " +
                        to.origin().to_text());
    ZoneDiff diff;
    diff.old_soa = soa_record(from);
    diff.new_soa = soa_record(to);

    auto emit_all = [](const Zone& z, const Node& n, const RRset& s, std::vector<Record>& out) {
        const dns::Name owner = dns::Name::from_validated_wire(z.spelling(n));
        for_each_rr_of(
            z.wire(s), [&](dns::RRClass cls, std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
                out.push_back(
                    Record{owner, static_cast<dns::RRType>(s.type), cls, ttl, {rdata.begin(), rdata.end()}});
            });
    };
    auto compare_sets = [&](const Node& a_node, const RRset& a, const Node& b_node, const RRset& b) {
        if (same_rrs(from.wire(a), to.wire(b))) return;
        const auto type = static_cast<dns::RRType>(a.type);
        std::unordered_map<std::string, bool> old_keys;  // key -> still present in `to`
        for_each_rr_of(from.wire(a),
                       [&](dns::RRClass cls, std::uint32_t ttl, std::span<const std::uint8_t> rd) {
                           old_keys.emplace(record_key(from.name(a_node), type, cls, rd, &ttl), false);
                       });
        const dns::Name new_owner = dns::Name::from_validated_wire(to.spelling(b_node));
        for_each_rr_of(to.wire(b),
                       [&](dns::RRClass cls, std::uint32_t ttl, std::span<const std::uint8_t> rd) {
                           const auto it = old_keys.find(record_key(to.name(b_node), type, cls, rd, &ttl));
                           if (it != old_keys.end()) {
                               it->second = true;
                               return;
                           }
                           diff.added.push_back(Record{new_owner, type, cls, ttl, {rd.begin(), rd.end()}});
                       });
        const dns::Name old_owner = dns::Name::from_validated_wire(from.spelling(a_node));
        for_each_rr_of(from.wire(a),
                       [&](dns::RRClass cls, std::uint32_t ttl, std::span<const std::uint8_t> rd) {
                           if (old_keys.find(record_key(from.name(a_node), type, cls, rd, &ttl))->second)
                               return;
                           diff.removed.push_back(Record{old_owner, type, cls, ttl, {rd.begin(), rd.end()}});
                       });
    };
    constexpr auto soa_type = static_cast<std::uint16_t>(dns::RRType::SOA);
    auto sets_of = [](const Zone& z, const Node& n) {
        std::span<const RRset> sets = z.rrsets(n);
        std::vector<const RRset*> out;
        for (const RRset& s : sets)
            if (s.type != soa_type) out.push_back(&s);
        return out;
    };
    std::size_t i = 0, j = 0;
    while (i < from.node_count() || j < to.node_count()) {
        std::strong_ordering order = std::strong_ordering::equal;
        if (i == from.node_count()) {
            order = std::strong_ordering::greater;
        } else if (j == to.node_count()) {
            order = std::strong_ordering::less;
        } else {
            order = dns::canonical_compare(from.name(from.node(static_cast<std::uint32_t>(i))),
                                           to.name(to.node(static_cast<std::uint32_t>(j))));
        }
        if (order == std::strong_ordering::less) {
            const Node& n = from.node(static_cast<std::uint32_t>(i++));
            for (const RRset* s : sets_of(from, n))
                emit_all(from, n, *s, diff.removed);
            continue;
        }
        if (order == std::strong_ordering::greater) {
            const Node& n = to.node(static_cast<std::uint32_t>(j++));
            for (const RRset* s : sets_of(to, n))
                emit_all(to, n, *s, diff.added);
            continue;
        }
        const Node& a_node = from.node(static_cast<std::uint32_t>(i++));
        const Node& b_node = to.node(static_cast<std::uint32_t>(j++));
        const auto a_sets = sets_of(from, a_node), b_sets = sets_of(to, b_node);
        std::size_t x = 0, y = 0;
        while (x < a_sets.size() || y < b_sets.size()) {
            if (y == b_sets.size() || (x < a_sets.size() && a_sets[x]->type < b_sets[y]->type)) {
                emit_all(from, a_node, *a_sets[x++], diff.removed);
            } else if (x == a_sets.size() || b_sets[y]->type < a_sets[x]->type) {
                emit_all(to, b_node, *b_sets[y++], diff.added);
            } else {
                compare_sets(a_node, *a_sets[x++], b_node, *b_sets[y++]);
            }
        }
    }
    return diff;
}

std::shared_ptr<const Zone> apply_diff(const Zone& base, const ZoneDiff& diff) {
    return apply_diffs(base, std::span<const ZoneDiff>(&diff, 1));
}

// The chain's net effect is worked out on the few records it names; the base zone's records are then
// streamed once into the parser's compact form, skipping the ones the chain removed or replaced, so that a
// small change to a large zone costs one pass and one build, not a copy of every record as an object.
std::shared_ptr<const Zone> apply_diffs(const Zone& base, std::span<const ZoneDiff> diffs, bool allow_patch) {
    RecordSet added;                                          // by key without TTL: present at the end
    std::unordered_map<std::string, bool> removed_from_base;  // key -> seen in the base zone
    std::unordered_set<std::string> shadowed;                 // base records not carried over
    std::unordered_set<std::string> gone;                     // removed and not added back since
    std::unordered_set<std::string> owners;                   // lowercased owners of every key above
    Record soa = soa_record(base);
    std::uint32_t serial = base.serial();
    auto lowered = [](std::span<const std::uint8_t> wire) {
        std::string out(wire.size(), '\0');
        for (std::size_t i = 0; i < wire.size(); ++i)
            out[i] = static_cast<char>(dns::lower_ascii(wire[i]));
        return out;
    };
    for (const ZoneDiff& d : diffs) {
        check_soa(d.old_soa, "old");
        check_soa(d.new_soa, "new");
        if (d.from_serial() != serial)
            throw DiffError("difference starts at serial " + std::to_string(d.from_serial()) +
                            " but the zone is at serial " + std::to_string(serial));
        for (const Record& r : d.removed) {
            if (r.type == dns::RRType::SOA) throw DiffError("difference removes an SOA record");
            std::string key = key_of(r, false);
            if (!added.erase(key)) {
                if (gone.count(key) != 0 || !removed_from_base.emplace(key, false).second)
                    throw DiffError("difference removes a record the zone does not have: " + describe(r));
                shadowed.insert(key);
            }
            owners.insert(lowered(r.owner.wire()));
            gone.insert(std::move(key));
        }
        for (const Record& r : d.added) {
            if (r.type == dns::RRType::SOA) throw DiffError("difference adds an SOA record");
            if (!r.owner.is_subdomain_of(base.origin()))
                throw DiffError("difference adds a record outside the zone: " + describe(r));
            std::string key = key_of(r, false);
            gone.erase(key);
            shadowed.insert(key);
            owners.insert(lowered(r.owner.wire()));
            added.insert(std::move(key), r);
        }
        soa = d.new_soa;
        serial = d.to_serial();
    }
    auto check_removals_found = [&] {
        for (const auto& [key, seen] : removed_from_base) {
            if (seen) continue;
            for (const ZoneDiff& d : diffs) {
                for (const Record& r : d.removed) {
                    if (key_of(r, false) == key)
                        throw DiffError("difference removes a record the zone does not have: " + describe(r));
                }
            }
        }
    };

    // Incrementally: the new records of each touched owner (the apex's always: it holds the SOA), in the
    // order the full build below numbers them (base records, additions, the SOA).
    if (allow_patch) {
        std::vector<Zone::OwnerEdit> edits;
        std::unordered_map<std::string, std::size_t> edit_of;
        const std::string apex = lowered(base.origin().wire());
        owners.insert(apex);
        for (const std::string& o : owners) {
            edit_of.emplace(o, edits.size());
            edits.push_back({{o.begin(), o.end()}, {}});
        }
        for (Zone::OwnerEdit& e : edits) {
            LookupName name;
            if (!name.assign(e.name)) continue;
            const std::uint32_t node = base.find(name);
            if (node == kNoNode) continue;
            const Node& n = base.node(node);
            const dns::Name owner = dns::Name::from_validated_wire(base.spelling(n));
            for (const RRset& set : base.rrsets(n)) {
                const auto type = static_cast<dns::RRType>(set.type);
                if (type == dns::RRType::SOA) continue;
                for_each_rr_of(base.wire(set), [&](dns::RRClass cls, std::uint32_t ttl,
                                                   std::span<const std::uint8_t> rdata) {
                    const std::string key = record_key(owner.wire(), type, cls, rdata, nullptr);
                    if (shadowed.count(key) != 0) {
                        if (const auto found = removed_from_base.find(key); found != removed_from_base.end())
                            found->second = true;
                        return;
                    }
                    e.records.push_back(Record{owner, type, cls, ttl, {rdata.begin(), rdata.end()}});
                });
            }
        }
        added.for_each(
            [&](const Record& r) { edits[edit_of.at(lowered(r.owner.wire()))].records.push_back(r); });
        edits[edit_of.at(apex)].records.push_back(soa);
        check_removals_found();
        if (auto patched = Zone::patch(base, std::move(edits))) {
            ++g_patched;
            return patched;
        }
        for (auto& [key, seen] : removed_from_base)
            seen = false;
    }
    ++g_rebuilt;

    ParsedZone out;
    out.rclass = base.rclass();
    out.files = {"(incremental transfer)"};
    // Records of one owner arrive together: its name is stored once.
    auto append = [&out](std::span<const std::uint8_t> owner, dns::RRType type, std::uint32_t ttl,
                         std::span<const std::uint8_t> rdata) {
        StoredRecord s;
        s.type = type;
        s.ttl = ttl;
        s.owner_length = static_cast<std::uint8_t>(owner.size());
        const bool same_owner =
            !out.rrs.empty() && out.rrs.back().owner_length == owner.size() &&
            std::equal(owner.begin(), owner.end(), out.names.begin() + out.rrs.back().owner);
        if (same_owner) {
            s.owner = out.rrs.back().owner;
        } else {
            s.owner = static_cast<std::uint32_t>(out.names.size());
            out.names.insert(out.names.end(), owner.begin(), owner.end());
        }
        if (out.rdata_bytes.size() + rdata.size() > 0xFFFFFFFFu) throw DiffError("zone too large");
        s.rdata = static_cast<std::uint32_t>(out.rdata_bytes.size());
        s.rdlength = static_cast<std::uint16_t>(rdata.size());
        out.rdata_bytes.insert(out.rdata_bytes.end(), rdata.begin(), rdata.end());
        out.rrs.push_back(s);
    };
    // Sized up front from the base zone's arrays (an upper bound): growing 30 MB arenas by doubling cost
    // more than the copy itself.
    std::size_t name_bytes = 0, rdata_bytes = 0;
    for (std::uint32_t i = 0; i < base.node_count(); ++i) {
        const Node& n = base.node(i);
        name_bytes += n.name_size;
        for (const RRset& set : base.rrsets(n))
            rdata_bytes += set.wire_size;
    }
    added.for_each([&](const Record& r) {
        name_bytes += r.owner.wire().size();
        rdata_bytes += r.rdata.size();
    });
    out.rrs.reserve(base.rr_count() + added.size() + 1);
    out.names.reserve(name_bytes + soa.owner.wire().size());
    out.rdata_bytes.reserve(rdata_bytes + soa.rdata.size());
    const std::uint8_t* last_owner = nullptr;
    bool last_touched = false;
    base.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass rclass,
                         std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
        if (owner.data() != last_owner) {
            last_owner = owner.data();
            last_touched = owners.count(lowered(owner)) != 0;
        }
        if (type == dns::RRType::SOA) return;  // the chain's last SOA goes in instead
        if (last_touched) {
            const std::string key = record_key(owner, type, rclass, rdata, nullptr);
            if (shadowed.count(key) != 0) {
                if (const auto found = removed_from_base.find(key); found != removed_from_base.end())
                    found->second = true;
                return;
            }
        }
        append(owner, type, ttl, rdata);
    });
    check_removals_found();
    added.for_each([&](const Record& r) { append(r.owner.wire(), r.type, r.ttl, r.rdata); });
    append(soa.owner.wire(), soa.type, soa.ttl, soa.rdata);
    return Zone::build(base.origin(), out);
}

ZoneDiff condense(std::span<const ZoneDiff> chain) {
    if (chain.empty()) throw DiffError("no difference to condense");
    RecordSet removed, added;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const ZoneDiff& d = chain[i];
        if (i > 0 && d.from_serial() != chain[i - 1].to_serial())
            throw DiffError("gap in the chain of differences at serial " +
                            std::to_string(chain[i - 1].to_serial()));
        for (const Record& r : d.removed) {
            std::string key = key_of(r, true);
            if (!added.erase(key)) removed.insert(std::move(key), r);
        }
        for (const Record& r : d.added) {
            std::string key = key_of(r, true);
            if (!removed.erase(key)) added.insert(std::move(key), r);
        }
    }
    ZoneDiff out;
    out.old_soa = chain.front().old_soa;
    out.new_soa = chain.back().new_soa;
    out.removed = removed.take();
    out.added = added.take();
    return out;
}

}  // namespace cairn::zone
