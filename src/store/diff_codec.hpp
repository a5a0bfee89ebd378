// The journal's compact binary form of a zone difference: a version octet, both serials, both SOAs, then
// the removed and added records, each owner written once per run of records that share it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "zone/diff.hpp"

namespace cairn::store {

inline constexpr std::uint8_t kDiffFormatVersion = 1;

std::vector<std::uint8_t> encode_diff(const zone::ZoneDiff& diff);
// Throws StoreError when the bytes are truncated or malformed (a damaged store, never a crash).
zone::ZoneDiff decode_diff(std::span<const std::uint8_t> bytes);
// The serials alone, without decoding the records. Throws StoreError.
void decode_diff_serials(std::span<const std::uint8_t> bytes, std::uint32_t& from, std::uint32_t& to);

}  // namespace cairn::store
