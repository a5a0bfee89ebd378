// One resource record as zone files, transfers and the zone database exchange them.
#pragma once

#include <cstdint>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::zone {

struct Record {
    dns::Name owner;
    dns::RRType type = dns::RRType::A;
    dns::RRClass rclass = dns::RRClass::IN;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;  // uncompressed wire form, names in original case

    bool operator==(const Record&) const = default;
};

}  // namespace cairn::zone
