// IP prefixes and socket addresses as named.conf writes them (the addresses themselves are dns::IpAddress).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dns/ip_address.hpp"

namespace cairn::config {

struct IpPrefix {
    dns::IpAddress address;
    std::uint8_t length = 0;

    // "192.0.2.0/24", "2001:db8::/32", a bare address (a host prefix), and BIND's short IPv4 forms with an
    // explicit length ("10/8", "172.16/12"). `error` says why when nullopt is returned: malformed, length
    // out of range, or bits set beyond the length (BIND's "address/prefix length mismatch").
    static std::optional<IpPrefix> parse(std::string_view text, std::string* error = nullptr);

    bool contains(const dns::IpAddress& candidate) const;
    std::string to_string() const;

    bool operator==(const IpPrefix&) const = default;
};

// An address with an optional port, as in primaries, also-notify and listen addresses.
struct SocketAddress {
    dns::IpAddress address;
    std::optional<std::uint16_t> port;

    std::string to_string() const;  // BIND's notation: 192.0.2.1#53 (the port only when given)
};

}  // namespace cairn::config
