// The lifecycle's threads for blocking work: reading zone files, building a zone from a large transfer,
// writing zone files, journal and timer writes (LMDB commits fsync). Like Knot's background workers, a
// bounded number of threads, so that a thousand zones loading at once queue instead of each taking a
// thread. Work that puts a zone in service (load, build) goes before work that only keeps it on disk
// (write file, trim journal, timers), so that saving never delays serving.
//
// stop() asks running tasks to give up (Cancel::requested()) and waits for them up to a deadline: a task
// that cannot stop in time is left behind and stop() says so (the daemon then exits without waiting for
// it; every write it might be doing is atomic: a temporary file renamed, an LMDB transaction).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cairn::lifecycle {

class Cancel {
  public:
    bool requested() const { return flag_.load(std::memory_order_relaxed); }
    void request() { flag_.store(true, std::memory_order_relaxed); }

  private:
    std::atomic<bool> flag_{false};
};

class WorkerPool {
  public:
    enum class Priority { serve, save };
    using Task = std::function<void(const Cancel&)>;

    explicit WorkerPool(unsigned threads);
    ~WorkerPool();  // stop() with a generous deadline
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Any thread. Dropped after stop().
    void submit(Priority priority, Task task);

    // Drops queued tasks, cancels running ones and waits up to `deadline`; false when some task was still
    // running then (its thread is detached).
    bool stop(std::chrono::steady_clock::time_point deadline);

    // Queued and running tasks (tests and zonestatus-style diagnostics).
    std::size_t pending() const;

  private:
    void run();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<Task> serve_, save_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    Cancel cancel_;
    std::vector<std::thread> threads_;
};

}  // namespace cairn::lifecycle
