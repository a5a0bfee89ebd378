// The signer: keys found or made in BIND's files by policy, and a signed zone version with an RRSIG over
// every authoritative RRset and none over delegation NS or glue, NSEC or NSEC3 chains, DNSKEY, CDS and
// CDNSKEY, validity and jitter by policy; checked by our verifier and, when installed, by dnssec-verify.
#include "signer/sign_zone.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <set>

#include "../dnssec/dnssec_test_util.hpp"
#include "dnssec/nsec3.hpp"
#include "zone/diff.hpp"
#include "zonefile/printer.hpp"

namespace cairn::signer {
namespace {

using dns::RRType;
using dnssec::testing::TempDir;

const char* kZone = R"(
@        3600 SOA   ns1 hostmaster 2026120701 7200 900 1209600 300
@        3600 NS    ns1
@        3600 NS    NS1
@        3600 MX    10 mail
ns1      3600 A     192.0.2.1
mail     3600 A     192.0.2.2
*.wild   3600 TXT   "wildcard"
a.b.c    3600 A     192.0.2.3
sub      3600 NS    ns.sub
ns.sub   3600 A     192.0.2.4
secure   3600 NS    ns.secure
secure   3600 DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.secure 3600 A    192.0.2.5
old      3600 RRSIG A 13 2 3600 20300101000000 20200101000000 1 example.com. AAAA
)";

std::vector<zone::Record> records(const char* text) {
    const auto origin = dns::Name::from_text("example.com.");
    std::vector<zone::Record> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::istringstream fields(line);
        std::string owner, type, rdata;
        std::uint32_t ttl = 0;
        fields >> owner >> ttl >> type;
        std::getline(fields >> std::ws, rdata);
        zone::Record r;
        r.owner = owner == "@" ? origin : dns::Name::from_text(owner, origin);
        r.ttl = ttl;
        r.type = *dns::type_from_text(type);
        r.rdata = dns::rdata_from_text(r.type, rdata, origin);
        out.push_back(std::move(r));
    }
    return out;
}

config::DnssecPolicy policy_with(std::vector<config::PolicyKey> keys) {
    config::DnssecPolicy p;
    p.name = "test";
    p.keys = std::move(keys);
    return p;
}

const std::uint32_t kNow = 1796652298;

std::map<std::pair<std::string, RRType>, std::size_t> signatures_by_set(const zone::Zone& z) {
    std::map<std::pair<std::string, RRType>, std::size_t> out;
    for (const auto& r : z.records()) {
        if (r.type != RRType::RRSIG) continue;
        const auto view = dnssec::RrsigView::parse(r.rdata);
        ++out[{r.owner.lowercased().to_text(), static_cast<RRType>(view->type_covered)}];
    }
    return out;
}

// dnssec-verify over the zone written as text; "" when it passes or is not installed. `csk`: the zone's one
// key signs everything (-z: dnssec-verify otherwise wants a key without the SEP flag).
std::string bind_verify(const zone::Zone& z, const TempDir& dir, bool csk = false) {
    if (!dnssec::testing::have_tool("dnssec-verify")) return "";
    const std::string path = dir.file("signed.db");
    {
        std::ofstream out(path);
        const auto rs = z.records();
        zonefile::write_zone_text(rs, [&](std::string_view s) { out << s; });
    }
    const auto [status, output] =
        dnssec::testing::run(std::string("dnssec-verify ") + (csk ? "-z " : "") + "-o example.com. " + path);
    return status == 0 ? "" : output;
}

TEST(ZoneKeys, GeneratedOnceThenFoundAgainInBindsFiles) {
    TempDir dir;
    const auto origin = dns::Name::from_text("example.com.");
    const auto policy = policy_with({{config::PolicyKey::Role::ksk, std::nullopt, 13, 0},
                                     {config::PolicyKey::Role::zsk, 30 * 86400, 13, 0}});
    const ZoneKeys first = ensure_zone_keys(policy, origin, dir.path(), kNow);
    ASSERT_EQ(first.keys.size(), 2u);
    EXPECT_TRUE(first.keys[0].generated && first.keys[1].generated);
    EXPECT_EQ(first.keys[0].key.flags, 257);
    EXPECT_EQ(first.keys[1].key.flags, 256);
    EXPECT_TRUE(std::filesystem::exists(first.keys[0].file_base + ".state"));
    const ZoneKeys again = ensure_zone_keys(policy, origin, dir.path(), kNow + 10);
    ASSERT_EQ(again.keys.size(), 2u);
    EXPECT_FALSE(again.keys[0].generated || again.keys[1].generated);
    const std::set<std::uint16_t> first_tags{first.keys[0].key.tag(), first.keys[1].key.tag()};
    EXPECT_EQ((std::set<std::uint16_t>{again.keys[0].key.tag(), again.keys[1].key.tag()}), first_tags);
    EXPECT_TRUE(again.notes.empty());
}

TEST(ZoneKeys, DnssecKeygenKeyUsedAsItIs) {
    if (!dnssec::testing::have_tool("dnssec-keygen")) GTEST_SKIP() << "dnssec-keygen not installed";
    TempDir dir;
    const auto [status, output] =
        dnssec::testing::run("cd " + dir.path() + " && dnssec-keygen -q -a ED25519 -f KSK example.com");
    ASSERT_EQ(status, 0) << output;
    const std::string base = output.substr(0, output.find('\n'));
    const std::uint16_t tag = static_cast<std::uint16_t>(std::stoi(base.substr(base.rfind('+') + 1)));
    const auto policy = policy_with({{config::PolicyKey::Role::csk, std::nullopt, 15, 0}});
    // The key's Publish and Activate are dnssec-keygen's "now": the key manager must run later than that.
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    const ZoneKeys keys = ensure_zone_keys(policy, dns::Name::from_text("example.com."), dir.path(), now);
    ASSERT_EQ(keys.keys.size(), 1u);
    EXPECT_FALSE(keys.keys[0].generated);
    EXPECT_EQ(keys.keys[0].key.tag(), tag);
}

TEST(SignZone, NsecKskZskEveryAuthoritativeSetSignedNoneAtCutsOrGlue) {
    TempDir dir;
    const auto origin = dns::Name::from_text("example.com.");
    auto policy = policy_with({{config::PolicyKey::Role::ksk, std::nullopt, 8, 2048},
                               {config::PolicyKey::Role::zsk, std::nullopt, 8, 1024}});
    // CDS and CDNSKEY appear once the KSK's DNSKEY and the zone's signatures are omnipresent (max-zone-ttl,
    // a day, + propagation + retire-safety): the keys as they are two days on.
    ensure_zone_keys(policy, origin, dir.path(), kNow);
    const ZoneKeys keys = ensure_zone_keys(policy, origin, dir.path(), kNow + 2 * 86400);
    const auto rs = records(kZone);
    const SignedZone signed_zone = sign_zone(origin, rs, keys.keys, policy, {kNow, 2026120705, 0});
    const zone::Zone& z = *signed_zone.zone;
    EXPECT_EQ(z.serial(), 2026120705u);
    const auto sigs = signatures_by_set(z);
    // The ZSK signs the data, the KSK the key sets.
    EXPECT_EQ((sigs.at({"example.com.", RRType::SOA})), 1u);
    EXPECT_EQ((sigs.at({"example.com.", RRType::DNSKEY})), 1u);
    EXPECT_EQ((sigs.at({"example.com.", RRType::CDS})), 1u);
    EXPECT_EQ((sigs.at({"example.com.", RRType::CDNSKEY})), 1u);
    EXPECT_EQ((sigs.at({"*.wild.example.com.", RRType::TXT})), 1u);
    EXPECT_EQ((sigs.at({"secure.example.com.", RRType::DS})), 1u);
    EXPECT_EQ((sigs.at({"sub.example.com.", RRType::NSEC})), 1u);
    EXPECT_EQ(sigs.count({"sub.example.com.", RRType::NS}), 0u);
    EXPECT_EQ(sigs.count({"secure.example.com.", RRType::NS}), 0u);
    EXPECT_EQ(sigs.count({"ns.sub.example.com.", RRType::A}), 0u);
    EXPECT_EQ(sigs.count({"ns.sub.example.com.", RRType::NSEC}), 0u);
    // The operator's stale RRSIG is gone; its owner has nothing left to sign.
    EXPECT_EQ(sigs.count({"old.example.com.", RRType::A}), 0u);
    // NS ns1 and NS NS1 are one record (canonical form).
    EXPECT_EQ(z.find_rrset(z.node(zone::Zone::apex()), RRType::NS)->count, 1u);
    // Authoritative names: apex, ns1, mail, *.wild, a.b.c, sub, secure.
    EXPECT_EQ(signed_zone.chain_records, 7u);
    EXPECT_EQ(signed_zone.inception, kNow - 3600);
    const auto counted = dnssec::testing::verify_zone(z.records(), "example.com.");
    EXPECT_EQ(counted.bad, 0u);
    EXPECT_EQ(bind_verify(z, dir), "");
}

TEST(SignZone, Nsec3OptOutCskAndValidityWithJitter) {
    TempDir dir;
    const auto origin = dns::Name::from_text("example.com.");
    auto policy = policy_with({{config::PolicyKey::Role::csk, std::nullopt, 13, 0}});
    policy.nsec3 = config::Nsec3Policy{0, true, 8};
    policy.signatures_validity = 86400;
    policy.signatures_validity_dnskey = 2 * 86400;
    policy.signatures_jitter = 3600;
    const ZoneKeys keys = ensure_zone_keys(policy, origin, dir.path(), kNow);
    const SignedZone s = sign_zone(origin, records(kZone), keys.keys, policy, {kNow, 7, 42});
    const zone::Zone& z = *s.zone;
    std::set<std::uint32_t> expirations;
    std::size_t nsec3 = 0;
    bool salt_ok = true;
    for (const auto& r : z.records()) {
        if (r.type == RRType::NSEC3) {
            ++nsec3;
            const auto v = dnssec::Nsec3View::parse(r.rdata);
            salt_ok = salt_ok && v->salt.size() == 8 && v->opt_out();
        }
        if (r.type != RRType::RRSIG) continue;
        const auto v = dnssec::RrsigView::parse(r.rdata);
        const auto covered = static_cast<RRType>(v->type_covered);
        if (covered == RRType::DNSKEY || covered == RRType::CDS || covered == RRType::CDNSKEY) {
            EXPECT_EQ(v->expiration, kNow + 2 * 86400);
        } else {
            EXPECT_LE(v->expiration, kNow + 86400);
            EXPECT_GT(v->expiration, kNow + 86400 - 3600);
            expirations.insert(v->expiration);
        }
    }
    EXPECT_TRUE(salt_ok);
    EXPECT_GT(expirations.size(), 3u);  // spread, not one instant
    EXPECT_EQ(s.earliest_expiration, *expirations.begin());
    EXPECT_EQ(earliest_rrsig_expiration(z), s.earliest_expiration);
    // Opt-out: the insecure delegation `sub` and ns.sub are not in the chain; the apex, ns1, mail, wild,
    // *.wild, a.b.c, b.c, c, secure are.
    EXPECT_EQ(nsec3, 9u);
    EXPECT_EQ(dnssec::testing::verify_zone(z.records(), "example.com.").bad, 0u);
    EXPECT_EQ(bind_verify(z, dir, true), "");
    // The same salt next time (a re-sign must not rebuild the whole chain).
    const SignedZone again = sign_zone(origin, records(kZone), keys.keys, policy, {kNow + 60, 8, 42});
    EXPECT_EQ(zone::diff_zones(z, *again.zone).empty(), false);
    EXPECT_EQ(next_resign_time(policy, s.earliest_expiration, kNow),
              std::max(kNow + 1, s.earliest_expiration - policy.signatures_refresh));
}

TEST(SignZone, RefusesKeysThatDoNotCoverBothRoles) {
    TempDir dir;
    const auto origin = dns::Name::from_text("example.com.");
    auto policy = policy_with({{config::PolicyKey::Role::zsk, std::nullopt, 13, 0}});
    const ZoneKeys keys = ensure_zone_keys(policy, origin, dir.path(), kNow);
    EXPECT_THROW(sign_zone(origin, records(kZone), keys.keys, policy, {kNow, 1, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace cairn::signer
