// IP addresses and transport endpoints as the net layer hands them to handlers: small value types that
// are cheap to copy per packet, convertible to and from the socket API's sockaddr.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::net {

struct IpAddress {
    sa_family_t family = AF_UNSPEC;        // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 octets

    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v4_any() { return v4(INADDR_ANY); }
    static IpAddress v6_any();
    // Dotted quad or RFC 4291 text; nullopt when it is neither.
    static std::optional<IpAddress> parse(std::string_view text);

    bool is_v4() const { return family == AF_INET; }
    bool is_v6() const { return family == AF_INET6; }
    bool is_unspecified() const;  // 0.0.0.0 or ::
    std::string to_string() const;

    bool operator==(const IpAddress&) const = default;
};

struct Endpoint {
    IpAddress address;
    std::uint16_t port = 0;

    static Endpoint from_sockaddr(const sockaddr* addr);
    // Fills `out` and returns the length to pass to bind/connect/sendmsg.
    socklen_t to_sockaddr(sockaddr_storage& out) const;
    // BIND's notation: 192.0.2.1#53, 2001:db8::1#53.
    std::string to_string() const;

    bool operator==(const Endpoint&) const = default;
};

}  // namespace cairn::net
