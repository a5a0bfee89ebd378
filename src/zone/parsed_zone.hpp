// A zone's records as read from a zone file or a transfer, compactly: every record with the FILE:LINE it
// came from, names and rdata in shared arenas. The zone database builds from it (Zone::build) and the zone
// file reader (zonefile/master_parser) fills it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "zone/diagnostics.hpp"
#include "zone/large_allocator.hpp"
#include "zone/record.hpp"

namespace cairn::zone {

// One record as read, compactly: names and rdata live in the ParsedZone's arenas, so a million-record zone
// costs a few dozen bytes per record and no allocation per record.
struct StoredRecord {
    std::uint32_t owner = 0;  // offset of the owner's wire name (original case) in ParsedZone::names
    std::uint32_t rdata = 0;  // offset in ParsedZone::rdata_bytes
    std::uint16_t rdlength = 0;
    dns::RRType type = dns::RRType::A;
    std::uint32_t ttl = 0;
    std::uint32_t line = 0;  // where the record was read
    std::uint16_t file = 0;  // index into ParsedZone::files
    std::uint8_t owner_length = 0;
};

struct ParsedZone {
    LargeVector<StoredRecord> rrs;
    LargeVector<std::uint8_t> names;        // owner wire names; consecutive records share theirs
    LargeVector<std::uint8_t> rdata_bytes;  // uncompressed wire rdata, names in original case
    std::vector<std::string> files;         // the zone file first, then each $INCLUDE file as it was opened
    dns::RRClass rclass = dns::RRClass::IN;
    Diagnostics diagnostics;

    std::size_t size() const { return rrs.size(); }
    std::span<const std::uint8_t> owner_wire(std::size_t i) const {
        return {names.data() + rrs[i].owner, rrs[i].owner_length};
    }
    std::span<const std::uint8_t> rdata(std::size_t i) const {
        return {rdata_bytes.data() + rrs[i].rdata, rrs[i].rdlength};
    }
    dns::Name owner(std::size_t i) const { return dns::Name::from_validated_wire(owner_wire(i)); }
    const std::string& file_of(std::size_t i) const { return files[rrs[i].file]; }
    std::uint32_t line_of(std::size_t i) const { return rrs[i].line; }

    Record record(std::size_t i) const;
    std::vector<Record> to_records() const;
};

}  // namespace cairn::zone
