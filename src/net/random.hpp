// Unpredictable numbers for what an off-path attacker must not guess (RFC 5452): upstream query IDs and
// source ports. Read from the kernel's CSPRNG (getrandom) a few kilobytes at a time, so that a query costs
// no system call for them. One per thread: it takes no lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace cairn::net {

class RandomSource {
  public:
    std::uint16_t next16();
    std::uint32_t next32();
    // Uniform in [0, bound) (bound > 0), without modulo bias.
    std::uint32_t below(std::uint32_t bound);

  private:
    void refill();
    std::array<std::uint8_t, 4096> pool_{};
    std::size_t used_ = sizeof pool_;
};

}  // namespace cairn::net
