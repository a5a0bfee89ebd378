// Canonical text form of a zone, as named-compilezone writes it: one RR per line with absolute owner, TTL,
// class, type and rdata, names in DNSSEC canonical order (RFC 4034 section 6.1), the SOA first.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "zone/record.hpp"

namespace cairn::zonefile {

using zone::Record;

// Sorts in canonical order (apex SOA first, then by owner, type, canonical rdata) and merges RRs that are
// equal in canonical form (RFC 4034 §6.2: "NS ns1" and "NS NS1"), keeping the spelling read last as BIND
// does.
void sort_canonical(std::vector<Record>& records);

// "owner TTL CLASS TYPE rdata", tab-separated, no trailing newline.
std::string record_to_text(const Record& record);

// Writes every record, one per line, handing the text over in chunks of about 64 KiB.
void write_zone_text(std::span<const Record> records, const std::function<void(std::string_view)>& write);

}  // namespace cairn::zonefile
