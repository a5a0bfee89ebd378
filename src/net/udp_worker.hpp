// One worker's UDP thread. With a single socket it sleeps in recvmmsg itself (MSG_WAITFORONE): a batch
// costs a recvmmsg and a sendmmsg, no epoll_wait. With several sockets (several listen addresses) it
// waits for them in epoll.
#pragma once

#include <memory>
#include <vector>

#include "net/endpoint.hpp"
#include "net/fd.hpp"
#include "net/pollable.hpp"
#include "net/udp_batch.hpp"
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

  private:
    struct Socket : Pollable {
        Socket(Fd f, const Endpoint& at) : Pollable(Kind::udp), fd(std::move(f)), local(at) {}
        Fd fd;
        Endpoint local;
    };
    bool sleeps_in_receive() const { return sockets_.size() == 1; }
    void run_receiving(Socket& socket);
    void run_polling();

    unsigned index_;
    WorkerShared& shared_;
    std::vector<std::unique_ptr<Socket>> sockets_;
    UdpBatch batch_;
};

}  // namespace cairn::net
