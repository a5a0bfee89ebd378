// One client's TCP connection (RFC 7766): length-prefixed messages, pipelined queries answered as they
// are handled, replies that span many messages pulled from a ResponseStream as the socket drains, and
// replies the handler gives later (kReplyLater) appended when they arrive, in whatever order (RFC 7766
// §6.2.1.1). It never blocks: input and output are bounded, and when output backs up the connection stops
// reading. Its deadline is BIND's: tcp-initial-timeout until the first complete query, then tcp-idle-timeout
// (or, once the client has sent edns-tcp-keepalive, tcp-keepalive-timeout) from the last complete query or
// reply progress; bytes of a query that never completes do not move it, so a client trickling octets is
// closed in time. A connection still owed replies never expires: the client is waiting for them.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <span>
#include <vector>

#include "net/endpoint.hpp"
#include "net/fd.hpp"
#include "net/handler.hpp"
#include "net/pollable.hpp"
#include "net/tcp_reply_queue.hpp"
#include "net/worker_shared.hpp"

namespace cairn::net {

class TcpConnection : public Pollable {
  public:
    using Clock = std::chrono::steady_clock;

    // `id`: the connection's number on its worker, which replies posted to `replies` name.
    TcpConnection(Fd fd, const Endpoint& peer, const Endpoint& local, unsigned worker,
                  const TcpTimeouts& timeouts, Clock::time_point now, std::uint64_t id = 0,
                  TcpReplyQueue* replies = nullptr);

    int fd() const { return fd_.get(); }
    std::uint64_t id() const { return client_.reply_path.tcp_connection; }

    // A reply the handler gave later: appended (an empty one only ends the wait for it). The caller then
    // calls service() with no events to write it out.
    void deliver_later_reply(std::span<const std::uint8_t> message, Clock::time_point now);

    // Does all the work it can without blocking for readiness `events`, using `scratch` (at least
    // kMaxTcpMessage octets) for replies. Returns false when the connection is finished or broken.
    bool service(std::uint32_t events, PacketHandler& handler, std::span<std::uint8_t> scratch,
                 Clock::time_point now);

    // The epoll events the connection waits for in its current state.
    std::uint32_t wanted_events() const;

    bool expired(Clock::time_point now) const { return replies_owed_ == 0 && now >= deadline_; }
    // When the connection last made progress (a complete query, or reply octets sent).
    Clock::time_point last_activity() const { return last_activity_; }
    // Work in hand: a query read but not answered (now or later), a reply queued or a transfer under way.
    bool busy() const {
        return replies_owed_ > 0 || pending_output() > 0 || !streams_.empty() || has_complete_message();
    }

    std::uint32_t registered_events = 0;
    bool retired = false;  // closed by its worker; freed once the worker's round of events is over
    std::list<std::unique_ptr<TcpConnection>>::iterator position;

  private:
    bool read_available();
    bool produce(PacketHandler& handler, std::span<std::uint8_t> scratch, Clock::time_point now);
    bool flush(Clock::time_point now);
    bool has_complete_message() const;
    std::size_t pending_output() const { return out_.size() - out_sent_; }
    void append_message(std::span<const std::uint8_t> message);
    void compact_input();
    void progressed(Clock::time_point now);

    Fd fd_;
    ClientInfo client_;
    std::vector<std::uint8_t> in_;  // grows to fit the largest message announced, at most 2 + 65535
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    std::vector<std::uint8_t> out_;
    std::size_t out_sent_ = 0;
    std::deque<std::unique_ptr<ResponseStream>> streams_;
    std::size_t replies_owed_ = 0;  // queries the handler will answer later
    bool read_closed_ = false;
    bool write_blocked_ = false;
    const TcpTimeouts& timeouts_;
    Clock::time_point last_activity_;
    Clock::time_point deadline_;
};

}  // namespace cairn::net
