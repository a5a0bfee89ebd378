// Rate-limited logging of what outsiders can make us say over and over (refused NOTIFYs, failed TSIG,
// refused transfers and control connections, rate-limited clients, failed resolutions and upstream replies):
// each kind of line gets at most kThrottleBurst lines per kThrottlePeriod; the rest are counted, and when the
// period ends one line says how many were held back ("refused NOTIFY: 1,204 similar messages suppressed"). A
// flood then writes a bounded number of lines an hour instead of filling the disk. BIND has no such general
// limit (only the rate-limit category's own); Knot logs such events at debug level.
//
// Lock-free: the query path logs through it from every worker. A line the category would not write anyway
// costs one level comparison and is not counted.
#pragma once

#include <spdlog/logger.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "server/log_setup.hpp"

namespace cairn::server {

inline constexpr unsigned kThrottleBurst = 10;
inline constexpr std::chrono::seconds kThrottlePeriod{10};

enum class Repeated : std::size_t {
    notify_malformed,
    notify_refused,
    notify_not_secondary,
    notify_received,
    tsig_failed,
    transfer_refused,
    transfer_malformed,
    control_refused,
    rate_limited,
    resolution_failed,
    upstream_reply_failed,
};
inline constexpr std::size_t kRepeatedKinds = 11;

class LogThrottle {
  public:
    LogThrottle(LogCategory category, std::string_view kind) : category_(category), kind_(kind) {}

    // Whether a line at `level` may be written now (counted as held back when not). For callers whose
    // arguments cost something to compute; log() asks it itself.
    bool admit(spdlog::level::level_enum level);

    template <typename... Args>
    void log(spdlog::level::level_enum level, fmt::format_string<Args...> format, Args&&... args) {
        if (admit(level)) category_log(category_).log(level, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) {
        log(spdlog::level::info, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void warn(fmt::format_string<Args...> format, Args&&... args) {
        log(spdlog::level::warn, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) {
        log(spdlog::level::err, format, std::forward<Args>(args)...);
    }

    // Ends the period if it is over, writing the count of lines held back in it. `now`: steady seconds.
    void roll(std::int64_t now);
    std::uint64_t suppressed_total() const { return suppressed_total_.load(std::memory_order_relaxed); }

  private:
    LogCategory category_;
    std::string_view kind_;
    std::atomic<std::int64_t> period_start_{0};
    std::atomic<unsigned> written_{0};
    std::atomic<std::uint64_t> held_back_{0};
    std::atomic<int> level_{spdlog::level::info};  // of the lines held back, for their summary
    std::atomic<std::uint64_t> suppressed_total_{0};
};

// The throttle of one kind of line (valid for the process's lifetime).
LogThrottle& repeated(Repeated kind);

// Writes the summaries of periods that have ended; the daemon calls it about once a second so that the
// count appears even when the flood stops.
void flush_suppressed_logs();

// 1204 -> "1,204".
std::string with_thousands(std::uint64_t value);

}  // namespace cairn::server
