// Transport endpoints as the net layer hands them to handlers: a small value type that is cheap to copy per
// packet, convertible to and from the socket API's sockaddr.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "dns/ip_address.hpp"

namespace cairn::net {

struct Endpoint {
    dns::IpAddress address;
    std::uint16_t port = 0;

    static Endpoint from_sockaddr(const sockaddr* addr);
    // Fills `out` and returns the length to pass to bind/connect/sendmsg.
    socklen_t to_sockaddr(sockaddr_storage& out) const;
    // BIND's notation: 192.0.2.1#53, 2001:db8::1#53.
    std::string to_string() const;

    bool operator==(const Endpoint&) const = default;
};

}  // namespace cairn::net
