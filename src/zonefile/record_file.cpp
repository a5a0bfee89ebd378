#include "zonefile/record_file.hpp"

#include <stdexcept>

#include "zonefile/master_parser.hpp"

namespace cairn::zonefile {

std::vector<dns::ResourceRecord> read_record_file(const std::string& path) {
    ParseOptions options;
    options.origin = dns::Name();
    const zone::ParsedZone parsed = parse_zone_file(path, options);
    if (parsed.diagnostics.has_errors())
        throw std::runtime_error(path + ": " + parsed.diagnostics.first_error());
    std::vector<dns::ResourceRecord> records;
    records.reserve(parsed.size());
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        const zone::Record record = parsed.record(i);
        records.push_back({record.owner, record.type, record.rclass, record.ttl, record.rdata});
    }
    return records;
}

}  // namespace cairn::zonefile
