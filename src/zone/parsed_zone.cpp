#include "zone/parsed_zone.hpp"

namespace cairn::zone {

Record ParsedZone::record(std::size_t i) const {
    Record r;
    r.owner = owner(i);
    r.type = rrs[i].type;
    r.rclass = rclass;
    r.ttl = rrs[i].ttl;
    const auto data = rdata(i);
    r.rdata.assign(data.begin(), data.end());
    return r;
}

std::vector<Record> ParsedZone::to_records() const {
    std::vector<Record> out;
    out.reserve(rrs.size());
    for (std::size_t i = 0; i < rrs.size(); ++i)
        out.push_back(record(i));
    return out;
}

}  // namespace cairn::zone
