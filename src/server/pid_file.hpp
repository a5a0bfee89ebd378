// The daemon's pid-file: written atomically at start, removed when the daemon exits.
#pragma once

#include <string>

namespace cairn::server {

class PidFile {
  public:
    PidFile() = default;
    // Writes the current process id to `path` (a temporary file renamed into place). Throws
    // std::runtime_error naming the path and the reason.
    explicit PidFile(std::string path);
    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&& other) noexcept;
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;
    ~PidFile();

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace cairn::server
