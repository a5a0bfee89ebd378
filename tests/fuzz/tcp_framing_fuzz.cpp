// DNS over TCP framing (RFC 7766) as one connection sees it: the input is the client's byte stream, cut
// into writes at 0xFE 0xFE marks and delivered through a socket pair, with the client closing its side at
// the end when the first octet says so. The connection must answer every complete message in order (the
// handler echoes a query with QR set, answers 'S'+count with that many stream messages and drops 'D'), write
// only well-framed replies, and never busy-loop: each round of service() either makes progress or waits.
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_check.hpp"
#include "net/fd.hpp"
#include "net/limits.hpp"
#include "net/tcp_connection.hpp"

using namespace cairn::net;

namespace {

using cairn::fuzz::check;

class Countdown : public ResponseStream {
  public:
    explicit Countdown(std::size_t count) : left_(count) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (left_ == 0) return 0;
        --left_;
        std::memset(out.data(), 0, 12);
        out[2] = 0x80;
        out[11] = static_cast<std::uint8_t>(left_);
        return 12;
    }

  private:
    std::size_t left_;
};

class Echo : public PacketHandler {
  public:
    std::size_t handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                       const ClientInfo& client) override {
        ++handled;
        if (query.size() > 12 && query[12] == 'D') return 0;
        if (query.size() > 12 && query[12] == 'K') client.tcp_keepalive = true;
        std::memcpy(response.data(), query.data(), query.size());
        if (!query.empty()) response[0] ^= 0x80;
        return query.size();
    }
    std::unique_ptr<ResponseStream> open_stream(std::span<const std::uint8_t> query,
                                                const ClientInfo&) override {
        if (query.size() < 14 || query[12] != 'S') return nullptr;
        ++handled;
        return std::make_unique<Countdown>(query[13] % 40);
    }
    std::size_t handled = 0;
};

// The complete messages a stream of octets holds, in order.
std::size_t complete_messages(const std::vector<std::uint8_t>& stream) {
    std::size_t count = 0, at = 0;
    while (at + 2 <= stream.size()) {
        const std::size_t length = (std::size_t{stream[at]} << 8) | stream[at + 1];
        if (at + 2 + length > stream.size()) break;
        ++count;
        at += 2 + length;
    }
    return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 200 * 1024) return 0;
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) return 0;
    Fd client(pair[1]);
    static const TcpTimeouts timeouts;
    const auto now = TcpConnection::Clock::now();
    TcpConnection connection(Fd(pair[0]), Endpoint{}, Endpoint{}, 0, timeouts, now);
    Echo handler;
    static std::vector<std::uint8_t> scratch(kMaxTcpMessage);
    const bool close_after = (data[0] & 1) != 0;

    std::vector<std::uint8_t> sent, received;
    std::size_t at = 1;
    bool alive = true;
    for (int round = 0; round < 4096 && alive; ++round) {
        // The next write: up to the next 0xFE 0xFE mark.
        if (at < size) {
            std::size_t end = at;
            while (end < size && !(end + 1 < size && data[end] == 0xFE && data[end + 1] == 0xFE))
                ++end;
            const ssize_t put = ::send(client.get(), data + at, end - at, MSG_NOSIGNAL);
            if (put > 0) {
                sent.insert(sent.end(), data + at, data + at + put);
                at += static_cast<std::size_t>(put);
                if (at == end) at = std::min(size, end + 2);
            }
            if (at >= size && close_after) ::shutdown(client.get(), SHUT_WR);
        }
        alive = connection.service(EPOLLIN | EPOLLOUT, handler, scratch, now);
        static std::uint8_t buffer[65536];
        ssize_t got;
        while ((got = ::recv(client.get(), buffer, sizeof buffer, 0)) > 0)
            received.insert(received.end(), buffer, buffer + got);
        // Waiting for more from a client with nothing more to send (level-triggered epoll would not wake it).
        int unread = 0;
        ::ioctl(connection.fd(), FIONREAD, &unread);
        if (at >= size && unread == 0 && connection.wanted_events() == EPOLLIN && !close_after) break;
    }
    // Every reply is a whole message (the last one may be cut off only if the connection broke).
    std::size_t replies = 0, pos = 0;
    while (pos + 2 <= received.size()) {
        const std::size_t length = (std::size_t{received[pos]} << 8) | received[pos + 1];
        if (pos + 2 + length > received.size()) break;
        ++replies;
        pos += 2 + length;
    }
    check(pos == received.size(), "replies are whole messages");
    check(handler.handled <= complete_messages(sent), "only complete messages are handled");
    if (alive || close_after)
        check(handler.handled == complete_messages(sent), "every complete message is handled");
    return 0;
}
