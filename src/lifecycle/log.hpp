// How the lifecycle logs: through a sink the daemon gives it (its categories are BIND's: general for loads,
// xfer-in for refreshes and transfers, notify for NOTIFY), so that this layer needs no logging setup of its
// own and tests can read what it says.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>

namespace cairn::lifecycle {

enum class LogTopic { general, xfr_in, notify };
enum class LogLevel { debug, info, warning, error };
using LogSink = std::function<void(LogTopic, LogLevel, const std::string&)>;

class Log {
  public:
    explicit Log(LogSink sink = {}) : sink_(std::move(sink)) {}
    template <typename... Args>
    void operator()(LogTopic topic, LogLevel level, fmt::format_string<Args...> format,
                    Args&&... args) const {
        if (sink_) sink_(topic, level, fmt::format(format, std::forward<Args>(args)...));
    }

  private:
    LogSink sink_;
};

}  // namespace cairn::lifecycle
