// A signed DNS tree for validation tests, on the replay harness (signed with tests/unit/test_zone_signer.hpp,
// ECDSA P-256 keys made per fixture), with a zone for each failure the article lists:
//   .                  10.0.0.1   signed (NSEC), the test's trust anchor is its key's DS
//   com.               10.0.1.1   signed (NSEC), delegates:
//   example.com        10.1.0.1   signed, NSEC: www, a wildcard, CNAMEs, MX
//   nsec3.com          10.1.0.2   signed, NSEC3 with opt-out; sub.nsec3.com (10.1.0.9) is an unsigned child
//   insecure.com       10.1.0.3   unsigned, no DS
//   expired.com        10.1.0.4   www's RRSIG expired (the DNSKEY's still good)
//   future.com         10.1.0.5   www's RRSIG not valid yet
//   rolled.com         10.1.0.6   the DS names the old key; the zone is signed with a new one
//   stripped.com       10.1.0.7   signed, but its server strips RRSIGs from answers
//   broken.com         10.1.0.8   signed, NSEC; one NSEC record of the chain missing
//   iter200.com        10.1.0.10  signed, NSEC3 with 200 iterations
//   unknownalg.com     10.1.0.11  its DS says algorithm 253 (private), the zone is unsigned
//   unknowndigest.com  10.1.0.13  its DS has digest type 99
//   keytrap.com        10.1.0.12  40 fake keys share its key's tag; www has 40 RRSIGs by none of them
#pragma once

#include <string>
#include <vector>

#include "../test_zone_signer.hpp"
#include "dns/rdata.hpp"
#include "dnssec/ds.hpp"
#include "replay.hpp"
#include "resolver/trust_anchors.hpp"

namespace cairn::resolver::testing {

inline std::vector<zone::Record> zone_records(const Zone& z) {
    return auth::testing::records_from(dns::Name::from_text(z.origin), z.lines);
}

inline std::shared_ptr<const zone::Zone> sign(const Zone& z, const dnssec::PrivateKey& key,
                                              const cairn::testing::SignOptions& o = {}) {
    const auto origin = dns::Name::from_text(z.origin);
    return zone::Zone::build(origin, cairn::testing::sign_zone(origin, zone_records(z), key, o));
}

inline std::vector<std::uint8_t> ds_rdata(const std::string& child, const dnssec::PrivateKey& key,
                                          std::uint8_t digest = 2) {
    return dnssec::make_ds_rdata(dns::Name::from_text(child).wire(), cairn::testing::published_dnskey(key),
                                 digest);
}

inline std::string ds_line(const std::string& child, const dnssec::PrivateKey& key, std::uint8_t digest = 2) {
    return child + " 86400 DS " + dns::rdata_to_text(dns::RRType::DS, ds_rdata(child, key, digest));
}

// A leaf zone with SOA, NS ns1 (glue `address`) and `extra` lines.
inline Zone leaf_zone(const std::string& origin, const std::string& address, std::vector<std::string> extra) {
    std::vector<std::string> lines = {"@ 3600 SOA ns1 hostmaster 1 3600 900 604800 300", "@ 3600 NS ns1",
                                      "ns1 3600 A " + address, "www 300 A 192.0.2.1"};
    lines.insert(lines.end(), extra.begin(), extra.end());
    return {origin, lines};
}

// Drops records of `type` (RRSIG: those covering `covered`) owned by `owner` from a signed record list.
inline std::vector<zone::Record> without(std::vector<zone::Record> records, const std::string& owner,
                                         dns::RRType type,
                                         std::optional<dns::RRType> covered = std::nullopt) {
    const auto name = dns::Name::from_text(owner);
    std::erase_if(records, [&](const zone::Record& r) {
        if (!(r.owner == name) || r.type != type) return false;
        if (!covered) return true;
        return r.rdata.size() >= 2 && ((r.rdata[0] << 8) | r.rdata[1]) == dns::code(*covered);
    });
    return records;
}

// A script that strips every RRSIG from what the zone answers (a middlebox or a broken signer).
inline void strip_rrsigs(Network& net, const std::string& address) {
    FakeServer& s = net.server(address);
    auto zones = s.zones;
    s.script = [zones](const dns::Message& query, const UpstreamQuery&) -> std::optional<ScriptReply> {
        auth::Engine engine(auth::Settings{});
        auth::ClientInfo client;
        const zone::ZoneTable table(zones);
        std::vector<std::uint8_t> out(65535);
        const auto wire = dns::to_wire(query);
        const auto result = engine.answer(table, wire, client, out);
        out.resize(result.size);
        dns::Message m = dns::parse_message(out);
        for (auto* section : {&m.answer, &m.authority, &m.additional})
            std::erase_if(*section,
                          [](const dns::ResourceRecord& rr) { return rr.type == dns::RRType::RRSIG; });
        return ScriptReply::of(m);
    };
}

class SignedHierarchy {
  public:
    dnssec::PrivateKey root_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey com_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey example_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey nsec3_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey expired_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey future_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey rolled_old_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey rolled_new_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey stripped_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey broken_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey iter_key = dnssec::PrivateKey::generate(13);
    dnssec::PrivateKey keytrap_key = dnssec::PrivateKey::generate(15);

    struct Child {
        std::string name;
        std::string address;
        const dnssec::PrivateKey* ds_key;  // nullptr: an insecure delegation
    };
    std::vector<Child> children() const {
        return {{"example.com.", "10.1.0.1", &example_key},   {"nsec3.com.", "10.1.0.2", &nsec3_key},
                {"insecure.com.", "10.1.0.3", nullptr},       {"expired.com.", "10.1.0.4", &expired_key},
                {"future.com.", "10.1.0.5", &future_key},     {"rolled.com.", "10.1.0.6", &rolled_old_key},
                {"stripped.com.", "10.1.0.7", &stripped_key}, {"broken.com.", "10.1.0.8", &broken_key},
                {"iter200.com.", "10.1.0.10", &iter_key},     {"unknownalg.com.", "10.1.0.11", nullptr},
                {"unknowndigest.com.", "10.1.0.13", nullptr}, {"keytrap.com.", "10.1.0.12", &keytrap_key}};
    }

    // The test's root anchor, as `trust-anchors { . static-ds ...; }` gives it.
    ValidationSettings validation() const {
        ValidationSettings v;
        v.enabled = true;
        TrustAnchorConfig a;
        a.zone = dns::Name();
        a.kind = TrustAnchorConfig::Kind::static_ds;
        a.rdata = ds_rdata(".", root_key);
        v.anchors.push_back(a);
        return v;
    }

    Zone root_zone() const {
        return {".",
                {"@ 86400 SOA ns.root. hostmaster.root. 1 1800 900 604800 86400", "@ 518400 NS ns.root.",
                 "ns.root. 518400 A 10.0.0.1", "com. 172800 NS ns1.com.", "ns1.com. 172800 A 10.0.1.1",
                 ds_line("com.", com_key)}};
    }

    Zone com_zone() const {
        Zone z{"com.",
               {"@ 900 SOA ns1.com. hostmaster.com. 1 1800 900 604800 900", "@ 172800 NS ns1",
                "ns1 172800 A 10.0.1.1"}};
        for (const auto& c : children()) {
            z.lines.push_back(c.name + " 172800 NS ns1." + c.name);
            z.lines.push_back("ns1." + c.name + " 172800 A " + c.address);
            if (c.ds_key != nullptr) z.lines.push_back(ds_line(c.name, *c.ds_key));
        }
        z.lines.push_back("unknownalg.com. 86400 DS 12345 253 2 " + std::string(64, 'A'));
        z.lines.push_back("unknowndigest.com. 86400 DS 12345 13 99 " + std::string(64, 'B'));
        return z;
    }

    void build(Network& net) const {
        using cairn::testing::SignOptions;
        net.serve_zone("10.0.0.1", sign(root_zone(), root_key));
        net.serve_zone("10.0.1.1", sign(com_zone(), com_key));
        net.serve_zone("10.1.0.1", sign(leaf_zone("example.com.", "10.1.0.1",
                                                  {"*.wild 300 A 192.0.2.99", "alias 600 CNAME www",
                                                   "mail 300 MX 10 www", "out 300 CNAME www.nsec3.com.",
                                                   "txt 300 TXT \"hello\"", "a.b.deep 300 A 192.0.2.7"}),
                                        example_key));
        SignOptions nsec3;
        nsec3.nsec3 = true;
        nsec3.opt_out = true;
        nsec3.salt = {0xAB, 0xCD};
        net.serve_zone("10.1.0.2", sign(leaf_zone("nsec3.com.", "10.1.0.2",
                                                  {"*.wild 300 A 192.0.2.98", "sub 3600 NS ns1.sub",
                                                   "ns1.sub 3600 A 10.1.0.9", "txt 300 TXT \"hi\""}),
                                        nsec3_key, nsec3));
        net.serve("10.1.0.9", {leaf_zone("sub.nsec3.com.", "10.1.0.9", {})});
        net.serve("10.1.0.3", {leaf_zone("insecure.com.", "10.1.0.3", {})});
        net.serve("10.1.0.11", {leaf_zone("unknownalg.com.", "10.1.0.11", {})});
        net.serve("10.1.0.13", {leaf_zone("unknowndigest.com.", "10.1.0.13", {})});

        // expired.com / future.com: the DNSKEY RRset's RRSIG good, www's out of its validity period.
        auto partly = [&](const std::string& origin, const std::string& address,
                          const dnssec::PrivateKey& key, std::uint32_t inception, std::uint32_t expiration) {
            const Zone z = leaf_zone(origin, address, {});
            const auto name = dns::Name::from_text(origin);
            SignOptions bad;
            bad.inception = inception;
            bad.expiration = expiration;
            auto good = cairn::testing::sign_zone(name, zone_records(z), key);
            auto off = cairn::testing::sign_zone(name, zone_records(z), key, bad);
            auto records = without(good, "www." + origin, dns::RRType::RRSIG, dns::RRType::A);
            for (const auto& r : off) {
                if (r.type == dns::RRType::RRSIG && r.owner == dns::Name::from_text("www." + origin))
                    records.push_back(r);
            }
            net.serve_zone(address, zone::Zone::build(name, records));
        };
        partly("expired.com.", "10.1.0.4", expired_key, 1600000000, 1700000000);  // expired 2023-11-14
        partly("future.com.", "10.1.0.5", future_key, 1800000000, 1900000000);    // valid from 2027-01-15

        net.serve_zone("10.1.0.6", sign(leaf_zone("rolled.com.", "10.1.0.6", {}), rolled_new_key));

        net.serve_zone("10.1.0.7", sign(leaf_zone("stripped.com.", "10.1.0.7", {}), stripped_key));
        strip_rrsigs(net, "10.1.0.7");

        {
            const Zone z = leaf_zone("broken.com.", "10.1.0.8", {"m 300 A 192.0.2.5", "z 300 A 192.0.2.6"});
            const auto name = dns::Name::from_text("broken.com.");
            auto signed_records = cairn::testing::sign_zone(name, zone_records(z), broken_key);
            // The chain goes broken.com -> m -> ns1 -> www -> z -> broken.com; drop m's NSEC and its RRSIG,
            // so that nothing covers the names between m and ns1.
            signed_records = without(signed_records, "m.broken.com.", dns::RRType::NSEC);
            signed_records = without(signed_records, "m.broken.com.", dns::RRType::RRSIG, dns::RRType::NSEC);
            net.serve_zone("10.1.0.8", zone::Zone::build(name, signed_records));
        }

        SignOptions iter;
        iter.nsec3 = true;
        iter.iterations = 200;
        net.serve_zone("10.1.0.10", sign(leaf_zone("iter200.com.", "10.1.0.10", {}), iter_key, iter));

        net.serve_zone("10.1.0.12", keytrap_zone());
    }

    // keytrap.com (CVE-2023-50387): 40 DNSKEYs besides keytrap_key (Ed25519) that share its key tag, the
    // RRset signed by the real key, and 40 RRSIGs over www's A RRset with that tag that verify with none
    // of them. A validator that tried every pair would verify 1,640 signatures for one answer.
    std::shared_ptr<const zone::Zone> keytrap_zone() const {
        const auto origin = dns::Name::from_text("keytrap.com.");
        const auto real = cairn::testing::published_dnskey(keytrap_key);
        const std::uint16_t tag = dnssec::key_tag(real);
        auto records = zone_records(leaf_zone("keytrap.com.", "10.1.0.12", {}));
        std::size_t fakes = 0;
        for (std::uint8_t i = 1; fakes < 40; ++i) {
            std::vector<std::uint8_t> fake = real;
            fake[4 + 5] = static_cast<std::uint8_t>(fake[4 + 5] ^ i);  // another public key
            // Octets 34 and 35 form one 16-bit word of the tag's sum (RFC 4034 Appendix B): find the value
            // that brings the tag back.
            for (std::uint32_t word = 0; word < 0x10000; ++word) {
                fake[34] = static_cast<std::uint8_t>(word >> 8);
                fake[35] = static_cast<std::uint8_t>(word);
                if (dnssec::key_tag(fake) == tag) break;
            }
            if (dnssec::key_tag(fake) != tag || fake == real) continue;
            records.push_back({origin, dns::RRType::DNSKEY, dns::RRClass::IN, 3600, fake});
            ++fakes;
        }
        records = cairn::testing::sign_zone(origin, records, keytrap_key);
        const auto www = dns::Name::from_text("www.keytrap.com.");
        std::vector<std::uint8_t> real_sig;
        for (const auto& r : records) {
            if (r.owner == www && r.type == dns::RRType::RRSIG && ((r.rdata[0] << 8) | r.rdata[1]) == 1)
                real_sig = r.rdata;
        }
        records = without(records, "www.keytrap.com.", dns::RRType::RRSIG, dns::RRType::A);
        for (int i = 0; i < 40; ++i) {
            std::vector<std::uint8_t> sig = real_sig;
            sig[sig.size() - 1 - static_cast<std::size_t>(i)] ^= static_cast<std::uint8_t>(0x5A + i);
            records.push_back({www, dns::RRType::RRSIG, dns::RRClass::IN, 300, sig});
        }
        return zone::Zone::build(origin, records);
    }
};

}  // namespace cairn::resolver::testing
