// A primary on 127.0.0.1 for the lifecycle tests, on a thread of its own: SOA over UDP and TCP, AXFR (and
// IXFR answered from a journal, or with the whole zone) over TCP, NOTIFY answered. `silent` makes it swallow
// everything (UDP dropped, TCP accepted and never answered), as a primary behind a dead link; the zones it
// serves may be replaced at any time.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "store/journal.hpp"
#include "xfr/outbound.hpp"
#include "xfr/request.hpp"
#include "zone/diff.hpp"

namespace cairn::lifecycle::testing {

class FakePrimary {
  public:
    FakePrimary() {
        udp_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int attempt = 0; attempt < 50; ++attempt) {
            address.sin_port = 0;
            if (::bind(tcp_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) continue;
            socklen_t size = sizeof address;
            ::getsockname(tcp_, reinterpret_cast<sockaddr*>(&address), &size);
            if (::bind(udp_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) break;
            ::close(tcp_);
            tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        }
        port_ = ntohs(address.sin_port);
        ::listen(tcp_, 64);
        thread_ = std::thread([this] { run(); });
    }
    ~FakePrimary() {
        stopping_ = true;
        thread_.join();
        for (int fd : held_)
            ::close(fd);
        ::close(udp_);
        ::close(tcp_);
    }

    std::uint16_t port() const { return port_; }
    void serve(std::shared_ptr<const zone::Zone> zone, const store::Journal* journal = nullptr) {
        const dns::Name key = zone->origin().lowercased();
        std::lock_guard lock(mutex_);
        zones_[key] = {std::move(zone), journal};
    }
    std::atomic<bool> silent{false};
    std::atomic<int> soa_queries{0}, transfers{0}, notifies{0};
    std::atomic<int> ixfr_requests{0};

  private:
    struct Served {
        std::shared_ptr<const zone::Zone> zone;
        const store::Journal* journal = nullptr;
    };

    std::vector<std::uint8_t> answer(std::span<const std::uint8_t> query) {
        dns::Message m = dns::parse_message(query);
        std::vector<std::uint8_t> out(4096);
        dns::MessageBuilder b(out);
        b.reset();
        b.header().id = m.header.id;
        b.header().qr = true;
        b.header().opcode = m.header.opcode;
        if (m.questions.empty()) return {};
        const dns::Question& q = m.questions[0];
        b.add_question(q.name, q.type, q.qclass);
        Served served;
        {
            std::lock_guard lock(mutex_);
            const auto found = zones_.find(q.name.lowercased());
            if (found != zones_.end()) served = found->second;
        }
        if (m.header.opcode == dns::Opcode::NOTIFY) {
            ++notifies;
            b.header().aa = true;
        } else if (served.zone == nullptr) {
            b.set_rcode(dns::Rcode::REFUSED);
        } else {
            ++soa_queries;
            b.header().aa = true;
            b.start_section(dns::Section::Answer);
            const zone::Record soa = zone::soa_record(*served.zone);
            b.add_rr(soa.owner, soa.type, soa.rclass, soa.ttl, soa.rdata);
        }
        const auto wire = b.finish();
        return {wire.begin(), wire.end()};
    }

    void serve_tcp(int fd) {
        std::uint8_t length[2];
        if (::recv(fd, length, 2, MSG_WAITALL) != 2) return;
        std::vector<std::uint8_t> query((length[0] << 8) | length[1]);
        if (::recv(fd, query.data(), query.size(), MSG_WAITALL) != static_cast<ssize_t>(query.size())) return;
        const auto send_message = [fd](std::span<const std::uint8_t> message) {
            std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(message.size() >> 8),
                                             static_cast<std::uint8_t>(message.size())};
            framed.insert(framed.end(), message.begin(), message.end());
            return ::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) ==
                   static_cast<ssize_t>(framed.size());
        };
        const dns::Message m = dns::parse_message(query);
        if (m.questions.empty()) return;
        const dns::RRType type = m.questions[0].type;
        if (type != dns::RRType::AXFR && type != dns::RRType::IXFR) {
            send_message(answer(query));
            return;
        }
        ++transfers;
        if (type == dns::RRType::IXFR) ++ixfr_requests;
        Served served;
        {
            std::lock_guard lock(mutex_);
            const auto found = zones_.find(m.questions[0].name.lowercased());
            if (found != zones_.end()) served = found->second;
        }
        if (served.zone == nullptr) return;
        const xfr::TransferRequest request = xfr::read_transfer_request(query);
        auto stream = xfr::open_transfer(served.zone, request, served.journal, {});
        std::vector<std::uint8_t> out(65535);
        while (const std::size_t size = stream->next(out)) {
            if (!send_message(std::span(out).first(size))) return;
        }
    }

    void run() {
        while (!stopping_) {
            pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
            if (::poll(fds, 2, 20) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                std::vector<std::uint8_t> buffer(65535);
                sockaddr_storage from{};
                socklen_t size = sizeof from;
                const ssize_t n = ::recvfrom(udp_, buffer.data(), buffer.size(), 0,
                                             reinterpret_cast<sockaddr*>(&from), &size);
                if (n > 0 && !silent) {
                    try {
                        const auto reply = answer(std::span(buffer).first(static_cast<std::size_t>(n)));
                        ::sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
                                 size);
                    } catch (const std::exception&) {
                    }
                }
            }
            if (fds[1].revents & POLLIN) {
                const int fd = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd < 0) continue;
                if (silent) {
                    held_.push_back(fd);  // accepted, never answered
                    continue;
                }
                try {
                    serve_tcp(fd);
                } catch (const std::exception&) {
                }
                ::close(fd);
            }
        }
    }

    int udp_ = -1, tcp_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::map<dns::Name, Served> zones_;
    std::vector<int> held_;
    std::thread thread_;
};

}  // namespace cairn::lifecycle::testing
