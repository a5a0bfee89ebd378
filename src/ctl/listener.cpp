#include "ctl/listener.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "ctl/message.hpp"
#include "dns/ip_address.hpp"

namespace cairn::ctl {

struct ControlListener::Channel {
    ChannelOptions options;
    SessionContext context;
    int fd = -1;
    std::uint16_t port = 0;
};

struct ControlListener::Connection {
    int fd = -1;
    std::size_t channel = 0;
    std::string peer;
    std::unique_ptr<ControlSession> session;
    std::vector<std::uint8_t> in;
    std::string out;
    std::size_t sent = 0;
    bool peer_done = false;  // the client closed its side: answer what is buffered, then close
    std::chrono::steady_clock::time_point last_activity;  // accepted, or last request answered
    std::chrono::steady_clock::time_point deadline;
};

std::string peer_to_string(const sockaddr* peer) {
    if (peer->sa_family == AF_UNIX) return "unix socket";
    const auto address = dns::IpAddress::from_sockaddr(peer);
    if (address.family == AF_UNSPEC) return "?";
    return address.to_string() + "#" + std::to_string(dns::IpAddress::port_of(peer));
}

namespace {

int listen_inet(const ChannelOptions& options, std::uint16_t& bound_port) {
    const auto address = dns::IpAddress::parse(options.address);
    if (!address) throw std::runtime_error("control channel: bad address '" + options.address + "'");
    sockaddr_storage storage;
    const socklen_t length = address->to_sockaddr(options.port, storage);
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw std::runtime_error(std::string("control channel: socket: ") + std::strerror(errno));
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, 16) != 0) {
        const std::string error = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("control channel: cannot listen on " + options.address + " port " +
                                 std::to_string(options.port) + ": " + error);
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    bound_port = dns::IpAddress::port_of(reinterpret_cast<const sockaddr*>(&bound));
    return fd;
}

int listen_unix(const ChannelOptions& options, const std::function<void(const std::string&)>& warn) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (options.path.empty() || options.path.size() >= sizeof address.sun_path)
        throw std::runtime_error("control channel: bad unix socket path '" + options.path + "'");
    std::memcpy(address.sun_path, options.path.c_str(), options.path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw std::runtime_error(std::string("control channel: socket: ") + std::strerror(errno));
    ::unlink(options.path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0 ||
        ::chmod(options.path.c_str(), options.perm) != 0) {
        const std::string error = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("control channel: cannot listen on " + options.path + ": " + error);
    }
    if ((options.owner || options.group) &&
        ::chown(options.path.c_str(),
                options.owner ? static_cast<uid_t>(*options.owner) : static_cast<uid_t>(-1),
                options.group ? static_cast<gid_t>(*options.group) : static_cast<gid_t>(-1)) != 0) {
        // Left owned by the server with its permissions: no more open than asked for.
        if (warn)
            warn("control channel " + options.path + ": cannot set owner and group: " + std::strerror(errno));
    }
    return fd;
}

}  // namespace

ControlListener::ControlListener(std::vector<ChannelOptions> channels, ControlTarget& target,
                                 ListenerLogs logs)
    : target_(target), logs_(std::move(logs)) {
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("control channel: pipe failed");
    for (auto& options : channels) {
        auto channel = std::make_unique<Channel>();
        channel->options = std::move(options);
        channel->context.keys = &channel->options.keys;
        channel->context.replay = &replay_;
        channel->context.target = &target_;
        channel->context.read_only = channel->options.read_only;
        channel->context.refused = logs_.refused;
        channel->context.accepted = logs_.accepted;
        try {
            channel->fd = channel->options.kind == ChannelOptions::Kind::inet
                              ? listen_inet(channel->options, channel->port)
                              : listen_unix(channel->options, logs_.error);
        } catch (const std::runtime_error& e) {
            if (logs_.error) {
                logs_.error(e.what());
                continue;
            }
            for (auto& c : channels_)
                ::close(c->fd);
            ::close(wake_[0]);
            ::close(wake_[1]);
            throw;
        } catch (...) {
            for (auto& c : channels_)
                ::close(c->fd);
            ::close(wake_[0]);
            ::close(wake_[1]);
            throw;
        }
        channels_.push_back(std::move(channel));
    }
}

ControlListener::~ControlListener() {
    stop();
    for (auto& c : connections_)
        ::close(c->fd);
    for (auto& c : channels_) {
        ::close(c->fd);
        if (c->options.kind == ChannelOptions::Kind::unix_socket) ::unlink(c->options.path.c_str());
    }
    ::close(wake_[0]);
    ::close(wake_[1]);
}

std::uint16_t ControlListener::port(std::size_t channel) const {
    return channels_.at(channel)->port;
}

void ControlListener::start() {
    thread_ = std::thread([this] { run(); });
}

void ControlListener::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    const char byte = 0;
    (void)!::write(wake_[1], &byte, 1);
    thread_.join();
}

void ControlListener::accept_on(std::size_t index) {
    Channel& channel = *channels_[index];
    for (;;) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd =
            ::accept4(channel.fd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        const auto* address = reinterpret_cast<const sockaddr*>(&peer);
        const std::string who = peer_to_string(address);
        if (channel.options.kind == ChannelOptions::Kind::inet && channel.options.allow &&
            !channel.options.allow(address)) {
            if (logs_.refused) logs_.refused(who, "address not allowed by the control channel's allow list");
            ::close(fd);
            continue;
        }
        const std::size_t open = static_cast<std::size_t>(std::count_if(
            connections_.begin(), connections_.end(), [&](const auto& c) { return c->channel == index; }));
        if (open >= kMaxConnectionsPerChannel && !make_room(index)) {
            if (logs_.refused) logs_.refused(who, "too many control connections, all of them busy");
            ::close(fd);
            continue;
        }
        auto connection = std::make_unique<Connection>();
        connection->fd = fd;
        connection->channel = index;
        connection->peer = who;
        connection->session = std::make_unique<ControlSession>(channel.context, who);
        connection->last_activity = std::chrono::steady_clock::now();
        connection->deadline = connection->last_activity + timeout;
        connections_.push_back(std::move(connection));
    }
}

bool ControlListener::make_room(std::size_t channel) {
    auto idlest = connections_.end();
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
        const Connection& c = **it;
        if (c.channel != channel || !c.out.empty()) continue;
        if (idlest == connections_.end() || c.last_activity < (*idlest)->last_activity) idlest = it;
    }
    if (idlest == connections_.end()) return false;
    if (logs_.refused) logs_.refused((*idlest)->peer, "idle connection closed to make room for a new one");
    ::close((*idlest)->fd);
    connections_.erase(idlest);
    return true;
}

bool ControlListener::serve(Connection& c) {
    std::uint8_t buffer[8192];
    const bool was_waiting = c.in.empty();
    while (!c.peer_done) {
        const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (got == 0) {
            c.peer_done = true;
            break;
        }
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return true;
        }
        c.in.insert(c.in.end(), buffer, buffer + got);
        if (c.in.size() > kCcMaxMessage + 8) break;
    }
    // A request has started: it must be complete soon, however slowly its octets come.
    if (was_waiting && !c.in.empty())
        c.deadline = std::min(c.deadline, std::chrono::steady_clock::now() + request_timeout);
    for (;;) {
        std::optional<std::size_t> size;
        try {
            size = frame_size(c.in);
        } catch (const ProtocolError& e) {
            if (logs_.refused) logs_.refused(c.peer, e.what());
            return true;
        }
        if (!size || c.in.size() < *size) break;
        const std::optional<std::string> reply =
            c.session->handle(std::span(c.in).first(*size), static_cast<std::int64_t>(::time(nullptr)));
        c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(*size));
        if (!reply) return true;
        c.out += *reply;
        c.last_activity = std::chrono::steady_clock::now();
        c.deadline = c.last_activity + (c.in.empty() ? timeout : request_timeout);
    }
    while (c.sent < c.out.size()) {
        const ssize_t put = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
        if (put < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK);
        c.sent += static_cast<std::size_t>(put);
    }
    c.out.clear();
    c.sent = 0;
    return c.peer_done;
}

void ControlListener::run() {
    std::vector<pollfd> fds;
    while (!stopping_) {
        fds.clear();
        fds.push_back({wake_[0], POLLIN, 0});
        for (const auto& channel : channels_)
            fds.push_back({channel->fd, POLLIN, 0});
        for (const auto& c : connections_)
            fds.push_back(
                {c->fd, static_cast<short>((c->peer_done ? 0 : POLLIN) | (c->out.empty() ? 0 : POLLOUT)), 0});
        if (::poll(fds.data(), fds.size(), 250) < 0 && errno != EINTR) break;
        if (stopping_) break;
        const auto now = std::chrono::steady_clock::now();
        const std::size_t first = 1 + channels_.size();
        for (std::size_t i = connections_.size(); i-- > 0;) {
            Connection& c = *connections_[i];
            bool done = now >= c.deadline;
            if (!done && fds[first + i].revents != 0) done = serve(c);
            if (done) {
                ::close(c.fd);
                connections_.erase(connections_.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        for (std::size_t i = 0; i < channels_.size(); ++i) {
            if (fds[1 + i].revents & POLLIN) accept_on(i);
        }
    }
}

}  // namespace cairn::ctl
