#include "dns/ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace cairn::dns {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress address;
    address.family = AF_INET;
    const std::uint32_t net_order = htonl(host_order);
    std::memcpy(address.bytes.data(), &net_order, 4);
    return address;
}

IpAddress IpAddress::v4_any() {
    return v4(INADDR_ANY);
}

IpAddress IpAddress::v6_any() {
    IpAddress address;
    address.family = AF_INET6;
    return address;
}

IpAddress IpAddress::from_octets(sa_family_t family, const std::uint8_t* octets) {
    IpAddress address;
    if (family != AF_INET && family != AF_INET6) return address;
    address.family = family;
    std::memcpy(address.bytes.data(), octets, family == AF_INET ? 4 : 16);
    return address;
}

IpAddress IpAddress::from_sockaddr(const sockaddr* sa) {
    if (sa == nullptr) return {};
    if (sa->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        return from_octets(AF_INET, reinterpret_cast<const std::uint8_t*>(&in->sin_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        return from_octets(AF_INET6, reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr));
    }
    return {};
}

std::uint16_t IpAddress::port_of(const sockaddr* sa) {
    if (sa == nullptr) return 0;
    if (sa->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
    if (sa->sa_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
    return 0;
}

socklen_t IpAddress::to_sockaddr(std::uint16_t port, sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (is_v4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&out);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        std::memcpy(&in->sin_addr, bytes.data(), 4);
        return sizeof(sockaddr_in);
    }
    if (is_v6()) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        std::memcpy(&in6->sin6_addr, bytes.data(), 16);
        return sizeof(sockaddr_in6);
    }
    return 0;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // Every IPv6 text form has a colon and no IPv4 one does.
    return text.find(':') == std::string_view::npos ? parse_v4(text) : parse_v6(text);
}

// The grammar of inet_pton(AF_INET), read straight from the view: four decimal parts of at most three
// digits, each 0-255 and without a leading zero.
std::optional<IpAddress> IpAddress::parse_v4(std::string_view text) {
    IpAddress address;
    address.family = AF_INET;
    int parts = 0;
    std::size_t i = 0;
    while (parts < 4) {
        const std::size_t start = i;
        unsigned value = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
        }
        const std::size_t digits = i - start;
        if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
        address.bytes[parts++] = static_cast<std::uint8_t>(value);
        if (parts < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return address;
}

std::optional<IpAddress> IpAddress::parse_v6(std::string_view text) {
    // No valid form is INET6_ADDRSTRLEN long; a NUL would cut the text inet_pton sees short.
    if (text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos) return std::nullopt;
    char buffer[INET6_ADDRSTRLEN] = {};
    std::memcpy(buffer, text.data(), text.size());
    IpAddress address;
    address.family = AF_INET6;
    if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) return std::nullopt;
    return address;
}

bool IpAddress::is_unspecified() const {
    const std::size_t size = is_v4() ? 4 : 16;
    for (std::size_t i = 0; i < size; ++i) {
        if (bytes[i] != 0) return false;
    }
    return true;
}

bool IpAddress::is_v4_mapped() const {
    if (!is_v6()) return false;
    for (int i = 0; i < 10; ++i) {
        if (bytes[i] != 0) return false;
    }
    return bytes[10] == 0xff && bytes[11] == 0xff;
}

IpAddress IpAddress::unmapped() const {
    if (!is_v4_mapped()) return *this;
    return from_octets(AF_INET, bytes.data() + 12);
}

std::span<const std::uint8_t> IpAddress::octets() const {
    const std::size_t size = is_v4() ? 4 : is_v6() ? 16 : 0;
    return {bytes.data(), size};
}

std::string IpAddress::to_string() const {
    std::string text;
    append_text(text);
    return text;
}

void IpAddress::append_text(std::string& out) const {
    if (family != AF_INET && family != AF_INET6) {
        out += '?';
        return;
    }
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buffer, sizeof buffer);
    out += buffer;
}

}  // namespace cairn::dns
