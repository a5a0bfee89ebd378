// One worker's UDP thread. With a single socket it sleeps in recvmmsg itself (MSG_WAITFORONE): a batch
// costs a recvmmsg and a sendmmsg, no epoll_wait. With several sockets (several listen addresses) it
// waits for them in epoll. Either way, while queries stream in, it pauses briefly between batches so
// that they gather (udp_coalescing.hpp).
#pragma once

#include <memory>
#include <vector>

#include "net/endpoint.hpp"
#include "net/fd.hpp"
#include "net/pollable.hpp"
#include "net/udp_batch.hpp"
#include "net/udp_coalescing.hpp"
#include "net/worker_shared.hpp"

namespace cairn::net {

class UdpWorker {
  public:
    // `index`: the thread index the handler sees (udp_thread_index).
    UdpWorker(unsigned index, WorkerShared& shared);
    void add_socket(Fd fd, const Endpoint& local);

    void run();  // until stop is requested
    // Wakes a thread sleeping in recvmmsg once WorkerShared::stopping is set (the stop event wakes the
    // others). Any thread.
    void wake();
    UdpCounters counters() const;  // any thread

  private:
    struct Socket : Pollable {
        Socket(Fd f, const Endpoint& at) : Pollable(Kind::udp), fd(std::move(f)), local(at) {}
        Fd fd;
        Endpoint local;
    };
    bool sleeps_in_receive() const { return sockets_.size() == 1; }
    void run_receiving(Socket& socket);
    void run_polling();
    void take_pause(const UdpCoalescing& coalescing);
    void count_batch(std::size_t datagrams);  // in the shared counters

    unsigned index_;
    WorkerShared& shared_;
    std::vector<std::unique_ptr<Socket>> sockets_;
    UdpBatch batch_;
    struct alignas(64) Counters {  // a line of their own: other threads read them
        std::atomic<std::uint64_t> batches{0};
        std::atomic<std::uint64_t> datagrams{0};
        std::atomic<std::uint64_t> pauses{0};
    } counters_;
};

}  // namespace cairn::net
