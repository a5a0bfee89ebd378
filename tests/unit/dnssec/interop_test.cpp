// Signatures made by the peers verify with cairn's code, and a zone signed with cairn's code passes BIND's
// dnssec-verify: BIND's dnssec-signzone (NSEC, NSEC3 with opt-out, every algorithm cairn verifies, RSASHA1
// and NSEC3RSASHA1 included) and Knot's kzonesign.
#include <gtest/gtest.h>

#include <algorithm>

#include "../test_zone_signer.hpp"
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
                         ::testing::Values(std::pair{"RSASHA1", ""}, std::pair{"NSEC3RSASHA1", "-3 -"},
                                           std::pair{"RSASHA256", ""}, std::pair{"RSASHA512", "-3 -"},
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

// A zone signed with cairn's code (tests/unit/test_zone_signer.hpp: an NSEC or NSEC3 chain, opt-out too, and
// an RRSIG per authoritative RRset) passes BIND's dnssec-verify for every algorithm, and a tampered copy
// does not.
TEST(CairnSignatures, PassDnssecVerify) {
    if (!testing::have_tool("dnssec-verify")) GTEST_SKIP() << "bind9-utils is not installed";
    const struct {
        std::uint8_t algorithm;
        bool nsec3, opt_out;
    } cases[] = {{8, false, false},  {10, true, false}, {13, true, true},
                 {14, false, false}, {15, true, true},  {16, true, false}};
    for (const auto& c : cases) {
        TempDir dir;
        testing::write_text(dir.file("db"), kZone);
        const auto origin = dns::Name::from_text("example.com.");
        const auto key = PrivateKey::generate(c.algorithm, c.algorithm <= 10 ? 1024 : 0);
        cairn::testing::SignOptions o;
        o.nsec3 = c.nsec3;
        o.opt_out = c.opt_out;
        o.salt = {0xAA, 0xBB};
        o.iterations = 3;
        const auto signed_records =
            cairn::testing::sign_zone(origin, testing::read_zone(dir.file("db"), "example.com."), key, o);
        std::string text;
        for (const auto& r : signed_records) {
            text += r.owner.to_text() + " " + std::to_string(r.ttl) + " IN " + dns::type_to_text(r.type) +
                    " " + dns::rdata_to_text(r.type, r.rdata) + "\n";
        }
        testing::write_text(dir.file("signed"), text);
        const auto [status, out] =
            testing::run("cd " + dir.path() + " && dnssec-verify -z -o example.com signed");
        EXPECT_EQ(status, 0) << int{c.algorithm} << (c.nsec3 ? " NSEC3" : " NSEC") << ": " << out;
        const auto at = text.find("192.0.2.3");
        ASSERT_NE(at, std::string::npos);
        text[at + 8] = '9';
        testing::write_text(dir.file("tampered"), text);
        const auto [bad_status, bad_out] =
            testing::run("cd " + dir.path() + " && dnssec-verify -z -o example.com tampered");
        EXPECT_NE(bad_status, 0) << int{c.algorithm} << ": " << bad_out;
    }
}

}  // namespace
}  // namespace cairn::dnssec
