#include "lifecycle/worker_pool.hpp"

namespace cairn::lifecycle {

WorkerPool::WorkerPool(unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
        threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
    stop(std::chrono::steady_clock::now() + std::chrono::seconds(30));
}

void WorkerPool::submit(Priority priority, Task task) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        (priority == Priority::serve ? serve_ : save_).push_back(std::move(task));
    }
    wake_.notify_one();
}

std::size_t WorkerPool::pending() const {
    std::lock_guard lock(mutex_);
    return serve_.size() + save_.size() + running_;
}

void WorkerPool::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !serve_.empty() || !save_.empty(); });
        if (stopping_) return;
        auto& queue = !serve_.empty() ? serve_ : save_;
        Task task = std::move(queue.front());
        queue.pop_front();
        ++running_;
        lock.unlock();
        task(cancel_);
        task = nullptr;  // what it captured goes now, not while the lock is held
        lock.lock();
        --running_;
        idle_.notify_all();
    }
}

bool WorkerPool::stop(std::chrono::steady_clock::time_point deadline) {
    bool all_done = true;
    {
        std::unique_lock lock(mutex_);
        if (threads_.empty()) return true;
        stopping_ = true;
        serve_.clear();
        save_.clear();
        cancel_.request();
        wake_.notify_all();
        all_done = idle_.wait_until(lock, deadline, [this] { return running_ == 0; });
    }
    for (auto& thread : threads_) {
        if (all_done) {
            thread.join();
        } else {
            thread.detach();
        }
    }
    threads_.clear();
    return all_done;
}

}  // namespace cairn::lifecycle
