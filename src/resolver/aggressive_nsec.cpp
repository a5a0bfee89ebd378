#include "resolver/aggressive_nsec.hpp"

#include <algorithm>
#include <mutex>

#include "dnssec/denial.hpp"
#include "dnssec/records.hpp"

namespace cairn::resolver {
namespace {

constexpr std::size_t kMaxLabelsBelowZone = 10;  // NSEC3: hashes for deeper names cost too much here

std::uint32_t soa_negative_ttl(const RRsetData& soa) {
    if (soa.rdatas.empty() || soa.rdatas[0].size() < 20) return soa.ttl;
    const auto* p = soa.rdatas[0].data() + soa.rdatas[0].size() - 4;
    const std::uint32_t minimum =
        (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (p[2] << 8) | p[3];
    return std::min(soa.ttl, minimum);
}

}  // namespace

void AggressiveNsec::add(const dns::Name& zone, const RRsetData& soa, const std::vector<RRsetData>& records,
                         std::uint32_t now) {
    std::unique_lock lock(mutex_);
    ZoneDenials& z = zones_[zone.lowercased()];
    z.zone = zone.lowercased();
    z.soa = {soa, now + soa_negative_ttl(soa)};
    for (const auto& set : records) {
        if (set.security != Security::secure || set.rdatas.empty()) continue;
        const Kept kept{set, now + set.ttl};
        if (set.type == dns::RRType::NSEC) {
            records_ += z.nsec.insert_or_assign(set.owner.lowercased(), kept).second;
        } else if (set.type == dns::RRType::NSEC3) {
            dnssec::Nsec3Hash h;
            if (!dnssec::nsec3_owner_hash(set.owner.wire(), h)) continue;
            records_ += z.nsec3.insert_or_assign(h, kept).second;
        }
    }
    if (records_ > max_records_) {
        records_ -= z.nsec.size() + z.nsec3.size();
        z.nsec.clear();
        z.nsec3.clear();
    }
}

const AggressiveNsec::ZoneDenials* AggressiveNsec::zone_for(const dns::Name& qname) const {
    for (std::size_t labels = qname.label_count() + 1; labels-- > 0;) {
        const auto it = zones_.find(qname.suffix(labels).lowercased());
        if (it != zones_.end()) return &it->second;
    }
    return nullptr;
}

std::optional<SynthesisedDenial> AggressiveNsec::synthesise(const dns::Name& qname, dns::RRType qtype,
                                                            std::uint32_t now,
                                                            dnssec::WorkBudget& budget) const {
    std::shared_lock lock(mutex_);
    const ZoneDenials* z = zone_for(qname);
    if (z == nullptr || z->soa.expire <= now) return std::nullopt;
    const dns::Name lower = qname.lowercased();
    std::vector<const Kept*> used;
    auto use = [&](const Kept* k) {
        if (k != nullptr && k->expire > now && std::find(used.begin(), used.end(), k) == used.end())
            used.push_back(k);
    };
    auto records = [&] {
        std::vector<dnssec::DenialRecord> out;
        for (const Kept* k : used)
            out.push_back({k->set.owner.wire(), k->set.rdatas.front()});
        return out;
    };

    bool nxdomain = false;
    bool proven = false;
    if (!z->nsec.empty()) {
        auto predecessor = [&](const dns::Name& n) -> const Kept* {
            auto it = z->nsec.upper_bound(n);
            if (it == z->nsec.begin()) return nullptr;
            return &(--it)->second;
        };
        if (const auto exact = z->nsec.find(lower); exact != z->nsec.end()) {
            use(&exact->second);
            const auto recs = records();
            proven = dnssec::nsec_nodata(lower.wire(), dns::code(qtype), recs).proven();
        } else if (const Kept* cover = predecessor(lower)) {
            use(cover);
            const auto view = dnssec::NsecView::parse(cover->set.rdatas.front());
            if (view) {
                const dns::Name next = dns::Name::from_validated_wire(view->next);
                const std::size_t ce =
                    std::max(lower.common_suffix_labels(cover->set.owner), lower.common_suffix_labels(next));
                try {
                    const dns::Name wildcard = lower.suffix(ce).prepend("*");
                    if (z->nsec.find(wildcard) == z->nsec.end()) use(predecessor(wildcard));
                } catch (const dns::ParseError&) {
                }
                const auto recs = records();
                if (dnssec::nsec_nxdomain(lower.wire(), recs).proven()) {
                    proven = nxdomain = true;
                } else {
                    proven = dnssec::nsec_nodata(lower.wire(), dns::code(qtype), recs).proven();
                }
            }
        }
    } else if (!z->nsec3.empty()) {
        const std::size_t zone_labels = z->zone.label_count();
        if (lower.label_count() - zone_labels > kMaxLabelsBelowZone) return std::nullopt;
        const auto first = dnssec::Nsec3View::parse(z->nsec3.begin()->second.set.rdatas.front());
        if (!first || first->iterations > budget.limits().nsec3_iterations) return std::nullopt;
        auto predecessor = [&](const dnssec::Nsec3Hash& h) -> const Kept* {
            auto it = z->nsec3.upper_bound(h);
            if (it == z->nsec3.begin()) it = z->nsec3.end();  // before the first: the last one wraps round
            return &(--it)->second;
        };
        // Keeps the record matching `n`'s hash, or else the one covering it; nullopt when the budget is out,
        // true when one matched.
        auto gather = [&](const dns::Name& n) -> std::optional<bool> {
            dnssec::Nsec3Hash h;
            if (!dnssec::nsec3_hash(n.wire(), first->salt, first->iterations, h, &budget))
                return std::nullopt;
            if (const auto it = z->nsec3.find(h); it != z->nsec3.end()) {
                use(&it->second);
                return true;
            }
            use(predecessor(h));
            return false;
        };
        bool qname_matched = false;
        for (std::size_t labels = lower.label_count(); labels >= zone_labels; --labels) {
            const dns::Name a = lower.suffix(labels);
            const auto matched = gather(a);
            if (!matched) return std::nullopt;
            if (labels == lower.label_count()) qname_matched = *matched;
            if (labels < lower.label_count()) {
                try {
                    if (!gather(a.prepend("*"))) return std::nullopt;
                } catch (const dns::ParseError&) {
                }
            }
            if (labels == 0) break;
        }
        const auto recs = records();
        if (qname_matched) {
            proven =
                dnssec::nsec3_nodata(lower.wire(), dns::code(qtype), z->zone.wire(), recs, budget).proven();
        } else {
            proven = dnssec::nsec3_nxdomain(lower.wire(), z->zone.wire(), recs, budget).proven();
            nxdomain = proven;
        }
    }
    if (!proven) return std::nullopt;

    SynthesisedDenial d;
    d.nxdomain = nxdomain;
    d.soa = z->soa.set;
    std::uint32_t ttl = z->soa.expire - now;
    for (const Kept* k : used)
        ttl = std::min(ttl, k->expire - now);
    d.soa.ttl = ttl;
    for (const Kept* k : used) {
        RRsetData set = k->set;
        set.ttl = ttl;
        d.proof.push_back(std::move(set));
    }
    return d;
}

void AggressiveNsec::remove_tree(const dns::Name& top) {
    std::unique_lock lock(mutex_);
    for (auto it = zones_.begin(); it != zones_.end();) {
        if (it->first.is_subdomain_of(top)) {
            records_ -= it->second.nsec.size() + it->second.nsec3.size();
            it = zones_.erase(it);
        } else {
            ++it;
        }
    }
}

void AggressiveNsec::clear() {
    std::unique_lock lock(mutex_);
    zones_.clear();
    records_ = 0;
}

void AggressiveNsec::sweep(std::uint32_t now) {
    std::unique_lock lock(mutex_);
    for (auto it = zones_.begin(); it != zones_.end();) {
        ZoneDenials& z = it->second;
        records_ -= std::erase_if(z.nsec, [&](const auto& kv) { return kv.second.expire <= now; });
        records_ -= std::erase_if(z.nsec3, [&](const auto& kv) { return kv.second.expire <= now; });
        if (z.soa.expire <= now && z.nsec.empty() && z.nsec3.empty())
            it = zones_.erase(it);
        else
            ++it;
    }
}

std::size_t AggressiveNsec::size() const {
    std::shared_lock lock(mutex_);
    return records_;
}

}  // namespace cairn::resolver
