#include "config/address.hpp"

#include <cstring>

namespace cairn::config {

namespace {

// BIND's abbreviated IPv4 network: one to three octets ("10", "172.16"), the rest zero.
std::optional<dns::IpAddress> parse_short_v4(std::string_view text) {
    dns::IpAddress address;
    address.family = AF_INET;
    int octet = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (octet == 4) return std::nullopt;
        unsigned value = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            if (++digits > 3 || value > 255) return std::nullopt;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        address.bytes[octet++] = static_cast<std::uint8_t>(value);
        if (i < text.size()) {
            if (text[i] != '.' || i + 1 == text.size()) return std::nullopt;
            ++i;
        }
    }
    if (octet == 0) return std::nullopt;
    return address;
}

bool bits_clear_after(const dns::IpAddress& address, unsigned length) {
    const unsigned width = address.bit_width();
    for (unsigned bit = length; bit < width; ++bit) {
        if (address.bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
    }
    return true;
}

}  // namespace

std::optional<IpPrefix> IpPrefix::parse(std::string_view text, std::string* error) {
    auto failed = [&](std::string why) -> std::optional<IpPrefix> {
        if (error != nullptr) *error = std::move(why);
        return std::nullopt;
    };
    const auto slash = text.find('/');
    const std::string_view address_text = text.substr(0, slash);
    std::optional<dns::IpAddress> address = dns::IpAddress::parse(address_text);
    if (!address && slash != std::string_view::npos) address = parse_short_v4(address_text);
    if (!address) return failed("expected IP address or prefix");
    IpPrefix prefix;
    prefix.address = *address;
    const unsigned width = address->bit_width();
    if (slash == std::string_view::npos) {
        prefix.length = static_cast<std::uint8_t>(width);
        return prefix;
    }
    const std::string_view length_text = text.substr(slash + 1);
    if (length_text.empty() || length_text.size() > 3) return failed("expected prefix length");
    unsigned length = 0;
    for (char c : length_text) {
        if (c < '0' || c > '9') return failed("expected prefix length");
        length = length * 10 + static_cast<unsigned>(c - '0');
    }
    if (length > width) return failed("prefix length " + std::to_string(length) + " out of range");
    if (!bits_clear_after(*address, length)) return failed("address/prefix length mismatch");
    prefix.length = static_cast<std::uint8_t>(length);
    return prefix;
}

bool IpPrefix::contains(const dns::IpAddress& candidate) const {
    if (candidate.family != address.family) return false;
    const unsigned whole = length / 8;
    if (std::memcmp(candidate.bytes.data(), address.bytes.data(), whole) != 0) return false;
    const unsigned rest = length % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (candidate.bytes[whole] & mask) == (address.bytes[whole] & mask);
}

std::string IpPrefix::to_string() const {
    return address.to_string() + "/" + std::to_string(length);
}

std::string SocketAddress::to_string() const {
    std::string text = address.to_string();
    if (port) text += "#" + std::to_string(*port);
    return text;
}

}  // namespace cairn::config
