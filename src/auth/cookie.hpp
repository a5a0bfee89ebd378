// RFC 9018 interoperable server cookies: Version 1 | Reserved (3) | Timestamp (4) | Hash (8), where Hash
// is SipHash-2-4 over client cookie | version | reserved | timestamp | client address under a secret that
// anycast peers (BIND, Knot, cairn) can share.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace cairn::auth {

inline constexpr std::size_t kClientCookieSize = 8;
inline constexpr std::size_t kServerCookieSize = 16;

// Writes our 16-octet server cookie for this client at time `now`.
void make_server_cookie(const std::array<std::uint8_t, 16>& secret,
                        std::span<const std::uint8_t, 8> client_cookie,
                        std::span<const std::uint8_t> client_address, std::uint32_t now, std::uint8_t* out);

// The COOKIE option a response gives a client that sent `client_cookie` (RFC 7873 §5.2.2): that client
// cookie followed by our fresh server cookie. Writes kClientCookieSize + kServerCookieSize octets to `out`.
inline constexpr std::size_t kCookieOptionSize = kClientCookieSize + kServerCookieSize;
void make_cookie_option(const std::array<std::uint8_t, 16>& secret,
                        std::span<const std::uint8_t, 8> client_cookie,
                        std::span<const std::uint8_t> client_address, std::uint32_t now, std::uint8_t* out);

// Whether `server_cookie` is one we issued to this client within the last hour (and at most 5 minutes in
// the future, RFC 9018 §4.3).
bool server_cookie_valid(const std::array<std::uint8_t, 16>& secret,
                         std::span<const std::uint8_t, 8> client_cookie,
                         std::span<const std::uint8_t> server_cookie,
                         std::span<const std::uint8_t> client_address, std::uint32_t now);

}  // namespace cairn::auth
