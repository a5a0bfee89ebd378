#include "net/random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "net/error.hpp"

namespace cairn::net {

void RandomSource::refill() {
    std::size_t filled = 0;
    while (filled < pool_.size()) {
        const ssize_t n = getrandom(pool_.data() + filled, pool_.size() - filled, 0);
        if (n > 0) {
            filled += static_cast<std::size_t>(n);
        } else if (n < 0 && errno != EINTR) {
            throw Error(system_message("getrandom", errno));
        }
    }
    used_ = 0;
}

std::uint32_t RandomSource::next32() {
    if (used_ + 4 > pool_.size()) refill();
    std::uint32_t value;
    std::memcpy(&value, pool_.data() + used_, 4);
    used_ += 4;
    return value;
}

std::uint16_t RandomSource::next16() {
    if (used_ + 2 > pool_.size()) refill();
    std::uint16_t value;
    std::memcpy(&value, pool_.data() + used_, 2);
    used_ += 2;
    return value;
}

std::uint32_t RandomSource::below(std::uint32_t bound) {
    // Rejects the top values that would make some results more likely than others.
    const std::uint32_t limit = UINT32_MAX - UINT32_MAX % bound;
    for (;;) {
        const std::uint32_t value = next32();
        if (value < limit) return value % bound;
    }
}

}  // namespace cairn::net
