// Serves UDP sockets in batches: reads up to kUdpBatch queries with one recvmmsg, answers each through
// the handler and sends the replies with one sendmmsg, from the address each query was sent to. All
// buffers are allocated once per thread.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "net/endpoint.hpp"
#include "net/handler.hpp"
#include "net/limits.hpp"
#include "net/packet_info.hpp"

namespace cairn::net {

class UdpBatch {
  public:
    UdpBatch();

    // Reads a batch from `fd`. `wait`: sleeps until the first query arrives (the socket must be blocking),
    // then takes what else is queued. Returns how many were read; 0 also when nothing was queued, on a
    // timeout or signal, and once the socket is shut down.
    std::size_t receive(int fd, bool wait);
    // Answers the `count` queries received last, which arrived on `fd`, a socket bound to `local`, inside
    // the handler's begin_batch/end_batch. A query whose handler throws gets no reply and counts in
    // `failures`; one the handler answers later (kReplyLater) gets its reply through `fd` from elsewhere.
    void answer(std::size_t count, int fd, const Endpoint& local, PacketHandler& handler, unsigned thread,
                std::atomic<std::uint64_t>& failures);
    // Sends the replies answer() wrote; never blocks (a full socket buffer loses replies, as UDP may).
    void send(int fd);

    // One non-blocking receive, answer and send, up to `max_rounds` times while batches come full; for
    // a readable socket in an event loop, inside begin_batch/end_batch. Returns the queries read.
    std::size_t serve(int fd, const Endpoint& local, PacketHandler& handler, unsigned thread,
                      unsigned max_rounds, std::atomic<std::uint64_t>& failures);

  private:
    static constexpr std::size_t kQuerySlot = 512;  // RFC 1035's limit: nearly every query fits
    static_assert(kMaxUdpQuery > kQuerySlot);
    using Control = PacketInfoControl;
    struct Buffers {
        std::array<mmsghdr, kUdpBatch> rx_headers;
        std::array<std::array<iovec, 2>, kUdpBatch> rx_iov;
        std::array<sockaddr_storage, kUdpBatch> peers;
        std::array<Control, kUdpBatch> rx_control;
        // A query lands in its slot of a dense arena and, past kQuerySlot octets (rare), in a tail of its
        // own: a batch of ordinary queries touches a few pages rather than a 4 KiB page per query (the
        // same TLB reasoning as for the replies below). A query with a tail is joined in `joined`.
        alignas(64) std::array<std::uint8_t, kQuerySlot * kUdpBatch> queries;
        std::array<std::array<std::uint8_t, kMaxUdpQuery - kQuerySlot>, kUdpBatch> query_tails;
        std::array<std::uint8_t, kMaxUdpQuery> joined;

        std::array<mmsghdr, kUdpBatch> tx_headers;
        std::array<iovec, kUdpBatch> tx_iov;
        std::array<Control, kUdpBatch> tx_control;
        // Replies are packed one after another (each may take up to kMaxUdpResponse), so that a batch of
        // small replies touches a page or two rather than a page per reply: every system call empties the
        // TLB on this kind of machine (page-table isolation without PCID).
        alignas(64) std::array<std::uint8_t, kMaxUdpResponse * kUdpBatch> replies;
    };
    std::unique_ptr<Buffers> buffers_;
    std::size_t received_ = 0;  // headers the kernel wrote last time, reset before the next receive
    std::size_t replies_ = 0;
};

}  // namespace cairn::net
