// Zones, requests and transfer decoding shared by the xfr tests.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/rdata.hpp"
#include "zone/diff.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::xfr::testing {

inline const dns::Name kOrigin = dns::Name::from_text("example.com.");

inline std::string zone_text(std::uint32_t serial, std::size_t hosts, std::string_view extra = {}) {
    std::string text = "$TTL 3600\n@ SOA ns1 hostmaster " + std::to_string(serial) +
                       " 7200 3600 604800 300\n  NS ns1\n  NS ns2.example.net.\nns1 A 192.0.2.1\n"
                       "mail MX 10 mx.example.net.\n";
    for (std::size_t i = 0; i < hosts; ++i)
        text += "host" + std::to_string(i) + " A 198.51." + std::to_string(i / 250) + "." +
                std::to_string(i % 250) + "\n";
    text += extra;
    return text;
}

inline std::shared_ptr<const zone::Zone> make_zone(const std::string& text) {
    zonefile::LoadOptions o;
    o.parse.origin = kOrigin;
    auto loaded = zonefile::load_zone_text(text, "t.zone", o);
    if (!loaded.ok) throw std::runtime_error("test zone does not load");
    return zone::Zone::build(kOrigin, loaded.zone.to_records());
}

inline std::string rr_text(const dns::Name& owner, dns::RRType type, std::uint32_t ttl,
                           std::span<const std::uint8_t> rdata) {
    return owner.lowercased().to_text() + " " + std::to_string(ttl) + " " + dns::type_to_text(type) + " " +
           dns::rdata_to_text(type, rdata);
}

inline std::vector<std::string> sorted_texts(const zone::Zone& z) {
    std::vector<std::string> out;
    for (const zone::Record& r : z.records())
        out.push_back(rr_text(r.owner, r.type, r.ttl, r.rdata));
    std::sort(out.begin(), out.end());
    return out;
}

inline std::vector<std::string> sorted_texts(const std::vector<zone::Record>& records) {
    std::vector<std::string> out;
    for (const zone::Record& r : records)
        out.push_back(rr_text(r.owner, r.type, r.ttl, r.rdata));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace cairn::xfr::testing
