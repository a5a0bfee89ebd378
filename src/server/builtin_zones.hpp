// The zones a recursive view answers itself instead of asking the Internet: BIND's automatic empty zones
// (RFC 6303: reverse zones of private, loopback, link-local and documentation addresses, whose queries
// would otherwise load the AS112 servers), and `localhost.` (RFC 6761 §6.3: every name in it is the
// loopback address). `test.` and `example.` are resolved like any other name, as BIND does.
//
// As BIND: only in views with recursion; not when empty-zones-enable is no or the name is listed in
// disable-empty-zone; not where the configuration serves that zone (or one above it) itself, forwards with
// `forward only`, or names a static-stub. Empty zones hold a SOA (serial 0, refresh 28800, retry 7200,
// expire 604800, minimum 86400) and an NS: empty-server (default: the zone's name) and empty-contact
// (default: "."), TTL 86400. localhost holds A 127.0.0.1 and AAAA ::1 at the apex and, through a wildcard,
// at every name below it (Unbound's `local-zone: localhost. redirect`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "dns/name.hpp"
#include "zone/zone.hpp"

namespace cairn::server {

// BIND 9.18's list (bin/named/server.c, empty_zones[]), lower case with the trailing dot.
const std::vector<std::string>& empty_zone_names();

// Names whose zones the view handles otherwise: zones it serves, static-stub zones, forward-only zones.
struct BuiltinZoneExclusions {
    std::vector<dns::Name> served;        // authoritative zones of the view (an empty zone at or below one
                                          // would hide its data)
    std::vector<dns::Name> stubs;         // static-stub zones (at or above the empty zone)
    std::vector<dns::Name> forward_only;  // forward-only zones, "." for global forwarders with forward only
};

// The built-in zones of one recursive view (none when recursion is off).
std::vector<std::shared_ptr<const zone::Zone>> builtin_zones(const config::ResolvedRecursion& recursion,
                                                             const BuiltinZoneExclusions& exclusions);

}  // namespace cairn::server
