// IP addresses and prefixes as named.conf writes them. The layout (family + 16 octets) matches
// net::Endpoint's address so the server converts between them with a copy.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::config {

struct IpAddress {
    sa_family_t family = AF_UNSPEC;        // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 octets

    // Dotted quad or RFC 4291 text (no scope id). nullopt otherwise.
    static std::optional<IpAddress> parse(std::string_view text);
    static IpAddress from_sockaddr(const sockaddr* address);  // AF_UNSPEC for other families

    bool is_v4() const { return family == AF_INET; }
    bool is_v6() const { return family == AF_INET6; }
    bool is_v4_mapped() const;   // ::ffff:a.b.c.d
    IpAddress unmapped() const;  // the IPv4 address of a v4-mapped one; itself otherwise
    unsigned bit_width() const { return is_v4() ? 32 : 128; }
    std::string to_string() const;

    bool operator==(const IpAddress&) const = default;
};

struct IpPrefix {
    IpAddress address;
    std::uint8_t length = 0;

    // "192.0.2.0/24", "2001:db8::/32", a bare address (a host prefix), and BIND's short IPv4 forms with an
    // explicit length ("10/8", "172.16/12"). `error` says why when nullopt is returned: malformed, length
    // out of range, or bits set beyond the length (BIND's "address/prefix length mismatch").
    static std::optional<IpPrefix> parse(std::string_view text, std::string* error = nullptr);

    bool contains(const IpAddress& candidate) const;
    std::string to_string() const;

    bool operator==(const IpPrefix&) const = default;
};

// An address with an optional port, as in primaries, also-notify and listen addresses.
struct SocketAddress {
    IpAddress address;
    std::optional<std::uint16_t> port;

    std::string to_string() const;  // BIND's notation: 192.0.2.1#53 (the port only when given)
};

}  // namespace cairn::config
