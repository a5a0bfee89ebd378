// Replies that reach a TCP worker from other threads: a query its connection handed to the handler was
// answered later (PacketHandler's kReplyLater), and the reply must go out on that connection, which only
// its worker thread may touch. Other threads post here; the worker wakes on the queue's eventfd, takes
// everything at once and appends each reply to its connection, if the connection is still open.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "net/fd.hpp"
#include "net/pollable.hpp"

namespace cairn::net {

class TcpReplyQueue : public Pollable {
  public:
    struct Reply {
        std::uint64_t connection = 0;
        std::vector<std::uint8_t> message;  // empty: no reply will come (the connection stops waiting)
    };

    TcpReplyQueue();

    // Any thread. Posting to a queue whose worker has stopped loses the reply, as a closed connection would.
    void post(std::uint64_t connection, std::span<const std::uint8_t> message);

    // The worker thread: the eventfd its epoll set watches, and everything posted so far (cleared).
    int fd() const { return event_.get(); }
    std::vector<Reply> take();

  private:
    Fd event_;
    std::mutex mutex_;
    std::vector<Reply> replies_;
};

}  // namespace cairn::net
