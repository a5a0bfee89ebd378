#include "zone/diff.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "dns/rdata.hpp"
#include "zone/master_parser.hpp"
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

}  // namespace

std::uint32_t soa_serial(std::span<const std::uint8_t> rdata) {
    // MNAME and RNAME, then five 32-bit fields of which the serial is the first.
    if (rdata.size() < 20) return 0;
    return read32(rdata, rdata.size() - 20);
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

ZoneDiff diff_zones(const Zone& from, const Zone& to) {
    if (!(from.origin() == to.origin()))
        throw DiffError("cannot compare different zones " + from.origin().to_text() + " and " +
                        to.origin().to_text());
    ZoneDiff diff;
    diff.old_soa = soa_record(from);
    diff.new_soa = soa_record(to);

    std::unordered_map<std::string, bool> old_keys;  // key -> still present in `to`
    old_keys.reserve(from.rr_count());
    from.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass cls,
                         std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
        if (type == dns::RRType::SOA) return;
        old_keys.emplace(record_key(owner, type, cls, rdata, &ttl), false);
    });
    to.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass cls,
                       std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
        if (type == dns::RRType::SOA) return;
        const auto it = old_keys.find(record_key(owner, type, cls, rdata, &ttl));
        if (it != old_keys.end()) {
            it->second = true;
            return;
        }
        diff.added.push_back(
            Record{dns::Name::from_validated_wire(owner), type, cls, ttl, {rdata.begin(), rdata.end()}});
    });
    from.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass cls,
                         std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
        if (type == dns::RRType::SOA) return;
        if (old_keys.find(record_key(owner, type, cls, rdata, &ttl))->second) return;
        diff.removed.push_back(
            Record{dns::Name::from_validated_wire(owner), type, cls, ttl, {rdata.begin(), rdata.end()}});
    });
    return diff;
}

std::shared_ptr<const Zone> apply_diff(const Zone& base, const ZoneDiff& diff) {
    return apply_diffs(base, std::span<const ZoneDiff>(&diff, 1));
}

// The chain's net effect is worked out on the few records it names; the base zone's records are then
// streamed once into the parser's compact form, skipping the ones the chain removed or replaced, so that a
// small change to a large zone costs one pass and one build, not a copy of every record as an object.
std::shared_ptr<const Zone> apply_diffs(const Zone& base, std::span<const ZoneDiff> diffs) {
    std::unordered_map<std::string, Record> added;            // by key without TTL: present at the end
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
            if (added.erase(key) == 0) {
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
            added.insert_or_assign(std::move(key), r);
        }
        soa = d.new_soa;
        serial = d.to_serial();
    }

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
    out.rrs.reserve(base.rr_count() + added.size());
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
    for (const auto& [key, seen] : removed_from_base) {
        if (!seen) {
            for (const ZoneDiff& d : diffs) {
                for (const Record& r : d.removed) {
                    if (key_of(r, false) == key)
                        throw DiffError("difference removes a record the zone does not have: " + describe(r));
                }
            }
        }
    }
    for (const auto& [key, r] : added)
        append(r.owner.wire(), r.type, r.ttl, r.rdata);
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
