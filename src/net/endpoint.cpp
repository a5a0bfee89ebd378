#include "net/endpoint.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace cairn::net {

Endpoint Endpoint::from_sockaddr(const sockaddr* addr) {
    Endpoint e;
    e.address = dns::IpAddress::from_sockaddr(addr);
    if (addr->sa_family == AF_INET) {
        e.port = ntohs(reinterpret_cast<const sockaddr_in*>(addr)->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        e.port = ntohs(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_port);
    }
    return e;
}

socklen_t Endpoint::to_sockaddr(sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (address.is_v4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&out);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        std::memcpy(&in->sin_addr, address.bytes.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, address.bytes.data(), 16);
    return sizeof(sockaddr_in6);
}

std::string Endpoint::to_string() const {
    return address.to_string() + "#" + std::to_string(port);
}

}  // namespace cairn::net
