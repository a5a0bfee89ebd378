// The raw zone format (like BIND's `masterfile-format raw`): the zone database's arrays, derived ones
// included, written as they sit in memory, versioned and checksummed. Loading is one read into memory the
// zone then keeps, a checksum and a validation pass: no parsing, no sorting, no copying.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "zone/zone.hpp"

namespace cairn::zonefile {

using zone::Zone;
using zone::ZoneError;

inline constexpr std::uint32_t kRawFormatVersion = 2;

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

}  // namespace cairn::zonefile
