#include "zonefile/printer.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>

#include "dns/rdata.hpp"

namespace cairn::zonefile {

using zone::Record;
namespace {

// RFC 4034 section 6.3: RRs of one RRset sort by their canonical rdata as left-justified octet strings.
int compare_rdata(const Record& a, const Record& b) {
    const auto order = dns::rdata_canonical_compare(a.type, a.rdata, b.rdata);
    return order == std::strong_ordering::equal ? 0 : order == std::strong_ordering::less ? -1 : 1;
}

// Appends a key whose byte-wise order is the RFC 4034 section 6.1 order of the name: labels from the root
// down, lowercased, each ended by 0x00; octets 0x00 and 0x01 are escaped as 0x01 0x01 and 0x01 0x02 so that
// the terminator still sorts below every octet. Comparing keys is a memcmp instead of a label walk.
void append_canonical_key(std::span<const std::uint8_t> wire, std::string& out) {
    std::size_t offsets[128];
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < wire.size() && wire[pos] != 0 && count < 128; pos += 1 + wire[pos]) {
        offsets[count++] = pos;
    }
    while (count > 0) {
        const std::size_t pos = offsets[--count];
        for (std::size_t i = 0; i < wire[pos]; ++i) {
            const std::uint8_t c = dns::lower_ascii(wire[pos + 1 + i]);
            if (c <= 1) {
                out += '\x01';
                out += static_cast<char>(c + 1);
            } else {
                out += static_cast<char>(c);
            }
        }
        out += '\0';
    }
}

}  // namespace

void sort_canonical(std::vector<Record>& records) {
    std::string keys;
    std::vector<std::uint32_t> key_at(records.size() + 1);
    for (std::size_t i = 0; i < records.size(); ++i) {
        key_at[i] = static_cast<std::uint32_t>(keys.size());
        append_canonical_key(records[i].owner.wire(), keys);
    }
    key_at[records.size()] = static_cast<std::uint32_t>(keys.size());
    auto key = [&](std::uint32_t i) {
        return std::string_view(keys).substr(key_at[i], key_at[i + 1] - key_at[i]);
    };
    std::vector<std::uint32_t> order(records.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
        const Record& a = records[x];
        const Record& b = records[y];
        if (const int c = key(x).compare(key(y)); c != 0) return c < 0;
        const bool soa_a = a.type == dns::RRType::SOA;
        const bool soa_b = b.type == dns::RRType::SOA;
        if (soa_a != soa_b) return soa_a;
        if (a.type != b.type) return a.type < b.type;
        if (const int c = compare_rdata(a, b); c != 0) return c < 0;
        return x < y;
    });
    std::vector<Record> sorted;
    sorted.reserve(records.size());
    for (const std::uint32_t i : order) {
        Record& r = records[i];
        if (!sorted.empty()) {
            Record& last = sorted.back();
            if (last.type == r.type && last.owner == r.owner && compare_rdata(last, r) == 0) {
                last.rdata =
                    std::move(r.rdata);  // one record under canonical form: BIND keeps the last spelling
                continue;
            }
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

}  // namespace cairn::zonefile
