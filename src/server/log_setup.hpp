// cairnd's log, by category as BIND's: each category has a logger of its own (fixed for the process's
// lifetime) that writes to stderr at the daemon's --log-level (the queries category only when asked) and to
// the channels named.conf's logging {} block routes it to, each at the channel's severity (files and syslog:
// server/log_sinks.hpp). A logger's level is the lowest its sinks take, so a
// message nobody wants costs one comparison.
#pragma once

#include <spdlog/logger.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "server/settings.hpp"

namespace cairn::server {

enum class LogCategory : std::size_t {
    general,
    config,
    xfr_in,
    xfr_out,
    notify,
    security,
    queries,
    resolver,
    rate_limit,
    spill  // fetches-per-zone spilling (BIND's category)
};
inline constexpr std::size_t kLogCategories = 10;

// As named.conf writes it: "xfer-in".
std::string_view category_name(LogCategory category);

// The category's logger (stderr at info until setup_stderr_log()); valid until the process exits.
spdlog::logger& category_log(LogCategory category);

namespace logs {
inline spdlog::logger& general() {
    return category_log(LogCategory::general);
}
inline spdlog::logger& config() {
    return category_log(LogCategory::config);
}
inline spdlog::logger& xfr_in() {
    return category_log(LogCategory::xfr_in);
}
inline spdlog::logger& xfr_out() {
    return category_log(LogCategory::xfr_out);
}
inline spdlog::logger& notify() {
    return category_log(LogCategory::notify);
}
inline spdlog::logger& security() {
    return category_log(LogCategory::security);
}
inline spdlog::logger& queries() {
    return category_log(LogCategory::queries);
}
inline spdlog::logger& resolver() {
    return category_log(LogCategory::resolver);
}
inline spdlog::logger& rate_limit() {
    return category_log(LogCategory::rate_limit);
}
inline spdlog::logger& spill() {
    return category_log(LogCategory::spill);
}
}  // namespace logs

// Sets the level stderr gets every category at (the queries category only with `queries_to_stderr`, or
// when the configuration routes it to a stderr channel); the general logger becomes spdlog's default logger.
void setup_stderr_log(const std::string& level, bool queries_to_stderr = false);

// BIND's debug level (`named -d`, `rndc trace`): above 0, stderr and the `severity dynamic` channels take
// debug messages too. 0 at start.
void set_debug_level(unsigned level);
unsigned debug_level();

// Routes the categories to `logging`'s channels (replacing the previous routing; safe while other threads
// log). A category the block does not name goes where `default` goes; with no `default` either, to stderr
// only. Throws std::runtime_error naming the channel when a log file cannot be opened, and then changes
// nothing.
void configure_logging(const LoggingSettings& logging);

}  // namespace cairn::server
