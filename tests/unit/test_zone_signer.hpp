// A small zone signer for tests, built on the DNSSEC library: one key (a CSK, flags 257) published at the
// apex, an NSEC chain or an NSEC3 chain (opt-out optional) over the authoritative names, and an RRSIG over
// every authoritative RRset, as dnssec-signzone lays a zone out. Not the product's signer (that one keeps
// policy and key states): it gives the library and the answer engine tests signed zones without a tool.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/wire.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/nsec3.hpp"
#include "dnssec/records.hpp"
#include "dnssec/signature.hpp"
#include "zone/record.hpp"

namespace cairn::testing {

struct SignOptions {
    bool nsec3 = false;
    bool opt_out = false;
    std::uint16_t iterations = 0;
    std::vector<std::uint8_t> salt;
    std::uint32_t inception = 1600000000;
    std::uint32_t expiration = 2000000000;
};

// The DNSKEY rdata of `key` as sign_zone() publishes it.
inline std::vector<std::uint8_t> published_dnskey(const dnssec::PrivateKey& key) {
    return dnssec::dnskey_rdata(257, key.algorithm(), key.public_key_field());
}

inline std::vector<zone::Record> sign_zone(const dns::Name& origin, std::vector<zone::Record> records,
                                           const dnssec::PrivateKey& key, const SignOptions& o = {}) {
    using dns::RRType;
    const auto dnskey = published_dnskey(key);
    std::uint32_t minimum = 300;
    for (const auto& r : records) {
        if (r.type == RRType::SOA)
            minimum = std::min(r.ttl, dns::WireReader(r.rdata, r.rdata.size() - 4).u32());
    }
    records.push_back({origin, RRType::DNSKEY, dns::RRClass::IN, 3600, dnskey});
    if (o.nsec3) {
        std::vector<std::uint8_t> param = {1, 0, static_cast<std::uint8_t>(o.iterations >> 8),
                                           static_cast<std::uint8_t>(o.iterations),
                                           static_cast<std::uint8_t>(o.salt.size())};
        param.insert(param.end(), o.salt.begin(), o.salt.end());
        records.push_back({origin, RRType::NSEC3PARAM, dns::RRClass::IN, 0, param});
    }
    // Owners, in canonical order, with their types; cuts (NS below the apex) hide what is below them.
    std::map<dns::Name, std::map<RRType, std::vector<const zone::Record*>>> owners;
    for (const auto& r : records)
        owners[r.owner.lowercased()][r.type].push_back(&r);
    std::vector<dns::Name> cuts;
    std::vector<dns::Name> names;  // authoritative owners
    for (const auto& owner : owners) {
        const dns::Name& name = owner.first;  // not a structured binding: clang 14 cannot capture one
        const auto& types = owner.second;
        const bool occluded = std::any_of(cuts.begin(), cuts.end(), [&](const dns::Name& c) {
            return name.is_subdomain_of(c) && !(name == c);
        });
        if (occluded) continue;
        names.push_back(name);
        if (!(name == origin) && types.count(RRType::NS)) cuts.push_back(name);
    }
    auto is_cut = [&](const dns::Name& n) { return std::find(cuts.begin(), cuts.end(), n) != cuts.end(); };
    auto insecure = [&](const dns::Name& n) { return is_cut(n) && !owners[n].count(RRType::DS); };

    std::vector<zone::Record> out = records;
    auto sign = [&](const dns::Name& owner, RRType type, const std::vector<const zone::Record*>& set) {
        std::vector<dnssec::Bytes> rdatas;
        for (const auto* r : set)
            rdatas.push_back(r->rdata);
        const dnssec::RRsetRef ref{owner.wire(), type, dns::RRClass::IN, rdatas};
        const dnssec::SignatureFields f{type,
                                        key.algorithm(),
                                        dnssec::rrsig_labels(owner.wire()),
                                        set.front()->ttl,
                                        o.expiration,
                                        o.inception,
                                        dnssec::key_tag(dnskey),
                                        origin};
        out.push_back(
            {owner, RRType::RRSIG, dns::RRClass::IN, set.front()->ttl, dnssec::sign_rrset(ref, f, key)});
    };
    for (const auto& name : names) {
        for (const auto& [type, set] : owners[name]) {
            if (!is_cut(name) || type == RRType::DS) sign(name, type, set);
        }
    }
    std::vector<zone::Record> chain;
    if (!o.nsec3) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            dnssec::TypeBitmapBuilder bitmap;
            bitmap.add(RRType::NSEC);
            bitmap.add(RRType::RRSIG);
            for (const auto& [type, set] : owners[names[i]])
                bitmap.add(type);
            const auto& next = names[(i + 1) % names.size()];
            std::vector<std::uint8_t> rdata(next.wire().begin(), next.wire().end());
            bitmap.append_to(rdata);
            chain.push_back({names[i], RRType::NSEC, dns::RRClass::IN, minimum, rdata});
        }
    } else {
        // Names of the chain: authoritative owners and the empty non-terminals above them; with opt-out,
        // without insecure delegations and the empty non-terminals that lead only to them.
        std::set<dns::Name> hashed;
        for (const auto& name : names) {
            if (o.opt_out && insecure(name)) continue;
            for (dns::Name n = name; n.is_subdomain_of(origin); n = n.parent()) {
                hashed.insert(n);
                if (n == origin) break;
            }
        }
        std::vector<std::pair<dnssec::Nsec3Hash, dns::Name>> sorted;
        for (const auto& n : hashed) {
            dnssec::Nsec3Hash h;
            dnssec::nsec3_hash(n.wire(), o.salt, o.iterations, h);
            sorted.push_back({h, n});
        }
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            const auto& next = sorted[(i + 1) % sorted.size()].first;
            std::vector<std::uint8_t> rdata;
            dns::WireWriter w(rdata);
            w.u8(1);
            w.u8(o.opt_out ? 1 : 0);
            w.u16(o.iterations);
            w.u8(static_cast<std::uint8_t>(o.salt.size()));
            w.bytes(o.salt);
            w.u8(dnssec::kNsec3HashSize);
            w.bytes(next);
            dnssec::TypeBitmapBuilder bitmap;
            const auto it = owners.find(sorted[i].second);
            if (it != owners.end()) {
                for (const auto& [type, set] : it->second)
                    bitmap.add(type);
                if (!insecure(sorted[i].second)) bitmap.add(RRType::RRSIG);
            }
            bitmap.append_to(rdata);
            chain.push_back({dns::Name::from_text(dnssec::nsec3_label(sorted[i].first), origin),
                             RRType::NSEC3, dns::RRClass::IN, minimum, rdata});
        }
    }
    for (const auto& r : chain) {
        out.push_back(r);
        sign(r.owner, r.type, {&r});
    }
    return out;
}

}  // namespace cairn::testing
