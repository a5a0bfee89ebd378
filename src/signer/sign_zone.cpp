#include "signer/sign_zone.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "dns/wire.hpp"
#include "dnssec/algorithm.hpp"
#include "dnssec/ds.hpp"
#include "dnssec/nsec3.hpp"
#include "dnssec/records.hpp"
#include "dnssec/signature.hpp"

namespace cairn::signer {

namespace {

using dns::RRType;

// Types the policy owns: whatever the unsigned zone has of them is replaced.
bool policy_owned(RRType type) {
    switch (type) {
        case RRType::RRSIG:
        case RRType::NSEC:
        case RRType::NSEC3:
        case RRType::NSEC3PARAM:
        case RRType::DNSKEY:
        case RRType::CDS:
        case RRType::CDNSKEY:
            return true;
        default:
            return false;
    }
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t name_hash(std::span<const std::uint8_t> wire, RRType type) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ dns::code(type);
    for (std::uint8_t b : wire)
        h = (h ^ b) * 0x100000001b3ULL;
    return mix(h);
}

struct Owner {
    dns::Name spelling;  // as the zone spells it (the first record read)
    std::map<RRType, std::vector<zone::Record>> sets;
};

class Signer {
  public:
    Signer(const dns::Name& origin, std::span<const SigningKey> keys, const config::DnssecPolicy& policy,
           const SignRequest& request)
        : origin_(origin), keys_(keys), policy_(policy), request_(request) {
        inception_ = request.now - 3600;
        for (const SigningKey& k : keys) {
            if (k.signs_zone) have_zone_key_ = true;
            if (k.signs_keys) have_key_key_ = true;
        }
        if (!have_zone_key_ || !have_key_key_)
            throw std::invalid_argument("no key signs the " + std::string(have_zone_key_ ? "keys" : "zone"));
    }

    SignedZone sign(std::span<const zone::Record> records) {
        collect(records);
        add_key_records();
        find_cuts();
        std::vector<zone::Record> out;
        out.reserve(records.size() * 3);
        for (auto& [name, owner] : owners_) {
            if (occluded(name)) {  // glue and occluded data: kept, never signed
                for (auto& [type, set] : owner.sets)
                    out.insert(out.end(), set.begin(), set.end());
                continue;
            }
            const bool cut = cuts_.count(name) != 0;
            for (auto& [type, set] : owner.sets) {
                out.insert(out.end(), set.begin(), set.end());
                if (!cut || type == RRType::DS) sign_rrset(owner.spelling, type, set, out);
            }
        }
        if (policy_.nsec3)
            add_nsec3_chain(out);
        else
            add_nsec_chain(out);
        SignedZone result;
        result.zone = zone::Zone::build(origin_, out);
        result.earliest_expiration = earliest_;
        result.inception = inception_;
        result.signatures = signatures_;
        result.chain_records = chain_records_;
        return result;
    }

  private:
    void collect(std::span<const zone::Record> records) {
        for (const zone::Record& r : records) {
            if (policy_owned(r.type)) continue;
            // BIND 9.18 refuses to load a zone over its policy's max-zone-ttl: the rollover timing counts on
            // no RRset (and so no signature) being cached longer.
            if (policy_.max_zone_ttl != 0 && r.ttl > policy_.max_zone_ttl)
                throw zone::ZoneError(r.owner.to_text() + " " + dns::type_to_text(r.type) + ": TTL " +
                                      std::to_string(r.ttl) + " exceeds the dnssec-policy's max-zone-ttl " +
                                      std::to_string(policy_.max_zone_ttl));
            zone::Record copy = r;
            if (r.type == RRType::SOA) {
                soa_ttl_ = r.ttl;
                if (copy.rdata.size() >= 20) {
                    minimum_ = dns::WireReader(copy.rdata, copy.rdata.size() - 4).u32();
                    std::vector<std::uint8_t> serial;
                    dns::WireWriter(serial).u32(request_.serial);
                    std::copy(serial.begin(), serial.end(), copy.rdata.end() - 20);
                }
            }
            Owner& owner = owner_of(r.owner);
            auto& set = owner.sets[r.type];
            if (!set.empty()) copy.ttl = set.front().ttl;  // one TTL per RRset (BIND keeps the first)
            set.push_back(std::move(copy));
        }
    }

    Owner& owner_of(const dns::Name& name) {
        auto [it, inserted] = owners_.try_emplace(name.lowercased());
        if (inserted) it->second.spelling = name;
        return it->second;
    }

    void add_key_records() {
        Owner& apex = owner_of(origin_);
        for (const SigningKey& k : keys_) {
            const std::vector<std::uint8_t> dnskey = k.key.dnskey_rdata();
            if (k.published)
                apex.sets[RRType::DNSKEY].push_back(
                    {origin_, RRType::DNSKEY, dns::RRClass::IN, policy_.dnskey_ttl, dnskey});
            if (!k.cds) continue;
            apex.sets[RRType::CDNSKEY].push_back(
                {origin_, RRType::CDNSKEY, dns::RRClass::IN, policy_.dnskey_ttl, dnskey});
            apex.sets[RRType::CDS].push_back({origin_, RRType::CDS, dns::RRClass::IN, policy_.dnskey_ttl,
                                              dnssec::make_ds_rdata(origin_.wire(), dnskey, 2)});
        }
        if (policy_.nsec3) {
            salt_.resize(policy_.nsec3->salt_length);
            std::uint64_t state = request_.salt_seed;
            for (std::size_t i = 0; i < salt_.size(); ++i) {
                if (i % 8 == 0) state = mix(state + i);
                salt_[i] = static_cast<std::uint8_t>(state >> (8 * (i % 8)));
            }
            std::vector<std::uint8_t> param;
            dns::WireWriter w(param);
            w.u8(dnssec::kNsec3Sha1);
            w.u8(0);  // NSEC3PARAM flags are 0 (RFC 5155 §4.1.2), opt-out or not
            w.u16(policy_.nsec3->iterations);
            w.u8(static_cast<std::uint8_t>(salt_.size()));
            w.bytes(salt_);
            apex.sets[RRType::NSEC3PARAM].push_back(
                {origin_, RRType::NSEC3PARAM, dns::RRClass::IN, 0, param});
        }
    }

    // Zone cuts (NS below the apex) and DNAMEs: what is below them is not authoritative.
    void find_cuts() {
        for (const auto& [name, owner] : owners_) {
            if (name == origin_ || occluded(name)) continue;
            if (owner.sets.count(RRType::NS)) cuts_.insert(name);
            if (owner.sets.count(RRType::DNAME)) dnames_.insert(name);
        }
    }

    bool occluded(const dns::Name& name) const {
        // Canonical order puts a name's descendants right after it, so walk up the ancestors instead of
        // scanning every cut.
        if (cuts_.empty() && dnames_.empty()) return false;
        for (dns::Name n = name; !(n == origin_) && n.is_subdomain_of(origin_);) {
            n = n.parent();
            if (cuts_.count(n) || dnames_.count(n)) return true;
        }
        return false;
    }

    void sign_rrset(const dns::Name& owner, RRType type, const std::vector<zone::Record>& set,
                    std::vector<zone::Record>& out) {
        std::vector<dnssec::Bytes> rdatas;
        rdatas.reserve(set.size());
        for (const zone::Record& r : set)
            rdatas.push_back(r.rdata);
        const bool key_set = type == RRType::DNSKEY || type == RRType::CDS || type == RRType::CDNSKEY;
        std::uint32_t expiration = request_.now;
        if (key_set) {
            expiration += policy_.signatures_validity_dnskey;
        } else {
            expiration += policy_.signatures_validity;
            const std::uint32_t jitter = std::min(policy_.signatures_jitter, policy_.signatures_validity / 2);
            if (jitter != 0)
                expiration -= static_cast<std::uint32_t>(name_hash(owner.lowercased().wire(), type) % jitter);
        }
        const dnssec::RRsetRef ref{owner.wire(), type, dns::RRClass::IN, rdatas};
        for (const SigningKey& k : keys_) {
            if (key_set ? !k.signs_keys : !k.signs_zone) continue;
            const dnssec::SignatureFields fields{type,
                                                 k.key.algorithm,
                                                 dnssec::rrsig_labels(owner.wire()),
                                                 set.front().ttl,
                                                 expiration,
                                                 inception_,
                                                 k.key.tag(),
                                                 origin_};
            out.push_back({owner, RRType::RRSIG, dns::RRClass::IN, set.front().ttl,
                           dnssec::sign_rrset(ref, fields, *k.key.private_key)});
            ++signatures_;
        }
        if (earliest_ == 0 || expiration < earliest_) earliest_ = expiration;
    }

    std::uint32_t chain_ttl() const { return std::min(soa_ttl_, minimum_); }  // RFC 9077

    void add_nsec_chain(std::vector<zone::Record>& out) {
        std::vector<const dns::Name*> names;
        for (const auto& [name, owner] : owners_) {
            if (!occluded(name)) names.push_back(&name);
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            const Owner& owner = owners_.at(*names[i]);
            dnssec::TypeBitmapBuilder bitmap;
            bitmap.add(RRType::NSEC);
            bitmap.add(RRType::RRSIG);
            for (const auto& [type, set] : owner.sets)
                bitmap.add(type);
            const Owner& next = owners_.at(*names[(i + 1) % names.size()]);
            const dns::Name next_name = next.spelling.lowercased();
            std::vector<std::uint8_t> rdata(next_name.wire().begin(), next_name.wire().end());
            bitmap.append_to(rdata);
            const zone::Record nsec{owner.spelling, RRType::NSEC, dns::RRClass::IN, chain_ttl(), rdata};
            out.push_back(nsec);
            sign_rrset(owner.spelling, RRType::NSEC, {nsec}, out);
            ++chain_records_;
        }
    }

    void add_nsec3_chain(std::vector<zone::Record>& out) {
        const config::Nsec3Policy& p = *policy_.nsec3;
        auto insecure = [&](const dns::Name& n) {
            return cuts_.count(n) != 0 && owners_.at(n).sets.count(RRType::DS) == 0;
        };
        // The chain's names: authoritative owners and the empty non-terminals between them and the apex;
        // with opt-out, not insecure delegations nor what leads only to them.
        std::set<dns::Name> hashed;
        for (const auto& [name, owner] : owners_) {
            if (occluded(name) || (p.optout && insecure(name))) continue;
            for (dns::Name n = name; n.is_subdomain_of(origin_); n = n.parent()) {
                if (!hashed.insert(n).second) break;
                if (n == origin_) break;
            }
        }
        std::vector<std::pair<dnssec::Nsec3Hash, const dns::Name*>> sorted;
        sorted.reserve(hashed.size());
        for (const dns::Name& n : hashed) {
            dnssec::Nsec3Hash h;
            dnssec::nsec3_hash(n.wire(), salt_, p.iterations, h);
            sorted.push_back({h, &n});
        }
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            const dnssec::Nsec3Hash& next = sorted[(i + 1) % sorted.size()].first;
            std::vector<std::uint8_t> rdata;
            dns::WireWriter w(rdata);
            w.u8(dnssec::kNsec3Sha1);
            w.u8(p.optout ? dnssec::kNsec3OptOut : 0);
            w.u16(p.iterations);
            w.u8(static_cast<std::uint8_t>(salt_.size()));
            w.bytes(salt_);
            w.u8(dnssec::kNsec3HashSize);
            w.bytes(next);
            dnssec::TypeBitmapBuilder bitmap;
            const auto it = owners_.find(*sorted[i].second);
            if (it != owners_.end()) {
                for (const auto& [type, set] : it->second.sets)
                    bitmap.add(type);
                if (!insecure(*sorted[i].second)) bitmap.add(RRType::RRSIG);
            }
            bitmap.append_to(rdata);
            const dns::Name owner = dns::Name::from_text(dnssec::nsec3_label(sorted[i].first), origin_);
            const zone::Record nsec3{owner, RRType::NSEC3, dns::RRClass::IN, chain_ttl(), rdata};
            out.push_back(nsec3);
            sign_rrset(owner, RRType::NSEC3, {nsec3}, out);
            ++chain_records_;
        }
    }

    const dns::Name& origin_;
    std::span<const SigningKey> keys_;
    const config::DnssecPolicy& policy_;
    const SignRequest& request_;
    std::map<dns::Name, Owner> owners_;  // by lowercased name, in canonical order
    std::set<dns::Name> cuts_, dnames_;
    std::vector<std::uint8_t> salt_;
    std::uint32_t inception_ = 0, earliest_ = 0;
    std::uint32_t soa_ttl_ = 3600, minimum_ = 3600;
    std::size_t signatures_ = 0, chain_records_ = 0;
    bool have_zone_key_ = false, have_key_key_ = false;
};

}  // namespace

SignedZone sign_zone(const dns::Name& origin, std::span<const zone::Record> records,
                     std::span<const SigningKey> keys, const config::DnssecPolicy& policy,
                     const SignRequest& request) {
    return Signer(origin, keys, policy, request).sign(records);
}

SignedZone sign_zone(const zone::Zone& unsigned_zone, std::span<const SigningKey> keys,
                     const config::DnssecPolicy& policy, const SignRequest& request) {
    const std::vector<zone::Record> records = unsigned_zone.records();
    return sign_zone(unsigned_zone.origin(), records, keys, policy, request);
}

std::optional<std::uint32_t> earliest_rrsig_expiration(const zone::Zone& zone) {
    std::optional<std::uint32_t> earliest;
    zone.for_each_rr([&](auto, RRType type, auto, auto, std::span<const std::uint8_t> rdata) {
        if (type != RRType::RRSIG) return;
        const auto view = dnssec::RrsigView::parse(rdata);
        if (view && (!earliest || view->expiration < *earliest)) earliest = view->expiration;
    });
    return earliest;
}

std::uint32_t next_resign_time(const config::DnssecPolicy& policy, std::uint32_t earliest,
                               std::uint32_t now) {
    const std::uint32_t due = earliest > policy.signatures_refresh ? earliest - policy.signatures_refresh : 0;
    return std::max(due, now + 1);
}

}  // namespace cairn::signer
