#include "dns/ip_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <string>
#include <vector>

namespace cairn::dns {
namespace {

using namespace std::string_literals;

TEST(IpAddress, ParsesBothFamilies) {
    const auto v4 = IpAddress::parse("192.0.2.1");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->is_v4());
    EXPECT_FALSE(v4->is_v6());
    EXPECT_EQ(v4->family, AF_INET);
    EXPECT_EQ(v4->bytes[0], 192);
    EXPECT_EQ(v4->bytes[3], 1);
    EXPECT_EQ(v4->bytes[4], 0);  // the unused octets stay zero, so == compares whole values
    EXPECT_EQ(v4->bit_width(), 32u);

    const auto v6 = IpAddress::parse("2001:db8::1");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->is_v6());
    EXPECT_FALSE(v6->is_v4());
    EXPECT_EQ(v6->bytes[0], 0x20);
    EXPECT_EQ(v6->bytes[1], 0x01);
    EXPECT_EQ(v6->bytes[15], 1);
    EXPECT_EQ(v6->bit_width(), 128u);
}

TEST(IpAddress, RejectsWhatIsNotAnAddress) {
    for (const std::string& text : {""s,
                                    "1.2.3"s,
                                    "1.2.3.4."s,
                                    ".1.2.3.4"s,
                                    "1.2.3.4.5"s,
                                    "256.0.0.1"s,
                                    "01.2.3.4"s,
                                    "1.2.3.04"s,
                                    "1234.1.1.1"s,
                                    "1..2.3"s,
                                    " 1.2.3.4"s,
                                    "1.2.3.4 "s,
                                    "0x1.2.3.4"s,
                                    "a.b.c.d"s,
                                    "example.com"s,
                                    "2001:db8::1%eth0"s,
                                    "2001:db8:::1"s,
                                    "1:2:3:4:5:6:7:8:9"s,
                                    "fe80::1/64"s,
                                    "::g"s,
                                    ":"s,
                                    "1.2.3.4/24"s,
                                    "10"s,
                                    "172.16"s,
                                    std::string(50, '1'),
                                    "1.2.3.4\0junk"s,
                                    "::1\0junk"s,
                                    "\0"s}) {
        EXPECT_FALSE(IpAddress::parse(text)) << text;
    }
}

TEST(IpAddress, FamilySpecificParsersAcceptOnlyTheirFamily) {
    EXPECT_TRUE(IpAddress::parse_v4("198.51.100.7"));
    EXPECT_FALSE(IpAddress::parse_v4("::1"));
    EXPECT_FALSE(IpAddress::parse_v4("::ffff:192.0.2.1"));
    EXPECT_TRUE(IpAddress::parse_v6("::1"));
    EXPECT_TRUE(IpAddress::parse_v6("::ffff:192.0.2.1"));
    EXPECT_FALSE(IpAddress::parse_v6("192.0.2.1"));
    EXPECT_EQ(IpAddress::parse_v6("::1")->family, AF_INET6);
    EXPECT_EQ(IpAddress::parse_v4("0.0.0.0")->family, AF_INET);
}

// The text forms are inet_pton's, whichever parser reads them: A rdata and named.conf accept the same set.
TEST(IpAddress, AgreesWithInetPton) {
    const char* samples[] = {"0.0.0.0",
                             "255.255.255.255",
                             "1.2.3.4",
                             "01.2.3.4",
                             "1.2.3.256",
                             "1.2.3",
                             "1.2.3.4.",
                             "1.2.3.4.5",
                             "1.2.3.-4",
                             "1.2.3.4a",
                             "100.200.250.255",
                             "1.02.3.4",
                             "0.0.0.00",
                             "",
                             "::",
                             "::1",
                             "1::",
                             "2001:db8::1",
                             "2001:DB8::A",
                             "2001:0db8:0000:0000:0000:0000:0000:0001",
                             "::ffff:1.2.3.4",
                             "::1.2.3.4",
                             "1:2:3:4:5:6:7:8",
                             "1:2:3:4:5:6:7::",
                             "1:2:3:4:5:6:1.2.3.4",
                             "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
                             "1:2:3:4:5:6:7:8:9",
                             "1::2::3",
                             "12345::",
                             "::ffff:01.2.3.4",
                             ":::",
                             "1:"};
    for (const char* text : samples) {
        std::uint8_t v4[4];
        std::uint8_t v6[16];
        const bool pton4 = inet_pton(AF_INET, text, v4) == 1;
        const bool pton6 = inet_pton(AF_INET6, text, v6) == 1;
        const auto parsed = IpAddress::parse(text);
        EXPECT_EQ(parsed.has_value(), pton4 || pton6) << text;
        EXPECT_EQ(IpAddress::parse_v4(text).has_value(), pton4) << text;
        EXPECT_EQ(IpAddress::parse_v6(text).has_value(), pton6) << text;
        if (pton4) {
            EXPECT_EQ(std::memcmp(parsed->bytes.data(), v4, 4), 0) << text;
        }
        if (pton6) {
            EXPECT_EQ(std::memcmp(parsed->bytes.data(), v6, 16), 0) << text;
        }
    }
}

TEST(IpAddress, TextFormsAreInetNtops) {
    EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
    EXPECT_EQ(IpAddress::parse("0.0.0.0")->to_string(), "0.0.0.0");
    EXPECT_EQ(IpAddress::parse("2001:0DB8:0:0::1")->to_string(), "2001:db8::1");
    EXPECT_EQ(IpAddress::parse("::")->to_string(), "::");
    EXPECT_EQ(IpAddress::parse("::FFFF:192.0.2.1")->to_string(), "::ffff:192.0.2.1");
    EXPECT_EQ(IpAddress::parse("::ffff:c000:201")->to_string(), "::ffff:192.0.2.1");
    EXPECT_EQ(IpAddress{}.to_string(), "?");

    std::string out = "a=";
    IpAddress::parse("2001:db8::5")->append_text(out);
    out += ',';
    IpAddress::parse("10.1.2.3")->append_text(out);
    EXPECT_EQ(out, "a=2001:db8::5,10.1.2.3");
}

TEST(IpAddress, HostOrderAndWildcardConstructors) {
    EXPECT_EQ(IpAddress::v4(0x7f000001), *IpAddress::parse("127.0.0.1"));
    EXPECT_EQ(IpAddress::v4(0xc0000201).to_string(), "192.0.2.1");
    EXPECT_EQ(IpAddress::v4_any(), *IpAddress::parse("0.0.0.0"));
    EXPECT_EQ(IpAddress::v6_any(), *IpAddress::parse("::"));
    EXPECT_TRUE(IpAddress::v4_any().is_v4());
    EXPECT_TRUE(IpAddress::v6_any().is_v6());
}

TEST(IpAddress, Unspecified) {
    EXPECT_TRUE(IpAddress::v4_any().is_unspecified());
    EXPECT_TRUE(IpAddress::v6_any().is_unspecified());
    EXPECT_FALSE(IpAddress::parse("0.0.0.1")->is_unspecified());
    EXPECT_FALSE(IpAddress::parse("::1")->is_unspecified());
    EXPECT_FALSE(IpAddress::parse("::ffff:0.0.0.0")->is_unspecified());
}

TEST(IpAddress, V4MappedAddressesUnmapToTheirIpv4Address) {
    const auto mapped = *IpAddress::parse("::ffff:192.0.2.1");
    EXPECT_TRUE(mapped.is_v4_mapped());
    EXPECT_EQ(mapped.unmapped(), *IpAddress::parse("192.0.2.1"));

    // IPv4-compatible, NAT64 and plain IPv4 addresses are not v4-mapped and unmap to themselves.
    for (const char* text : {"::192.0.2.1", "64:ff9b::192.0.2.1", "::fffe:192.0.2.1", "192.0.2.1", "::1"}) {
        const auto address = *IpAddress::parse(text);
        EXPECT_FALSE(address.is_v4_mapped()) << text;
        EXPECT_EQ(address.unmapped(), address) << text;
    }
    EXPECT_FALSE(IpAddress{}.is_v4_mapped());
}

TEST(IpAddress, OctetsAreTheOnesInUse) {
    const auto v4 = *IpAddress::parse("192.0.2.1");
    EXPECT_EQ(std::vector<std::uint8_t>(v4.octets().begin(), v4.octets().end()),
              (std::vector<std::uint8_t>{192, 0, 2, 1}));
    EXPECT_EQ(IpAddress::parse("::1")->octets().size(), 16u);
    EXPECT_EQ(IpAddress{}.octets().size(), 0u);

    const std::uint8_t wire[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35};
    EXPECT_EQ(IpAddress::from_octets(AF_INET6, wire), *IpAddress::parse("2001:db8::35"));
    EXPECT_EQ(IpAddress::from_octets(AF_INET, wire), *IpAddress::parse("32.1.13.184"));
    EXPECT_EQ(IpAddress::from_octets(AF_UNIX, wire), IpAddress{});
}

TEST(IpAddress, FromSockaddr) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(53);
    inet_pton(AF_INET, "198.51.100.9", &in.sin_addr);
    EXPECT_EQ(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&in)),
              *IpAddress::parse("198.51.100.9"));

    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "2001:db8::9", &in6.sin6_addr);
    EXPECT_EQ(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&in6)),
              *IpAddress::parse("2001:db8::9"));

    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    EXPECT_EQ(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&un)).family, AF_UNSPEC);
    EXPECT_EQ(IpAddress::from_sockaddr(nullptr).family, AF_UNSPEC);
}

// to_sockaddr and from_sockaddr/port_of are inverses, and the layout is the kernel's (checked by reading
// it back as sockaddr_in / sockaddr_in6).
TEST(IpAddress, ToSockaddrRoundTrips) {
    sockaddr_storage storage;
    const IpAddress v4 = *IpAddress::parse("198.51.100.9");
    ASSERT_EQ(v4.to_sockaddr(5353, storage), sizeof(sockaddr_in));
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
    EXPECT_EQ(in->sin_family, AF_INET);
    EXPECT_EQ(ntohs(in->sin_port), 5353);
    EXPECT_EQ(ntohl(in->sin_addr.s_addr), 0xC6336409u);
    EXPECT_EQ(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage)), v4);
    EXPECT_EQ(IpAddress::port_of(reinterpret_cast<const sockaddr*>(&storage)), 5353);

    const IpAddress v6 = *IpAddress::parse("2001:db8::9");
    ASSERT_EQ(v6.to_sockaddr(53, storage), sizeof(sockaddr_in6));
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    EXPECT_EQ(in6->sin6_family, AF_INET6);
    EXPECT_EQ(ntohs(in6->sin6_port), 53);
    EXPECT_EQ(in6->sin6_scope_id, 0u);
    EXPECT_EQ(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage)), v6);
    EXPECT_EQ(IpAddress::port_of(reinterpret_cast<const sockaddr*>(&storage)), 53);

    EXPECT_EQ(IpAddress{}.to_sockaddr(53, storage), 0u);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    EXPECT_EQ(IpAddress::port_of(reinterpret_cast<const sockaddr*>(&un)), 0);
    EXPECT_EQ(IpAddress::port_of(nullptr), 0);
}

TEST(IpAddress, EqualityComparesFamilyAndOctets) {
    EXPECT_EQ(*IpAddress::parse("2001:db8::1"), *IpAddress::parse("2001:DB8:0::1"));
    EXPECT_NE(*IpAddress::parse("192.0.2.1"), *IpAddress::parse("192.0.2.2"));
    EXPECT_NE(*IpAddress::parse("::ffff:192.0.2.1"), *IpAddress::parse("192.0.2.1"));
    EXPECT_NE(IpAddress::v4_any(), IpAddress::v6_any());
}

}  // namespace
}  // namespace cairn::dns
