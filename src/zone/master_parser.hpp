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
#include "zone/diagnostics.hpp"
#include "zone/large_allocator.hpp"
#include "zone/record.hpp"

namespace cairn::zone {

struct ParseOptions {
    dns::Name origin;  // the zone name: the initial $ORIGIN and the apex every owner must be under
    dns::RRClass rclass = dns::RRClass::IN;
    bool allow_include = true;              // false for untrusted buffers (fuzzing)
    std::size_t max_include_depth = 16;     // nested $INCLUDE levels
    std::uint32_t max_generate = 1u << 20;  // records one $GENERATE may create
};

// One record as read, compactly: names and rdata live in the ParsedZone's arenas, so a million-record zone
// costs a few dozen bytes per record and no allocation per record.
struct StoredRecord {
    std::uint32_t owner = 0;  // offset of the owner's wire name (original case) in ParsedZone::names
    std::uint32_t rdata = 0;  // offset in ParsedZone::rdata_bytes
    std::uint16_t rdlength = 0;
    dns::RRType type = dns::RRType::A;
    std::uint32_t ttl = 0;
    std::uint32_t line = 0;  // where the record was read
    std::uint16_t file = 0;  // index into ParsedZone::files
    std::uint8_t owner_length = 0;
};

struct ParsedZone {
    LargeVector<StoredRecord> rrs;
    LargeVector<std::uint8_t> names;        // owner wire names; consecutive records share theirs
    LargeVector<std::uint8_t> rdata_bytes;  // uncompressed wire rdata, names in original case
    std::vector<std::string> files;         // the zone file first, then each $INCLUDE file as it was opened
    dns::RRClass rclass = dns::RRClass::IN;
    Diagnostics diagnostics;

    std::size_t size() const { return rrs.size(); }
    std::span<const std::uint8_t> owner_wire(std::size_t i) const {
        return {names.data() + rrs[i].owner, rrs[i].owner_length};
    }
    std::span<const std::uint8_t> rdata(std::size_t i) const {
        return {rdata_bytes.data() + rrs[i].rdata, rrs[i].rdlength};
    }
    dns::Name owner(std::size_t i) const { return dns::Name::from_validated_wire(owner_wire(i)); }
    const std::string& file_of(std::size_t i) const { return files[rrs[i].file]; }
    std::uint32_t line_of(std::size_t i) const { return rrs[i].line; }

    Record record(std::size_t i) const;
    std::vector<Record> to_records() const;
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

}  // namespace cairn::zone
