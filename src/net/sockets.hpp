// Creating the server's sockets: non-blocking, close-on-exec, IPv6 sockets v6-only, destination address
// reporting on UDP so replies leave from the address a query came to.
#pragma once

#include "net/endpoint.hpp"
#include "net/fd.hpp"

namespace cairn::net {

enum class SocketKind { udp, tcp };

// Binds a socket of `kind` to `at`. With `reuse_port`, several sockets share the address and the kernel
// spreads traffic over them. Throws net::Error naming the address and the reason.
Fd bind_socket(SocketKind kind, const Endpoint& at, bool reuse_port);

// Fails with a clear "address in use" error when anything (another daemon, even one using SO_REUSEPORT
// like ours) holds `at`, and resolves port 0 to the port the kernel picks.
Endpoint claim_address(SocketKind kind, const Endpoint& at);

Endpoint local_endpoint(int fd);

}  // namespace cairn::net
