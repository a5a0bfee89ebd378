// Reads RFC 1035 master files the way BIND 9 does: $TTL, $ORIGIN, $INCLUDE, $GENERATE, '@', relative
// names, blank owners, TTL/class in either order, RFC 1035 TTL inheritance when no $TTL is given. The
// result is the zone's records with the FILE:LINE each came from, plus every error and warning found.
// Records whose owner lies outside the zone are dropped with a warning, as BIND does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/parsed_zone.hpp"

namespace cairn::zonefile {

using zone::ParsedZone;

struct ParseOptions {
    dns::Name origin;  // the zone name: the initial $ORIGIN and the apex every owner must be under
    dns::RRClass rclass = dns::RRClass::IN;
    bool allow_include = true;              // false for untrusted buffers (fuzzing)
    std::size_t max_include_depth = 16;     // nested $INCLUDE levels
    std::uint32_t max_generate = 1u << 20;  // records one $GENERATE may create
};

// Relative $INCLUDE paths are opened against the process's working directory, like BIND (named resolves
// them against its `directory`), not against the including file's folder.
ParsedZone parse_zone_file(const std::string& path, const ParseOptions& options);
// `text` is read as if it were the file `name` (used in messages).
ParsedZone parse_zone_text(std::string_view text, const std::string& name, const ParseOptions& options);

// A whole file's bytes: mapped read-only when it is a regular file, else read into memory.
class FileBytes {
  public:
    // Throws std::runtime_error with the system's reason.
    explicit FileBytes(const std::string& path);
    ~FileBytes();
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;

    std::string_view text() const { return {data_, size_}; }

  private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    std::string copy_;  // for what cannot be mapped (pipes, empty files)
};

}  // namespace cairn::zonefile
