// What the net layer calls for each message it receives. Workers call a handler from several threads at
// once, so implementations must be thread-safe; `ClientInfo::worker` identifies the calling thread.
//
// A handler answers at once (a reply written into the buffer it is given), or later: it returns
// kReplyLater and keeps a net::DeferredReply made from the ClientInfo, which sends the reply from whatever
// thread has it (a recursive resolver's cache miss, answered once the authorities have been asked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>

#include "net/endpoint.hpp"

namespace cairn::net {

enum class Transport : std::uint8_t { udp, tcp };

class TcpReplyQueue;

// Where a reply that is not ready while the handler runs goes later (see DeferredReply). Filled by the
// net layer for every query; a handler only copies it.
struct ReplyPath {
    int udp_fd = -1;                     // UDP: the socket the query came in on
    int ifindex = 0;                     // UDP on a wildcard socket: the interface the query came in on
    bool set_source = false;             // UDP on a wildcard socket: the reply names its source address
    TcpReplyQueue* tcp_queue = nullptr;  // TCP: the connection's thread
    std::uint64_t tcp_connection = 0;    // TCP: the connection, as its thread numbers them
};

struct ClientInfo {
    Endpoint source;       // the client
    Endpoint destination;  // the local address the query arrived on (known even on wildcard sockets)
    Transport transport = Transport::udp;
    unsigned worker = 0;  // index of the calling thread, < Server::thread_slots()
    ReplyPath reply_path;
    // TCP: the one field a handler writes. Set when a query carried edns-tcp-keepalive (RFC 7828): the
    // connection then waits tcp-keepalive-timeout instead of tcp-idle-timeout for the next query.
    mutable bool tcp_keepalive = false;
};

// PacketHandler::handle()'s answer for "the reply will come later, through a DeferredReply".
inline constexpr std::size_t kReplyLater = std::numeric_limits<std::size_t>::max();

// A reply that spans many messages (zone transfers). The TCP connection pulls the next message only when
// its socket has drained, so a large transfer neither blocks the worker nor buffers without bound. A
// stream lives across worker batches: it must own (or hold a reference to) everything it reads.
class ResponseStream {
  public:
    virtual ~ResponseStream() = default;
    // Writes the next message into `out` and returns its size; 0 when the stream is finished.
    virtual std::size_t next(std::span<std::uint8_t> out) = 0;
};

class PacketHandler {
  public:
    virtual ~PacketHandler() = default;

    // Writes the reply to `query` into `response` and returns its size; 0 drops the query; kReplyLater
    // says that a DeferredReply made from `client` will carry it. Over UDP `response` is at most
    // kMaxUdpResponse octets; the handler truncates (TC) to what the client allows.
    virtual std::size_t handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                               const ClientInfo& client) = 0;

    // TCP only, asked before handle(): a handler that answers `query` with many messages returns a stream;
    // nullptr (the default) means handle() answers it. Must be cheap for ordinary queries.
    virtual std::unique_ptr<ResponseStream> open_stream(std::span<const std::uint8_t> /*query*/,
                                                        const ClientInfo& /*client*/) {
        return nullptr;
    }

    // UDP: called with every query of a batch before handle() is called for each, inside the batch's
    // begin_batch/end_batch, so that the handler can fetch what the answers will read all at once. A hint:
    // the default does nothing.
    virtual void prefetch(std::span<const std::span<const std::uint8_t>> /*queries*/, unsigned /*worker*/) {}

    // Each worker brackets every batch of work with these calls, from its own thread. Between end_batch
    // and the next begin_batch the worker holds nothing it got from the handler: a quiescent state, which
    // lets the handler reclaim shared data without locks on the query path.
    virtual void begin_batch(unsigned /*worker*/) {}
    virtual void end_batch(unsigned /*worker*/) {}
};

}  // namespace cairn::net
