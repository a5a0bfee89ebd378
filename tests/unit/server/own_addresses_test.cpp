// The addresses a primary leaves out of its NOTIFY targets: its listen addresses, a wildcard expanded.
#include "server/own_addresses.hpp"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

config::IpPrefix host_prefix(const char* text) {
    return *config::IpPrefix::parse(text);
}

TEST(OwnAddresses, ListenAddressesAndEveryHostAddressOfAWildcardFamily) {
    config::HostNetworks host;
    host.addresses = {host_prefix("127.0.0.1"), host_prefix("192.0.2.7"), host_prefix("::1"),
                      host_prefix("2001:db8::7")};
    const auto v4 = *dns::IpAddress::parse("127.0.0.1");
    const auto v6 = *dns::IpAddress::parse("2001:db8::5");
    EXPECT_EQ(own_addresses({{v4, 5300}, {v4, 5301}, {v6, 5300}}, host),
              (std::vector<std::string>{"127.0.0.1", "2001:db8::5"}));
    EXPECT_EQ(own_addresses({{dns::IpAddress::v4_any(), 53}}, host),
              (std::vector<std::string>{"127.0.0.1", "192.0.2.7"}));
    EXPECT_EQ(own_addresses({{dns::IpAddress::v6_any(), 53}}, host),
              (std::vector<std::string>{"::1", "2001:db8::7"}));
}

}  // namespace
}  // namespace cairn::server
