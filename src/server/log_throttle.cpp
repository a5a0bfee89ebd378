#include "server/log_throttle.hpp"

#include <memory>

namespace cairn::server {

namespace {

std::int64_t steady_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Throttles {
    std::array<std::unique_ptr<LogThrottle>, kRepeatedKinds> kinds{
        std::make_unique<LogThrottle>(LogCategory::notify, "malformed NOTIFY"),
        std::make_unique<LogThrottle>(LogCategory::notify, "refused NOTIFY"),
        std::make_unique<LogThrottle>(LogCategory::notify, "NOTIFY for a zone that is not a secondary"),
        std::make_unique<LogThrottle>(LogCategory::notify, "received NOTIFY"),
        std::make_unique<LogThrottle>(LogCategory::security, "failed TSIG"),
        std::make_unique<LogThrottle>(LogCategory::security, "refused transfer"),
        std::make_unique<LogThrottle>(LogCategory::xfr_out, "malformed transfer request"),
        std::make_unique<LogThrottle>(LogCategory::security, "refused control connection"),
        std::make_unique<LogThrottle>(LogCategory::rate_limit, "rate limiting"),
        std::make_unique<LogThrottle>(LogCategory::resolver, "failed resolution"),
        std::make_unique<LogThrottle>(LogCategory::resolver, "unreadable upstream reply"),
    };
};

Throttles& throttles() {
    static Throttles all;
    return all;
}

}  // namespace

std::string with_thousands(std::uint64_t value) {
    std::string digits = std::to_string(value);
    for (std::size_t at = digits.size(); at > 3; at -= 3)
        digits.insert(at - 3, 1, ',');
    return digits;
}

bool LogThrottle::admit(spdlog::level::level_enum level) {
    if (!category_log(category_).should_log(level)) return false;
    roll(steady_seconds());
    if (written_.fetch_add(1, std::memory_order_relaxed) < kThrottleBurst) return true;
    held_back_.fetch_add(1, std::memory_order_relaxed);
    suppressed_total_.fetch_add(1, std::memory_order_relaxed);
    if (level > level_.load(std::memory_order_relaxed)) level_.store(level, std::memory_order_relaxed);
    return false;
}

void LogThrottle::roll(std::int64_t now) {
    std::int64_t start = period_start_.load(std::memory_order_relaxed);
    if (now - start < kThrottlePeriod.count()) return;
    if (!period_start_.compare_exchange_strong(start, now, std::memory_order_relaxed)) return;
    // This thread ended the period: it alone reports it.
    written_.store(0, std::memory_order_relaxed);
    const std::uint64_t held = held_back_.exchange(0, std::memory_order_relaxed);
    const auto level = static_cast<spdlog::level::level_enum>(level_.exchange(spdlog::level::info));
    if (held == 0) return;
    category_log(category_).log(level, "{}: {} similar message{} suppressed", kind_, with_thousands(held),
                                held == 1 ? "" : "s");
}

LogThrottle& repeated(Repeated kind) {
    return *throttles().kinds[static_cast<std::size_t>(kind)];
}

void flush_suppressed_logs() {
    const std::int64_t now = steady_seconds();
    for (auto& throttle : throttles().kinds)
        throttle->roll(now);
}

}  // namespace cairn::server
