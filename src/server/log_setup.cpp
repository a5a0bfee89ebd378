#include "server/log_setup.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <stdexcept>

namespace cairn::server {

void setup_stderr_log(const std::string& level) {
    if (spdlog::get("cairnd") != nullptr) return;
    auto logger = spdlog::stderr_color_mt("cairnd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$: %v");
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

void add_log_channels(const std::vector<LogChannel>& channels) {
    auto logger = spdlog::default_logger();
    for (const auto& channel : channels) {
        spdlog::sink_ptr sink;
        try {
            if (channel.kind == LogChannel::Kind::syslog) {
                sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("cairnd", LOG_PID, LOG_DAEMON, false);
            } else if (channel.max_size > 0) {
                sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                    channel.file, channel.max_size, std::max<std::size_t>(channel.versions, 1));
            } else {
                sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(channel.file);
            }
        } catch (const spdlog::spdlog_ex& e) {
            throw std::runtime_error("logging channel " + channel.name + ": " + e.what());
        }
        std::string pattern = channel.print_time ? "%Y-%m-%dT%H:%M:%S.%e " : "";
        if (channel.print_severity) pattern += "%l: ";
        sink->set_pattern(pattern + "%v");
        sink->set_level(spdlog::level::from_str(channel.severity));
        logger->sinks().push_back(std::move(sink));
    }
}

}  // namespace cairn::server
