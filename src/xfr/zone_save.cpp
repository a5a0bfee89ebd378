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

std::string directory_of(const std::string& path) {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

void sync_directory(const std::string& dir) {
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

// Writes the text to a new temporary file; `sync`: fsync it too. Returns the temporary's path.
std::string write_text(const zone::Zone& zone, const std::string& path,
                       const std::function<bool()>& cancelled, bool sync) {
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
        if (sync && ::fsync(fd) != 0) io_error("cannot sync", tmp);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const int saved = errno;
        ::unlink(tmp.c_str());
        errno = saved;
        io_error("cannot write", tmp);
    }
    return tmp;
}

// Renames the temporary into place; on failure removes it and returns the error.
std::string put_in_place(const std::string& tmp, const std::string& path) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return {};
    const std::string error = "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return error;
}

void save_text(const zone::Zone& zone, const std::string& path, const std::function<bool()>& cancelled) {
    const std::string tmp = write_text(zone, path, cancelled, true);
    if (std::string error = put_in_place(tmp, path); !error.empty()) throw std::runtime_error(error);
    sync_directory(directory_of(path));
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

StagedZoneFile stage_zone_file(const zone::Zone& zone, const std::string& path,
                               const std::function<bool()>& cancelled) {
    return {write_text(zone, path, cancelled, false), path};
}

std::vector<std::string> commit_zone_files(const std::vector<StagedZoneFile>& files) {
    std::vector<std::string> errors(files.size());
    // The directories, each with the file system it is on and that file system's syncfs outcome.
    struct Directory {
        std::string path;
        std::string error;
    };
    std::vector<Directory> directories;
    std::vector<std::size_t> directory_of_file(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        std::string dir = directory_of(files[i].path);
        auto known = std::find_if(directories.begin(), directories.end(),
                                  [&dir](const Directory& d) { return d.path == dir; });
        if (known == directories.end()) known = directories.insert(directories.end(), {std::move(dir), {}});
        directory_of_file[i] = static_cast<std::size_t>(known - directories.begin());
    }
    // One syncfs per file system: every temporary's data and inode reach the disk in one journal commit.
    std::vector<std::pair<dev_t, std::string>> synced;
    for (Directory& dir : directories) {
        const int dfd = ::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st {};
        if (dfd < 0 || ::fstat(dfd, &st) != 0) {
            dir.error = "cannot open the directory " + dir.path + ": " + std::strerror(errno);
            if (dfd >= 0) ::close(dfd);
            continue;
        }
        auto done = std::find_if(synced.begin(), synced.end(),
                                 [&st](const auto& entry) { return entry.first == st.st_dev; });
        if (done == synced.end()) {
            std::string error;
            if (::syncfs(dfd) != 0)
                error = "cannot sync the file system of " + dir.path + ": " + std::strerror(errno);
            done = synced.insert(synced.end(), {st.st_dev, std::move(error)});
        }
        dir.error = done->second;
        ::close(dfd);
    }
    for (std::size_t i = 0; i < files.size(); ++i)
        errors[i] = directories[directory_of_file[i]].error;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (!errors[i].empty()) {
            ::unlink(files[i].temporary.c_str());
            continue;
        }
        errors[i] = put_in_place(files[i].temporary, files[i].path);
    }
    for (const Directory& dir : directories)
        if (dir.error.empty()) sync_directory(dir.path);
    return errors;
}

}  // namespace cairn::xfr
