#include "net/server.hpp"

#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "net/error.hpp"
#include "net/fd.hpp"
#include "net/sockets.hpp"
#include "net/worker.hpp"

namespace cairn::net {

struct Server::Impl {
    ServerOptions options;
    WorkerShared shared;
    Fd stop_event;
    std::vector<Endpoint> endpoints;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<std::thread> threads;

    // Resolves port 0 once per address so that all of its sockets, UDP and TCP, share one port.
    Endpoint claim(const Endpoint& requested) {
        constexpr int kAttempts = 20;
        for (int attempt = 0;; ++attempt) {
            Endpoint at = requested;
            if (options.udp) at = claim_address(SocketKind::udp, at);
            try {
                if (options.tcp) at = claim_address(SocketKind::tcp, at);
                return at;
            } catch (const Error&) {
                // An ephemeral UDP port whose TCP twin is taken: try another.
                if (requested.port != 0 || !options.udp || attempt + 1 == kAttempts) throw;
            }
        }
    }
};

Server::Server(ServerOptions options, PacketHandler& handler) : impl_(std::make_unique<Impl>()) {
    auto& s = *impl_;
    s.options = std::move(options);
    if (s.options.workers == 0) s.options.workers = std::max(1u, std::thread::hardware_concurrency());
    s.shared.handler = &handler;
    s.shared.tcp_clients = s.options.tcp_clients;
    s.shared.tcp_idle_timeout = s.options.tcp_idle_timeout;
    s.stop_event.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!s.stop_event) throw Error(system_message("eventfd", errno));
    s.shared.stop_fd = s.stop_event.get();

    for (const auto& requested : s.options.listen) {
        // The same address listed twice (e.g. after a port override) is served once.
        const bool repeated = requested.port != 0 && std::find(s.endpoints.begin(), s.endpoints.end(),
                                                               requested) != s.endpoints.end();
        if (!repeated) s.endpoints.push_back(s.claim(requested));
    }
    for (unsigned i = 0; i < s.options.workers; ++i) {
        auto worker = std::make_unique<Worker>(i, s.shared);
        for (const auto& at : s.endpoints) {
            if (s.options.udp) worker->add_udp(bind_socket(SocketKind::udp, at, true), at);
            if (s.options.tcp) worker->add_listener(bind_socket(SocketKind::tcp, at, true), at);
        }
        s.workers.push_back(std::move(worker));
    }
}

Server::~Server() {
    stop();
}

void Server::start() {
    auto& s = *impl_;
    if (!s.threads.empty()) return;
    for (auto& worker : s.workers)
        s.threads.emplace_back([w = worker.get()] { w->run(); });
}

void Server::stop() {
    auto& s = *impl_;
    const std::uint64_t one = 1;
    if (s.stop_event && ::write(s.stop_event.get(), &one, sizeof one) < 0) {
        // The counter cannot overflow with one write per stop; nothing else can fail here.
    }
    for (auto& t : s.threads)
        t.join();
    s.threads.clear();
    s.workers.clear();  // closes sockets and connections
}

const std::vector<Endpoint>& Server::endpoints() const {
    return impl_->endpoints;
}
unsigned Server::worker_count() const {
    return impl_->options.workers;
}
unsigned Server::tcp_connections() const {
    return impl_->shared.tcp_open.load();
}
std::uint64_t Server::failures() const {
    return impl_->shared.failures.load();
}

}  // namespace cairn::net
