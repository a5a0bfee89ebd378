// An allocator for the few very large arrays of a zone being read (records, name and rdata arenas, check
// indexes). Blocks of 4 MiB and more come straight from mmap with transparent huge pages requested: on a
// million-record zone, first-touch page faults otherwise cost more than the parsing itself.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace cairn::zone {

inline constexpr std::size_t kLargeBlock = std::size_t{4} << 20;

template <class T>
struct LargeAllocator {
    using value_type = T;

    LargeAllocator() = default;
    template <class U>
    LargeAllocator(const LargeAllocator<U>&) {}

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= kLargeBlock) {
            void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) throw std::bad_alloc();
            ::madvise(p, bytes, MADV_HUGEPAGE);
            return static_cast<T*>(p);
        }
        void* p = std::malloc(bytes == 0 ? 1 : bytes);
        if (p == nullptr) throw std::bad_alloc();
        return static_cast<T*>(p);
    }

    void deallocate(T* p, std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes >= kLargeBlock) {
            ::munmap(p, bytes);
        } else {
            std::free(p);
        }
    }

    // Octets are default-initialised: resize() of an octet arena leaves the new octets as they are, since
    // every caller writes them at once (zeroing 40 MB of fresh, already zeroed pages costs milliseconds an
    // incremental zone build is measured in). Other element types are value-initialised as usual.
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        if constexpr (sizeof...(Args) == 0 && std::is_same_v<U, std::uint8_t>) {
            ::new (static_cast<void*>(p)) U;
        } else {
            ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
        }
    }

    template <class U>
    bool operator==(const LargeAllocator<U>&) const {
        return true;
    }
};

template <class T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

}  // namespace cairn::zone
