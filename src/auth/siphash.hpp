// SipHash-2-4 (Aumasson and Bernstein), the keyed hash RFC 9018 server cookies use. Our own small
// implementation because the query path must not allocate (OpenSSL's EVP_MAC contexts do); the unit test
// checks it against OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace cairn::auth {

// The 64-bit SipHash-2-4 of `data` under the 16-octet `key` (read little-endian, as the reference does).
std::uint64_t siphash24(const std::array<std::uint8_t, 16>& key, std::span<const std::uint8_t> data);

}  // namespace cairn::auth
