// Non-blocking DNS exchanges on the Reactor, for the lifecycle's outgoing traffic: one query over UDP with
// a timeout per attempt (SOA queries, NOTIFY), and one framed TCP exchange that reads messages until the
// caller says it has all it needs (SOA over TCP, AXFR, IXFR), bounded by a connect timeout, an idle time
// between reads and a deadline for the whole exchange (BIND's max-transfer-idle-in / max-transfer-time-in).
//
// Both report exactly once through their callback, on the reactor thread, and never touch themselves after
// that: the owner may destroy an exchange inside its callback, and destroying it earlier abandons it (the
// socket closes, nothing is reported). An optional source address (transfer-source, notify-source) is
// bound before connecting.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/address.hpp"
#include "dns/ip_address.hpp"
#include "lifecycle/reactor.hpp"
#include "net/fd.hpp"
#include "xfr/inbound.hpp"

namespace cairn::lifecycle {

struct Failure {
    xfr::FailureKind kind = xfr::FailureKind::Network;
    std::string what;
};

struct Peer {
    dns::IpAddress address;
    std::uint16_t port = 53;
    std::optional<config::SocketAddress> source;  // bound before connecting; a `*` address binds any

    std::string to_text() const;  // "192.0.2.1#53"
};

class UdpExchange {
  public:
    struct Options {
        std::chrono::milliseconds timeout{2000};  // per attempt
        int attempts = 2;
    };
    // The first datagram from the peer whose ID matches the query's and has QR set, or a failure (no
    // answer after every attempt, the socket cannot be used).
    using Done = std::function<void(std::optional<std::vector<std::uint8_t>> answer, std::optional<Failure>)>;

    UdpExchange(Reactor& reactor, Peer peer, std::vector<std::uint8_t> query, Options options, Done done);
    ~UdpExchange();
    UdpExchange(const UdpExchange&) = delete;
    UdpExchange& operator=(const UdpExchange&) = delete;

  private:
    void send();
    void readable();
    void finish(std::optional<std::vector<std::uint8_t>> answer, std::optional<Failure> failure);

    Reactor& reactor_;
    Peer peer_;
    std::vector<std::uint8_t> query_;
    Options options_;
    Done done_;
    net::Fd fd_;
    int attempts_ = 0;
    Reactor::TimerId timer_ = 0;
};

class TcpExchange {
  public:
    struct Options {
        std::chrono::milliseconds connect_timeout{10000};
        std::chrono::milliseconds idle_timeout{10000};  // the longest wait for the next octets
        // Until the first octets arrive: a peer that accepts the connection and says nothing (a dead process
        // behind a live kernel, a swallowing firewall) is given up after this, not after the idle timeout
        // meant for a long transfer. Once it has begun to answer, the idle timeout applies (BIND's
        // max-transfer-idle-in covers a primary that stalls inside its first message too).
        std::chrono::milliseconds first_message_timeout{10000};
        std::chrono::milliseconds total_timeout{60000};  // the whole exchange
        std::size_t max_message = 65535;
        // A zone transfer: the two limits are named in BIND's words (`maximum transfer time exceeded`,
        // `maximum idle time exceeded`), for which log watchers written for BIND look.
        bool transfer = false;
    };
    // Each complete message: true when the exchange has all it wanted (the connection closes). May throw
    // xfr::TransferError, which ends the exchange with that failure.
    using OnMessage = std::function<bool(std::span<const std::uint8_t> message)>;
    // `closed`: the peer closed the connection between two messages before OnMessage returned true.
    enum class End { complete, closed, failed };
    using Done = std::function<void(End end, std::optional<Failure> failure)>;

    TcpExchange(Reactor& reactor, Peer peer, std::vector<std::uint8_t> query, Options options,
                OnMessage on_message, Done done);
    ~TcpExchange();
    TcpExchange(const TcpExchange&) = delete;
    TcpExchange& operator=(const TcpExchange&) = delete;

    std::size_t messages() const { return messages_; }
    std::size_t bytes() const { return bytes_; }

  private:
    void ready(std::uint32_t events);
    bool connected_check();
    bool write_some();
    bool read_some();
    void arm_idle();
    void finish(End end, std::optional<Failure> failure);
    void fail(const std::string& what, xfr::FailureKind kind = xfr::FailureKind::Network);

    Reactor& reactor_;
    Peer peer_;
    std::vector<std::uint8_t> out_;  // the framed query
    std::size_t sent_ = 0;
    Options options_;
    OnMessage on_message_;
    Done done_;
    net::Fd fd_;
    bool connecting_ = true;
    std::vector<std::uint8_t> in_;
    std::size_t messages_ = 0, bytes_ = 0;
    std::size_t bytes_received_ = 0;  // octets read, framing included
    Reactor::TimerId idle_timer_ = 0, total_timer_ = 0;
    bool finished_ = false;
};

// A socket of `type` (SOCK_DGRAM, SOCK_STREAM) for talking to `peer`, non-blocking, bound to the peer's
// source address when one is set, connecting (TCP: in progress). Throws Failure... as std::runtime_error.
net::Fd open_socket(const Peer& peer, int type);

}  // namespace cairn::lifecycle
