// What signs a NOTIFY: an also-notify entry's key (its own, else its `server` statement's), and for the
// addresses of the zone's NS records the key of the `server` statement that holds them, the view's own
// statements before the top-level ones (BIND's peer lookup in the zone's view).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/settings_loader.hpp"

namespace cairn::server {
namespace {

class NotifyKeysTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("cairn-notify-keys-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "x.zone")
            << "$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n NS ns1\nns1 A 127.0.0.1\n";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    SettingsResult load(const std::string& text) {
        std::ofstream(dir_ / "named.conf") << text;
        return load_settings((dir_ / "named.conf").string());
    }

    std::filesystem::path dir_;
};

std::string key_name(const dns::TsigKey* key) {
    return key == nullptr ? "(none)" : key->name.to_text();
}

TEST_F(NotifyKeysTest, ServerStatementsOfTheViewComeFirst) {
    const SettingsResult result = load(
        "options { listen-on port 45998 { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; };\n"
        "controls { };\n"
        "key top { algorithm hmac-sha256; secret \"dG9w\"; };\n"
        "server 192.0.2.0/24 { keys top; };\n"
        "server 198.51.100.7 { keys top; };\n"
        "view inside {\n"
        "  key own { algorithm hmac-sha256; secret \"b3du\"; };\n"
        "  server 192.0.2.0/25 { keys own; };\n"
        "  also-notify { 192.0.2.1 port 5300; 203.0.113.1; };\n"
        "  zone \"x\" { type primary; file \"" +
        (dir_ / "x.zone").string() +
        "\"; };\n"
        "};\n");
    ASSERT_TRUE(result.errors.empty()) << result.errors.front();
    const ZoneSettings& zone = result.settings.views.at(0).zones.at(0);
    ASSERT_EQ(zone.zone.also_notify.size(), 2u);
    EXPECT_EQ(key_name(zone.zone.also_notify[0].key), "own.");    // the view's server statement
    EXPECT_EQ(key_name(zone.zone.also_notify[1].key), "(none)");  // no statement holds it
    auto ns_key = [&](const char* address) {
        return key_name(zone.server_key_for(*dns::IpAddress::parse(address)));
    };
    EXPECT_EQ(ns_key("192.0.2.5"), "own.");    // the view's /25 over the top-level /24
    EXPECT_EQ(ns_key("192.0.2.200"), "top.");  // outside the /25: the top-level /24
    EXPECT_EQ(ns_key("198.51.100.7"), "top.");
    EXPECT_EQ(ns_key("203.0.113.9"), "(none)");
}

}  // namespace
}  // namespace cairn::server
