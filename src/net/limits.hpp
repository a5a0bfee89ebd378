// Sizes the net layer is built around.
#pragma once

#include <cstddef>

namespace cairn::net {

// Largest UDP reply a handler may write; BIND's max-udp-size tops out here too.
inline constexpr std::size_t kMaxUdpResponse = 4096;
// Larger UDP queries arrive truncated and are dropped.
inline constexpr std::size_t kMaxUdpQuery = 4096;
// Queries read (recvmmsg) and replies sent (sendmmsg) per system call.
inline constexpr std::size_t kUdpBatch = 64;
// Largest DNS message, the TCP length prefix being 16 bits.
inline constexpr std::size_t kMaxTcpMessage = 65535;

}  // namespace cairn::net
