#include "net/server.hpp"

#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "net/error.hpp"
#include "net/fd.hpp"
#include "net/sockets.hpp"
#include "net/tcp_worker.hpp"
#include "net/udp_worker.hpp"
#include "net/worker_shared.hpp"

namespace cairn::net {

struct Server::Impl {
    ServerOptions options;
    WorkerShared shared;
    Fd stop_event;
    std::vector<Endpoint> endpoints;
    std::vector<std::unique_ptr<UdpWorker>> udp_workers;
    std::vector<std::unique_ptr<TcpWorker>> tcp_workers;
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
    s.shared.tcp_clients = std::max(1u, s.options.tcp_clients);
    s.shared.tcp_clients_per_worker = (s.shared.tcp_clients + s.options.workers - 1) / s.options.workers;
    s.shared.tcp_timeouts = {s.options.tcp_initial_timeout, s.options.tcp_idle_timeout,
                             s.options.tcp_keepalive_timeout};
    s.shared.udp_coalesce = s.options.udp_coalesce;
    s.stop_event.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!s.stop_event) throw Error(system_message("eventfd", errno));
    s.shared.stop_fd = s.stop_event.get();

    for (const auto& requested : s.options.listen) {
        // The same address listed twice (e.g. after a port override) is served once.
        const bool repeated = requested.port != 0 && std::find(s.endpoints.begin(), s.endpoints.end(),
                                                               requested) != s.endpoints.end();
        if (!repeated) s.endpoints.push_back(s.claim(requested));
    }
    const unsigned workers = s.options.workers;
    for (unsigned i = 0; i < workers; ++i) {
        if (s.options.udp) {
            auto worker = std::make_unique<UdpWorker>(udp_thread_index(i), s.shared);
            for (const auto& at : s.endpoints)
                worker->add_socket(bind_socket(SocketKind::udp, at, true), at);
            s.udp_workers.push_back(std::move(worker));
        }
        if (s.options.tcp) {
            auto worker = std::make_unique<TcpWorker>(tcp_thread_index(i, workers), s.shared);
            for (const auto& at : s.endpoints)
                worker->add_listener(bind_socket(SocketKind::tcp, at, true), at);
            s.tcp_workers.push_back(std::move(worker));
        }
    }
}

Server::~Server() {
    stop();
}

void Server::start() {
    auto& s = *impl_;
    if (!s.threads.empty()) return;
    for (auto& worker : s.udp_workers)
        s.threads.emplace_back([w = worker.get()] { w->run(); });
    for (auto& worker : s.tcp_workers)
        s.threads.emplace_back([w = worker.get()] { w->run(); });
}

void Server::stop() {
    auto& s = *impl_;
    s.shared.stopping.store(true);
    const std::uint64_t one = 1;
    if (s.stop_event && ::write(s.stop_event.get(), &one, sizeof one) < 0) {
        // The counter cannot overflow with one write per stop; nothing else can fail here.
    }
    for (auto& worker : s.udp_workers)
        worker->wake();
    for (auto& t : s.threads)
        t.join();
    s.threads.clear();
    s.udp_workers.clear();  // closes sockets and connections
    s.tcp_workers.clear();
}

const std::vector<Endpoint>& Server::endpoints() const {
    return impl_->endpoints;
}
unsigned Server::worker_count() const {
    return impl_->options.workers;
}
unsigned Server::thread_slots() const {
    return net::thread_slots(impl_->options.workers);
}
unsigned Server::tcp_connections() const {
    return impl_->shared.tcp_open.load();
}
unsigned Server::tcp_high_water() const {
    return impl_->shared.tcp_high_water.load();
}
unsigned Server::tcp_limit() const {
    return impl_->shared.tcp_clients;
}
std::uint64_t Server::failures() const {
    return impl_->shared.failures.load();
}
UdpCounters Server::udp_counters() const {
    UdpCounters total;
    for (const auto& worker : impl_->udp_workers) {
        const UdpCounters c = worker->counters();
        total.batches += c.batches;
        total.datagrams += c.datagrams;
        total.pauses += c.pauses;
    }
    return total;
}

}  // namespace cairn::net
