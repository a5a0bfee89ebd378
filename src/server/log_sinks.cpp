#include "server/log_sinks.hpp"

#include <sys/stat.h>
#include <syslog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace cairn::server {

namespace {

constexpr std::uint32_t kMostVersions = 100;

bool is_regular_file(const std::string& path, std::uint64_t& size) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return false;
    size = static_cast<std::uint64_t>(info.st_size);
    return true;
}

}  // namespace

BindFileSink::BindFileSink(std::string path, std::uint64_t max_size, std::optional<std::uint32_t> versions)
    : path_(std::move(path)), max_size_(max_size), versions_(versions) {
    open(true);
}

BindFileSink::~BindFileSink() {
    if (file_ != nullptr) std::fclose(file_);
}

void BindFileSink::open(bool roll_if_due) {
    std::uint64_t existing = 0;
    if (roll_if_due && versions_ && is_regular_file(path_, existing) &&
        (max_size_ == 0 || existing >= max_size_)) {
        roll();
    }
    std::FILE* file = std::fopen(path_.c_str(), "a");
    if (file == nullptr) throw spdlog::spdlog_ex("cannot open " + path_ + ": " + std::strerror(errno));
    if (file_ != nullptr) std::fclose(file_);
    file_ = file;
    size_ = is_regular_file(path_, existing) ? existing : 0;
    limit_reached_ = max_size_ != 0 && size_ >= max_size_;
}

// named.log.(N-2) -> named.log.(N-1), ..., named.log -> named.log.0; the oldest beyond N is removed.
void BindFileSink::roll() {
    const std::uint32_t keep = std::min(*versions_, kMostVersions);
    if (keep == 0) {
        std::remove(path_.c_str());
        return;
    }
    std::remove((path_ + "." + std::to_string(keep - 1)).c_str());
    for (std::uint32_t i = keep - 1; i > 0; --i) {
        const std::string from = path_ + "." + std::to_string(i - 1);
        std::rename(from.c_str(), (path_ + "." + std::to_string(i)).c_str());
    }
    std::rename(path_.c_str(), (path_ + ".0").c_str());
}

void BindFileSink::sink_it_(const spdlog::details::log_msg& message) {
    if (limit_reached_) {
        if (!versions_) return;  // `size` without `versions`: the file is full
        std::fclose(file_);
        file_ = nullptr;
        roll();
        try {
            open(false);
        } catch (const spdlog::spdlog_ex&) {
            return;  // tried again at the next message
        }
    }
    if (file_ == nullptr) return;
    spdlog::memory_buf_t formatted;
    base_sink<std::mutex>::formatter_->format(message, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), file_);
    size_ += formatted.size();
    if (max_size_ != 0 && size_ >= max_size_) limit_reached_ = true;
}

void BindFileSink::flush_() {
    if (file_ != nullptr) std::fflush(file_);
}

std::optional<int> syslog_facility(const std::string& name) {
    static const std::pair<const char*, int> kFacilities[] = {
        {"kern", LOG_KERN},     {"user", LOG_USER},     {"mail", LOG_MAIL},         {"daemon", LOG_DAEMON},
        {"auth", LOG_AUTH},     {"syslog", LOG_SYSLOG}, {"lpr", LOG_LPR},           {"news", LOG_NEWS},
        {"uucp", LOG_UUCP},     {"cron", LOG_CRON},     {"authpriv", LOG_AUTHPRIV}, {"ftp", LOG_FTP},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},     {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},     {"local7", LOG_LOCAL7},
    };
    for (const auto& [known, code] : kFacilities) {
        if (name == known) return code;
    }
    return std::nullopt;
}

SyslogSink::SyslogSink(const std::string& facility) {
    const std::optional<int> code = syslog_facility(facility.empty() ? "daemon" : facility);
    if (!code) throw std::invalid_argument("unknown syslog facility '" + facility + "'");
    facility_ = *code;
    static std::once_flag opened;
    std::call_once(opened, [] { ::openlog("cairnd", LOG_PID | LOG_NDELAY, LOG_DAEMON); });
}

void SyslogSink::sink_it_(const spdlog::details::log_msg& message) {
    int priority = LOG_INFO;
    switch (message.level) {
        case spdlog::level::critical:
            priority = LOG_CRIT;
            break;
        case spdlog::level::err:
            priority = LOG_ERR;
            break;
        case spdlog::level::warn:
            priority = LOG_WARNING;
            break;
        case spdlog::level::info:
            priority = LOG_INFO;
            break;
        default:
            priority = LOG_DEBUG;
            break;
    }
    spdlog::memory_buf_t formatted;
    base_sink<std::mutex>::formatter_->format(message, formatted);
    std::size_t length = formatted.size();
    while (length > 0 && (formatted[length - 1] == '\n' || formatted[length - 1] == '\r'))
        --length;
    ::syslog(facility_ | priority, "%.*s", static_cast<int>(length), formatted.data());
}

}  // namespace cairn::server
