// The key manager on a fake clock (each run is given its `now`): a ZSK pre-publication rollover and a KSK
// double-DS rollover driven by checkds, followed event by event, with the zone valid at every step (a
// published KSK signing the DNSKEY RRset, a published ZSK signing the zone) and the key sets going old ->
// old+new -> new; rndc's rollover command; dnssec-keygen-style keys given states from their timing; the
// .state file read back as written; BIND's status report.
#include "signer/rollover.hpp"

#include <gtest/gtest.h>

#include <set>

#include "../dnssec/dnssec_test_util.hpp"
#include "signer/zone_keys.hpp"

namespace cairn::signer {
namespace {

using dnssec::KeyState;
using dnssec::testing::TempDir;
using Role = config::PolicyKey::Role;

constexpr std::uint32_t kStart = 1'800'000'000;

config::DnssecPolicy short_policy(std::optional<std::uint32_t> ksk_life,
                                  std::optional<std::uint32_t> zsk_life) {
    config::DnssecPolicy p;
    p.name = "short";
    p.keys = {config::PolicyKey{Role::ksk, ksk_life, 13, 0}, config::PolicyKey{Role::zsk, zsk_life, 13, 0}};
    p.dnskey_ttl = 10;
    p.publish_safety = 5;
    p.retire_safety = 5;
    p.zone_propagation_delay = 2;
    p.max_zone_ttl = 10;
    p.signatures_validity = 300;
    p.signatures_refresh = 280;  // sign delay 20 s
    p.parent_ds_ttl = 20;
    p.parent_propagation_delay = 3;
    p.purge_keys = 0;
    return p;
}

// The zone as the signer makes it at `now`: which keys are published, sign the zone, sign the keys.
struct View {
    std::set<std::uint16_t> dnskeys, zone_signers, key_signers, cds;
};

View run(const config::DnssecPolicy& policy, const TempDir& dir, std::uint32_t now,
         std::uint32_t* next = nullptr) {
    const ZoneKeys keys = ensure_zone_keys(policy, dns::Name::from_text("example.com."), dir.path(), now);
    if (next != nullptr) *next = keys.next_key_event;
    View v;
    for (const SigningKey& k : keys.keys) {
        const std::uint16_t tag = k.key.tag();
        if (k.published) v.dnskeys.insert(tag);
        if (k.signs_zone) v.zone_signers.insert(tag);
        if (k.signs_keys) v.key_signers.insert(tag);
        if (k.cds) v.cds.insert(tag);
    }
    return v;
}

// Every signer is published or was already (rumoured DNSKEY counts), and there is always one of each.
void expect_valid(const View& v, std::uint32_t now) {
    EXPECT_FALSE(v.zone_signers.empty()) << now;
    EXPECT_FALSE(v.key_signers.empty()) << now;
    for (const std::uint16_t tag : v.zone_signers)
        EXPECT_TRUE(v.dnskeys.count(tag)) << "zone signer " << tag << " unpublished at " << now;
    for (const std::uint16_t tag : v.key_signers)
        EXPECT_TRUE(v.dnskeys.count(tag)) << "key signer " << tag << " unpublished at " << now;
}

std::vector<dnssec::BindKey> keys_in(const TempDir& dir) {
    return dnssec::read_zone_keys(dir.path(), dns::Name::from_text("example.com."));
}

TEST(Rollover, ZskPrePublicationOldThenBothThenNew) {
    TempDir dir;
    const auto policy = short_policy(std::nullopt, 100);
    std::uint32_t now = kStart, next = 0;
    View v = run(policy, dir, now, &next);
    ASSERT_EQ(v.dnskeys.size(), 2u);
    ASSERT_EQ(v.zone_signers.size(), 1u);
    const std::uint16_t first_zsk = *v.zone_signers.begin();
    const std::uint16_t ksk = *v.key_signers.begin();
    EXPECT_TRUE(v.cds.empty());  // the DS waits until the DNSKEY is omnipresent
    // Follow the key events (one second at a time would do too; the events are what the scheduler uses).
    std::vector<std::size_t> sizes{v.dnskeys.size()};
    std::optional<std::uint16_t> second_zsk;
    for (int step = 0; step < 200 && now < kStart + 400; ++step) {
        ASSERT_NE(next, 0u) << "no next key event at " << now;
        ASSERT_GT(next, now);
        now = next;
        v = run(policy, dir, now, &next);
        expect_valid(v, now);
        EXPECT_TRUE(v.key_signers.count(ksk));
        if (v.dnskeys.size() != sizes.back()) sizes.push_back(v.dnskeys.size());
        for (const std::uint16_t tag : v.dnskeys)
            if (tag != ksk && tag != first_zsk) second_zsk = tag;
        if (second_zsk && !v.dnskeys.count(first_zsk)) break;
    }
    ASSERT_TRUE(second_zsk);
    EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 3, 2}));  // old -> old+new -> new
    EXPECT_EQ(v.zone_signers, (std::set<std::uint16_t>{*second_zsk}));
    // The new ZSK was published one prepublication interval (TTL + publish-safety + propagation) before the
    // old one retired (Active + 100), and signs from then.
    for (const dnssec::BindKey& key : keys_in(dir)) {
        if (key.tag() == first_zsk) {
            EXPECT_EQ(key.metadata.successor, *second_zsk);
            EXPECT_EQ(key.metadata.goal, KeyState::hidden);
            EXPECT_EQ(key.timing.inactive, *key.timing.activate + 100);
            EXPECT_EQ(key.metadata.dnskey, KeyState::unretentive);
        }
        if (key.tag() == *second_zsk) {
            EXPECT_EQ(key.metadata.predecessor, first_zsk);
            EXPECT_EQ(key.metadata.goal, KeyState::omnipresent);
            EXPECT_EQ(key.metadata.zsk, true);
            EXPECT_EQ(key.metadata.ksk, false);
            EXPECT_EQ(key.metadata.lifetime, 100u);
            EXPECT_EQ(key.metadata.zrrsig, KeyState::omnipresent);
        }
    }
    // Later the old key's DNSKEY is gone everywhere: hidden.
    now += 100;
    run(policy, dir, now);
    for (const dnssec::BindKey& key : keys_in(dir)) {
        if (key.tag() == first_zsk) {
            EXPECT_EQ(key.metadata.dnskey, KeyState::hidden);
        }
    }
}

TEST(Rollover, KskDoubleDsDrivenByCheckds) {
    TempDir dir;
    const auto policy = short_policy(200, std::nullopt);
    const dns::Name origin = dns::Name::from_text("example.com.");
    std::uint32_t now = kStart, next = 0;
    View v = run(policy, dir, now, &next);
    const std::uint16_t first_ksk = *v.key_signers.begin();
    std::optional<std::uint16_t> second_ksk;
    bool first_withdrawn = false;
    for (int step = 0; step < 400 && now < kStart + 2000 && !first_withdrawn; ++step) {
        // The operator (or checkds) reports what the parent shows.
        for (const dnssec::BindKey& key : keys_in(dir)) {
            KeyCommand c;
            c.tag = key.tag();
            if (key.metadata.ds == KeyState::rumoured && !key.timing.ds_publish) {
                c.kind = KeyCommand::Kind::ds_published;
                apply_key_command(policy, origin, dir.path(), now, c);
            } else if (key.metadata.ds == KeyState::unretentive && !key.timing.ds_delete) {
                c.kind = KeyCommand::Kind::ds_withdrawn;
                apply_key_command(policy, origin, dir.path(), now, c);
            }
        }
        now = std::max(now + 1, std::min(next == 0 ? now + 60 : next, now + 60));
        v = run(policy, dir, now, &next);
        expect_valid(v, now);
        for (const std::uint16_t tag : v.key_signers)
            if (tag != first_ksk) second_ksk = tag;
        for (const dnssec::BindKey& key : keys_in(dir)) {
            if (key.tag() == first_ksk && key.metadata.ds == KeyState::hidden && key.timing.ds_delete)
                first_withdrawn = true;
        }
    }
    ASSERT_TRUE(second_ksk);
    EXPECT_TRUE(first_withdrawn);
    for (const dnssec::BindKey& key : keys_in(dir)) {
        if (key.tag() == *second_ksk) {
            EXPECT_EQ(key.metadata.ds, KeyState::omnipresent);
            EXPECT_EQ(key.metadata.predecessor, first_ksk);
        }
    }
    EXPECT_EQ(v.cds, (std::set<std::uint16_t>{*second_ksk}));
}

TEST(Rollover, RndcRolloverStartsASuccessorAtWhen) {
    TempDir dir;
    const auto policy = short_policy(std::nullopt, std::nullopt);
    const dns::Name origin = dns::Name::from_text("example.com.");
    std::uint32_t next = 0;
    View v = run(policy, dir, kStart, &next);
    const std::uint16_t zsk = *v.zone_signers.begin();
    v = run(policy, dir, kStart + 1000, &next);
    EXPECT_EQ(v.dnskeys.size(), 2u);  // unlimited: nothing rolls
    KeyCommand c;
    c.kind = KeyCommand::Kind::rollover;
    c.tag = zsk;
    c.when = kStart + 1010;
    EXPECT_NE(apply_key_command(policy, origin, dir.path(), kStart + 1000, c).find("Rollover for key"),
              std::string::npos);
    v = run(policy, dir, kStart + 1005, &next);
    EXPECT_EQ(v.dnskeys.size(), 2u);
    EXPECT_EQ(next, kStart + 1010u);  // the successor's publication is the next key event
    v = run(policy, dir, kStart + 1010, &next);
    EXPECT_EQ(v.dnskeys.size(), 3u);
    c.tag = 1;  // no such key
    EXPECT_THROW(apply_key_command(policy, origin, dir.path(), kStart + 1010, c), KeyCommandError);
}

TEST(Rollover, KeygenTimingBecomesStates) {
    TempDir dir;
    const auto policy = short_policy(std::nullopt, std::nullopt);
    const dns::Name origin = dns::Name::from_text("example.com.");
    // Keys as dnssec-keygen leaves them: timing, no .state.
    for (const std::uint16_t flags : {257, 256}) {
        dnssec::BindKey key = dnssec::BindKey::make(origin, flags, dnssec::PrivateKey::generate(13));
        key.timing.created = key.timing.publish = key.timing.activate = kStart - 86400;
        dnssec::write_key(dir.path(), key);
    }
    const View v = run(policy, dir, kStart);
    EXPECT_EQ(v.dnskeys.size(), 2u);  // taken, none generated
    for (const dnssec::BindKey& key : keys_in(dir)) {
        ASSERT_TRUE(key.has_state);
        EXPECT_EQ(key.metadata.goal, KeyState::omnipresent);
        EXPECT_EQ(key.metadata.dnskey, KeyState::omnipresent);
        EXPECT_EQ(key.metadata.ksk, key.ksk());
        if (key.ksk()) {
            EXPECT_EQ(key.metadata.krrsig, KeyState::omnipresent);
        } else {
            EXPECT_EQ(key.metadata.zrrsig, KeyState::omnipresent);
        }
    }
}

TEST(Rollover, StatusReportAsBind) {
    TempDir dir;
    const auto policy = short_policy(std::nullopt, 100);
    run(policy, dir, kStart);
    const std::string text =
        key_status_text(policy, dns::Name::from_text("example.com."), dir.path(), kStart);
    EXPECT_NE(text.find("dnssec-policy: short\ncurrent time:  "), std::string::npos) << text;
    EXPECT_NE(text.find("), KSK\n  published:      yes - since "), std::string::npos) << text;
    EXPECT_NE(text.find("  zone signing:   yes - since "), std::string::npos) << text;
    EXPECT_NE(text.find("  Next rollover scheduled on "), std::string::npos) << text;
    EXPECT_NE(text.find("  No rollover scheduled"), std::string::npos) << text;
    EXPECT_NE(text.find("  - goal:           omnipresent\n  - dnskey:         rumoured"), std::string::npos)
        << text;
    EXPECT_NE(text.find("  - ds:             hidden"), std::string::npos) << text;
}

}  // namespace
}  // namespace cairn::signer
