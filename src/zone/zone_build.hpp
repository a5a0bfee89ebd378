// Internals shared by the full zone build (zone.cpp) and the incremental one (zone_patch.cpp): the memory a
// built zone owns and the one routine that renders an RRset into the stored form, so both builds produce
// the same bytes. Not for use outside src/zone.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "dns/rdata.hpp"
#include "zone/large_allocator.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace cairn::zone {

// A built zone's own memory; an adopted (raw) zone's arrays live in the file's buffer instead.
struct Zone::Owned {
    LargeVector<std::uint8_t> names;
    LargeVector<Node> nodes;
    LargeVector<RRset> rrsets;
    LargeVector<std::uint8_t> rr;
    LargeVector<AdditionalLink> links;
    LargeVector<std::uint8_t> packed;
    LargeVector<PackedRRset> packed_sets;
    LargeVector<RdataPointer> pointers;
};

// RFC 4034 §6.1 order as a memcmp-able key: labels below the origin from right to left, each lowercased,
// escaped (0x00 -> 01 01, 0x01 -> 01 02) and ended by 0x00 (the origin's own labels are common to every
// name of the zone). Its first 16 octets, big-endian in two words, zero-padded: names whose prefixes differ
// are in the order of their prefixes; equal prefixes need a full comparison unless both are complete.
struct CanonicalPrefix {
    std::uint64_t hi = 0, lo = 0;
    bool complete = true;  // the whole key fits
};

inline CanonicalPrefix canonical_prefix(std::span<const std::uint8_t> owner, std::size_t origin_labels) {
    std::uint8_t offsets[128];
    std::size_t labels = 0;
    for (std::size_t pos = 0; owner[pos] != 0; pos += 1 + owner[pos])
        offsets[labels++] = static_cast<std::uint8_t>(pos);
    std::uint8_t key[16] = {};
    std::size_t size = 0;
    CanonicalPrefix p;
    auto put = [&](std::uint8_t c) {
        if (size < sizeof key) {
            key[size++] = c;
        } else {
            p.complete = false;
        }
    };
    for (std::size_t l = labels - origin_labels; l-- > 0 && p.complete;) {
        const std::size_t pos = offsets[l];
        for (std::size_t i = 1; i <= owner[pos]; ++i) {
            const auto c = dns::lower_ascii(owner[pos + i]);
            if (c <= 1) {
                put(1);
                put(static_cast<std::uint8_t>(c + 1));
            } else {
                put(c);
            }
        }
        put(0);
    }
    for (int i = 0; i < 8; ++i)
        p.hi = (p.hi << 8) | key[i];
    for (int i = 8; i < 16; ++i)
        p.lo = (p.lo << 8) | key[i];
    return p;
}

struct RecordVectorSource {
    const std::vector<Record>& records;
    std::size_t size() const { return records.size(); }
    std::span<const std::uint8_t> owner(std::size_t i) const { return records[i].owner.wire(); }
    dns::RRType type(std::size_t i) const { return records[i].type; }
    dns::RRClass rclass(std::size_t i) const { return records[i].rclass; }
    std::uint32_t ttl(std::size_t i) const { return records[i].ttl; }
    std::span<const std::uint8_t> rdata(std::size_t i) const { return records[i].rdata; }
};

// Appends to `node` the RRset of records order[r], order[r+1]... while `same_rrset(r)` (records sorted by
// type, canonical rdata, then as read), rdata equal in canonical form merged into one record: the spelling
// read last wins, as in BIND, and the first one's TTL stays; advances r past them.
template <class Source, class SameRRset>
void append_rrset(Zone::Parts& parts, Node& node, const Source& src, const std::uint32_t* order,
                  std::size_t& r, std::size_t n, SameRRset&& same_rrset) {
    RRset set;
    set.type = static_cast<std::uint16_t>(src.type(order[r]));
    set.wire = static_cast<std::uint32_t>(parts.rr.size());
    std::span<const std::uint8_t> last_rdata;
    std::size_t last_at = 0;
    do {
        const std::size_t i = order[r++];
        const auto rdata = src.rdata(i);
        if (set.count > 0 && rdata.size() == last_rdata.size() &&
            dns::rdata_canonical_compare(src.type(i), rdata, last_rdata) == std::strong_ordering::equal) {
            // Canonical form keeps the length: the later spelling fits in place.
            if (!rdata.empty())
                std::memcpy(parts.rr.data() + last_at + kRRHeaderSize, rdata.data(), rdata.size());
            last_rdata = rdata;
            continue;
        }
        if (set.count == 0xFFFF) throw ZoneError("RRset with more than 65535 records");
        last_rdata = rdata;
        const std::uint32_t ttl = src.ttl(i);
        const std::size_t at = parts.rr.size();
        last_at = at;
        parts.rr.resize(at + kRRHeaderSize + rdata.size());
        std::uint8_t* out = parts.rr.data() + at;
        out[0] = 0xC0;
        out[1] = 0x0C;
        out[2] = static_cast<std::uint8_t>(set.type >> 8);
        out[3] = static_cast<std::uint8_t>(set.type);
        out[4] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(parts.rclass) >> 8);
        out[5] = static_cast<std::uint8_t>(parts.rclass);
        out[6] = static_cast<std::uint8_t>(ttl >> 24);
        out[7] = static_cast<std::uint8_t>(ttl >> 16);
        out[8] = static_cast<std::uint8_t>(ttl >> 8);
        out[9] = static_cast<std::uint8_t>(ttl);
        out[10] = static_cast<std::uint8_t>(rdata.size() >> 8);
        out[11] = static_cast<std::uint8_t>(rdata.size());
        if (!rdata.empty()) std::memcpy(out + kRRHeaderSize, rdata.data(), rdata.size());
        ++set.count;
    } while (r < n && same_rrset(r));
    set.wire_size = static_cast<std::uint32_t>(parts.rr.size() - set.wire);
    if (node.rrset_count == 0xFFFF) throw ZoneError("node with more than 65535 RRsets");
    parts.rrsets.push_back(set);
    ++node.rrset_count;
}

}  // namespace cairn::zone
