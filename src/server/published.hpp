// Publishes immutable snapshots (the served zones and policies) to worker threads that read them without
// locks or reference counting, and frees replaced snapshots once no worker can still see them.
//
// Quiescent-state based reclamation: a worker announces, at the start of each batch of queries, the
// generation it is about to read (enter) and that it holds nothing at the end (leave). A snapshot replaced
// at generation G is freed once every worker is outside a batch or has entered at G or later. All atomics
// are sequentially consistent: either the writer's scan sees the worker's announcement, or the worker's
// later pointer load sees the new snapshot (publish stores the pointer before it scans).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace cairn::server {

template <typename T>
class Published {
  public:
    explicit Published(unsigned readers, std::unique_ptr<const T> initial = nullptr)
        : slots_(std::make_unique<Slot[]>(readers)), reader_count_(readers), current_(initial.release()) {}
    Published(const Published&) = delete;
    Published& operator=(const Published&) = delete;
    ~Published() {
        delete current_.load();
        for (auto& r : retired_)
            delete r.snapshot;
    }

    unsigned reader_count() const { return reader_count_; }

    // Reader side, from reader `reader`'s own thread. get() is valid between enter() and leave().
    void enter(unsigned reader) { slots_[reader].seen.store(generation_.load()); }
    const T* get() const { return current_.load(); }
    void leave(unsigned reader) { slots_[reader].seen.store(kOutside); }

    // Writer side (any thread; writers are serialised here). Replaces the snapshot and frees what it can.
    void publish(std::unique_ptr<const T> next) {
        std::lock_guard lock(writer_);
        const T* old = current_.exchange(next.release());
        const std::uint64_t replaced_at = generation_.fetch_add(1) + 1;
        if (old != nullptr) retired_.push_back({old, replaced_at});
        reclaim_locked();
    }

    // Frees retired snapshots no reader can hold any more; returns how many are still waiting.
    std::size_t reclaim() {
        std::lock_guard lock(writer_);
        reclaim_locked();
        return retired_.size();
    }

    // The current snapshot for the writer's own use (e.g. to build the next one from it). Only valid
    // while the caller is the one that publishes: readers never call this.
    const T* writer_view() const { return current_.load(); }

  private:
    static constexpr std::uint64_t kOutside = std::numeric_limits<std::uint64_t>::max();

    struct alignas(64) Slot {  // one cache line each: readers never share a line they write
        std::atomic<std::uint64_t> seen{kOutside};
    };
    struct Retired {
        const T* snapshot;
        std::uint64_t replaced_at;  // readers that entered at this generation or later cannot see it
    };

    void reclaim_locked() {
        std::uint64_t oldest = kOutside;
        for (unsigned i = 0; i < reader_count_; ++i)
            oldest = std::min(oldest, slots_[i].seen.load());
        std::erase_if(retired_, [&](const Retired& r) {
            if (oldest < r.replaced_at) return false;
            delete r.snapshot;
            return true;
        });
    }

    std::unique_ptr<Slot[]> slots_;
    unsigned reader_count_;
    std::atomic<const T*> current_;
    std::atomic<std::uint64_t> generation_{0};
    std::mutex writer_;
    std::vector<Retired> retired_;
};

}  // namespace cairn::server
