// Signatures made by the peers verify with cairn's code, and a zone signed with cairn's code passes BIND's
// dnssec-verify: BIND's dnssec-signzone (NSEC, NSEC3 with opt-out, every algorithm) and Knot's kzonesign.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "dnssec/key_files.hpp"
#include "dnssec/nsec3.hpp"
#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using testing::TempDir;

const char* const kZone = R"($TTL 300
@       SOA ns1 hostmaster 2024010101 3600 600 86400 300
@       NS ns1
@       NS NS2.example.com.
@       MX 10 Mail
ns1     A 192.0.2.1
ns2     AAAA 2001:db8::2
mail    A 192.0.2.3
www     CNAME Mail.Example.COM.
*.wild  TXT "wildcard"
a.b.c   A 192.0.2.4
sub     NS ns.sub
ns.sub  A 192.0.2.5
secure  NS ns.other.
secure  DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
)";

class SignzoneSignatures : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(SignzoneSignatures, VerifyWithCairn) {
    if (!testing::have_tool("dnssec-signzone")) GTEST_SKIP() << "bind9-utils is not installed";
    const auto [algorithm, nsec3] = GetParam();
    TempDir dir;
    testing::write_text(dir.file("db"), kZone);
    const std::string bits = std::string(algorithm).starts_with("RSA") ? " -b 1024" : "";
    const auto [status, out] =
        testing::run("cd " + dir.path() + " && dnssec-keygen -q -a " + algorithm + bits +
                     " -f KSK example.com && dnssec-keygen -q -a " + algorithm + bits +
                     " example.com && dnssec-signzone -S -K . " + nsec3 + " -o example.com -f signed db");
    ASSERT_EQ(status, 0) << out;
    const auto records = testing::read_zone(dir.file("signed"), "example.com.");
    const auto count = testing::verify_zone(records, "example.com.");
    // Every authoritative RRset is signed (delegation NS and glue are not) and every signature verifies.
    EXPECT_GE(count.good, 12u);
    EXPECT_EQ(count.bad, 0u);
    // Tamper with one signed RRset: its signature no longer verifies.
    auto changed = records;
    for (auto& r : changed) {
        if (r.type == dns::RRType::A && r.owner == dns::Name::from_text("mail.example.com.")) r.rdata[3] ^= 1;
    }
    EXPECT_EQ(testing::verify_zone(changed, "example.com.").bad, 1u);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignzoneSignatures,
                         ::testing::Values(std::pair{"RSASHA256", ""}, std::pair{"RSASHA512", "-3 -"},
                                           std::pair{"ECDSAP256SHA256", ""},
                                           std::pair{"ECDSAP384SHA384", "-3 aabb -H 5"},
                                           std::pair{"ED25519", "-3 - -A"}, std::pair{"ED448", ""}));

TEST(KnotSignatures, VerifyWithCairn) {
    if (!testing::have_tool("kzonesign")) GTEST_SKIP() << "knot-dnssecutils is not installed";
    for (const char* algorithm : {"ecdsap256sha256", "ed25519", "rsasha256"}) {
        TempDir dir;
        testing::write_text(dir.file("example.com.zone"), kZone);
        testing::write_text(dir.file("knot.conf"), std::string("database:\n  storage: ") + dir.path() +
                                                       "\npolicy:\n  - id: p\n    algorithm: " + algorithm +
                                                       "\n    nsec3: on\n    nsec3-opt-out: on\n"
                                                       "template:\n  - id: default\n    storage: " +
                                                       dir.path() +
                                                       "\n    dnssec-policy: p\n"
                                                       "zone:\n  - domain: example.com.\n");
        const auto [status, out] = testing::run("kzonesign -c " + dir.file("knot.conf") + " example.com.");
        ASSERT_EQ(status, 0) << out;
        const auto records = testing::read_zone(dir.file("example.com.zone"), "example.com.");
        const auto count = testing::verify_zone(records, "example.com.");
        EXPECT_GE(count.good, 10u) << algorithm;
        EXPECT_EQ(count.bad, 0u) << algorithm;
        EXPECT_TRUE(std::any_of(records.begin(), records.end(),
                                [](const zone::Record& r) { return r.type == dns::RRType::NSEC3; }));
    }
}

// A zone signed by cairn's code (an NSEC chain and an RRSIG per authoritative RRset, the key files written
// by cairn) passes BIND's dnssec-verify, for every algorithm.
TEST(CairnSignatures, PassDnssecVerify) {
    if (!testing::have_tool("dnssec-verify")) GTEST_SKIP() << "bind9-utils is not installed";
    for (const std::uint8_t algorithm : {8, 10, 13, 14, 15, 16}) {
        TempDir dir;
        testing::write_text(dir.file("db"), kZone);
        const auto origin = dns::Name::from_text("example.com.");
        const auto key = PrivateKey::generate(algorithm, algorithm <= 10 ? 1024 : 0);
        const auto dnskey = dnskey_rdata(257, algorithm, key.public_key_field());
        auto records = testing::read_zone(dir.file("db"), "example.com.");
        records.push_back({origin, dns::RRType::DNSKEY, dns::RRClass::IN, 300, dnskey});
        // Owners in canonical order, each with its types; delegations hide what is below them.
        std::map<dns::Name, std::vector<const zone::Record*>> owners;
        for (const auto& r : records)
            owners[r.owner.lowercased()].push_back(&r);
        std::vector<dns::Name> names;
        std::vector<dns::Name> cuts;
        for (const auto& [name, rs] : owners) {
            const bool occluded = std::any_of(cuts.begin(), cuts.end(), [&](const dns::Name& c) {
                return name.is_subdomain_of(c) && !(name == c);
            });
            if (occluded) continue;
            names.push_back(name);
            if (!(name == origin) && std::any_of(rs.begin(), rs.end(), [](const zone::Record* r) {
                    return r->type == dns::RRType::NS;
                }))
                cuts.push_back(name);
        }
        std::vector<zone::Record> signed_records = records;
        auto sign = [&](const dns::Name& owner, dns::RRType type,
                        const std::vector<const zone::Record*>& rs) {
            std::vector<Bytes> rdatas;
            for (const auto* r : rs)
                rdatas.push_back(r->rdata);
            const RRsetRef rrset{owner.wire(), type, dns::RRClass::IN, rdatas};
            const SignatureFields f{type,
                                    algorithm,
                                    rrsig_labels(owner.wire()),
                                    rs.front()->ttl,
                                    2000000000,
                                    1600000000,
                                    key_tag(dnskey),
                                    origin};
            signed_records.push_back(
                {owner, dns::RRType::RRSIG, dns::RRClass::IN, rs.front()->ttl, sign_rrset(rrset, f, key)});
        };
        std::vector<zone::Record> nsecs;
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto& rs = owners[names[i]];
            const bool cut = std::find(cuts.begin(), cuts.end(), names[i]) != cuts.end();
            TypeBitmapBuilder bitmap;
            bitmap.add(dns::RRType::NSEC);
            bitmap.add(dns::RRType::RRSIG);
            std::map<dns::RRType, std::vector<const zone::Record*>> by_type;
            for (const auto* r : rs) {
                by_type[r->type].push_back(r);
                bitmap.add(r->type);
            }
            for (const auto& [type, set] : by_type) {
                if (!cut || type == dns::RRType::DS) sign(names[i], type, set);
            }
            const auto& next = names[(i + 1) % names.size()];
            std::vector<std::uint8_t> rdata(next.wire().begin(), next.wire().end());
            bitmap.append_to(rdata);
            nsecs.push_back({names[i], dns::RRType::NSEC, dns::RRClass::IN, 300, rdata});
        }
        for (const auto& n : nsecs) {
            signed_records.push_back(n);
            sign(n.owner, dns::RRType::NSEC, {&n});
        }
        std::string text;
        for (const auto& r : signed_records) {
            text += r.owner.to_text() + " " + std::to_string(r.ttl) + " IN " + dns::type_to_text(r.type) +
                    " " + dns::rdata_to_text(r.type, r.rdata) + "\n";
        }
        testing::write_text(dir.file("signed"), text);
        const auto [status, out] =
            testing::run("cd " + dir.path() + " && dnssec-verify -z -o example.com signed");
        EXPECT_EQ(status, 0) << int{algorithm} << ": " << out;
        // And a tampered copy fails it.
        const auto at = text.find("192.0.2.3");
        ASSERT_NE(at, std::string::npos);
        text[at + 8] = '9';
        testing::write_text(dir.file("tampered"), text);
        const auto [bad_status, bad_out] =
            testing::run("cd " + dir.path() + " && dnssec-verify -z -o example.com tampered");
        EXPECT_NE(bad_status, 0) << int{algorithm} << ": " << bad_out;
    }
}

}  // namespace
}  // namespace cairn::dnssec
