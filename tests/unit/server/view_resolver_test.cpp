// named.conf's recursion settings become the core's ResolverSettings (hints from the hint file, forwarding,
// static-stub, cache size, limits), and a view keeps its resolver (its cache) across reloads that do not
// change them.
#include "server/view_resolver.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"

namespace cairn::server {
namespace {

RecursionSettings settings_of(const std::string& text) {
    const config::Config config = config::load_text("v.conf", text).config;
    std::vector<std::string> warnings, errors;
    auto settings = recursion_settings(config, nullptr, config::HostNetworks{}, warnings, errors);
    EXPECT_TRUE(errors.empty());
    EXPECT_TRUE(settings.has_value());
    return *settings;
}

class ViewResolverTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("view-resolver-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "root.hints") << ". 3600000 NS a.root-servers.test.\n"
                                              "a.root-servers.test. 3600000 A 127.53.0.1\n"
                                              "a.root-servers.test. 3600000 AAAA 2001:db8::53\n";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string hints() const { return (dir_ / "root.hints").string(); }

    std::filesystem::path dir_;
};

TEST_F(ViewResolverTest, TheCoresSettingsFromNamedConf) {
    const RecursionSettings recursion = settings_of(
        "options { max-cache-size 64m; max-ncache-ttl 600; servfail-ttl 5; prefetch 0; "
        "qname-minimization disabled; resolver-query-timeout 3; stale-answer-enable yes; "
        "forwarders { 192.0.2.53; }; };\n"
        "zone \".\" { type hint; file \"" +
        hints() +
        "\"; };\n"
        "zone \"corp.test\" { type forward; forward only; forwarders { 192.0.2.54 port 5353; }; };\n"
        "zone \"lab.test\" { type static-stub; server-addresses { 192.0.2.55; }; };\n");
    std::vector<std::string> errors;
    const resolver::ResolverSettings s = resolver_settings(recursion, errors);
    EXPECT_TRUE(errors.empty());
    ASSERT_EQ(s.root_hints.size(), 1u);
    EXPECT_EQ(s.root_hints[0].name, dns::Name::from_text("a.root-servers.test."));
    EXPECT_EQ(s.root_hints[0].addresses.size(), 2u);
    ASSERT_EQ(s.forward_zones.size(), 2u);
    EXPECT_TRUE(s.forward_zones[0].zone.is_root());
    EXPECT_EQ(s.forward_zones[0].policy, resolver::ForwardPolicy::first);
    EXPECT_EQ(s.forward_zones[1].zone, dns::Name::from_text("corp.test."));
    EXPECT_EQ(s.forward_zones[1].policy, resolver::ForwardPolicy::only);
    EXPECT_EQ(s.forward_zones[1].forwarders.at(0).port, 5353);
    ASSERT_EQ(s.static_stubs.size(), 1u);
    EXPECT_EQ(s.static_stubs[0].servers.at(0).port, 53);
    EXPECT_EQ(s.cache.max_cache_size, 64u << 20);
    EXPECT_EQ(s.cache.max_ncache_ttl, 600u);
    EXPECT_EQ(s.cache.servfail_ttl, 5u);
    EXPECT_EQ(s.prefetch.trigger, 0u);
    EXPECT_EQ(s.qname_minimization, resolver::QnameMinimization::disabled);
    EXPECT_EQ(s.resolver_query_timeout_ms, 3000u);
    EXPECT_TRUE(s.stale.answer_enable);
}

TEST_F(ViewResolverTest, PercentagesOfMemoryAndTheDefault) {
    std::vector<std::string> errors;
    const auto ten = resolver_settings(settings_of("options { max-cache-size 10%; };"), errors);
    const auto unlimited = resolver_settings(settings_of("options { max-cache-size unlimited; };"), errors);
    const auto otherwise = resolver_settings(settings_of("options { };"), errors);
    EXPECT_GT(ten.cache.max_cache_size, 0u);
    EXPECT_EQ(unlimited.cache.max_cache_size, 0u);
    EXPECT_NEAR(
        static_cast<double>(otherwise.cache.max_cache_size) / static_cast<double>(ten.cache.max_cache_size),
        9.0, 0.01);
    EXPECT_TRUE(otherwise.root_hints.empty()) << "no hint zone: the built-in hints";
}

TEST_F(ViewResolverTest, AnUnreadableHintFileIsAnError) {
    std::vector<std::string> errors;
    resolver_settings(settings_of("zone \".\" { type hint; file \"/nonexistent/root.hints\"; };"), errors);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("/nonexistent/root.hints"), std::string::npos);
}

TEST_F(ViewResolverTest, AViewKeepsItsResolverWhileItsSettingsStay) {
    std::vector<std::string> errors;
    ViewResolvers resolvers;
    const auto settings = [&](const std::string& text) {
        return resolver_settings(settings_of(text), errors);
    };
    const auto first = resolvers.for_view("internal", settings("options { max-cache-ttl 300; };"));
    const auto same = resolvers.for_view("internal", settings("options { max-cache-ttl 300; };"));
    EXPECT_EQ(first, same) << "a reload with the same settings keeps the cache";
    const auto changed = resolvers.for_view("internal", settings("options { max-cache-ttl 600; };"));
    EXPECT_NE(first, changed);
    const auto other = resolvers.for_view("lab", settings("options { max-cache-ttl 600; };"));
    EXPECT_NE(changed, other) << "one cache per view";
    EXPECT_EQ(resolvers.all().size(), 2u);
    resolvers.keep_only({"lab"});
    EXPECT_EQ(resolvers.find("internal"), nullptr);
    EXPECT_EQ(resolvers.find("lab"), other);
}

}  // namespace
}  // namespace cairn::server
