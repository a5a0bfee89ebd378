#include "xfr/zone_save.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "zonefile/printer.hpp"
#include "zonefile/raw.hpp"

namespace cairn::xfr {

namespace {

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void save_text(const zone::Zone& zone, const std::string& path, const std::function<bool()>& cancelled) {
    // A built zone hands out its records in canonical order already; only the SOA moves to the front, as
    // zone files have it (sorting a million records again took longer than writing them).
    std::vector<zone::Record> records = zone.records();
    const auto soa = std::find_if(records.begin(), records.end(),
                                  [](const zone::Record& r) { return r.type == dns::RRType::SOA; });
    if (soa != records.end()) std::rotate(records.begin(), soa, soa + 1);
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) io_error("cannot create", tmp);
    try {
        zonefile::write_zone_text(records, [&](std::string_view chunk) {
            if (cancelled && cancelled()) throw std::runtime_error("cancelled: the server is stopping");
            std::size_t done = 0;
            while (done < chunk.size()) {
                const ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) io_error("cannot write", tmp);
                done += static_cast<std::size_t>(n);
            }
        });
        if (::fsync(fd) != 0) io_error("cannot sync", tmp);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        io_error("cannot rename " + tmp + " to", path);
    }
    const std::string dir = std::filesystem::path(path).parent_path().string();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace

void save_zone_file(const zone::Zone& zone, const std::string& path, ZoneFileFormat format,
                    const std::function<bool()>& cancelled) {
    if (format == ZoneFileFormat::Raw) {
        zonefile::write_raw(zone, path);
        return;
    }
    save_text(zone, path, cancelled);
}

}  // namespace cairn::xfr
