// Zones from "owner ttl TYPE rdata" lines (names relative to the origin, "@" is the origin), built
// without the zone file's checks so that tests can hold what a zone file would refuse. No GoogleTest
// here: the query-path fuzz target builds its zones with it too.
#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "zone/zone.hpp"

namespace cairn::auth::testing {

// One "owner ttl TYPE rdata" line, names relative to `origin` ("@" is the origin).
inline zone::Record record_from(const std::string& line, const dns::Name& origin) {
    std::istringstream in(line);
    std::string owner, type;
    std::uint32_t ttl = 0;
    in >> owner >> ttl >> type;
    std::string rdata;
    std::getline(in >> std::ws, rdata);
    zone::Record r;
    r.owner = owner == "@" ? origin : dns::Name::from_text(owner, origin);
    r.ttl = ttl;
    r.type = *dns::type_from_text(type);
    r.rdata = dns::rdata_from_text(r.type, rdata, origin);
    return r;
}

inline std::vector<zone::Record> records_from(const dns::Name& origin,
                                              const std::vector<std::string>& lines) {
    std::vector<zone::Record> records;
    for (const auto& line : lines)
        records.push_back(record_from(line, origin));
    return records;
}

inline std::shared_ptr<const zone::Zone> zone_from(const std::string& origin_text,
                                                   const std::vector<std::string>& lines) {
    const auto origin = dns::Name::from_text(origin_text);
    return zone::Zone::build(origin, records_from(origin, lines));
}

}  // namespace cairn::auth::testing
