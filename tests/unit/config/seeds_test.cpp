// The configuration snippets of the seed documents load as written.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config.hpp"

namespace cairn::config {
namespace {

const std::string kData = std::string(CAIRN_TEST_DATA) + "/config/";

const Zone& only_zone(const Config& config) {
    EXPECT_EQ(config.zones.size(), 1u);
    return config.zones.at(0);
}

TEST(SeedSnippets, LecturePrimaryWithAddressList) {
    const LoadResult result = load(kData + "lecture-primary.conf");
    const Zone& zone = only_zone(result.config);
    EXPECT_EQ(zone.name, dns::Name::from_text("dnskurz.cz."));
    EXPECT_EQ(zone.type, ZoneType::Primary);
    EXPECT_EQ(zone.file, "dnskurz.cz");
    ASSERT_TRUE(zone.settings.allow_transfer);
    ASSERT_EQ(zone.settings.allow_transfer->elements.size(), 2u);
    EXPECT_EQ(zone.settings.allow_transfer->elements[0].prefix.to_string(), "192.2.0.200/32");
    EXPECT_EQ(zone.settings.allow_transfer->elements[1].prefix.to_string(), "2001:db8:1::200/128");
    EXPECT_TRUE(result.warnings.empty());
}

TEST(SeedSnippets, LectureSecondary) {
    const LoadResult result = load(kData + "lecture-secondary.conf");
    const Zone& zone = only_zone(result.config);
    EXPECT_EQ(zone.type, ZoneType::Secondary);
    EXPECT_EQ(zone.settings.masterfile_format, MasterfileFormat::Text);
    const ResolvedZone resolved = result.config.resolve_zone(zone, nullptr);
    ASSERT_EQ(resolved.primaries.size(), 1u);
    EXPECT_EQ(resolved.primaries[0].address.to_string(), "192.2.0.10");
    EXPECT_EQ(resolved.primaries[0].port, 53);
    // BIND 9.20's default: no transfers unless allowed.
    EXPECT_EQ(resolved.allow_transfer.elements.size(), 1u);
    EXPECT_EQ(resolved.allow_transfer.elements[0].kind, AmlElement::Kind::None);
}

TEST(SeedSnippets, LectureNotifyToHiddenSecondary) {
    const LoadResult result = load(kData + "lecture-primary-notify.conf");
    const ResolvedZone resolved = result.config.resolve_zone(only_zone(result.config), nullptr);
    ASSERT_EQ(resolved.also_notify.size(), 1u);
    EXPECT_EQ(resolved.also_notify[0].address.to_string(), "192.2.0.200");
    EXPECT_EQ(resolved.notify, NotifyMode::Yes);
    ASSERT_EQ(resolved.allow_transfer.elements.size(), 3u);
    EXPECT_EQ(resolved.allow_transfer.elements[0].kind, AmlElement::Kind::Localhost);
}

TEST(SeedSnippets, LectureTsigKeyAndServer) {
    const LoadResult result = load(kData + "lecture-tsig-server.conf");
    ASSERT_EQ(result.config.keys.size(), 1u);
    const Key& key = result.config.keys[0];
    EXPECT_EQ(key.name, dns::Name::from_text("group19.tsig."));
    EXPECT_EQ(key.algorithm, "hmac-sha256");
    EXPECT_EQ(key.secret, "PO4MJJzLde8u+4Eu7PJoBvUfkfhjOSRdfLYz1rZwRoQ=");
    ASSERT_EQ(result.config.servers.size(), 1u);
    EXPECT_EQ(result.config.servers[0].prefix.to_string(), "192.0.2.10/32");
    EXPECT_EQ(result.config.servers[0].keys, std::vector<std::string>{"group19.tsig."});
    ASSERT_NE(result.config.find_server(*dns::IpAddress::parse("192.0.2.10")), nullptr);
    EXPECT_EQ(result.config.find_server(*dns::IpAddress::parse("192.0.2.11")), nullptr);
}

TEST(SeedSnippets, LectureSecondaryUsesServerKeyForPrimaries) {
    const LoadResult result = load(kData + "lecture-secondary-tsig.conf");
    const Zone& zone = only_zone(result.config);
    const auto& elements = zone.settings.allow_transfer->elements;
    ASSERT_EQ(elements.size(), 2u);
    EXPECT_EQ(elements[1].kind, AmlElement::Kind::Key);
    EXPECT_EQ(elements[1].key, dns::Name::from_text("group19.tsig."));
    // The primary 192.2.0.10 is not the server statement's 192.0.2.10 (the lecture's own addresses).
    const ResolvedZone resolved = result.config.resolve_zone(zone, nullptr);
    ASSERT_EQ(resolved.primaries.size(), 1u);
    EXPECT_EQ(resolved.primaries[0].key, "");
}

TEST(SeedSnippets, EveryLectureSnippetLoads) {
    int loaded = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kData)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("lecture-")) continue;
        EXPECT_NO_THROW(load(entry.path().string())) << name;
        ++loaded;
    }
    EXPECT_EQ(loaded, 8);
}

TEST(SeedSnippets, ArticleViews) {
    const LoadResult result = load(kData + "article-views.conf");
    const Config& config = result.config;
    ASSERT_EQ(config.views.size(), 2u);
    EXPECT_TRUE(config.zones.empty());
    EXPECT_EQ(config.views[0].name, "internal");
    EXPECT_EQ(config.views[1].name, "external");
    ASSERT_EQ(config.views[0].zones.size(), 1u);
    EXPECT_EQ(config.views[0].zones[0].file, "/etc/bind/zones/solvethenetwork.com.internal");
    EXPECT_EQ(config.views[1].zones[0].file, "/etc/bind/zones/solvethenetwork.com.external");

    const HostNetworks host;
    const CompiledAcl internal = config.compile(*config.views[0].match_clients, host);
    const CompiledAcl external = config.compile(*config.views[1].match_clients, host);
    ClientFacts client;
    client.address = *dns::IpAddress::parse("172.20.1.1");
    EXPECT_TRUE(internal.allows(client));
    client.address = *dns::IpAddress::parse("172.32.0.1");
    EXPECT_FALSE(internal.allows(client));
    EXPECT_TRUE(external.allows(client));
}

}  // namespace
}  // namespace cairn::config
