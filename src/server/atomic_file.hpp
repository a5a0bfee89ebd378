// Files the daemon writes whole (the cache dump, the validator's NTA and managed-key state): written to a
// temporary file beside the target, synced, renamed into place and the directory synced, so that a reader
// or a restart after a crash sees the old file or the new one, never a part.
#pragma once

#include <optional>
#include <string>

namespace cairn::server {

// False with `why` set (naming the path and the reason) when the file could not be written; the old file
// is then left as it was.
bool write_file_atomically(const std::string& path, const std::string& text, std::string& why);

// The whole file, or nullopt when it does not exist; throws std::runtime_error when it exists but cannot
// be read.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace cairn::server
