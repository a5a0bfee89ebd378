// Where the resolver's log lines go. The resolver does no I/O: it hands each line to the sink the server
// layer installs (ResolverContext::set_log_sink), which routes it to BIND's logging category of that name.
// Lines are rare events on the resolution path (a quota spilling), never on the cache-hit path.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace cairn::resolver {

enum class LogSeverity : std::uint8_t { debug, info, notice, warning, error };

struct LogLine {
    std::string_view category;  // BIND's category: "spill", ...
    LogSeverity severity = LogSeverity::info;
    std::string text;
};

using LogSink = std::function<void(const LogLine&)>;

}  // namespace cairn::resolver
