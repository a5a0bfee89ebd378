#include "ctl/client.hpp"

#include <netdb.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "ctl/message.hpp"

namespace cairn::ctl {

namespace {

class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

int connect_to(const ClientOptions& options) {
    if (!options.server.empty() && options.server[0] == '/') {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (options.server.size() >= sizeof address.sun_path) throw ClientError("unix socket path too long");
        std::memcpy(address.sun_path, options.server.c_str(), options.server.size() + 1);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
        const std::string error = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw ClientError("connect failed: " + options.server + ": " + error);
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int status =
        ::getaddrinfo(options.server.c_str(), std::to_string(options.port).c_str(), &hints, &found);
    if (status != 0) throw ClientError("cannot resolve '" + options.server + "': " + ::gai_strerror(status));
    std::string error = "no address";
    for (addrinfo* at = found; at != nullptr; at = at->ai_next) {
        const int fd = ::socket(at->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        if (::connect(fd, at->ai_addr, at->ai_addrlen) == 0) {
            ::freeaddrinfo(found);
            return fd;
        }
        error = std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(found);
    throw ClientError("connect failed: " + options.server + "#" + std::to_string(options.port) + ": " +
                      error);
}

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t put = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (put < 0) {
            if (errno == EINTR) continue;
            throw ClientError(std::string("send failed: ") + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(put);
    }
}

std::vector<std::uint8_t> receive_frame(int fd, std::chrono::milliseconds timeout) {
    std::vector<std::uint8_t> in;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::optional<std::size_t> size = frame_size(in);
        if (size && in.size() >= *size) {
            in.resize(*size);
            return in;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw ClientError("timed out waiting for the server's answer");
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR)
            throw ClientError(std::string("poll failed: ") + std::strerror(errno));
        std::uint8_t buffer[8192];
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got == 0) {
            throw ClientError(
                "connection closed by the server without an answer: the key is probably not accepted by the "
                "server (or this address is not allowed); the server log says why");
        }
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            throw ClientError(std::string("receive failed: ") + std::strerror(errno));
        }
        in.insert(in.end(), buffer, buffer + got);
    }
}

ControlMessage exchange(int fd, const ClientOptions& options, const ControlKey& key, ControlMessage request) {
    send_all(fd, encode_message(request, key));
    const std::vector<std::uint8_t> frame = receive_frame(fd, options.timeout);
    ReceivedMessage answer;
    try {
        answer = parse_message(frame);
    } catch (const ProtocolError& e) {
        throw ClientError(std::string("malformed answer: ") + e.what());
    }
    if (!verify(answer, key)) throw ClientError("the server's answer is not signed with our key");
    if (answer.message.ctrl.find("_ser") == nullptr ||
        *answer.message.ctrl.find("_ser") != *request.ctrl.find("_ser")) {
        throw ClientError("the server's answer is for another request");
    }
    return std::move(answer.message);
}

}  // namespace

CommandResult run_command(const ClientOptions& options, const ControlKey& key, const std::string& command) {
    const Socket socket(connect_to(options));
    std::uint32_t serial = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
    const auto now = static_cast<std::uint32_t>(::time(nullptr));

    ControlMessage hello;
    hello.ctrl.set_uint32("_ser", serial);
    hello.ctrl.set_uint32("_tim", now);
    hello.ctrl.set_uint32("_exp", now + 60);
    hello.data.set("type", "null");
    const ControlMessage greeting = exchange(socket.fd(), options, key, hello);
    const std::optional<std::uint32_t> nonce = greeting.ctrl.find_uint32("_nonce");
    if (!nonce) throw ClientError("the server sent no nonce");

    ControlMessage request;
    request.ctrl.set_uint32("_ser", serial + 1);
    request.ctrl.set_uint32("_tim", now);
    request.ctrl.set_uint32("_exp", now + 60);
    request.ctrl.set_uint32("_nonce", *nonce);
    request.data.set("type", command);
    const ControlMessage answer = exchange(socket.fd(), options, key, request);
    CommandResult result;
    const std::optional<std::uint32_t> code = answer.data.find_uint32("result");
    if (!code) throw ClientError("the server's answer has no result");
    result.code = *code;
    if (const std::string* text = answer.data.find("text")) result.text = *text;
    if (const std::string* error = answer.data.find("err")) result.error = *error;
    if (result.code != kResultSuccess && result.error.empty()) result.error = "failure";
    return result;
}

}  // namespace cairn::ctl
