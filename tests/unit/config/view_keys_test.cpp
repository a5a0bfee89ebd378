// `key` and `server` statements inside views: seen by the view's own zones and match lists first, invisible
// to other views, and checked as named-checkconf 9.18 checks them.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace cairn::config {
namespace {

std::string first_error(const std::string& text) {
    try {
        load_text("v.conf", text);
    } catch (const ConfigError& e) {
        return e.errors().at(0).to_string();
    }
    return "(accepted)";
}

constexpr const char* kTwoViews = R"(
key shared { algorithm hmac-sha256; secret "c2hhcmVk"; };
server 192.0.2.0/24 { keys shared; };
view internal {
    key internal-key { algorithm hmac-sha256; secret "aW50ZXJuYWw="; };
    server 192.0.2.1 { keys internal-key; };
    match-clients { key internal-key; };
    also-notify { 192.0.2.1; 192.0.2.2; };
    zone "example" { type secondary; primaries { 192.0.2.1; 192.0.2.9; }; file "internal.db"; };
};
view external {
    key external-key { algorithm hmac-sha512; secret "ZXh0ZXJuYWw="; };
    match-clients { key external-key; any; };
    zone "example" { type secondary; primaries { 192.0.2.1; }; file "external.db"; };
};
)";

TEST(ViewKeys, KeysAndServersBelongToTheirView) {
    const Config c = load_text("v.conf", kTwoViews).config;
    ASSERT_EQ(c.views.size(), 2u);
    EXPECT_EQ(c.keys.size(), 1u);
    EXPECT_EQ(c.servers.size(), 1u);
    const View& internal = c.views[0];
    const View& external = c.views[1];
    ASSERT_EQ(internal.keys.size(), 1u);
    EXPECT_EQ(internal.keys[0].name_text, "internal-key");
    ASSERT_EQ(internal.servers.size(), 1u);
    EXPECT_EQ(external.keys.at(0).algorithm, "hmac-sha512");

    EXPECT_NE(c.find_key("internal-key", &internal), nullptr);
    EXPECT_EQ(c.find_key("internal-key", &external), nullptr);
    EXPECT_EQ(c.find_key("internal-key"), nullptr);
    EXPECT_NE(c.find_key("shared", &external), nullptr);  // top-level keys are seen from every view
}

TEST(ViewKeys, AViewsServerStatementKeysItsZonesRemotes) {
    const Config c = load_text("v.conf", kTwoViews).config;
    const View& internal = c.views[0];
    const View& external = c.views[1];
    const auto internal_primaries = c.resolve_zone(internal.zones.at(0), &internal).primaries;
    ASSERT_EQ(internal_primaries.size(), 2u);
    EXPECT_EQ(internal_primaries[0].key, "internal-key");  // the view's /32 server
    EXPECT_EQ(internal_primaries[1].key, "shared");        // no view server: the top-level /24 one
    // The other view never sees internal's server statement.
    EXPECT_EQ(c.resolve_zone(external.zones.at(0), &external).primaries.at(0).key, "shared");
    const auto notified = c.resolve_zone(internal.zones.at(0), &internal).also_notify;
    ASSERT_EQ(notified.size(), 2u);
    EXPECT_EQ(notified[0].key, "internal-key");
    EXPECT_EQ(notified[1].key, "shared");
}

TEST(ViewKeys, AViewsServerWinsOverALongerTopLevelPrefix) {
    const Config c = load_text("v.conf", R"(
key a { algorithm hmac-sha256; secret "YQ=="; };
key b { algorithm hmac-sha256; secret "Yg=="; };
server 192.0.2.1 { keys a; };
view v { server 192.0.2.0/24 { keys b; }; zone "x" { type primary; file "x.db"; }; };
)")
                         .config;
    EXPECT_EQ(c.find_server(*dns::IpAddress::parse("192.0.2.1"), &c.views[0])->keys.at(0), "b");
    EXPECT_EQ(c.find_server(*dns::IpAddress::parse("192.0.2.1"))->keys.at(0), "a");
}

TEST(ViewKeys, CheckedAsNamedCheckconfDoes) {
    // A view's key may not redefine a top-level one (named-checkconf: "already exists").
    EXPECT_EQ(first_error("key k { algorithm hmac-sha256; secret \"YQ==\"; };\n"
                          "view v {\n key k { algorithm hmac-sha256; secret \"Yg==\"; };\n};\n"),
              "v.conf:3: key 'k': already exists previous definition: v.conf:1");
    // Two views may each have a key of the same name.
    EXPECT_EQ(first_error("view a { key k { algorithm hmac-sha256; secret \"YQ==\"; }; };\n"
                          "view b { key k { algorithm hmac-sha256; secret \"Yg==\"; }; };\n"),
              "(accepted)");
    // A view's server may name the view's keys and top-level ones, not another view's.
    EXPECT_EQ(first_error("view a { key k { algorithm hmac-sha256; secret \"YQ==\"; }; };\n"
                          "view b {\n server 192.0.2.1 { keys k; };\n};\n"),
              "v.conf:3: unknown key 'k'");
    EXPECT_EQ(first_error("view a {\n key k { algorithm hmac-sha256; secret \"YQ==\"; };\n"
                          " server 192.0.2.1 { keys k; };\n match-clients { key k; };\n};\n"),
              "(accepted)");
}

}  // namespace
}  // namespace cairn::config
