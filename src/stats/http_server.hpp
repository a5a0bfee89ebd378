// A small HTTP/1.1 server for the statistics channel: one thread, GET and HEAD only, one request per
// connection (Connection: close), bounded request size and per-connection deadline. Not the query path.
// So that a GET always gets through: at max_connections a new connection closes the oldest one still
// waiting for its request (never one being answered), and a request must arrive whole within `timeout`.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cairn::stats {

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

struct HttpServerOptions {
    std::string address = "127.0.0.1";  // numeric IPv4 or IPv6
    std::uint16_t port = 8053;
    std::size_t max_request = 8192;  // octets of request line and headers
    std::chrono::milliseconds timeout{5000};
    std::size_t max_connections = 32;
};

class HttpServer {
  public:
    using Handler = std::function<HttpResponse(const std::string& path)>;
    using Allow = std::function<bool(const sockaddr* peer)>;  // empty: everyone

    // Binds and listens (throws std::runtime_error with the reason); serving starts with start().
    HttpServer(HttpServerOptions options, Handler handler, Allow allow = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    void start();
    void stop();
    std::uint16_t port() const { return port_; }  // the bound port (useful with port 0)

  private:
    struct Connection;
    void run();
    void accept_all();
    // At the limit: closes the oldest connection whose request has not arrived; false if none.
    bool make_room();
    // Reads what is there; true when the connection is finished (answered or failed).
    bool serve(Connection& connection);

    HttpServerOptions options_;
    Handler handler_;
    Allow allow_;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::vector<Connection> connections_;
};

// The whole reply to `request` (the octets received so far), or nullopt while its header is incomplete and
// within `max_request` octets: 431 past that, 403 when `forbidden`, 400, 405, or the handler's answer.
std::optional<std::string> http_reply(std::string_view request, std::size_t max_request, bool forbidden,
                                      const HttpServer::Handler& handler);

// Parses "GET /path HTTP/1.1" from the start of a request; returns the method and path, or false.
bool parse_request_line(std::string_view request, std::string& method, std::string& path);

}  // namespace cairn::stats
