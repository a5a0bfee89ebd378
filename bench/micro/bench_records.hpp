// Building blocks for the micro-benchmarks' zones and queries: wire names, records with a fixed TTL,
// big-endian 16-bit fields, client queries.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
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

// A recursive client query with EDNS (1232 octets), optionally with a client COOKIE.
inline std::vector<std::uint8_t> query(const std::string& name, dns::RRType type, bool cookie = false) {
    std::vector<std::uint8_t> q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    const auto n = name_wire(name);
    q.insert(q.end(), n.begin(), n.end());
    put16(q, static_cast<unsigned>(type));
    put16(q, 1);
    q.insert(q.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0});
    if (cookie) {
        put16(q, 12);
        q.insert(q.end(), {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8});
    } else {
        put16(q, 0);
    }
    return q;
}

}  // namespace cairn::bench
