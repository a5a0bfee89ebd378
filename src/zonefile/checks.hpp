// Whole-zone checks run after a zone file is read, as named-checkzone runs them: SOA and NS at the apex,
// CNAME exclusivity, singleton types, name server and mail exchanger targets, check-names, and RRsets
// whose TTLs differ. Each finding is tied to the FILE:LINE of the record at fault.
#pragma once

#include <cstdint>

#include "dns/name.hpp"
#include "zone/diagnostics.hpp"
#include "zonefile/master_parser.hpp"

namespace cairn::zonefile {

using zone::ParsedZone;

// What a finding does, as named-checkzone's -k / -n / -m / -M / -S modes.
enum class CheckMode : std::uint8_t { Fail, Warn, Ignore };

struct CheckOptions {
    CheckMode check_names =
        CheckMode::Fail;  // -k: host name syntax of A/AAAA/MX owners and NS/MX/SRV... targets
    CheckMode ns_address = CheckMode::Fail;  // -n: an NS target that is an IP address written as a name
    CheckMode mx_address = CheckMode::Warn;  // -m: the same for MX
    CheckMode mx_cname = CheckMode::Warn;    // -M: MX target is a CNAME
    CheckMode srv_cname = CheckMode::Warn;   // -S: SRV target is a CNAME
    bool integrity = true;                   // -i: in-zone MX/SRV/delegation targets need address records
};

// Runs every check, adding findings to `zone.diagnostics`. Also makes RRset TTLs consistent the way BIND
// does ("TTL set to prior TTL"): later records of an RRset take the TTL of its first one.
void check_zone(ParsedZone& zone, const dns::Name& origin, const CheckOptions& options);

// The SOA serial of a zone that passed the checks (0 when it has no SOA).
std::uint32_t zone_serial(const ParsedZone& zone, const dns::Name& origin);

}  // namespace cairn::zonefile
