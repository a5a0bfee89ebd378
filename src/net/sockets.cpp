#include "net/sockets.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "net/error.hpp"

namespace cairn::net {

std::string system_message(const std::string& what, int err) {
    return what + ": " + std::strerror(err);
}

namespace {

void set_option(int fd, int level, int name, int value, const char* what, const Endpoint& at) {
    if (setsockopt(fd, level, name, &value, sizeof value) != 0) {
        throw Error(system_message("cannot set " + std::string(what) + " on " + at.to_string(), errno));
    }
}

const char* kind_name(SocketKind kind) {
    return kind == SocketKind::udp ? "UDP" : "TCP";
}

Fd open_socket(SocketKind kind, const Endpoint& at, bool reuse_port) {
    const int type = (kind == SocketKind::udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    Fd fd(::socket(at.address.family, type, 0));
    if (!fd) {
        throw Error(system_message(
            std::string("cannot create ") + kind_name(kind) + " socket for " + at.to_string(), errno));
    }
    if (kind == SocketKind::tcp) set_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", at);
    if (reuse_port) set_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT", at);
    if (at.address.is_v6()) set_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", at);
    // Only a wildcard socket needs each query's destination address from the kernel (to reply from it and
    // to match views); a socket bound to one address knows it, and the control message costs per packet.
    if (kind == SocketKind::udp && at.address.is_unspecified()) {
        if (at.address.is_v6()) {
            set_option(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", at);
        } else {
            set_option(fd.get(), IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", at);
        }
    }
    sockaddr_storage addr;
    const socklen_t len = at.to_sockaddr(addr);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
        const int err = errno;
        std::string what = std::string("cannot bind ") + kind_name(kind) + " " + at.to_string();
        if (err == EADDRINUSE) what += " (address in use: is another server running on this port?)";
        throw Error(system_message(what, err));
    }
    return fd;
}

}  // namespace

Fd bind_socket(SocketKind kind, const Endpoint& at, bool reuse_port) {
    Fd fd = open_socket(kind, at, reuse_port);
    if (kind == SocketKind::tcp) {
        if (::listen(fd.get(), 256) != 0)
            throw Error(system_message("cannot listen on " + at.to_string(), errno));
    }
    return fd;
}

Endpoint claim_address(SocketKind kind, const Endpoint& at) {
    // A probe without SO_REUSEPORT cannot share the address with anyone, so binding it proves the address
    // is free; it is closed again before the real (shared) sockets bind.
    Fd probe = open_socket(kind, at, false);
    return local_endpoint(probe.get());
}

Endpoint local_endpoint(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw Error(system_message("getsockname", errno));
    }
    return Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&addr));
}

}  // namespace cairn::net
