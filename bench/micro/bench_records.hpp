// Building blocks for the micro-benchmarks' zones and queries: wire names, records with a fixed TTL,
// big-endian 16-bit fields.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dns/name.hpp"
#include "zone/record.hpp"

namespace cairn::bench {

inline void put16(std::vector<std::uint8_t>& v, unsigned x) {
    v.push_back(static_cast<std::uint8_t>(x >> 8));
    v.push_back(static_cast<std::uint8_t>(x));
}

inline std::vector<std::uint8_t> name_wire(const std::string& text) {
    const auto n = dns::Name::from_text(text);
    return {n.wire().begin(), n.wire().end()};
}

inline zone::Record record(const std::string& owner, dns::RRType type, std::vector<std::uint8_t> rdata) {
    return zone::Record{dns::Name::from_text(owner), type, dns::RRClass::IN, 3600, std::move(rdata)};
}

}  // namespace cairn::bench
