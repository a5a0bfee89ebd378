// Small readers of stored wire data shared by the zone database and its raw format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/types.hpp"
#include "dns/wire.hpp"

namespace cairn::zone {

inline std::uint16_t read16(std::span<const std::uint8_t> w, std::size_t at) {
    return static_cast<std::uint16_t>((w[at] << 8) | w[at + 1]);
}

inline std::uint32_t read32(std::span<const std::uint8_t> w, std::size_t at) {
    return (std::uint32_t{w[at]} << 24) | (std::uint32_t{w[at + 1]} << 16) | (std::uint32_t{w[at + 2]} << 8) |
           w[at + 3];
}

// Label count of an uncompressed wire name that must span `wire` exactly; -1 when malformed.
inline int wire_name_labels(std::span<const std::uint8_t> wire) {
    if (wire.empty() || wire.size() > 255) return -1;
    std::size_t pos = 0;
    int labels = 0;
    while (pos < wire.size()) {
        const std::uint8_t len = wire[pos];
        if (len == 0) return pos + 1 == wire.size() ? labels : -1;
        if (len > 63) return -1;
        ++labels;
        pos += 1 + len;
    }
    return -1;
}

using dns::rdata_name_size;

inline constexpr std::size_t kNoTarget = ~std::size_t{0};

// Where the name that triggers additional-section processing (RFC 1035 §3.3, RFC 2782) starts in rdata.
constexpr std::size_t additional_target_offset(dns::RRType type) {
    switch (type) {
        case dns::RRType::NS:
            return 0;
        case dns::RRType::MX:
            return 2;
        case dns::RRType::SRV:
            return 6;
        default:
            return kNoTarget;
    }
}

}  // namespace cairn::zone
