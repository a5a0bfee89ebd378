// dnssec-policy statements, the built-in policies with BIND 9.18's defaults, and the zone options that
// choose a policy; zones cairn would not sign are refused rather than served unsigned.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace cairn::config {
namespace {

std::string first_error(const std::string& text) {
    try {
        load_text("test.conf", text);
    } catch (const ConfigError& e) {
        return e.errors().at(0).to_string();
    }
    return "(accepted)";
}

TEST(DnssecPolicy, BuiltInDefaultIsBindsDefault) {
    const DnssecPolicy* policy = builtin_dnssec_policy("default");
    ASSERT_NE(policy, nullptr);
    ASSERT_EQ(policy->keys.size(), 1u);
    EXPECT_EQ(policy->keys[0].role, PolicyKey::Role::csk);
    EXPECT_EQ(policy->keys[0].algorithm, 13);
    EXPECT_FALSE(policy->keys[0].lifetime);
    EXPECT_EQ(policy->dnskey_ttl, 3600u);
    EXPECT_EQ(policy->signatures_validity, 14u * 86400);
    EXPECT_EQ(policy->signatures_validity_dnskey, 14u * 86400);
    EXPECT_EQ(policy->signatures_refresh, 5u * 86400);
    EXPECT_EQ(policy->max_zone_ttl, 86400u);
    EXPECT_EQ(policy->purge_keys, 90u * 86400);
    EXPECT_FALSE(policy->nsec3);
    EXPECT_FALSE(builtin_dnssec_policy("insecure")->signs());
    EXPECT_EQ(builtin_dnssec_policy("none"), nullptr);
}

TEST(DnssecPolicy, StatementWithEveryClause) {
    const LoadResult r = load_text("test.conf", R"(
dnssec-policy "short" {
    keys {
        ksk key-directory lifetime unlimited algorithm ecdsap256sha256;
        zsk lifetime PT1H algorithm 13;
    };
    dnskey-ttl 60;
    publish-safety PT30S;
    retire-safety 1m;
    purge-keys P1D;
    signatures-refresh PT2M;
    signatures-validity PT10M;
    signatures-validity-dnskey PT15M;
    signatures-jitter PT30S;
    max-zone-ttl 300;
    zone-propagation-delay PT5S;
    parent-ds-ttl 3600;
    parent-propagation-delay PT1M;
    nsec3param iterations 0 optout yes salt-length 8;
};
dnssec-policy rsa { keys { csk lifetime P1Y algorithm rsasha256 2048; }; };
zone "example.com" { type primary; file "example.com.db"; dnssec-policy short; inline-signing yes;
                     key-directory "keys"; };
)");
    ASSERT_EQ(r.config.dnssec_policies.size(), 2u);
    const DnssecPolicy& p = r.config.dnssec_policies[0];
    ASSERT_EQ(p.keys.size(), 2u);
    EXPECT_EQ(p.keys[0].role, PolicyKey::Role::ksk);
    EXPECT_EQ(p.keys[1].role, PolicyKey::Role::zsk);
    EXPECT_EQ(p.keys[1].lifetime, 3600u);
    EXPECT_EQ(p.dnskey_ttl, 60u);
    EXPECT_EQ(p.publish_safety, 30u);
    EXPECT_EQ(p.retire_safety, 60u);
    EXPECT_EQ(p.purge_keys, 86400u);
    EXPECT_EQ(p.signatures_refresh, 120u);
    EXPECT_EQ(p.signatures_validity, 600u);
    EXPECT_EQ(p.signatures_validity_dnskey, 900u);
    EXPECT_EQ(p.signatures_jitter, 30u);
    EXPECT_EQ(p.max_zone_ttl, 300u);
    EXPECT_EQ(p.zone_propagation_delay, 5u);
    EXPECT_EQ(p.parent_propagation_delay, 60u);
    ASSERT_TRUE(p.nsec3);
    EXPECT_TRUE(p.nsec3->optout);
    EXPECT_EQ(p.nsec3->salt_length, 8);
    const DnssecPolicy& rsa = r.config.dnssec_policies[1];
    EXPECT_EQ(rsa.keys[0].algorithm, 8);
    EXPECT_EQ(rsa.keys[0].bits, 2048);
    EXPECT_EQ(rsa.keys[0].lifetime, 365u * 86400);

    const ResolvedZone zone = r.config.resolve_zone(r.config.zones[0], nullptr);
    ASSERT_EQ(zone.dnssec_policy, &p);
    EXPECT_TRUE(zone.inline_signing);
    EXPECT_TRUE(zone.key_directory.ends_with("/keys"));
}

TEST(DnssecPolicy, InheritedFromOptionsAndNoneTurnsItOff) {
    const LoadResult r = load_text("test.conf", R"(
options { dnssec-policy default; key-directory "/var/keys"; };
zone "a.example" { type primary; file "a.db"; };
zone "b.example" { type primary; file "b.db"; dnssec-policy none; };
zone "c.example" { type primary; file "c.db"; dnssec-policy insecure; };
)");
    const ResolvedZone a = r.config.resolve_zone(r.config.zones[0], nullptr);
    ASSERT_NE(a.dnssec_policy, nullptr);
    EXPECT_EQ(a.dnssec_policy->name, "default");
    EXPECT_EQ(a.key_directory, "/var/keys");
    EXPECT_EQ(r.config.resolve_zone(r.config.zones[1], nullptr).dnssec_policy, nullptr);
    EXPECT_EQ(r.config.resolve_zone(r.config.zones[2], nullptr).dnssec_policy, nullptr);
}

TEST(DnssecPolicy, ErrorsInsteadOfServingUnsigned) {
    EXPECT_EQ(first_error("zone \"e\" { type primary; file \"f\"; dnssec-policy nope; };"),
              "test.conf:1: dnssec-policy 'nope' not found");
    EXPECT_NE(first_error("zone \"e\" { type secondary; primaries { 127.0.0.1; }; dnssec-policy default; "
                          "inline-signing yes; };")
                  .find("cairn signs primary zones only"),
              std::string::npos);
    EXPECT_NE(
        first_error("zone \"e\" { type primary; file \"f\"; dnssec-policy default; inline-signing no; };")
            .find("inline-signing yes"),
        std::string::npos);
    EXPECT_NE(first_error("dnssec-policy p { keys { zsk lifetime unlimited algorithm 13; }; };")
                  .find("keys must sign both"),
              std::string::npos);
    EXPECT_NE(
        first_error("dnssec-policy p { keys { csk lifetime unlimited algorithm 5; }; };").find("cannot sign"),
        std::string::npos);
    EXPECT_NE(first_error("dnssec-policy default { };").find("may not be"), std::string::npos);
    EXPECT_NE(first_error("dnssec-policy p { signatures-validity 1x; };").find("duration"),
              std::string::npos);
}

}  // namespace
}  // namespace cairn::config
