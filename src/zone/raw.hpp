// The raw zone format (like BIND's `masterfile-format raw`): the zone database's stored arrays written as
// they are, versioned and checksummed, so loading is a read, a checksum and a validation pass instead of
// text parsing.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "zone/zone.hpp"

namespace cairn::zone {

inline constexpr std::uint32_t kRawFormatVersion = 1;

// Writes atomically: a temporary file in the same directory, fsync, rename, fsync of the directory.
// Throws ZoneError on I/O errors.
void write_raw(const Zone& zone, const std::string& path);
std::vector<std::uint8_t> encode_raw(const Zone& zone);

// Reads and validates everything; a truncated, corrupted or crafted file gives a ZoneError naming what is
// wrong, never a crash.
std::shared_ptr<const Zone> read_raw(const std::string& path);
std::shared_ptr<const Zone> decode_raw(std::span<const std::uint8_t> bytes);

// The checksum stored in the file's last 8 octets (little-endian), over everything before them.
std::uint64_t raw_checksum(std::span<const std::uint8_t> bytes);

}  // namespace cairn::zone
