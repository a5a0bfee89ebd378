#include "server/log_setup.hpp"

#include <spdlog/sinks/sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

#include "server/log_sinks.hpp"

namespace cairn::server {

namespace {

constexpr std::array<std::string_view, kLogCategories> kCategoryNames = {
    "general",  "config",  "xfer-in",  "xfer-out",   "notify",
    "security", "queries", "resolver", "rate-limit", "spill"};

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

// stderr for the queries category: on only when asked (--log-queries-to-stderr, or a stderr channel the
// category is routed to), so that a busy server does not flood the journal with its query log.
class GatedSink final : public spdlog::sinks::sink {
  public:
    explicit GatedSink(spdlog::sink_ptr target) : target_(std::move(target)) {}
    void log(const spdlog::details::log_msg& message) override {
        if (open_.load(std::memory_order_relaxed) && target_->should_log(message.level))
            target_->log(message);
    }
    void flush() override { target_->flush(); }
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}
    void set_open(bool open) { open_ = open; }
    bool is_open() const { return open_; }

  private:
    spdlog::sink_ptr target_;
    std::atomic<bool> open_{false};
};

constexpr std::size_t kQueries = static_cast<std::size_t>(LogCategory::queries);

// Created on first use, so that a message logged before setup_stderr_log() (a unit test, a static
// initialiser) still has somewhere to go.
struct CategoryLoggers {
    CategoryLoggers() {
        stderr_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        stderr_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$: %n: %v");
        stderr_sink->set_level(spdlog::level::info);
        queries_stderr = std::make_shared<GatedSink>(stderr_sink);
        channel_levels.fill(spdlog::level::off);
        for (std::size_t i = 0; i < kLogCategories; ++i) {
            routers[i] = std::make_shared<ChannelRouter>();
            const spdlog::sink_ptr standard_error = i == kQueries ? queries_stderr : stderr_sink;
            loggers[i] = std::make_shared<spdlog::logger>(
                std::string(kCategoryNames[i]), spdlog::sinks_init_list{standard_error, routers[i]});
            loggers[i]->set_level(stderr_sink->level());
            // The query log can be busy: it is flushed by spdlog's periodic flusher instead of per line.
            loggers[i]->flush_on(i == kQueries ? spdlog::level::warn : spdlog::level::info);
        }
    }

    // What stderr takes: --log-level, lowered to debug while the debug level is above 0 (unless stderr is
    // off).
    spdlog::level::level_enum stderr_level() const {
        const bool raised = debug_level > 0 && base_level != spdlog::level::off;
        return raised ? std::min(base_level, spdlog::level::debug) : base_level;
    }

    // Applies the debug level to stderr and the `severity dynamic` channels, then sets each logger to the
    // lowest level one of its sinks takes. With configure_mutex held.
    void apply_levels() {
        stderr_sink->set_level(stderr_level());
        for (const auto& channel : dynamic_channels)
            channel->set_level(debug_level > 0 ? spdlog::level::debug : spdlog::level::info);
        for (std::size_t i = 0; i < kLogCategories; ++i) {
            spdlog::level::level_enum lowest = spdlog::level::off;
            for (const auto& channel : routed[i])
                lowest = std::min(lowest, channel->level());
            channel_levels[i] = lowest;
            const bool to_stderr = i != kQueries || queries_stderr->is_open();
            loggers[i]->set_level(to_stderr ? std::min(lowest, stderr_sink->level()) : lowest);
        }
    }

    spdlog::sink_ptr stderr_sink;
    std::shared_ptr<GatedSink> queries_stderr;
    std::array<std::shared_ptr<spdlog::logger>, kLogCategories> loggers;
    std::array<std::shared_ptr<ChannelRouter>, kLogCategories> routers;
    std::array<std::vector<spdlog::sink_ptr>, kLogCategories> routed;      // each category's channels
    std::array<spdlog::level::level_enum, kLogCategories> channel_levels;  // the lowest a channel takes
    std::vector<spdlog::sink_ptr> dynamic_channels;                        // `severity dynamic`
    spdlog::level::level_enum base_level = spdlog::level::info;
    bool queries_asked = false;  // --log-queries-to-stderr
    std::atomic<unsigned> debug_level{0};
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
            sink = std::make_shared<SyslogSink>(channel.syslog_facility);
        } else {
            sink = std::make_shared<BindFileSink>(channel.file, channel.max_size, channel.versions);
        }
    } catch (const std::exception& e) {
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

void setup_stderr_log(const std::string& level, bool queries_to_stderr) {
    CategoryLoggers& all = category_loggers();
    std::lock_guard lock(all.configure_mutex);
    all.base_level = spdlog::level::from_str(level);
    all.queries_asked = queries_to_stderr;
    all.queries_stderr->set_open(queries_to_stderr);
    all.apply_levels();
    if (all.registered) return;
    all.registered = true;
    for (const auto& logger : all.loggers)
        spdlog::register_logger(logger);
    spdlog::set_default_logger(all.loggers[static_cast<std::size_t>(LogCategory::general)]);
    spdlog::flush_every(std::chrono::seconds(1));
}

void set_debug_level(unsigned level) {
    CategoryLoggers& all = category_loggers();
    std::lock_guard lock(all.configure_mutex);
    all.debug_level = level;
    all.apply_levels();
}

unsigned debug_level() {
    return category_loggers().debug_level.load();
}

void configure_logging(const LoggingSettings& logging) {
    CategoryLoggers& all = category_loggers();
    std::lock_guard lock(all.configure_mutex);
    std::map<std::string, spdlog::sink_ptr> channels;
    std::vector<spdlog::sink_ptr> dynamic;
    std::set<std::string> standard_error;  // stderr channels: nothing to open
    for (const auto& channel : logging.channels) {
        if (channel.kind == LogChannel::Kind::standard_error) {
            standard_error.insert(channel.name);
        } else if (channel.kind != LogChannel::Kind::null) {
            const auto sink = channels.emplace(channel.name, open_channel(channel)).first->second;
            if (channel.dynamic) dynamic.push_back(sink);
        }
    }
    const auto routed = [&](std::string_view category) -> const std::vector<std::string>* {
        auto found = logging.categories.find(std::string(category));
        if (found == logging.categories.end()) found = logging.categories.find("default");
        return found == logging.categories.end() ? nullptr : &found->second;
    };
    bool queries_to_stderr = all.queries_asked;
    for (std::size_t i = 0; i < kLogCategories; ++i) {
        std::vector<spdlog::sink_ptr> sinks;
        if (const auto* names = routed(kCategoryNames[i])) {
            for (const auto& name : *names) {
                if (i == kQueries && standard_error.count(name) != 0) queries_to_stderr = true;
                const auto found = channels.find(name);
                if (found == channels.end()) continue;  // null, stderr (stderr gets the category anyway)
                sinks.push_back(found->second);
            }
        }
        all.routers[i]->replace(sinks);
        all.routed[i] = std::move(sinks);
    }
    all.dynamic_channels = std::move(dynamic);
    all.queries_stderr->set_open(queries_to_stderr);
    all.apply_levels();
}

}  // namespace cairn::server
