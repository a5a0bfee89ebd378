// Counts the allocations of a whole test binary by replacing the global operator new, for tests that prove
// a query-path function allocates nothing. Include it from exactly one file of a binary: a program has one
// replacement operator new.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace allocation_counter {

inline std::atomic<long> g_allocations{0};

// Allocations so far; compare two readings around the code under test.
inline long allocations() {
    return g_allocations.load();
}

}  // namespace allocation_counter

// The replacements pair malloc with free; g++ cannot see that once it inlines them into callers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
    allocation_counter::g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
// The nothrow form too (std::stable_sort's buffer uses it): under ASan the default one would come from the
// sanitizer's allocator and meet the free() above.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    allocation_counter::g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
#pragma GCC diagnostic pop
