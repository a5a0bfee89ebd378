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
    return address.to_sockaddr(port, out);
}

std::string Endpoint::to_string() const {
    return address.to_string() + "#" + std::to_string(port);
}

}  // namespace cairn::net
