#include "net/deferred_reply.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "net/limits.hpp"
#include "net/packet_info.hpp"
#include "net/tcp_reply_queue.hpp"

namespace cairn::net {

bool DeferredReply::send(std::span<const std::uint8_t> message) const {
    const ReplyPath& path = client_.reply_path;
    if (client_.transport == Transport::tcp) {
        if (path.tcp_queue == nullptr || message.empty() || message.size() > kMaxTcpMessage) {
            abandon();
            return false;
        }
        path.tcp_queue->post(path.tcp_connection, message);
        return true;
    }
    if (path.udp_fd < 0 || message.empty() || message.size() > kMaxUdpResponse) return false;
    sockaddr_storage peer;
    msghdr header{};
    header.msg_name = &peer;
    header.msg_namelen = client_.source.to_sockaddr(peer);
    iovec iov{const_cast<std::uint8_t*>(message.data()), message.size()};
    header.msg_iov = &iov;
    header.msg_iovlen = 1;
    PacketInfoControl control;
    if (path.set_source) {
        header.msg_control = control.bytes;
        header.msg_controllen = write_source(control, client_.destination, path.ifindex);
    }
    for (;;) {
        if (::sendmsg(path.udp_fd, &header, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return true;
        if (errno != EINTR) return false;
    }
}

void DeferredReply::abandon() const {
    const ReplyPath& path = client_.reply_path;
    if (client_.transport == Transport::tcp && path.tcp_queue != nullptr)
        path.tcp_queue->post(path.tcp_connection, {});
}

}  // namespace cairn::net
