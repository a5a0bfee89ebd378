// Builds zone records from a compact text form for the zone database tests. Only the handful of types
// the tests need are encoded here, so these tests do not depend on the rdata codec.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/record.hpp"

namespace cairn::zone::testing {

inline void put_name(std::vector<std::uint8_t>& out, const std::string& text, const dns::Name& origin) {
    const auto n = dns::Name::from_text(text, origin);
    out.insert(out.end(), n.wire().begin(), n.wire().end());
}

inline void put16(std::vector<std::uint8_t>& out, unsigned v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

inline void put32(std::vector<std::uint8_t>& out, unsigned long v) {
    put16(out, static_cast<unsigned>(v >> 16));
    put16(out, static_cast<unsigned>(v & 0xFFFF));
}

// "owner ttl TYPE rdata..." with names relative to origin ("@" is the origin).
inline Record rr(const std::string& line, const dns::Name& origin) {
    std::istringstream in(line);
    std::string owner, type;
    unsigned long ttl = 0;
    in >> owner >> ttl >> type;
    Record r;
    r.owner = owner == "@" ? origin : dns::Name::from_text(owner, origin);
    r.ttl = static_cast<std::uint32_t>(ttl);
    r.type = *dns::type_from_text(type);
    auto& d = r.rdata;
    std::string a, b;
    unsigned long x = 0, y = 0, z = 0;
    switch (r.type) {
        case dns::RRType::A:
        case dns::RRType::AAAA: {
            in >> a;
            const auto address =
                r.type == dns::RRType::A ? dns::IpAddress::parse_v4(a) : dns::IpAddress::parse_v6(a);
            if (!address) throw std::runtime_error("bad " + type + " " + a);
            d.assign(address->octets().begin(), address->octets().end());
            break;
        }
        case dns::RRType::NS:
        case dns::RRType::CNAME:
        case dns::RRType::DNAME:
        case dns::RRType::PTR:
            in >> a;
            put_name(d, a == "@" ? origin.to_text() : a, origin);
            break;
        case dns::RRType::MX:
            in >> x >> a;
            put16(d, static_cast<unsigned>(x));
            put_name(d, a, origin);
            break;
        case dns::RRType::SRV:
            in >> x >> y >> z >> a;
            put16(d, static_cast<unsigned>(x));
            put16(d, static_cast<unsigned>(y));
            put16(d, static_cast<unsigned>(z));
            put_name(d, a, origin);
            break;
        case dns::RRType::SOA: {
            in >> a >> b;
            put_name(d, a, origin);
            put_name(d, b, origin);
            for (int i = 0; i < 5; ++i) {
                in >> x;
                put32(d, x);
            }
            break;
        }
        case dns::RRType::TXT: {
            std::string rest;
            std::getline(in >> std::ws, rest);
            d.push_back(static_cast<std::uint8_t>(rest.size()));
            d.insert(d.end(), rest.begin(), rest.end());
            break;
        }
        default:
            throw std::runtime_error("test helper cannot encode " + type);
    }
    return r;
}

inline std::vector<Record> rrs(const std::vector<std::string>& lines, const dns::Name& origin) {
    std::vector<Record> out;
    for (const auto& l : lines)
        out.push_back(rr(l, origin));
    return out;
}

}  // namespace cairn::zone::testing
