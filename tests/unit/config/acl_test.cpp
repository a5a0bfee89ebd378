// Address match list semantics, case by case against what BIND 9 decides.
#include "config/acl.hpp"

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace cairn::config {
namespace {

struct AclCase {
    const char* acls;    // acl statements (may be empty)
    const char* list;    // the list under test, braces included
    const char* client;  // client address
    const char* key;     // TSIG key that signed the request, "" for none
    bool allowed;
};

// This host, as far as localhost / localnets are concerned in these tests.
HostNetworks test_host() {
    HostNetworks host;
    host.addresses = {*IpPrefix::parse("127.0.0.1"), *IpPrefix::parse("::1"), *IpPrefix::parse("192.0.2.7")};
    host.networks = {*IpPrefix::parse("127.0.0.0/8"), *IpPrefix::parse("::1/128"),
                     *IpPrefix::parse("192.0.2.0/24")};
    return host;
}

bool decide(const AclCase& c) {
    const std::string text = std::string(c.acls) + "\noptions { allow-query " + c.list + "; };\n";
    const LoadResult result = load_text("acl-case.conf", text);
    const CompiledAcl acl = result.config.compile(*result.config.options.settings.allow_query, test_host());
    ClientFacts client;
    client.address = *dns::IpAddress::parse(c.client);
    dns::Name key_name;
    if (*c.key != '\0') {
        key_name = dns::Name::from_text(c.key, dns::Name());
        client.key = &key_name;
    }
    return acl.allows(client);
}

const AclCase kCases[] = {
    // plain addresses and prefixes, both families
    {"", "{ 192.0.2.1; }", "192.0.2.1", "", true},
    {"", "{ 192.0.2.1; }", "192.0.2.2", "", false},
    {"", "{ 10.0.0.0/8; }", "10.255.0.1", "", true},
    {"", "{ 10/8; }", "10.1.2.3", "", true},
    {"", "{ 172.16/12; }", "172.31.255.255", "", true},
    {"", "{ 172.16/12; }", "172.32.0.0", "", false},
    {"", "{ 2001:db8::/32; }", "2001:db8:1::5", "", true},
    {"", "{ 2001:db8::/32; }", "2001:db9::5", "", false},
    {"", "{ 0.0.0.0/0; }", "2001:db8::1", "", false},  // an IPv4 prefix never matches IPv6
    {"", "{ ::/0; }", "192.0.2.1", "", false},
    // v4-mapped clients are IPv6 addresses unless match-mapped-addresses is set
    {"", "{ 192.0.2.1; }", "::ffff:192.0.2.1", "", false},
    {"", "{ ::ffff:192.0.2.0/120; }", "::ffff:192.0.2.9", "", true},
    // any, none, no match
    {"", "{ any; }", "198.51.100.1", "", true},
    {"", "{ any; }", "2001:db8::1", "", true},
    {"", "{ none; }", "198.51.100.1", "", false},
    {"", "{ !none; }", "198.51.100.1", "", true},
    {"", "{ }", "198.51.100.1", "", false},
    // first match wins
    {"", "{ !192.0.2.1; 192.0.2.0/24; }", "192.0.2.1", "", false},
    {"", "{ !192.0.2.1; 192.0.2.0/24; }", "192.0.2.2", "", true},
    {"", "{ 192.0.2.0/24; !192.0.2.1; }", "192.0.2.1", "", true},
    {"", "{ !127.0.0.1; }", "127.0.0.2", "", false},  // a negation alone allows nobody
    {"", "{ !127.0.0.1; any; }", "127.0.0.2", "", true},
    // localhost and localnets come from the host's interfaces
    {"", "{ localhost; }", "192.0.2.7", "", true},
    {"", "{ localhost; }", "192.0.2.8", "", false},
    {"", "{ localhost; }", "::1", "", true},
    {"", "{ localnets; }", "192.0.2.8", "", true},
    {"", "{ localnets; }", "198.51.100.1", "", false},
    {"", "{ !localhost; any; }", "127.0.0.1", "", false},
    {"", "{ !localhost; any; }", "198.51.100.1", "", true},
    // keys
    {"", "{ key \"group19.tsig.\"; }", "192.0.2.50", "group19.tsig.", true},
    {"", "{ key group19.tsig; }", "192.0.2.50", "GROUP19.tsig.", true},
    {"", "{ key \"group19.tsig.\"; }", "192.0.2.50", "", false},
    {"", "{ key \"group19.tsig.\"; }", "192.0.2.50", "other.", false},
    {"", "{ localhost; key \"k.\"; }", "127.0.0.1", "", true},
    {"", "{ !key \"k.\"; any; }", "192.0.2.50", "k.", false},
    {"", "{ !key \"k.\"; any; }", "192.0.2.50", "", true},
    // nested lists without negations are inlined, taking the element's negation
    {"", "{ { 192.0.2.1; 192.0.2.2; }; }", "192.0.2.2", "", true},
    {"", "{ !{ 192.0.2.1; 192.0.2.2; }; any; }", "192.0.2.2", "", false},
    {"", "{ !{ 192.0.2.1; 192.0.2.2; }; any; }", "192.0.2.3", "", true},
    // nested lists with negations: an inner deny is "no match", never an allow through double negation
    {"", "{ !{ !192.0.2.1; 192.0.2.0/24; }; any; }", "192.0.2.1", "", true},
    {"", "{ !{ !192.0.2.1; 192.0.2.0/24; }; any; }", "192.0.2.2", "", false},
    {"", "{ { !192.0.2.1; 192.0.2.0/24; }; }", "192.0.2.1", "", false},
    {"", "{ { !192.0.2.1; 192.0.2.0/24; }; 192.0.2.1; }", "192.0.2.1", "", true},
    {"", "{ { !192.0.2.1; any; }; }", "192.0.2.9", "", true},
    // named ACLs, nested named ACLs
    {"acl inside { 10.0.0.0/8; };", "{ inside; }", "10.1.1.1", "", true},
    {"acl inside { 10.0.0.0/8; };", "{ !inside; any; }", "10.1.1.1", "", false},
    {"acl inside { 10.0.0.0/8; };", "{ !inside; any; }", "11.1.1.1", "", true},
    {"acl a { 10.0.0.0/8; }; acl b { a; 192.0.2.0/24; };", "{ b; }", "10.9.9.9", "", true},
    {"acl a { 10.0.0.0/8; }; acl b { a; 192.0.2.0/24; };", "{ b; }", "192.0.2.9", "", true},
    {"acl a { 10.0.0.0/8; }; acl b { a; 192.0.2.0/24; };", "{ b; }", "198.51.100.1", "", false},
    {"acl x { !10.0.0.1; 10.0.0.0/8; };", "{ !x; any; }", "10.0.0.1", "", true},
    {"acl x { !10.0.0.1; 10.0.0.0/8; };", "{ !x; any; }", "10.0.0.2", "", false},
    {"acl \"quoted name\" { 192.0.2.1; };", "{ \"quoted name\"; }", "192.0.2.1", "", true},
    {"", "{ \"any\"; }", "192.0.2.1", "", true},
};

TEST(AddressMatchList, DecisionTable) {
    for (const AclCase& c : kCases) {
        EXPECT_EQ(decide(c), c.allowed)
            << c.acls << " " << c.list << " client " << c.client << " key '" << c.key << "'";
    }
}

TEST(AddressMatchList, MatchMappedAddressesOption) {
    const LoadResult result =
        load_text("mapped.conf", "options { match-mapped-addresses yes; allow-query { 192.0.2.1; }; };");
    const CompiledAcl acl =
        result.config.compile(*result.config.options.settings.allow_query, HostNetworks{});
    ClientFacts client;
    client.address = *dns::IpAddress::parse("::ffff:192.0.2.1");
    EXPECT_TRUE(acl.allows(client));
}

TEST(AddressMatchList, DestinationMatching) {
    const LoadResult result = load_text("dest.conf", "view v { match-destinations { 127.0.0.2; }; };");
    const CompiledAcl acl = result.config.compile(*result.config.views[0].match_destinations, HostNetworks{});
    ClientFacts client;
    client.address = *dns::IpAddress::parse("192.0.2.1");
    client.destination = *dns::IpAddress::parse("127.0.0.2");
    EXPECT_TRUE(acl.allows_destination(client));
    EXPECT_FALSE(acl.allows(client));
}

TEST(AddressMatchList, LoopBetweenNamedAclsIsAnError) {
    try {
        load_text("loop.conf", "acl a { b; };\nacl b { a; };\noptions { allow-query { a; }; };\n");
        FAIL() << "loop accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("acl loop detected"), std::string::npos) << e.what();
    }
}

TEST(AddressMatchList, UndefinedAclIsAnError) {
    try {
        load_text("undefined.conf", "options {\n allow-query { nosuch; };\n};\n");
        FAIL() << "undefined acl accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.errors().at(0).to_string(), "undefined.conf:2: undefined ACL 'nosuch'");
    }
}

TEST(AddressMatchList, DefaultConstructedDeniesEverything) {
    const CompiledAcl acl;
    ClientFacts client;
    client.address = *dns::IpAddress::parse("127.0.0.1");
    EXPECT_FALSE(acl.allows(client));
    EXPECT_TRUE(acl.matches_nothing());
}

TEST(AddressMatchList, HostScanFindsLoopback) {
    const HostNetworks host = HostNetworks::scan();
    const dns::IpAddress loopback = *dns::IpAddress::parse("127.0.0.1");
    bool found = false;
    for (const IpPrefix& prefix : host.addresses)
        found = found || prefix.contains(loopback);
    EXPECT_TRUE(found);
}

}  // namespace
}  // namespace cairn::config
