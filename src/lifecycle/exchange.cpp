#include "lifecycle/exchange.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "dns/message.hpp"

namespace cairn::lifecycle {

namespace {

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

bool is_answer_to(std::span<const std::uint8_t> wire, std::span<const std::uint8_t> query) {
    return wire.size() >= dns::kHeaderSize && query.size() >= 2 && wire[0] == query[0] &&
           wire[1] == query[1] && (wire[2] & 0x80) != 0;
}

}  // namespace

std::string Peer::to_text() const {
    return address.to_string() + "#" + std::to_string(port);
}

net::Fd open_socket(const Peer& peer, int type) {
    sockaddr_storage remote{};
    const socklen_t remote_size = peer.address.to_sockaddr(peer.port, remote);
    if (remote_size == 0) throw xfr::TransferError(xfr::FailureKind::Network, "not an IP address");
    net::Fd fd(::socket(remote.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd)
        throw xfr::TransferError(xfr::FailureKind::Network, peer.to_text() + ": " + errno_text("socket"));
    if (peer.source && peer.source->address.family == remote.ss_family) {
        sockaddr_storage local{};
        const socklen_t local_size = peer.source->address.to_sockaddr(peer.source->port.value_or(0), local);
        if (peer.source->port) {
            const int on = 1;
            ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        }
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), local_size) != 0)
            throw xfr::TransferError(xfr::FailureKind::Network, peer.to_text() + ": cannot bind the source " +
                                                                    peer.source->to_string() + ": " +
                                                                    std::strerror(errno));
    }
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&remote), remote_size) != 0 &&
        errno != EINPROGRESS)
        throw xfr::TransferError(xfr::FailureKind::Network, peer.to_text() + ": " + errno_text("connect"));
    return fd;
}

// ---------------------------------------------------------------- UDP

UdpExchange::UdpExchange(Reactor& reactor, Peer peer, std::vector<std::uint8_t> query, Options options,
                         Done done)
    : reactor_(reactor),
      peer_(std::move(peer)),
      query_(std::move(query)),
      options_(options),
      done_(std::move(done)) {
    // The first send happens from the loop, so that a failure is reported like any other: later, once.
    timer_ = reactor_.after(std::chrono::milliseconds(0), [this] {
        timer_ = 0;
        try {
            fd_ = open_socket(peer_, SOCK_DGRAM);
        } catch (const xfr::TransferError& e) {
            finish(std::nullopt, Failure{e.kind(), e.what()});
            return;
        }
        reactor_.watch(fd_.get(), EPOLLIN, [this](std::uint32_t) { readable(); });
        send();
    });
}

UdpExchange::~UdpExchange() {
    if (timer_ != 0) reactor_.cancel(timer_);
    if (fd_) reactor_.unwatch(fd_.get());
}

void UdpExchange::send() {
    ++attempts_;
    // A failed send (ICMP unreachable reported on a previous attempt) counts as an attempt without answer.
    [[maybe_unused]] const ssize_t sent = ::send(fd_.get(), query_.data(), query_.size(), 0);
    timer_ = reactor_.after(options_.timeout, [this] {
        timer_ = 0;
        if (attempts_ < std::max(1, options_.attempts)) {
            send();
            return;
        }
        finish(std::nullopt, Failure{xfr::FailureKind::Network,
                                     peer_.to_text() + ": no answer (" + std::to_string(attempts_) +
                                         (attempts_ == 1 ? " attempt of " : " attempts of ") +
                                         std::to_string(options_.timeout.count()) + " ms)"});
    });
}

void UdpExchange::readable() {
    std::vector<std::uint8_t> buffer(65535);
    for (;;) {
        const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
        if (n < 0) return;  // EAGAIN, or ICMP unreachable: the attempt's timer decides
        buffer.resize(static_cast<std::size_t>(n));
        if (is_answer_to(buffer, query_)) {
            finish(std::move(buffer), std::nullopt);
            return;
        }
        buffer.resize(65535);  // a stray or late answer
    }
}

void UdpExchange::finish(std::optional<std::vector<std::uint8_t>> answer, std::optional<Failure> failure) {
    if (timer_ != 0) reactor_.cancel(timer_);
    timer_ = 0;
    if (fd_) {
        reactor_.unwatch(fd_.get());
        fd_.reset();
    }
    Done done = std::move(done_);
    done(std::move(answer), std::move(failure));  // may destroy this
}

// ---------------------------------------------------------------- TCP

TcpExchange::TcpExchange(Reactor& reactor, Peer peer, std::vector<std::uint8_t> query, Options options,
                         OnMessage on_message, Done done)
    : reactor_(reactor),
      peer_(std::move(peer)),
      options_(options),
      on_message_(std::move(on_message)),
      done_(std::move(done)) {
    out_.resize(2 + query.size());
    out_[0] = static_cast<std::uint8_t>(query.size() >> 8);
    out_[1] = static_cast<std::uint8_t>(query.size());
    std::memcpy(out_.data() + 2, query.data(), query.size());
    total_timer_ = reactor_.after(std::chrono::milliseconds(0), [this] {
        total_timer_ = 0;
        try {
            fd_ = open_socket(peer_, SOCK_STREAM);
        } catch (const xfr::TransferError& e) {
            finish(End::failed, Failure{e.kind(), e.what()});
            return;
        }
        reactor_.watch(fd_.get(), EPOLLOUT, [this](std::uint32_t events) { ready(events); });
        idle_timer_ = reactor_.after(options_.connect_timeout, [this] {
            idle_timer_ = 0;
            fail("connect timed out after " + std::to_string(options_.connect_timeout.count()) + " ms");
        });
        total_timer_ = reactor_.after(options_.total_timeout, [this] {
            total_timer_ = 0;
            const std::string limit = std::to_string(options_.total_timeout.count() / 1000) + " s";
            const std::string after = "after " + std::to_string(messages_) + " messages";
            fail(options_.transfer
                     ? "maximum transfer time exceeded (" + limit + ", " + after + "): timed out"
                     : "took longer than the " + limit + " allowed (" + after + ")");
        });
    });
}

TcpExchange::~TcpExchange() {
    if (idle_timer_ != 0) reactor_.cancel(idle_timer_);
    if (total_timer_ != 0) reactor_.cancel(total_timer_);
    if (fd_) reactor_.unwatch(fd_.get());
}

void TcpExchange::arm_idle() {
    if (idle_timer_ != 0) reactor_.cancel(idle_timer_);
    const bool answering = bytes_received_ > 0;
    const auto wait = answering ? options_.idle_timeout : options_.first_message_timeout;
    idle_timer_ = reactor_.after(wait, [this, wait, answering] {
        idle_timer_ = 0;
        if (!answering) {
            fail("no answer within " + std::to_string(wait.count()) + " ms");
            return;
        }
        const std::string limit = std::to_string(wait.count() / 1000) + " s";
        const std::string after = "after " + std::to_string(messages_) + " messages";
        fail(options_.transfer ? "maximum idle time exceeded (" + limit + ", " + after + "): timed out"
                               : "nothing received for " + limit + " (" + after + ")");
    });
}

void TcpExchange::fail(const std::string& what, xfr::FailureKind kind) {
    finish(End::failed, Failure{kind, peer_.to_text() + ": " + what});
}

bool TcpExchange::connected_check() {
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) {
        errno = error;
        fail(errno_text("connect"));
        return false;
    }
    connecting_ = false;
    arm_idle();
    return true;
}

bool TcpExchange::write_some() {
    while (sent_ < out_.size()) {
        const ssize_t n = ::send(fd_.get(), out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
        if (n > 0) {
            sent_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
        fail(errno_text("send"));
        return false;
    }
    reactor_.modify(fd_.get(), EPOLLIN);
    return true;
}

// Returns false once the exchange has ended (this may be gone).
bool TcpExchange::read_some() {
    std::uint8_t chunk[16384];
    for (;;) {
        const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n == 0) {
            if (!in_.empty()) {
                fail("connection closed in the middle of message " + std::to_string(messages_ + 1));
            } else {
                finish(End::closed, std::nullopt);
            }
            return false;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return true;
            fail(errno_text("recv"));
            return false;
        }
        bytes_received_ += static_cast<std::size_t>(n);
        arm_idle();
        in_.insert(in_.end(), chunk, chunk + n);
        std::size_t at = 0;
        while (in_.size() - at >= 2) {
            const std::size_t size = (std::size_t{in_[at]} << 8) | in_[at + 1];
            if (size > options_.max_message) {
                fail("message larger than allowed", xfr::FailureKind::Malformed);
                return false;
            }
            if (in_.size() - at - 2 < size) break;
            const std::span<const std::uint8_t> message(in_.data() + at + 2, size);
            ++messages_;
            bytes_ += size;
            bool complete = false;
            try {
                complete = on_message_(message);
            } catch (const xfr::TransferError& e) {
                finish(End::failed, Failure{e.kind(), e.what()});
                return false;
            }
            at += 2 + size;
            if (complete) {
                finish(End::complete, std::nullopt);
                return false;
            }
        }
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(at));
    }
}

void TcpExchange::ready(std::uint32_t events) {
    if (connecting_ && !connected_check()) return;
    if ((events & EPOLLOUT) != 0 && sent_ < out_.size() && !write_some()) return;
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) read_some();
}

void TcpExchange::finish(End end, std::optional<Failure> failure) {
    if (finished_) return;
    finished_ = true;
    if (idle_timer_ != 0) reactor_.cancel(idle_timer_);
    if (total_timer_ != 0) reactor_.cancel(total_timer_);
    idle_timer_ = total_timer_ = 0;
    if (fd_) {
        reactor_.unwatch(fd_.get());
        fd_.reset();
    }
    Done done = std::move(done_);
    done(end, std::move(failure));  // may destroy this
}

}  // namespace cairn::lifecycle
