// Blocking loopback clients with timeouts for the net layer's tests.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "net/endpoint.hpp"
#include "net/fd.hpp"

namespace cairn::net::test {

inline Fd connect_to(const Endpoint& at, int type) {
    Fd fd(::socket(at.address.family, type | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error("socket");
    sockaddr_storage addr;
    const socklen_t len = at.to_sockaddr(addr);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
        throw std::runtime_error("connect");
    return fd;
}

// Waits up to `timeout_ms` for the socket to become readable.
inline bool readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

// A query-shaped message: a 12-octet header with `id`, then `payload`.
inline std::vector<std::uint8_t> message(std::uint16_t id, std::vector<std::uint8_t> payload = {}) {
    std::vector<std::uint8_t> m = {
        static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    // Appended one by one: gcc 12 warns (array-bounds) about an inlined range insert into the header.
    for (const std::uint8_t octet : payload)
        m.push_back(octet);
    return m;
}

inline std::uint16_t id_of(const std::vector<std::uint8_t>& m) {
    return static_cast<std::uint16_t>((m.at(0) << 8) | m.at(1));
}

inline std::optional<std::vector<std::uint8_t>> udp_receive(int fd, int timeout_ms) {
    if (!readable(fd, timeout_ms)) return std::nullopt;
    std::vector<std::uint8_t> buf(65536);
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

inline void send_all(int fd, const std::vector<std::uint8_t>& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) throw std::runtime_error("send");
        done += static_cast<std::size_t>(n);
    }
}

inline std::vector<std::uint8_t> framed(const std::vector<std::uint8_t>& m) {
    std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(m.size() >> 8),
                                     static_cast<std::uint8_t>(m.size())};
    out.insert(out.end(), m.begin(), m.end());
    return out;
}

// Reads exactly n octets; nullopt on timeout or end of stream.
inline std::optional<std::vector<std::uint8_t>> read_exact(int fd, std::size_t n, int timeout_ms) {
    std::vector<std::uint8_t> out(n);
    std::size_t have = 0;
    while (have < n) {
        if (!readable(fd, timeout_ms)) return std::nullopt;
        const ssize_t got = ::recv(fd, out.data() + have, n - have, 0);
        if (got <= 0) return std::nullopt;
        have += static_cast<std::size_t>(got);
    }
    return out;
}

inline std::optional<std::vector<std::uint8_t>> tcp_receive(int fd, int timeout_ms) {
    auto prefix = read_exact(fd, 2, timeout_ms);
    if (!prefix) return std::nullopt;
    return read_exact(fd, (std::size_t{(*prefix)[0]} << 8) | (*prefix)[1], timeout_ms);
}

// True when the peer closed (or reset) the connection within the timeout.
inline bool closed_by_peer(int fd, int timeout_ms) {
    if (!readable(fd, timeout_ms)) return false;
    std::uint8_t byte;
    return ::recv(fd, &byte, 1, 0) <= 0;
}

}  // namespace cairn::net::test
