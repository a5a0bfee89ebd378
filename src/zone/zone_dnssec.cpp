#include "zone/zone_dnssec.hpp"

#include <algorithm>
#include <cstring>

#include "dns/name.hpp"
#include "dns/serial.hpp"
#include "dns/types.hpp"
#include "dnssec/records.hpp"
#include "zone/zone.hpp"
#include "zone/zone_build.hpp"
#include "zone/zone_wire.hpp"

namespace cairn::zone {
namespace {

constexpr std::uint16_t kRrsig = dns::code(dns::RRType::RRSIG), kNsec = dns::code(dns::RRType::NSEC),
                        kNsec3 = dns::code(dns::RRType::NSEC3);

std::span<const std::uint8_t> first_rdata(std::span<const std::uint8_t> wire) {
    return wire.subspan(kRRHeaderSize, read16(wire, 10));
}

}  // namespace

std::unique_ptr<const ZoneDnssec> ZoneDnssec::derive(const Zone& z) {
    const auto& a = z.arrays();
    if (std::none_of(a.rrsets.begin(), a.rrsets.end(), [](const RRset& s) {
            return s.type == kRrsig || s.type == kNsec || s.type == kNsec3;
        })) {
        return nullptr;
    }
    std::unique_ptr<ZoneDnssec> d(new ZoneDnssec());
    d->signatures_.assign(a.rrsets.size(), SignatureSpan{});
    // The RRSIG RRset of a node is in canonical rdata order: the type covered leads, so each type's
    // signatures are one run.
    for (const Node& n : a.nodes) {
        const RRset* sigs = z.find_rrset(n, dns::RRType::RRSIG);
        if (sigs == nullptr) continue;
        const auto w = z.wire(*sigs);
        std::size_t pos = 0;
        while (pos < w.size()) {
            const std::size_t run = pos;
            const std::uint16_t covered = read16(w, pos + kRRHeaderSize);
            std::uint16_t count = 0;
            while (pos < w.size() && read16(w, pos + 10) >= 2 && read16(w, pos + kRRHeaderSize) == covered) {
                if (read16(w, pos + 10) >= 12) {  // type covered, algorithm, labels, original TTL, expiration
                    const std::uint32_t expiration = read32(w, pos + kRRHeaderSize + 8);
                    if (!d->earliest_expiration_ || dns::serial_less(expiration, *d->earliest_expiration_))
                        d->earliest_expiration_ = expiration;
                }
                pos += kRRHeaderSize + read16(w, pos + 10);
                ++count;
            }
            if (count == 0) break;  // an RRSIG too short to name a type: left out
            const RRset* set = z.find_rrset(n, static_cast<dns::RRType>(covered));
            if (set == nullptr || covered == kRrsig) continue;
            d->signatures_[z.rrset_index(*set)] = {sigs->wire + static_cast<std::uint32_t>(run),
                                                   static_cast<std::uint32_t>(pos - run), count};
        }
    }

    const Node& apex = z.node(Zone::apex());
    // NSEC3: the chain the apex's NSEC3PARAM names (the first one with flags 0, as BIND serves it).
    if (const RRset* param = z.find_rrset(apex, dns::RRType::NSEC3PARAM)) {
        const auto w = z.wire(*param);
        for (std::size_t pos = 0; pos < w.size(); pos += kRRHeaderSize + read16(w, pos + 10)) {
            const auto p = dnssec::Nsec3ParamView::parse(w.subspan(pos + kRRHeaderSize, read16(w, pos + 10)));
            if (!p || p->hash_algorithm != dnssec::kNsec3Sha1 || p->flags != 0) continue;
            d->iterations_ = p->iterations;
            d->salt_size_ = static_cast<std::uint8_t>(p->salt.size());
            std::copy(p->salt.begin(), p->salt.end(), d->salt_.begin());
            d->denial_ = Denial::nsec3;
            break;
        }
    }
    if (d->denial_ == Denial::nsec3) {
        d->per_node_.assign(a.nodes.size(), kNone);
        for (std::uint32_t i = 0; i < a.nodes.size(); ++i) {
            const Node& n = a.nodes[i];
            const RRset* set = z.find_rrset(n, dns::RRType::NSEC3);
            Nsec3Entry e;
            if (set == nullptr || n.parent != Zone::apex() || !dnssec::nsec3_owner_hash(z.name(n), e.hash))
                continue;
            d->per_node_[i] = kHashedOwner;  // whichever chain it belongs to, it is no name of the zone
            const auto v = dnssec::Nsec3View::parse(first_rdata(z.wire(*set)));
            if (!v || v->iterations != d->iterations_ ||
                !std::equal(v->salt.begin(), v->salt.end(), d->salt_.begin(),
                            d->salt_.begin() + d->salt_size_)) {
                continue;
            }
            e.node = i;
            d->chain_.push_back(e);
        }
        std::sort(d->chain_.begin(), d->chain_.end(),
                  [](const Nsec3Entry& x, const Nsec3Entry& y) { return x.hash < y.hash; });
        if (d->chain_.empty()) d->denial_ = Denial::none;
    }
    if (d->denial_ == Denial::nsec3) {
        d->wildcard_cover_.assign(a.nodes.size(), kNone);
        std::uint8_t wildcard[255];
        for (std::uint32_t i = 0; i < a.nodes.size(); ++i) {
            const Node& n = a.nodes[i];
            if (d->per_node_[i] == kHashedOwner || n.has(kNodeOccluded)) continue;
            const auto name = z.name(n);
            bool matched = false;
            const std::uint32_t m = d->nsec3_cover(name, matched);
            d->per_node_[i] = matched ? m : kNone;
            if (name.size() + 2 > sizeof wildcard) continue;
            wildcard[0] = 1;
            wildcard[1] = '*';
            std::memcpy(wildcard + 2, name.data(), name.size());
            d->wildcard_cover_[i] = d->nsec3_cover({wildcard, name.size() + 2}, matched);
        }
    } else if (z.find_rrset(apex, dns::RRType::NSEC) != nullptr) {
        d->denial_ = Denial::nsec;
        d->per_node_.assign(a.nodes.size(), kNone);
        d->prefixes_.resize(a.nodes.size());
        d->origin_labels_ = apex.labels;
        std::uint32_t last = kNone;
        for (std::uint32_t i = 0; i < a.nodes.size(); ++i) {
            if (z.find_rrset(a.nodes[i], dns::RRType::NSEC) != nullptr) last = i;
            d->per_node_[i] = last;
            const CanonicalPrefix p = canonical_prefix(z.name(a.nodes[i]), apex.labels);
            d->prefixes_[i] = {p.hi, p.lo};
        }
    }
    return d;
}

std::uint32_t ZoneDnssec::nsec_covering(const Zone& zone, std::span<const std::uint8_t> lowered_name) const {
    // Nodes are in canonical order, so their prefixes are sorted: those below the name's prefix sort before
    // it, those above after it; only the ones with an equal prefix need the full comparison.
    const CanonicalPrefix q = canonical_prefix(lowered_name, origin_labels_);
    const Prefix key{q.hi, q.lo};
    const auto first = std::lower_bound(prefixes_.begin(), prefixes_.end(), key);
    const auto last = std::upper_bound(first, prefixes_.end(), key);
    const auto after = std::partition_point(first, last, [&](const Prefix& p) {
        const auto node = static_cast<std::uint32_t>(&p - prefixes_.data());
        return dns::canonical_compare(zone.name(zone.node(node)), lowered_name) == std::strong_ordering::less;
    });
    if (after == prefixes_.begin()) return kNone;
    return per_node_[static_cast<std::size_t>(after - prefixes_.begin()) - 1];
}

std::uint32_t ZoneDnssec::cover(const dnssec::Nsec3Hash& h, bool& matched) const {
    if (chain_.empty()) {
        matched = false;
        return kNone;
    }
    // The last entry whose hash is not above h; before the first, the last one (the chain wraps).
    auto it = std::upper_bound(chain_.begin(), chain_.end(), h,
                               [](const dnssec::Nsec3Hash& x, const Nsec3Entry& e) { return x < e.hash; });
    const Nsec3Entry& e = it == chain_.begin() ? chain_.back() : *(it - 1);
    matched = e.hash == h;
    return e.node;
}

std::uint32_t ZoneDnssec::nsec3_cover(std::span<const std::uint8_t> lowered_name, bool& matched) const {
    dnssec::Nsec3Hash h;
    if (!dnssec::nsec3_hash(lowered_name, nsec3_salt(), iterations_, h)) {
        matched = false;
        return kNone;
    }
    return cover(h, matched);
}

std::size_t ZoneDnssec::memory_bytes() const {
    return sizeof(*this) + signatures_.size() * sizeof(SignatureSpan) +
           per_node_.size() * sizeof(std::uint32_t) + wildcard_cover_.size() * sizeof(std::uint32_t) +
           chain_.size() * sizeof(Nsec3Entry) + prefixes_.size() * sizeof(Prefix);
}

}  // namespace cairn::zone
