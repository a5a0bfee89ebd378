#include "server/log_setup.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace cairn::server {

namespace {

constexpr std::array<std::string_view, kLogCategories> kCategoryNames = {
    "general", "config", "xfer-in", "xfer-out", "notify", "security", "queries", "resolver"};

// The configured channels of one category. Reconfiguration swaps the list under the lock while workers may
// be logging; the channel sinks do their own locking.
class ChannelRouter final : public spdlog::sinks::sink {
  public:
    void log(const spdlog::details::log_msg& message) override {
        std::lock_guard lock(mutex_);
        for (const auto& channel : channels_) {
            if (channel->should_log(message.level)) channel->log(message);
        }
    }
    void flush() override {
        std::lock_guard lock(mutex_);
        for (const auto& channel : channels_)
            channel->flush();
    }
    void set_pattern(const std::string&) override {}  // each channel has its own
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

    void replace(std::vector<spdlog::sink_ptr> channels) {
        {
            std::lock_guard lock(mutex_);
            channels_.swap(channels);
        }
        // The previous channels close their files here, outside the lock.
    }

  private:
    std::mutex mutex_;
    std::vector<spdlog::sink_ptr> channels_;
};

// Created on first use, so that a message logged before setup_stderr_log() (a unit test, a static
// initialiser) still has somewhere to go.
struct CategoryLoggers {
    CategoryLoggers() {
        stderr_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        stderr_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$: %n: %v");
        stderr_sink->set_level(spdlog::level::info);
        channel_levels.fill(spdlog::level::off);
        for (std::size_t i = 0; i < kLogCategories; ++i) {
            routers[i] = std::make_shared<ChannelRouter>();
            loggers[i] = std::make_shared<spdlog::logger>(std::string(kCategoryNames[i]),
                                                          spdlog::sinks_init_list{stderr_sink, routers[i]});
            loggers[i]->set_level(stderr_sink->level());
            // The query log can be busy: it is flushed by spdlog's periodic flusher instead of per line.
            loggers[i]->flush_on(i == static_cast<std::size_t>(LogCategory::queries) ? spdlog::level::warn
                                                                                     : spdlog::level::info);
        }
    }

    spdlog::sink_ptr stderr_sink;
    std::array<std::shared_ptr<spdlog::logger>, kLogCategories> loggers;
    std::array<std::shared_ptr<ChannelRouter>, kLogCategories> routers;
    std::array<spdlog::level::level_enum, kLogCategories> channel_levels;  // the lowest a channel takes
    std::mutex configure_mutex;
    bool registered = false;
};

CategoryLoggers& category_loggers() {
    static CategoryLoggers instance;
    return instance;
}

spdlog::sink_ptr open_channel(const LogChannel& channel) {
    spdlog::sink_ptr sink;
    try {
        if (channel.kind == LogChannel::Kind::syslog) {
            sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("cairnd", LOG_PID, LOG_DAEMON, true);
        } else if (channel.max_size > 0) {
            // `versions unlimited` keeps them all in BIND; a hundred is plenty and keeps rotation cheap.
            sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                channel.file, channel.max_size, std::clamp<std::size_t>(channel.versions, 1, 100));
        } else {
            sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(channel.file);
        }
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error("logging channel " + channel.name + ": " + e.what());
    }
    // BIND's layout: "22-Nov-2026 06:09:16.123 general: info: message". syslog stamps its own time.
    std::string pattern;
    if (channel.print_time && channel.kind != LogChannel::Kind::syslog) pattern += "%d-%b-%Y %H:%M:%S.%e ";
    if (channel.print_category) pattern += "%n: ";
    if (channel.print_severity) pattern += "%l: ";
    sink->set_pattern(pattern + "%v");
    sink->set_level(spdlog::level::from_str(channel.severity));
    return sink;
}

}  // namespace

std::string_view category_name(LogCategory category) {
    return kCategoryNames[static_cast<std::size_t>(category)];
}

spdlog::logger& category_log(LogCategory category) {
    return *category_loggers().loggers[static_cast<std::size_t>(category)];
}

void setup_stderr_log(const std::string& level) {
    CategoryLoggers& all = category_loggers();
    std::lock_guard lock(all.configure_mutex);
    all.stderr_sink->set_level(spdlog::level::from_str(level));
    for (std::size_t i = 0; i < kLogCategories; ++i)
        all.loggers[i]->set_level(std::min(all.channel_levels[i], all.stderr_sink->level()));
    if (all.registered) return;
    all.registered = true;
    for (const auto& logger : all.loggers)
        spdlog::register_logger(logger);
    spdlog::set_default_logger(all.loggers[static_cast<std::size_t>(LogCategory::general)]);
    spdlog::flush_every(std::chrono::seconds(1));
}

void configure_logging(const LoggingSettings& logging) {
    CategoryLoggers& all = category_loggers();
    std::lock_guard lock(all.configure_mutex);
    std::map<std::string, spdlog::sink_ptr> channels;
    for (const auto& channel : logging.channels) {
        if (channel.kind != LogChannel::Kind::null) channels.emplace(channel.name, open_channel(channel));
    }
    const auto routed = [&](std::string_view category) -> const std::vector<std::string>* {
        auto found = logging.categories.find(std::string(category));
        if (found == logging.categories.end()) found = logging.categories.find("default");
        return found == logging.categories.end() ? nullptr : &found->second;
    };
    for (std::size_t i = 0; i < kLogCategories; ++i) {
        std::vector<spdlog::sink_ptr> sinks;
        spdlog::level::level_enum lowest = spdlog::level::off;
        if (const auto* names = routed(kCategoryNames[i])) {
            for (const auto& name : *names) {
                const auto found = channels.find(name);
                if (found == channels.end()) continue;  // null, default_stderr, default_debug
                sinks.push_back(found->second);
                lowest = std::min(lowest, found->second->level());
            }
        }
        all.routers[i]->replace(std::move(sinks));
        all.channel_levels[i] = lowest;
        all.loggers[i]->set_level(std::min(lowest, all.stderr_sink->level()));
    }
}

}  // namespace cairn::server
