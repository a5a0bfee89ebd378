// A reply given after PacketHandler::handle() returned kReplyLater: made from the query's ClientInfo while
// handle() runs, kept by whoever will have the answer (a resolution waiting for the authorities), and sent
// from that thread. UDP replies go straight out of the socket the query came in on, from the address it was
// sent to; TCP replies are posted to the connection's worker, which appends them to the connection (or drops
// them when the client has gone).
//
// A DeferredReply refers to the server's sockets: send or abandon every one before Server::stop().
#pragma once

#include <cstdint>
#include <span>

#include "net/handler.hpp"

namespace cairn::net {

class DeferredReply {
  public:
    DeferredReply() = default;
    explicit DeferredReply(const ClientInfo& client) : client_(client) {}

    const ClientInfo& client() const { return client_; }
    bool tcp() const { return client_.transport == Transport::tcp; }

    // Any thread, once. A UDP reply that the socket cannot take right now is lost (the client retries), as
    // any UDP reply may be. Returns false when it could not be sent or posted.
    bool send(std::span<const std::uint8_t> message) const;
    // No reply will come: a TCP connection stops waiting for it (UDP: nothing to do).
    void abandon() const;

  private:
    ClientInfo client_;
};

}  // namespace cairn::net
