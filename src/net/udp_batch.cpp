#include "net/udp_batch.hpp"

#include <cerrno>
#include <cstring>
#include <exception>

namespace cairn::net {

static_assert(kMaxUdpResponse % 64 == 0, "replies are packed at cache-line boundaries");

UdpBatch::UdpBatch() : buffers_(std::make_unique<Buffers>()) {
    auto& b = *buffers_;
    for (std::size_t i = 0; i < kUdpBatch; ++i) {
        b.rx_iov[i][0] = {b.queries.data() + i * kQuerySlot, kQuerySlot};
        b.rx_iov[i][1] = {b.query_tails[i].data(), b.query_tails[i].size()};
        msghdr& m = b.rx_headers[i].msg_hdr;
        m.msg_name = &b.peers[i];
        m.msg_iov = b.rx_iov[i].data();
        m.msg_iovlen = b.rx_iov[i].size();
        m.msg_control = b.rx_control[i].bytes;
    }
    received_ = kUdpBatch;  // the lengths below are set by the first receive
}

std::size_t UdpBatch::serve(int fd, const Endpoint& local, PacketHandler& handler, unsigned thread,
                            unsigned max_rounds, std::atomic<std::uint64_t>& failures) {
    std::size_t total = 0;
    for (unsigned round = 0; round < max_rounds; ++round) {
        const std::size_t n = receive(fd, false);
        answer(n, fd, local, handler, thread, failures);
        send(fd);
        total += n;
        if (n < kUdpBatch) break;  // drained
    }
    return total;
}

std::size_t UdpBatch::receive(int fd, bool wait) {
    auto& b = *buffers_;
    // The kernel rewrites only these fields, and only in the headers it filled.
    for (std::size_t i = 0; i < received_; ++i) {
        msghdr& m = b.rx_headers[i].msg_hdr;
        m.msg_namelen = sizeof b.peers[i];
        m.msg_controllen = sizeof b.rx_control[i].bytes;
        m.msg_flags = 0;
    }
    replies_ = 0;
    const int received =
        recvmmsg(fd, b.rx_headers.data(), kUdpBatch, wait ? MSG_WAITFORONE : MSG_DONTWAIT, nullptr);
    // EAGAIN: drained (or timed out); other errors (e.g. ICMP-reported) concern single packets.
    received_ = received > 0 ? static_cast<std::size_t>(received) : 1;
    return received > 0 ? static_cast<std::size_t>(received) : 0;
}

void UdpBatch::answer(std::size_t count, int fd, const Endpoint& local, PacketHandler& handler,
                      unsigned thread, std::atomic<std::uint64_t>& failures) {
    auto& b = *buffers_;
    const bool wildcard = local.address.is_unspecified();
    ClientInfo client;
    client.transport = Transport::udp;
    client.worker = thread;
    client.reply_path.udp_fd = fd;
    client.reply_path.set_source = wildcard;
    replies_ = 0;
    std::size_t reply_at = 0;
    if (count > 1) {
        std::array<std::span<const std::uint8_t>, kUdpBatch> queries;
        std::size_t n = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t length = b.rx_headers[i].msg_len;
            if (length != 0 && length <= kQuerySlot)
                queries[n++] = {b.queries.data() + i * kQuerySlot, length};
        }
        handler.prefetch({queries.data(), n}, thread);
    }
    for (std::size_t i = 0; i < count; ++i) {
        msghdr& m = b.rx_headers[i].msg_hdr;
        // Too large for any query we accept; or empty, which is also how a shut-down socket reads.
        if ((m.msg_flags & MSG_TRUNC) || b.rx_headers[i].msg_len == 0) continue;
        client.source = Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&b.peers[i]));
        client.destination = local;
        int ifindex = 0;
        if (!read_destination(m, client.destination, ifindex)) client.destination = local;
        client.destination.port = local.port;
        client.reply_path.ifindex = ifindex;

        const std::size_t length = b.rx_headers[i].msg_len;
        std::span<const std::uint8_t> query(b.queries.data() + i * kQuerySlot, length);
        if (length > kQuerySlot) {
            std::memcpy(b.joined.data(), query.data(), kQuerySlot);
            std::memcpy(b.joined.data() + kQuerySlot, b.query_tails[i].data(), length - kQuerySlot);
            query = {b.joined.data(), length};
        }
        // At most kUdpBatch replies of at most kMaxUdpResponse each (rounded to cache lines, which
        // kMaxUdpResponse is a multiple of): the arena always has room for the next.
        std::span<std::uint8_t> reply(b.replies.data() + reply_at, kMaxUdpResponse);
        std::size_t size = 0;
        try {
            size = handler.handle(query, reply, client);
        } catch (const std::exception&) {
            failures.fetch_add(1, std::memory_order_relaxed);  // this query gets no reply
            continue;
        }
        if (size == 0 || size > kMaxUdpResponse) continue;

        mmsghdr& out = b.tx_headers[replies_];
        out.msg_hdr = msghdr{};
        out.msg_hdr.msg_name = &b.peers[i];
        out.msg_hdr.msg_namelen = m.msg_namelen;
        b.tx_iov[replies_] = {reply.data(), size};
        reply_at += (size + 63) & ~std::size_t{63};
        out.msg_hdr.msg_iov = &b.tx_iov[replies_];
        out.msg_hdr.msg_iovlen = 1;
        if (wildcard) {
            out.msg_hdr.msg_control = b.tx_control[replies_].bytes;
            out.msg_hdr.msg_controllen = write_source(b.tx_control[replies_], client.destination, ifindex);
        }
        ++replies_;
    }
}

void UdpBatch::send(int fd) {
    auto& b = *buffers_;
    const std::size_t count = replies_;
    replies_ = 0;
    std::size_t done = 0;
    while (done < count) {
        const int sent =
            sendmmsg(fd, b.tx_headers.data() + done, static_cast<unsigned>(count - done), MSG_DONTWAIT);
        if (sent > 0) {
            done += static_cast<std::size_t>(sent);
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;  // socket buffer full: UDP replies may be lost, the client retries
        } else {
            ++done;  // this destination failed (e.g. unreachable); the rest may still go out
        }
    }
}

}  // namespace cairn::net
