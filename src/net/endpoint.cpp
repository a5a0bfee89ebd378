#include "net/endpoint.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace cairn::net {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family = AF_INET;
    const std::uint32_t net_order = htonl(host_order);
    std::memcpy(a.bytes.data(), &net_order, 4);
    return a;
}

IpAddress IpAddress::v6_any() {
    IpAddress a;
    a.family = AF_INET6;
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    IpAddress a;
    if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
        a.family = AF_INET;
        return a;
    }
    if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
        a.family = AF_INET6;
        return a;
    }
    return std::nullopt;
}

bool IpAddress::is_unspecified() const {
    const std::size_t n = is_v4() ? 4 : 16;
    for (std::size_t i = 0; i < n; ++i) {
        if (bytes[i] != 0) return false;
    }
    return true;
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family != AF_INET && family != AF_INET6) return "<unspecified>";
    inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

Endpoint Endpoint::from_sockaddr(const sockaddr* addr) {
    Endpoint e;
    if (addr->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
        e.address.family = AF_INET;
        std::memcpy(e.address.bytes.data(), &in->sin_addr, 4);
        e.port = ntohs(in->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
        e.address.family = AF_INET6;
        std::memcpy(e.address.bytes.data(), &in6->sin6_addr, 16);
        e.port = ntohs(in6->sin6_port);
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
