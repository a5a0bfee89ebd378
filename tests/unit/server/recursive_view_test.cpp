// A view with recursion: the built-in zones answer localhost and the RFC 6303 reverse zones; a client that
// may neither recurse nor read the cache is refused with EDE 18; names of the view's zones stay the
// engine's.
#include <gtest/gtest.h>

#include "../auth/auth_test_util.hpp"
#include "config/config.hpp"
#include "dns/message.hpp"
#include "server/builtin_zones.hpp"
#include "server/query_handler.hpp"

namespace cairn::server {
namespace {

using auth::testing::make_query;

config::ResolvedRecursion recursion_of(const std::string& text) {
    return config::load_text("r.conf", text).config.resolve_recursion(nullptr);
}

std::vector<std::string> origins(const std::vector<std::shared_ptr<const zone::Zone>>& zones) {
    std::vector<std::string> out;
    for (const auto& zone : zones)
        out.push_back(zone->origin().to_text());
    return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(BuiltinZones, LocalhostAndBindsEmptyZones) {
    const auto zones = origins(builtin_zones(recursion_of("options { };"), {}));
    EXPECT_EQ(zones.size(), 1 + empty_zone_names().size());
    EXPECT_TRUE(contains(zones, "localhost."));
    for (const char* name : {"10.in-addr.arpa.", "31.172.in-addr.arpa.", "168.192.in-addr.arpa.",
                             "127.in-addr.arpa.", "2.0.192.in-addr.arpa.", "d.f.ip6.arpa.", "home.arpa."})
        EXPECT_TRUE(contains(zones, name)) << name;
    EXPECT_FALSE(contains(zones, "test.")) << "test. and example. are resolved like any other name";
    EXPECT_EQ(empty_zone_names().size(), 99u);
}

TEST(BuiltinZones, WhatTheConfigurationTurnsOff) {
    EXPECT_TRUE(builtin_zones(recursion_of("options { recursion no; };"), {}).empty());
    const auto no_empty = origins(builtin_zones(recursion_of("options { empty-zones-enable no; };"), {}));
    EXPECT_EQ(no_empty, std::vector<std::string>{"localhost."});
    const auto disabled =
        origins(builtin_zones(recursion_of("options { disable-empty-zone \"10.in-addr.arpa\"; };"), {}));
    EXPECT_FALSE(contains(disabled, "10.in-addr.arpa."));
    EXPECT_TRUE(contains(disabled, "168.192.in-addr.arpa."));

    BuiltinZoneExclusions exclusions;
    exclusions.served = {dns::Name::from_text("in-addr.arpa."), dns::Name::from_text("localhost.")};
    exclusions.stubs = {dns::Name::from_text("ip6.arpa.")};
    const auto excluded = origins(builtin_zones(recursion_of("options { };"), exclusions));
    EXPECT_FALSE(contains(excluded, "localhost."));
    EXPECT_FALSE(contains(excluded, "10.in-addr.arpa.")) << "never hides a zone served here";
    EXPECT_FALSE(contains(excluded, "d.f.ip6.arpa."));
    EXPECT_TRUE(contains(excluded, "home.arpa."));

    BuiltinZoneExclusions forward_only;
    forward_only.forward_only = {dns::Name()};
    EXPECT_TRUE(builtin_zones(recursion_of("options { };"), forward_only).empty());
}

class RecursiveViewTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto state = std::make_unique<ServingState>();
        ServedView view;
        auto zones = builtin_zones(recursion_of(R"(options { empty-server "ns.example."; };)"), {});
        zones.push_back(auth::testing::zone_from(
            "example.test.",
            {"@ 300 SOA ns1 hostmaster 1 3600 600 86400 300", "@ 300 NS ns1", "www 300 A 192.0.2.1"}));
        view.zones = zone::ZoneTable(std::move(zones));
        ViewRecursion recursion;
        recursion.recursion.clients = only("127.0.0.0/8");
        recursion.cache.clients = only("127.0.0.0/8");
        view.recursion = std::make_shared<const ViewRecursion>(recursion);
        state->views.push_back(std::move(view));
        published_.publish(std::move(state));
    }

    static AccessList only(const char* prefix) {
        config::AddressMatchList list;
        config::AmlElement element;
        element.kind = config::AmlElement::Kind::Prefix;
        element.prefix = *config::IpPrefix::parse(prefix);
        list.elements.push_back(element);
        return AccessList(config::CompiledAcl::compile(
            list, [](const std::string&) { return nullptr; }, config::HostNetworks{}));
    }

    dns::Message ask(const std::string& name, dns::RRType type, const char* source, bool rd = true) {
        net::ClientInfo client;
        client.source = {*dns::IpAddress::parse(source), 40000};
        client.destination = {*dns::IpAddress::parse("127.0.0.1"), 53};
        auth::testing::QueryOptions options;
        options.rd = rd;
        const auto query = make_query(name, type, options);
        std::vector<std::uint8_t> out(4096);
        published_.enter(0);
        const std::size_t size = handler_.handle(query, out, client);
        published_.leave(0);
        EXPECT_GT(size, 0u);
        out.resize(size);
        return dns::parse_message(out);
    }

    Published<ServingState> published_{1};
    QueryHandler handler_{published_, auth::Settings{}};
};

std::optional<dns::ExtendedError> ede_of(const dns::Message& m) {
    if (!m.edns) return std::nullopt;
    const auto* option = m.edns->find(dns::EdnsOptionCode::EDE);
    if (option == nullptr) return std::nullopt;
    return dns::parse_ede(option->data);
}

TEST_F(RecursiveViewTest, LocalhostIsTheLoopbackAtEveryName) {
    for (const char* name : {"localhost.", "app.localhost.", "a.b.localhost."}) {
        const dns::Message a = ask(name, dns::RRType::A, "127.0.0.1");
        ASSERT_EQ(a.answer.size(), 1u) << name;
        EXPECT_EQ(dns::rdata_to_text(a.answer[0].type, a.answer[0].rdata), "127.0.0.1");
        EXPECT_TRUE(a.header.aa);
        const dns::Message aaaa = ask(name, dns::RRType::AAAA, "127.0.0.1");
        ASSERT_EQ(aaaa.answer.size(), 1u);
        EXPECT_EQ(dns::rdata_to_text(aaaa.answer[0].type, aaaa.answer[0].rdata), "::1");
    }
}

TEST_F(RecursiveViewTest, EmptyZonesAnswerNxdomainWithTheirSoa) {
    // Even for a client that may not recurse: the zone is the server's own.
    const dns::Message m = ask("1.0.0.10.in-addr.arpa.", dns::RRType::PTR, "192.0.2.99");
    EXPECT_EQ(m.header.rcode, static_cast<std::uint8_t>(dns::Rcode::NXDOMAIN));
    EXPECT_TRUE(m.header.aa);
    ASSERT_EQ(m.authority.size(), 1u);
    EXPECT_EQ(dns::rdata_to_text(m.authority[0].type, m.authority[0].rdata),
              "ns.example. . 0 28800 7200 604800 86400");
    EXPECT_EQ(m.authority[0].ttl, 86400u);
}

TEST_F(RecursiveViewTest, ClientOutsideBothListsIsProhibited) {
    for (bool rd : {true, false}) {
        const dns::Message m = ask("www.elsewhere.test.", dns::RRType::A, "192.0.2.99", rd);
        EXPECT_EQ(m.header.rcode, static_cast<std::uint8_t>(dns::Rcode::REFUSED));
        EXPECT_FALSE(m.header.aa);
        EXPECT_FALSE(m.header.ra);
        const auto ede = ede_of(m);
        ASSERT_TRUE(ede);
        EXPECT_EQ(ede->info_code, static_cast<std::uint16_t>(dns::EdeCode::Prohibited));
        ASSERT_EQ(m.questions.size(), 1u);
    }
}

TEST_F(RecursiveViewTest, TheViewsOwnZonesStayTheEngines) {
    const dns::Message m = ask("www.example.test.", dns::RRType::A, "192.0.2.99");
    EXPECT_EQ(m.header.rcode, static_cast<std::uint8_t>(dns::Rcode::NOERROR));
    EXPECT_TRUE(m.header.aa);
    ASSERT_EQ(m.answer.size(), 1u);
}

}  // namespace
}  // namespace cairn::server
