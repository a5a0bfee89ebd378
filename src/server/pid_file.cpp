#include "server/pid_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace cairn::server {

namespace {

[[noreturn]] void fail(const std::string& path, int err) {
    throw std::runtime_error("cannot write pid-file " + path + ": " + std::strerror(err));
}

}  // namespace

PidFile::PidFile(std::string path) : path_(std::move(path)) {
    const std::string temporary = path_ + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(path_, errno);
    const std::string text = std::to_string(::getpid()) + "\n";
    const bool written =
        ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!written || ::rename(temporary.c_str(), path_.c_str()) != 0) {
        const int reason = written ? errno : err;
        ::unlink(temporary.c_str());
        fail(path_, reason);
    }
}

PidFile::PidFile(PidFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}

PidFile& PidFile::operator=(PidFile&& other) noexcept {
    if (this != &other) {
        if (!path_.empty()) ::unlink(path_.c_str());
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

PidFile::~PidFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace cairn::server
