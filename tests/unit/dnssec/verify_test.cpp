// verify_rrset: the first valid signature wins, the reason when none does (expired, not yet valid, no key,
// bogus, no signature), and the work bound against KeyTrap (CVE-2023-50387): keys with colliding tags are
// tried only up to the budget's limit.
#include "dnssec/verify.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using testing::rdata;
using testing::wire;

constexpr std::uint32_t kNow = 1800000000;

struct Fixture {
    PrivateKey key = PrivateKey::generate(15);
    std::vector<std::uint8_t> dnskey = dnskey_rdata(256, 15, key.public_key_field());
    std::vector<std::uint8_t> owner = wire("www.example.");
    std::vector<std::uint8_t> zone = wire("example.");
    std::vector<std::uint8_t> a = rdata(dns::RRType::A, "192.0.2.1");
    std::vector<Bytes> rdatas{a};
    RRsetRef rrset() const { return {owner, dns::RRType::A, dns::RRClass::IN, rdatas}; }

    std::vector<std::uint8_t> sign(std::uint32_t inception, std::uint32_t expiration,
                                   const PrivateKey* with = nullptr, std::uint16_t tag = 0) const {
        const SignatureFields f{dns::RRType::A,
                                15,
                                2,
                                300,
                                expiration,
                                inception,
                                tag ? tag : key_tag(dnskey),
                                dns::Name::from_text("example.")};
        return sign_rrset(rrset(), f, with ? *with : key);
    }
};

// An Ed25519 DNSKEY (any 32 octets pass as one until verified) whose tag is `tag`.
std::vector<std::uint8_t> colliding_key(std::uint16_t tag, std::mt19937& rng) {
    while (true) {
        std::vector<std::uint8_t> key(32);
        for (auto& b : key)
            b = static_cast<std::uint8_t>(rng());
        auto r = dnskey_rdata(256, 15, key);
        for (unsigned hi = 0; hi < 256; ++hi) {
            for (unsigned lo = 0; lo < 256; ++lo) {
                r[r.size() - 2] = static_cast<std::uint8_t>(hi);
                r[r.size() - 1] = static_cast<std::uint8_t>(lo);
                if (key_tag(r) == tag) return r;
            }
        }
    }
}

TEST(VerifyRRset, TheFirstValidSignatureWins) {
    const Fixture f;
    const auto expired = f.sign(kNow - 200, kNow - 100);
    const auto good = f.sign(kNow - 100, kNow + 100);
    const std::vector<Bytes> sigs = {expired, good};
    const std::vector<Bytes> keys = {f.dnskey};
    WorkBudget budget;
    const auto out = verify_rrset(f.rrset(), sigs, f.zone, keys, kNow, budget);
    EXPECT_EQ(out.status, VerifyStatus::secure);
    EXPECT_EQ(out.rrsig, 1u);
    EXPECT_EQ(out.dnskey, 0u);
    EXPECT_EQ(budget.verifications(), 1u);  // the expired one cost no cryptography
}

TEST(VerifyRRset, SaysWhyNothingVerified) {
    const Fixture f;
    const std::vector<Bytes> keys = {f.dnskey};
    auto status = [&](const std::vector<std::uint8_t>& sig, std::span<const Bytes> with_keys) {
        const std::vector<Bytes> sigs = {sig};
        WorkBudget budget;
        return verify_rrset(f.rrset(), sigs, f.zone, with_keys, kNow, budget).status;
    };
    EXPECT_EQ(status(f.sign(kNow - 200, kNow - 100), keys), VerifyStatus::expired);
    EXPECT_EQ(status(f.sign(kNow + 100, kNow + 200), keys), VerifyStatus::not_yet_valid);
    const auto other = PrivateKey::generate(15);
    EXPECT_EQ(status(f.sign(kNow - 100, kNow + 100, &other, 1), keys), VerifyStatus::no_matching_key);
    auto tampered = f.sign(kNow - 100, kNow + 100);
    tampered.back() ^= 1;
    EXPECT_EQ(status(tampered, keys), VerifyStatus::bogus);
    // Another signer's signature, or one of an algorithm cairn does not verify, is no signature at all.
    const auto good = f.sign(kNow - 100, kNow + 100);  // owned here: the spans below point into it
    const std::vector<Bytes> sigs = {good};
    WorkBudget budget;
    EXPECT_EQ(verify_rrset(f.rrset(), sigs, wire("other."), keys, kNow, budget).status,
              VerifyStatus::no_signature);
    auto dsa = f.sign(kNow - 100, kNow + 100);
    dsa[2] = 3;
    const std::vector<Bytes> dsa_sigs = {dsa};
    const auto out = verify_rrset(f.rrset(), dsa_sigs, f.zone, keys, kNow, budget);
    EXPECT_EQ(out.status, VerifyStatus::no_signature);
    EXPECT_TRUE(out.unsupported_algorithm);
}

// KeyTrap: 50 keys share the signing key's tag and algorithm, the real one last, and 20 signatures name
// that tag. Without a bound a validator verifies 50 x 20 times; with the budget it stops at 4 keys per
// signature and 16 verifications in all.
TEST(VerifyRRset, CollidingKeyTagsAreTriedOnlyUpToTheLimit) {
    const Fixture f;
    std::mt19937 rng(7);
    std::vector<std::vector<std::uint8_t>> key_store;
    for (int i = 0; i < 49; ++i)
        key_store.push_back(colliding_key(key_tag(f.dnskey), rng));
    key_store.push_back(f.dnskey);
    const std::vector<Bytes> keys(key_store.begin(), key_store.end());
    std::vector<std::vector<std::uint8_t>> sig_store;
    for (int i = 0; i < 20; ++i)
        sig_store.push_back(f.sign(kNow - 100 - i, kNow + 100));
    const std::vector<Bytes> sigs(sig_store.begin(), sig_store.end());

    WorkBudget budget;
    const auto out = verify_rrset(f.rrset(), sigs, f.zone, keys, kNow, budget);
    EXPECT_EQ(out.status, VerifyStatus::budget_exhausted);
    EXPECT_EQ(budget.exceeded(), WorkLimit::keys_per_signature);
    EXPECT_EQ(budget.verifications(), 4u);

    // With the per-signature bound lifted, the total bound holds.
    WorkLimits wide;
    wide.keys_per_signature = 1000;
    WorkBudget total(wide);
    EXPECT_EQ(verify_rrset(f.rrset(), sigs, f.zone, keys, kNow, total).status,
              VerifyStatus::budget_exhausted);
    EXPECT_EQ(total.exceeded(), WorkLimit::signature_verifications);
    EXPECT_EQ(total.verifications(), 16u);

    // The real key first: one verification.
    std::vector<Bytes> real_first = keys;
    std::swap(real_first.front(), real_first.back());
    WorkBudget cheap;
    EXPECT_EQ(verify_rrset(f.rrset(), sigs, f.zone, real_first, kNow, cheap).status, VerifyStatus::secure);
    EXPECT_EQ(cheap.verifications(), 1u);
}

}  // namespace
}  // namespace cairn::dnssec
