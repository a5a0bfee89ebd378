#include "resolver/read_section.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace cairn::resolver {
namespace {

constexpr std::uint64_t kOutside = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t kReclaimEvery = 256;  // retirements between scans of the readers

struct alignas(64) ReaderSlot {
    std::atomic<std::uint64_t> seen{kOutside};
    std::atomic<bool> taken{false};
};

struct Retired {
    void* object;
    void (*free_object)(void*);
    std::uint64_t retired_at;  // readers that entered at this generation or later cannot hold it
};

class Domain {
  public:
    ~Domain() {
        // Process exit: no reader is left.
        for (auto& r : retired_)
            r.free_object(r.object);
    }

    unsigned acquire_slot() {
        std::lock_guard lock(registry_);
        for (unsigned i = 0; i < kMaxReaderThreads; ++i) {
            if (!slots_[i].taken.load()) {
                slots_[i].taken.store(true);
                used_ = std::max(used_.load(), i + 1);
                return i;
            }
        }
        throw std::runtime_error("more resolver reader threads than kMaxReaderThreads");
    }
    void release_slot(unsigned i) {
        std::lock_guard lock(registry_);
        slots_[i].seen.store(kOutside);
        slots_[i].taken.store(false);
    }

    void enter(unsigned slot) {
        slots_[slot].seen.store(generation_.load(std::memory_order_relaxed), std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);
    }
    void leave(unsigned slot) { slots_[slot].seen.store(kOutside, std::memory_order_release); }

    void retire(void* object, void (*free_object)(void*)) {
        std::atomic_thread_fence(std::memory_order_seq_cst);  // the unlink before the new generation
        const std::uint64_t at = generation_.fetch_add(1, std::memory_order_seq_cst) + 1;
        std::lock_guard lock(writers_);
        retired_.push_back({object, free_object, at});
        if (retired_.size() % kReclaimEvery == 0) reclaim_locked();
    }

    std::size_t reclaim() {
        std::lock_guard lock(writers_);
        reclaim_locked();
        return retired_.size();
    }

  private:
    void reclaim_locked() {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        std::uint64_t oldest = kOutside;
        const unsigned used = used_.load();
        for (unsigned i = 0; i < used; ++i)
            oldest = std::min(oldest, slots_[i].seen.load(std::memory_order_acquire));
        std::vector<Retired> free_now;
        std::erase_if(retired_, [&](const Retired& r) {
            if (oldest < r.retired_at) return false;
            free_now.push_back(r);
            return true;
        });
        for (auto& r : free_now)
            r.free_object(r.object);
    }

    ReaderSlot slots_[kMaxReaderThreads];
    std::atomic<unsigned> used_{0};
    std::atomic<std::uint64_t> generation_{1};
    std::mutex registry_;
    std::mutex writers_;
    std::vector<Retired> retired_;
};

Domain& domain() {
    static Domain d;  // constructed before any thread registers, destroyed after main
    return d;
}

struct ThreadReader {
    unsigned slot;
    unsigned depth = 0;
    Domain& owner;
    ThreadReader() : slot(domain().acquire_slot()), owner(domain()) {}
    ~ThreadReader() { owner.release_slot(slot); }
};

ThreadReader& reader() {
    thread_local ThreadReader r;
    return r;
}

}  // namespace

void enter_read_section() {
    ThreadReader& r = reader();
    if (r.depth++ == 0) r.owner.enter(r.slot);
}

void leave_read_section() {
    ThreadReader& r = reader();
    if (--r.depth == 0) r.owner.leave(r.slot);
}

void retire(void* object, void (*free_object)(void*)) {
    domain().retire(object, free_object);
}

std::size_t reclaim_retired() {
    return domain().reclaim();
}

unsigned thread_slot() {
    return reader().slot;
}

}  // namespace cairn::resolver
