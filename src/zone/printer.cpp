#include "zone/printer.hpp"

#include <algorithm>
#include <numeric>

#include "dns/rdata.hpp"

namespace cairn::zone {
namespace {

// RFC 4034 section 6.3: RRs of one RRset sort by their canonical rdata as left-justified octet strings.
int compare_rdata(const Record& a, const Record& b) {
    const auto ca = dns::rdata_canonical(a.type, a.rdata);
    const auto cb = dns::rdata_canonical(b.type, b.rdata);
    if (ca == cb) return 0;
    return std::lexicographical_compare(ca.begin(), ca.end(), cb.begin(), cb.end()) ? -1 : 1;
}

}  // namespace

void sort_canonical(std::vector<Record>& records) {
    std::vector<std::uint32_t> order(records.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        const Record& a = records[x];
        const Record& b = records[y];
        if (const auto c = dns::canonical_compare(a.owner.wire(), b.owner.wire()); c != 0) return c < 0;
        const bool soa_a = a.type == dns::RRType::SOA;
        const bool soa_b = b.type == dns::RRType::SOA;
        if (soa_a != soa_b) return soa_a;
        if (a.type != b.type) return a.type < b.type;
        if (a.rdata == b.rdata) return x < y;
        return compare_rdata(a, b) < 0;
    });
    std::vector<Record> sorted;
    sorted.reserve(records.size());
    for (const std::uint32_t i : order) {
        Record& r = records[i];
        if (!sorted.empty()) {
            const Record& last = sorted.back();
            if (last.type == r.type && last.rdata == r.rdata && last.owner == r.owner) continue;
        }
        sorted.push_back(std::move(r));
    }
    records = std::move(sorted);
}

std::string record_to_text(const Record& record) {
    std::string out = record.owner.to_text();
    out += '\t';
    out += std::to_string(record.ttl);
    out += '\t';
    out += dns::class_to_text(record.rclass);
    out += '\t';
    out += dns::type_to_text(record.type);
    out += '\t';
    out += dns::rdata_to_text(record.type, record.rdata);
    return out;
}

void write_zone_text(std::span<const Record> records, const std::function<void(std::string_view)>& write) {
    std::string buffer;
    buffer.reserve(1 << 17);
    for (const Record& r : records) {
        buffer += record_to_text(r);
        buffer += '\n';
        if (buffer.size() >= (1 << 16)) {
            write(buffer);
            buffer.clear();
        }
    }
    if (!buffer.empty()) write(buffer);
}

}  // namespace cairn::zone
