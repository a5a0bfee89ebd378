// IPv4 and IPv6 addresses: the one type that the rdata codec (A, AAAA, APL, SVCB hints...), named.conf
// (addresses, prefixes, ACLs) and the socket layer (endpoints) all use. A small value type, cheap to copy
// per packet; its text forms are the ones inet_pton/inet_ntop read and write.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cairn::dns {

struct IpAddress {
    sa_family_t family = AF_UNSPEC;        // AF_INET or AF_INET6
    std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4 octets

    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v4_any();  // 0.0.0.0
    static IpAddress v6_any();  // ::
    // The first 4 (AF_INET) or 16 (AF_INET6) octets at `octets`, as A/AAAA rdata holds them.
    static IpAddress from_octets(sa_family_t family, const std::uint8_t* octets);
    static IpAddress from_sockaddr(const sockaddr* address);  // AF_UNSPEC for null and other families
    // The port of an AF_INET or AF_INET6 socket address (host order); 0 for others.
    static std::uint16_t port_of(const sockaddr* address);

    // Dotted quad (exactly four decimal parts, no leading zeros) or RFC 4291 text (no scope id); nullopt
    // otherwise, and for text with a NUL in it.
    static std::optional<IpAddress> parse(std::string_view text);
    static std::optional<IpAddress> parse_v4(std::string_view text);  // dotted quad only
    static std::optional<IpAddress> parse_v6(std::string_view text);  // RFC 4291 text only

    bool is_v4() const { return family == AF_INET; }
    bool is_v6() const { return family == AF_INET6; }
    bool is_unspecified() const;  // 0.0.0.0 or ::
    bool is_v4_mapped() const;    // ::ffff:a.b.c.d
    IpAddress unmapped() const;   // the IPv4 address of a v4-mapped one; itself otherwise
    unsigned bit_width() const { return is_v4() ? 32 : 128; }
    // The 4 or 16 octets in use (none for AF_UNSPEC).
    std::span<const std::uint8_t> octets() const;

    // Fills `out` with this address and `port` (host order); returns the length for bind/connect/sendmsg,
    // 0 for AF_UNSPEC.
    socklen_t to_sockaddr(std::uint16_t port, sockaddr_storage& out) const;

    // inet_ntop's text ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"); "?" for AF_UNSPEC.
    std::string to_string() const;
    void append_text(std::string& out) const;

    bool operator==(const IpAddress&) const = default;
};

}  // namespace cairn::dns
