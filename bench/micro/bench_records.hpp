// Building blocks for the micro-benchmarks' zones and queries: wire names, records with a fixed TTL,
// big-endian 16-bit fields, client queries, and a small zone of numbered hosts.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"

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

// The apex of example.: its SOA and its NS ns1.example.
inline std::vector<zone::Record> apex_records() {
    std::vector<zone::Record> records;
    auto soa = name_wire("ns1.example.");
    const auto rname = name_wire("hostmaster.example.");
    soa.insert(soa.end(), rname.begin(), rname.end());
    for (int i = 0; i < 5; ++i)
        put16(soa, 0), put16(soa, 3600);
    records.push_back(record("example.", dns::RRType::SOA, soa));
    records.push_back(record("example.", dns::RRType::NS, name_wire("ns1.example.")));
    return records;
}

// example. with its apex and `hosts` A records host0 ... host<hosts-1>.
inline zone::ZoneTable host_zone(int hosts) {
    std::vector<zone::Record> records = apex_records();
    for (int i = 0; i < hosts; ++i)
        records.push_back(record("host" + std::to_string(i) + ".example.", dns::RRType::A,
                                 {10, 0, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}));
    return zone::ZoneTable({zone::Zone::build(dns::Name::from_text("example."), std::move(records))});
}

// An EDNS query for host<i>.example. A (ARCOUNT 1: the OPT record).
inline std::vector<std::uint8_t> edns_query(int i) {
    return query("host" + std::to_string(i) + ".example.", dns::RRType::A);
}

// EDNS queries for host0 ... host<count-1>.example. A.
inline std::vector<std::vector<std::uint8_t>> host_queries(int count) {
    std::vector<std::vector<std::uint8_t>> out;
    for (int i = 0; i < count; ++i)
        out.push_back(edns_query(i));
    return out;
}

}  // namespace cairn::bench
