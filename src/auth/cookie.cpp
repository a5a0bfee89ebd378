#include "auth/cookie.hpp"

#include <cstring>

#include "auth/siphash.hpp"

namespace cairn::auth {
namespace {

std::uint64_t cookie_hash(const std::array<std::uint8_t, 16>& secret,
                          std::span<const std::uint8_t, 8> client_cookie,
                          const std::uint8_t* version_reserved_timestamp,
                          std::span<const std::uint8_t> address) {
    std::uint8_t input[8 + 8 + 16];
    std::memcpy(input, client_cookie.data(), 8);
    std::memcpy(input + 8, version_reserved_timestamp, 8);
    const std::size_t address_size = address.size() > 16 ? 16 : address.size();
    std::memcpy(input + 16, address.data(), address_size);
    return siphash24(secret, {input, 16 + address_size});
}

}  // namespace

void make_server_cookie(const std::array<std::uint8_t, 16>& secret,
                        std::span<const std::uint8_t, 8> client_cookie,
                        std::span<const std::uint8_t> client_address, std::uint32_t now, std::uint8_t* out) {
    out[0] = 1;  // version
    out[1] = out[2] = out[3] = 0;
    out[4] = static_cast<std::uint8_t>(now >> 24);
    out[5] = static_cast<std::uint8_t>(now >> 16);
    out[6] = static_cast<std::uint8_t>(now >> 8);
    out[7] = static_cast<std::uint8_t>(now);
    const std::uint64_t hash = cookie_hash(secret, client_cookie, out, client_address);
    // SipHash's output octets in the reference (little-endian) order, as BIND and Knot write them.
    for (int i = 0; i < 8; ++i)
        out[8 + i] = static_cast<std::uint8_t>(hash >> (8 * i));
}

void make_cookie_option(const std::array<std::uint8_t, 16>& secret,
                        std::span<const std::uint8_t, 8> client_cookie,
                        std::span<const std::uint8_t> client_address, std::uint32_t now, std::uint8_t* out) {
    std::memcpy(out, client_cookie.data(), kClientCookieSize);
    make_server_cookie(secret, client_cookie, client_address, now, out + kClientCookieSize);
}

bool server_cookie_valid(const std::array<std::uint8_t, 16>& secret,
                         std::span<const std::uint8_t, 8> client_cookie,
                         std::span<const std::uint8_t> server_cookie,
                         std::span<const std::uint8_t> client_address, std::uint32_t now) {
    if (server_cookie.size() != kServerCookieSize || server_cookie[0] != 1) return false;
    const std::uint32_t stamp = (std::uint32_t{server_cookie[4]} << 24) |
                                (std::uint32_t{server_cookie[5]} << 16) |
                                (std::uint32_t{server_cookie[6]} << 8) | server_cookie[7];
    // Serial-number arithmetic (RFC 1982) so that the check survives the 2106 wrap.
    const auto age = static_cast<std::int32_t>(now - stamp);
    if (age > 3600 || age < -300) return false;
    const std::uint64_t hash = cookie_hash(secret, client_cookie, server_cookie.data(), client_address);
    std::uint64_t got = 0;
    for (int i = 7; i >= 0; --i)
        got = (got << 8) | server_cookie[8 + i];
    return got == hash;
}

}  // namespace cairn::auth
