#include "net/tcp_reply_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "net/error.hpp"

namespace cairn::net {

TcpReplyQueue::TcpReplyQueue() : Pollable(Kind::replies), event_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!event_) throw Error(system_message("eventfd", errno));
}

void TcpReplyQueue::post(std::uint64_t connection, std::span<const std::uint8_t> message) {
    bool was_empty = false;
    {
        std::lock_guard lock(mutex_);
        was_empty = replies_.empty();
        replies_.push_back({connection, std::vector<std::uint8_t>(message.begin(), message.end())});
    }
    // One wake-up per batch of posts: the worker drains them all when it runs.
    if (was_empty) {
        const std::uint64_t one = 1;
        if (::write(event_.get(), &one, sizeof one) < 0) {
            // EAGAIN only, when the counter is about to overflow: the worker is awake already.
        }
    }
}

std::vector<TcpReplyQueue::Reply> TcpReplyQueue::take() {
    std::uint64_t count = 0;
    if (::read(event_.get(), &count, sizeof count) < 0) {
        // EAGAIN: nothing signalled since the last read; what is queued is taken all the same.
    }
    std::lock_guard lock(mutex_);
    return std::exchange(replies_, {});
}

}  // namespace cairn::net
