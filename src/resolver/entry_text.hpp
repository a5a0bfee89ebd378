// Cache entries in words, for operators: `cache NAME [TYPE]`, dumps, and the EDE texts of cached failures.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "resolver/cache_entry.hpp"
#include "resolver/introspection.hpp"

namespace cairn::resolver {

// 2024-01-01T00:00:00Z
std::string format_utc(std::int64_t unix_seconds);

// Walks a block of rendered records (cache_entry.hpp).
void for_each_rendered(
    std::span<const std::uint8_t> block,
    const std::function<void(std::uint16_t type, std::span<const std::uint8_t> rdata)>& visit);

// Walks a proof block: records with owners of their own (cache_entry.hpp).
void for_each_owned(std::span<const std::uint8_t> block,
                    const std::function<void(std::span<const std::uint8_t> owner, std::uint16_t type,
                                             std::span<const std::uint8_t> rdata)>& visit);

CacheReportEntry describe_entry(const CacheEntry& entry, std::uint32_t now_seconds);

}  // namespace cairn::resolver
