#include "stats/http_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "dns/ip_address.hpp"

namespace cairn::stats {

struct HttpServer::Connection {
    int fd = -1;
    std::string request;
    std::string reply;
    std::size_t sent = 0;
    bool forbidden = false;
    std::chrono::steady_clock::time_point deadline;
};

namespace {

std::string_view reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 431:
            return "Request Header Fields Too Large";
        default:
            return "Internal Server Error";
    }
}

std::string format_reply(const HttpResponse& response, bool head) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      std::string(reason(response.status)) + "\r\nContent-Type: " + response.content_type +
                      "\r\nContent-Length: " + std::to_string(response.body.size()) +
                      "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
    if (!head) out += response.body;
    return out;
}

}  // namespace

bool parse_request_line(std::string_view request, std::string& method, std::string& path) {
    const std::size_t end = request.find("\r\n");
    const std::string_view line = request.substr(0, end);
    const std::size_t first = line.find(' ');
    if (first == std::string_view::npos) return false;
    const std::size_t second = line.find(' ', first + 1);
    if (second == std::string_view::npos) return false;
    method = std::string(line.substr(0, first));
    path = std::string(line.substr(first + 1, second - first - 1));
    const std::string_view version = line.substr(second + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
    if (path.empty() || path[0] != '/') return false;
    if (const std::size_t query = path.find('?'); query != std::string::npos) path.resize(query);
    return true;
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler, Allow allow)
    : options_(std::move(options)), handler_(std::move(handler)), allow_(std::move(allow)) {
    const auto address = dns::IpAddress::parse(options_.address);
    if (!address) throw std::runtime_error("statistics channel: bad address '" + options_.address + "'");
    sockaddr_storage storage;
    const socklen_t length = address->to_sockaddr(options_.port, storage);
    listen_fd_ = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd_ < 0)
        throw std::runtime_error(std::string("statistics channel: socket: ") + std::strerror(errno));
    const int on = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        const std::string error = std::strerror(errno);
        ::close(listen_fd_);
        throw std::runtime_error("statistics channel: cannot listen on " + options_.address + " port " +
                                 std::to_string(options_.port) + ": " + error);
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    port_ = dns::IpAddress::port_of(reinterpret_cast<const sockaddr*>(&bound));
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("statistics channel: pipe failed");
    }
}

HttpServer::~HttpServer() {
    stop();
    for (auto& c : connections_)
        ::close(c.fd);
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

void HttpServer::start() {
    thread_ = std::thread([this] { run(); });
}

void HttpServer::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    const char byte = 0;
    (void)!::write(wake_[1], &byte, 1);
    thread_.join();
}

void HttpServer::accept_all() {
    for (;;) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd =
            ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        if (connections_.size() >= options_.max_connections && !make_room()) {
            ::close(fd);
            continue;
        }
        Connection connection;
        connection.fd = fd;
        connection.deadline = std::chrono::steady_clock::now() + options_.timeout;
        connection.forbidden = allow_ && !allow_(reinterpret_cast<const sockaddr*>(&peer));
        connections_.push_back(std::move(connection));
    }
}

bool HttpServer::make_room() {
    // Deadlines are set once, at accept: the earliest belongs to the oldest connection.
    auto oldest = connections_.end();
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
        if (!it->reply.empty()) continue;
        if (oldest == connections_.end() || it->deadline < oldest->deadline) oldest = it;
    }
    if (oldest == connections_.end()) return false;
    ::close(oldest->fd);
    connections_.erase(oldest);
    return true;
}

std::optional<std::string> http_reply(std::string_view request, std::size_t max_request, bool forbidden,
                                      const HttpServer::Handler& handler) {
    const std::size_t end = request.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (request.size() <= max_request) return std::nullopt;  // wait for more
        return format_reply({431, "text/plain; charset=utf-8", "request too large\n"}, false);
    }
    std::string method, path;
    if (forbidden) return format_reply({403, "text/plain; charset=utf-8", "forbidden\n"}, false);
    if (!parse_request_line(request, method, path))
        return format_reply({400, "text/plain; charset=utf-8", "bad request\n"}, false);
    if (method != "GET" && method != "HEAD")
        return format_reply({405, "text/plain; charset=utf-8", "only GET and HEAD\n"}, false);
    HttpResponse response;
    try {
        response = handler(path);
    } catch (const std::exception& e) {
        response = {500, "text/plain; charset=utf-8", std::string(e.what()) + "\n"};
    }
    return format_reply(response, method == "HEAD");
}

bool HttpServer::serve(Connection& c) {
    if (c.reply.empty()) {
        char buffer[4096];
        for (;;) {
            const ssize_t got = ::recv(c.fd, buffer, sizeof buffer, 0);
            if (got == 0) return true;
            if (got < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                return true;
            }
            c.request.append(buffer, static_cast<std::size_t>(got));
            if (c.request.size() > options_.max_request) break;
        }
        std::optional<std::string> reply = http_reply(c.request, options_.max_request, c.forbidden, handler_);
        if (!reply) return false;
        c.reply = std::move(*reply);
    }
    while (c.sent < c.reply.size()) {
        const ssize_t put = ::send(c.fd, c.reply.data() + c.sent, c.reply.size() - c.sent, MSG_NOSIGNAL);
        if (put < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK);
        c.sent += static_cast<std::size_t>(put);
    }
    return true;
}

void HttpServer::run() {
    std::vector<pollfd> fds;
    while (!stopping_) {
        fds.clear();
        fds.push_back({wake_[0], POLLIN, 0});
        fds.push_back({listen_fd_, POLLIN, 0});
        for (const auto& c : connections_)
            fds.push_back({c.fd, static_cast<short>(c.reply.empty() ? POLLIN : POLLOUT), 0});
        if (::poll(fds.data(), fds.size(), 250) < 0 && errno != EINTR) break;
        if (stopping_) break;
        const auto now = std::chrono::steady_clock::now();
        // Serve before accepting so that the indexes of fds and connections_ still agree.
        for (std::size_t i = connections_.size(); i-- > 0;) {
            Connection& c = connections_[i];
            bool done = now >= c.deadline;
            if (!done && fds[i + 2].revents != 0) done = serve(c);
            if (done) {
                ::shutdown(c.fd, SHUT_WR);
                ::close(c.fd);
                connections_.erase(connections_.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        if (fds[1].revents & POLLIN) accept_all();
    }
}

}  // namespace cairn::stats
