// The sinks of named.conf's file and syslog channels, behaving as BIND's:
//
// - A file channel with `versions N` rotates as BIND's does (lib/isc/log.c): named.log becomes named.log.0,
//   named.log.0 becomes named.log.1, ..., keeping N old files. It rotates when a message has taken the file
//   to `size`, before the next message, and when the channel is opened on a file that already reached
//   `size` (or, without `size`, on any existing file: BIND rolls such a file at every start and reload).
//   `size` without `versions`: the file stops growing at `size`, later messages are dropped, as BIND.
// - A syslog channel sends with its own facility (`syslog local3;`), the default being daemon, under the
//   identity "cairnd" with the process id: several channels may use different facilities.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

namespace cairn::server {

class BindFileSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    // `versions` unset: never rotated; `max_size` 0: no limit. At most 100 old files are kept (BIND's
    // `versions unlimited` keeps them all). Throws spdlog::spdlog_ex when the file cannot be opened.
    BindFileSink(std::string path, std::uint64_t max_size, std::optional<std::uint32_t> versions);
    ~BindFileSink() override;

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override;

  private:
    void open(bool roll_if_due);
    void roll();

    std::string path_;
    std::uint64_t max_size_;
    std::optional<std::uint32_t> versions_;
    std::FILE* file_ = nullptr;
    std::uint64_t size_ = 0;
    bool limit_reached_ = false;
};

class SyslogSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    // `facility`: named.conf's name (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv,
    // ftp, local0 to local7); empty: daemon. Throws std::invalid_argument for an unknown name.
    explicit SyslogSink(const std::string& facility);

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override {}

  private:
    int facility_;
};

// syslog(3)'s facility code for a named.conf facility name; nullopt when there is no such facility.
std::optional<int> syslog_facility(const std::string& name);

}  // namespace cairn::server
