// DNSSEC validation's clauses: trust-anchors (and managed-keys / trusted-keys), validate-except, the NTA
// timers and synth-from-dnssec, parsed with BIND's syntax, top-level and view anchors used together (as
// BIND), and bad keys refused at load as named-checkconf refuses them.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace cairn::config {
namespace {

constexpr const char* kKey =
    "\"mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\"";

std::string first_error(const std::string& text) {
    try {
        load_text("v.conf", text);
    } catch (const ConfigError& e) {
        return e.errors().at(0).to_string();
    }
    return "(accepted)";
}

TEST(ValidationConfig, DefaultsAreBinds) {
    const Config config = load_text("v.conf", "options { };").config;
    const ResolvedRecursion r = config.resolve_recursion(nullptr);
    EXPECT_EQ(r.dnssec_validation, "auto");
    EXPECT_TRUE(r.trust_anchors.empty());
    EXPECT_EQ(r.nta_lifetime, 3600u);
    EXPECT_EQ(r.nta_recheck, 300u);
    EXPECT_TRUE(r.synth_from_dnssec);
}

TEST(ValidationConfig, AnchorsOfEveryKindAndTheViewsAddUp) {
    const Config config =
        load_text("v.conf", std::string("options { dnssec-validation yes; validate-except { corp; }; "
                                        "nta-lifetime 2h; nta-recheck 0; synth-from-dnssec no; };\n"
                                        "trust-anchors { . static-key 257 3 13 ") +
                                kKey +
                                "; example. initial-ds 12345 13 2 "
                                "\"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\"; };\n"
                                "managed-keys { org. initial-key 257 3 13 " +
                                kKey + "; };\ntrusted-keys { net. 257 3 13 " + kKey +
                                "; };\n"
                                "view inside { trust-anchors { test. static-ds 1 13 2 "
                                "\"0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\"; }; "
                                "validate-except { lab.test; }; };")
            .config;
    const ResolvedRecursion top = config.resolve_recursion(nullptr);
    EXPECT_EQ(top.dnssec_validation, "yes");
    ASSERT_EQ(top.trust_anchors.size(), 4u);
    EXPECT_TRUE(top.trust_anchors[0].name.is_root());
    EXPECT_EQ(top.trust_anchors[0].kind, TrustAnchor::Kind::StaticKey);
    EXPECT_EQ(top.trust_anchors[0].rdata.size(), 4u + 64u);  // flags, protocol, algorithm, P-256 key
    EXPECT_EQ(top.trust_anchors[1].kind, TrustAnchor::Kind::InitialDs);
    EXPECT_EQ(top.trust_anchors[1].rdata.size(), 4u + 32u);
    EXPECT_EQ(top.trust_anchors[2].kind, TrustAnchor::Kind::InitialKey);  // managed-keys
    EXPECT_EQ(top.trust_anchors[3].kind, TrustAnchor::Kind::StaticKey);   // trusted-keys
    EXPECT_EQ(top.validate_except, std::vector{dns::Name::from_text("corp.")});
    EXPECT_EQ(top.nta_lifetime, 7200u);
    EXPECT_EQ(top.nta_recheck, 0u);
    EXPECT_FALSE(top.synth_from_dnssec);
    const ResolvedRecursion inside = config.resolve_recursion(&config.views.at(0));
    ASSERT_EQ(inside.trust_anchors.size(), 5u);
    EXPECT_EQ(inside.trust_anchors[4].name, dns::Name::from_text("test."));
    EXPECT_EQ(inside.validate_except.size(), 2u);
}

TEST(ValidationConfig, BadAnchorsAreRefused) {
    EXPECT_NE(first_error("trust-anchors { . static-key 257 3 13 \"not base64!\"; };")
                  .find("bad DNSKEY trust anchor"),
              std::string::npos);
    EXPECT_NE(first_error("trust-anchors { . static-ds 1 13 2 \"XYZ\"; };").find("bad DS trust anchor"),
              std::string::npos);
    EXPECT_NE(first_error(std::string("trust-anchors { . sometimes-key 257 3 13 ") + kKey + "; };"),
              "(accepted)");
}

}  // namespace
}  // namespace cairn::config
