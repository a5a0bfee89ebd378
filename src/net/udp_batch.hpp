// Serves one readable UDP socket: reads up to kUdpBatch queries with one recvmmsg, answers each through
// the handler and sends the replies with one sendmmsg, from the address each query was sent to. All
// buffers are allocated once per worker.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>

#include "net/endpoint.hpp"
#include "net/handler.hpp"
#include "net/limits.hpp"

namespace cairn::net {

class UdpBatch {
  public:
    UdpBatch();

    // Serves up to `max_rounds` batches; returns the number of queries read.
    std::size_t serve(int fd, const Endpoint& local, PacketHandler& handler, unsigned worker,
                      unsigned max_rounds);

  private:
    std::size_t serve_once(int fd, const Endpoint& local, PacketHandler& handler, unsigned worker);
    void send_replies(int fd, std::size_t count);

    // Room for one IPv4 or IPv6 packet-info control message.
    struct alignas(cmsghdr) Control {
        std::uint8_t bytes[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))];
    };
    struct Buffers {
        std::array<mmsghdr, kUdpBatch> rx_headers;
        std::array<iovec, kUdpBatch> rx_iov;
        std::array<sockaddr_storage, kUdpBatch> peers;
        std::array<Control, kUdpBatch> rx_control;
        std::array<std::array<std::uint8_t, kMaxUdpQuery>, kUdpBatch> queries;

        std::array<mmsghdr, kUdpBatch> tx_headers;
        std::array<iovec, kUdpBatch> tx_iov;
        std::array<Control, kUdpBatch> tx_control;
        std::array<std::array<std::uint8_t, kMaxUdpResponse>, kUdpBatch> replies;
    };
    std::unique_ptr<Buffers> buffers_;
};

}  // namespace cairn::net
