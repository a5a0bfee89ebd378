// What a worker's epoll set holds: each registration points at one of these, tagged with its kind so the
// event loop can dispatch without a virtual call.
#pragma once

#include <cstdint>

namespace cairn::net {

struct Pollable {
    enum class Kind : std::uint8_t { udp, listener, connection, stop, replies };
    explicit Pollable(Kind k) : kind(k) {}
    Kind kind;
};

}  // namespace cairn::net
