// The resolver's time: a monotonic millisecond count for deadlines, RTTs and TTLs (immune to the wall clock
// being set), and wall time only to show operators when something happened. Tests drive a FakeClock.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>

namespace cairn::resolver {

using Millis = std::int64_t;  // milliseconds on the monotonic clock (CLOCK_MONOTONIC for SystemClock)
inline constexpr Millis kNever = INT64_MAX;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual Millis now() const = 0;                 // monotonic
    virtual std::int64_t wall_seconds() const = 0;  // Unix time, for dumps and EDE texts
    std::uint32_t now_seconds() const { return static_cast<std::uint32_t>(now() / 1000); }
};

// CLOCK_MONOTONIC_COARSE (a vDSO read, ~ms resolution) for the cache-hit path; CLOCK_MONOTONIC would do
// the same in twice the time, and TTLs count whole seconds.
class SystemClock final : public Clock {
  public:
    Millis now() const override {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return static_cast<Millis>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
    }
    std::int64_t wall_seconds() const override {
        timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        return ts.tv_sec;
    }
    static const SystemClock& instance() {
        static const SystemClock clock;
        return clock;
    }
};

// Time that moves only when told: the replay harness and unit tests. Monotonic time starts at 1,000 s so
// that "seconds since start" is never 0; wall time at 2024-01-01T00:00:00Z plus the same offset.
class FakeClock final : public Clock {
  public:
    Millis now() const override { return now_.load(std::memory_order_relaxed); }
    std::int64_t wall_seconds() const override { return 1704067200 + (now() - kStart) / 1000; }
    void advance(Millis ms) { now_.fetch_add(ms, std::memory_order_relaxed); }
    void set(Millis ms) { now_.store(ms, std::memory_order_relaxed); }
    static constexpr Millis kStart = 1000000;

  private:
    std::atomic<Millis> now_{kStart};
};

}  // namespace cairn::resolver
