// The recursive resolver's clauses: parsed with BIND's syntax, inherited view -> options, completed with
// BIND 9.18's defaults (`named -C`) and brought within the limits named applies; named-checkconf's errors.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace cairn::config {
namespace {

Config parse(const std::string& text) {
    return load_text("r.conf", text).config;
}

std::string first_error(const std::string& text) {
    try {
        load_text("r.conf", text);
    } catch (const ConfigError& e) {
        return e.errors().at(0).to_string();
    }
    return "(accepted)";
}

std::vector<AmlElement::Kind> kinds(const AddressMatchList& list) {
    std::vector<AmlElement::Kind> out;
    for (const auto& element : list.elements)
        out.push_back(element.kind);
    return out;
}

TEST(Recursion, DefaultsAreBinds) {
    const Config config = parse("options { };");
    const ResolvedRecursion r = config.resolve_recursion(nullptr);
    EXPECT_TRUE(r.recursion);
    const std::vector<AmlElement::Kind> local = {AmlElement::Kind::Localnets, AmlElement::Kind::Localhost};
    EXPECT_EQ(kinds(r.allow_recursion), local);
    EXPECT_EQ(kinds(r.allow_query_cache), local);
    EXPECT_EQ(kinds(r.allow_recursion_on), std::vector{AmlElement::Kind::Any});
    EXPECT_TRUE(r.forwarders.empty());
    EXPECT_EQ(r.forward, ForwardMode::First);
    EXPECT_EQ(r.max_cache_size.kind, CacheSize::Kind::Default);
    EXPECT_EQ(r.max_cache_ttl, 604800u);
    EXPECT_EQ(r.min_cache_ttl, 0u);
    EXPECT_EQ(r.max_ncache_ttl, 10800u);
    EXPECT_EQ(r.min_ncache_ttl, 0u);
    EXPECT_EQ(r.servfail_ttl, 1u);
    EXPECT_EQ(r.prefetch_trigger, 2u);
    EXPECT_EQ(r.prefetch_eligible, 9u);
    EXPECT_EQ(r.resolver_query_timeout_ms, 10000u);
    EXPECT_EQ(r.qname_minimization, QnameMinimization::Relaxed);
    EXPECT_EQ(r.max_recursion_depth, 7u);
    EXPECT_EQ(r.max_recursion_queries, 50u);
    EXPECT_EQ(r.fetches_per_zone, FetchQuota{});
    EXPECT_EQ(r.recursive_clients, 1000u);
    EXPECT_FALSE(r.stale_answer_enable);
    EXPECT_FALSE(r.stale_cache_enable);
    EXPECT_EQ(r.stale_answer_ttl, 30u);
    EXPECT_EQ(r.max_stale_ttl, 86400u);
    EXPECT_EQ(r.stale_refresh_time, 30u);
    EXPECT_FALSE(r.stale_answer_client_timeout_ms);
    EXPECT_TRUE(r.empty_zones_enable);
    EXPECT_EQ(r.edns_udp_size, 1232);
    EXPECT_EQ(r.max_udp_size, 1232);
    EXPECT_TRUE(r.adjustments.empty());
}

TEST(Recursion, EveryClauseIsRead) {
    const Config config = parse(R"(
options {
    port 5300;
    allow-recursion { 10.0.0.0/8; };
    allow-recursion-on { 127.0.0.1; };
    allow-query-cache { 192.0.2.0/24; };
    allow-query-cache-on { 127.0.0.2; };
    forwarders port 5353 { 192.0.2.1; 2001:db8::1 port 53; };
    forward only;
    max-cache-size 50%;
    max-cache-ttl 1d;
    min-cache-ttl 60;
    max-ncache-ttl PT1H;
    min-ncache-ttl 30;
    servfail-ttl 5;
    prefetch 4 20;
    resolver-query-timeout 2500;
    qname-minimization strict;
    max-recursion-depth 4;
    max-recursion-queries 20;
    fetches-per-zone 40 fail;
    fetches-per-server 30;
    recursive-clients 200;
    stale-answer-enable yes;
    stale-cache-enable yes;
    stale-answer-ttl 10;
    max-stale-ttl 3600;
    stale-answer-client-timeout 1800;
    stale-refresh-time 0;
    empty-zones-enable no;
    disable-empty-zone "10.in-addr.arpa";
    disable-empty-zone "168.192.in-addr.arpa";
    empty-server "ns.example.";
    empty-contact "hostmaster.example.";
    edns-udp-size 1400;
    max-udp-size 1300;
};)");
    const ResolvedRecursion r = config.resolve_recursion(nullptr);
    EXPECT_EQ(r.allow_recursion.elements.at(0).prefix.length, 8);
    EXPECT_EQ(r.allow_recursion_on.elements.at(0).kind, AmlElement::Kind::Prefix);
    EXPECT_EQ(r.allow_query_cache.elements.at(0).prefix.length, 24);
    EXPECT_EQ(r.allow_query_cache_on.elements.at(0).prefix.address, *dns::IpAddress::parse("127.0.0.2"));
    ASSERT_EQ(r.forwarders.size(), 2u);
    EXPECT_EQ(r.forwarders[0].address, *dns::IpAddress::parse("192.0.2.1"));
    EXPECT_EQ(r.forwarders[0].port, 5353);  // the list's port
    EXPECT_EQ(r.forwarders[1].port, 53);    // its own
    EXPECT_EQ(r.forward, ForwardMode::Only);
    EXPECT_EQ(r.max_cache_size, (CacheSize{CacheSize::Kind::Percent, 50}));
    EXPECT_EQ(r.max_cache_ttl, 86400u);
    EXPECT_EQ(r.min_cache_ttl, 60u);
    EXPECT_EQ(r.max_ncache_ttl, 3600u);
    EXPECT_EQ(r.min_ncache_ttl, 30u);
    EXPECT_EQ(r.servfail_ttl, 5u);
    EXPECT_EQ(r.prefetch_trigger, 4u);
    EXPECT_EQ(r.prefetch_eligible, 20u);
    EXPECT_EQ(r.resolver_query_timeout_ms, 2500u);  // above 300: milliseconds
    EXPECT_EQ(r.qname_minimization, QnameMinimization::Strict);
    EXPECT_EQ(r.max_recursion_depth, 4u);
    EXPECT_EQ(r.max_recursion_queries, 20u);
    EXPECT_EQ(r.fetches_per_zone, (FetchQuota{40, true}));
    EXPECT_EQ(r.fetches_per_server, (FetchQuota{30, std::nullopt}));
    EXPECT_EQ(r.recursive_clients, 200u);
    EXPECT_TRUE(r.stale_answer_enable);
    EXPECT_TRUE(r.stale_cache_enable);
    EXPECT_EQ(r.stale_answer_ttl, 10u);
    EXPECT_EQ(r.max_stale_ttl, 3600u);
    EXPECT_EQ(r.stale_answer_client_timeout_ms, 1500u) << "capped at resolver-query-timeout less a second";
    EXPECT_EQ(r.stale_refresh_time, 0u);
    EXPECT_FALSE(r.empty_zones_enable);
    ASSERT_EQ(r.disable_empty_zone.size(), 2u);
    EXPECT_EQ(r.disable_empty_zone[1], dns::Name::from_text("168.192.in-addr.arpa."));
    EXPECT_EQ(r.empty_server, "ns.example.");
    EXPECT_EQ(r.empty_contact, "hostmaster.example.");
    EXPECT_EQ(r.edns_udp_size, 1400);
    EXPECT_EQ(r.max_udp_size, 1300);
    EXPECT_EQ(r.adjustments.size(), 1u);
}

TEST(Recursion, ViewsInheritFromOptionsAndOverride) {
    const Config config = parse(R"(
options { recursion no; max-cache-ttl 300; prefetch 3 12; forwarders { 192.0.2.1; }; };
view internal { match-clients { 10.0.0.0/8; }; recursion yes; allow-recursion { 10.0.0.0/8; }; prefetch 1; };
view external { match-clients { any; }; };)");
    const View& internal = config.views.at(0);
    const View& external = config.views.at(1);
    const ResolvedRecursion in = config.resolve_recursion(&internal);
    const ResolvedRecursion out = config.resolve_recursion(&external);
    EXPECT_TRUE(in.recursion);
    EXPECT_FALSE(out.recursion);
    EXPECT_EQ(in.max_cache_ttl, 300u);
    EXPECT_EQ(in.prefetch_trigger, 1u);
    EXPECT_EQ(in.prefetch_eligible, 9u) << "the view's prefetch names no eligibility: the default's";
    EXPECT_EQ(out.prefetch_eligible, 12u);
    EXPECT_EQ(in.forwarders.size(), 1u);
    // allow-query-cache follows allow-recursion; without recursion nobody reads the cache by default.
    EXPECT_EQ(in.allow_query_cache.elements.at(0).prefix.length, 8);
    EXPECT_EQ(kinds(out.allow_query_cache), std::vector{AmlElement::Kind::None});
}

TEST(Recursion, AccessListsFallBackOnEachOtherThenAllowQuery) {
    const auto recursion_of = [](const std::string& text) { return parse(text).resolve_recursion(nullptr); };
    const auto only_cache = recursion_of("options { allow-query-cache { 192.0.2.0/24; }; };");
    EXPECT_EQ(only_cache.allow_recursion.elements.at(0).prefix.length, 24);
    const auto only_query = recursion_of("options { allow-query { 198.51.100.0/24; }; };");
    EXPECT_EQ(only_query.allow_recursion.elements.at(0).prefix.length, 24);
    EXPECT_EQ(only_query.allow_query_cache.elements.at(0).prefix.length, 24);
}

TEST(Recursion, NamedsLimits) {
    const auto recursion_of = [](const std::string& text) { return parse(text).resolve_recursion(nullptr); };
    EXPECT_EQ(recursion_of("options { servfail-ttl 60; };").servfail_ttl, 30u);
    EXPECT_EQ(recursion_of("options { prefetch 20; };").prefetch_trigger, 10u);
    EXPECT_EQ(recursion_of("options { prefetch 5 6; };").prefetch_eligible, 11u);
    EXPECT_EQ(recursion_of("options { prefetch 0; };").prefetch_trigger, 0u);
    EXPECT_EQ(recursion_of("options { resolver-query-timeout 5; };").resolver_query_timeout_ms, 5000u);
    EXPECT_EQ(recursion_of("options { resolver-query-timeout 0; };").resolver_query_timeout_ms, 10000u);
    EXPECT_EQ(recursion_of("options { resolver-query-timeout 90000; };").resolver_query_timeout_ms, 30000u);
    EXPECT_EQ(recursion_of("options { stale-answer-ttl 0; };").stale_answer_ttl, 1u);
    EXPECT_FALSE(
        recursion_of("options { stale-answer-client-timeout off; };").stale_answer_client_timeout_ms);
    EXPECT_EQ(recursion_of("options { stale-answer-client-timeout 0; };").stale_answer_client_timeout_ms, 0u);
    EXPECT_EQ(recursion_of("options { max-cache-size unlimited; };").max_cache_size.kind,
              CacheSize::Kind::Unlimited);
    EXPECT_EQ(recursion_of("options { max-cache-size 64M; };").max_cache_size,
              (CacheSize{CacheSize::Kind::Bytes, 64u << 20}));
}

TEST(Recursion, NamedCheckconfsErrors) {
    EXPECT_EQ(first_error("options { min-cache-ttl 100; };"),
              "r.conf:1: min-cache-ttl '100' is out of range (0..90)");
    EXPECT_EQ(first_error("options { min-ncache-ttl 91; };"),
              "r.conf:1: min-ncache-ttl '91' is out of range (0..90)");
    EXPECT_EQ(first_error("options { max-ncache-ttl 8d; };"),
              "r.conf:1: max-ncache-ttl '691200' is out of range (0..604800)");
    EXPECT_EQ(first_error("options { forward only; };"), "r.conf:1: no matching 'forwarders' statement");
    EXPECT_EQ(first_error("options { max-cache-size 150%; };"),
              "r.conf:1: max-cache-size 150% is more than 100%");
    EXPECT_EQ(first_error("options { qname-minimization sometimes; };"),
              "r.conf:1: expected one of strict, relaxed, disabled, off near 'sometimes'");
    EXPECT_EQ(first_error("zone \"a.test\" { type hint; file \"h\"; forwarders { 192.0.2.1; }; };"),
              "r.conf:1: option 'forwarders' is not allowed in 'hint' zone 'a.test'");
    EXPECT_EQ(first_error("zone \"a.test\" { type primary; file \"f\"; server-addresses { 192.0.2.1; }; };"),
              "r.conf:1: option 'server-addresses' is not allowed in 'primary' zone 'a.test'");
    EXPECT_EQ(first_error("zone \"a.test\" { type forward; file \"f\"; };"),
              "r.conf:1: option 'file' is not allowed in 'forward' zone 'a.test'");
    EXPECT_EQ(first_error("view v { recursive-clients 10; };"),
              "r.conf:1: unknown option 'recursive-clients'");
}

TEST(Recursion, ForwardAndStaticStubZones) {
    const Config config = parse(R"(
zone "." { type hint; file "root.hints"; };
zone "corp.test" { type forward; forward only; forwarders { 192.0.2.53 port 5353; }; };
zone "lab.test" { type static-stub; server-addresses { 192.0.2.1; 2001:db8::1; }; };)");
    ASSERT_EQ(config.zones.size(), 3u);
    EXPECT_EQ(config.zones[0].type, ZoneType::Hint);
    const Zone& forward = config.zones[1];
    EXPECT_EQ(forward.forward, ForwardMode::Only);
    ASSERT_TRUE(forward.forwarders);
    EXPECT_EQ(forward.forwarders->addresses.at(0).port, 5353);
    EXPECT_EQ(config.zones[2].server_addresses.size(), 2u);
}

}  // namespace
}  // namespace cairn::config
