#include "net/tcp_connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/limits.hpp"

namespace cairn::net {

namespace {

constexpr std::size_t kInitialInput = 4096;
// Replies queued beyond this stop the connection from reading further queries until the client reads.
constexpr std::size_t kOutputHighWater = 64 * 1024;
// Multi-message replies open at once on one connection (e.g. pipelined transfers).
constexpr std::size_t kMaxStreams = 2;
// Produce/write rounds per readiness event, so one busy connection cannot monopolise its worker.
constexpr int kRoundsPerEvent = 8;

std::size_t prefix_at(const std::vector<std::uint8_t>& buf, std::size_t at) {
    return (std::size_t{buf[at]} << 8) | buf[at + 1];
}

}  // namespace

TcpConnection::TcpConnection(Fd fd, const Endpoint& peer, const Endpoint& local, unsigned worker,
                             const TcpTimeouts& timeouts, Clock::time_point now, std::uint64_t id,
                             TcpReplyQueue* replies)
    : Pollable(Kind::connection),
      fd_(std::move(fd)),
      in_(kInitialInput),
      timeouts_(timeouts),
      last_activity_(now),
      deadline_(now + timeouts.initial) {
    client_.source = peer;
    client_.destination = local;
    client_.transport = Transport::tcp;
    client_.worker = worker;
    client_.reply_path.tcp_queue = replies;
    client_.reply_path.tcp_connection = id;
}

void TcpConnection::deliver_later_reply(std::span<const std::uint8_t> message, Clock::time_point now) {
    if (replies_owed_ > 0) --replies_owed_;
    if (!message.empty() && message.size() <= kMaxTcpMessage) append_message(message);
    progressed(now);
}

void TcpConnection::progressed(Clock::time_point now) {
    last_activity_ = now;
    deadline_ = now + (client_.tcp_keepalive ? timeouts_.keepalive : timeouts_.idle);
}

bool TcpConnection::has_complete_message() const {
    const std::size_t have = in_end_ - in_begin_;
    return have >= 2 && have >= 2 + prefix_at(in_, in_begin_);
}

void TcpConnection::compact_input() {
    if (in_begin_ == 0) return;
    std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
}

bool TcpConnection::read_available() {
    compact_input();
    while (!read_closed_) {
        if (in_end_ >= 2) {
            const std::size_t need = 2 + prefix_at(in_, 0);
            if (in_.size() < need) in_.resize(need);
        }
        if (in_end_ == in_.size()) return true;  // full of complete messages: read more once they are handled
        const ssize_t n = ::recv(fd_.get(), in_.data() + in_end_, in_.size() - in_end_, 0);
        if (n > 0) {
            in_end_ += static_cast<std::size_t>(n);
        } else if (n == 0) {
            read_closed_ = true;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return true;
        } else {
            return false;
        }
    }
    return true;
}

void TcpConnection::append_message(std::span<const std::uint8_t> message) {
    if (out_sent_ > 0 && out_sent_ == out_.size()) {
        out_.clear();
        out_sent_ = 0;
    }
    out_.push_back(static_cast<std::uint8_t>(message.size() >> 8));
    out_.push_back(static_cast<std::uint8_t>(message.size()));
    out_.insert(out_.end(), message.begin(), message.end());
}

bool TcpConnection::produce(PacketHandler& handler, std::span<std::uint8_t> scratch, Clock::time_point now) {
    bool produced = false;
    const auto reply_room = scratch.first(std::min(scratch.size(), kMaxTcpMessage));
    while (pending_output() < kOutputHighWater) {
        // Single-message queries first: they overtake a transfer in progress (RFC 7766 §6.2.1.1 lets
        // replies leave in any order).
        if (has_complete_message() && streams_.size() < kMaxStreams) {
            const std::size_t length = prefix_at(in_, in_begin_);
            const std::span<const std::uint8_t> query(in_.data() + in_begin_ + 2, length);
            if (auto stream = handler.open_stream(query, client_)) {
                streams_.push_back(std::move(stream));
            } else {
                const std::size_t size = handler.handle(query, reply_room, client_);
                if (size == kReplyLater) {
                    ++replies_owed_;
                } else if (size > 0 && size <= reply_room.size()) {
                    append_message(reply_room.first(size));
                }
            }
            in_begin_ += 2 + length;
            progressed(now);
            produced = true;
            continue;
        }
        if (!streams_.empty()) {
            const std::size_t size = streams_.front()->next(reply_room);
            if (size == 0 || size > reply_room.size()) {
                streams_.pop_front();
            } else {
                append_message(reply_room.first(size));
            }
            produced = true;
            continue;
        }
        break;
    }
    compact_input();
    return produced;
}

bool TcpConnection::flush(Clock::time_point now) {
    write_blocked_ = false;
    while (out_sent_ < out_.size()) {
        const ssize_t n = ::send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
        if (n > 0) {
            out_sent_ += static_cast<std::size_t>(n);
            progressed(now);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            write_blocked_ = true;
            break;
        } else {
            return false;
        }
    }
    if (out_sent_ == out_.size()) {
        out_.clear();
        out_sent_ = 0;
    } else if (out_sent_ > kOutputHighWater) {
        out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_sent_));
        out_sent_ = 0;
    }
    return true;
}

bool TcpConnection::service(std::uint32_t events, PacketHandler& handler, std::span<std::uint8_t> scratch,
                            Clock::time_point now) {
    if (events & EPOLLERR) return false;
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) && !read_available()) return false;
    for (int round = 0; round < kRoundsPerEvent; ++round) {
        const bool produced = produce(handler, scratch, now);
        if (!flush(now)) return false;
        if (!produced || write_blocked_) break;
    }
    // The client closed its side and everything it asked has been answered (a partial message left
    // behind can never complete).
    if (read_closed_ && pending_output() == 0 && streams_.empty() && !has_complete_message() &&
        replies_owed_ == 0)
        return false;
    return true;
}

std::uint32_t TcpConnection::wanted_events() const {
    std::uint32_t events = 0;
    const bool output_room = pending_output() < kOutputHighWater;
    const bool input_room = in_begin_ > 0 || in_end_ < in_.size() || in_end_ < 2;
    if (!read_closed_ && output_room && input_room) events |= EPOLLIN;
    const bool can_produce =
        output_room && ((has_complete_message() && streams_.size() < kMaxStreams) || !streams_.empty());
    if (pending_output() > 0 || can_produce) events |= EPOLLOUT;
    return events;
}

}  // namespace cairn::net
