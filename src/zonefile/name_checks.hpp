// Syntax rules for names that must be host names or mailboxes (RFC 952, RFC 1123 section 2.1), as BIND's
// check-names applies them, and the "address written where a name belongs" heuristic. The span forms take
// uncompressed wire names (as the zone file reader stores them).
#pragma once

#include <cstdint>
#include <span>

#include "dns/name.hpp"

namespace cairn::zonefile {

using WireName = std::span<const std::uint8_t>;

// Every label is letters, digits and inner hyphens; a leading "*" label is accepted when `wildcard`.
bool is_hostname(WireName name, bool wildcard);
// The first label may hold any printable character (the mailbox's local part); the rest is a host name.
bool is_mailbox(WireName name);
// The name begins with four decimal labels 0-255 (an IPv4 address written as a name, e.g. NS 192.0.2.5
// read as 192.0.2.5.example.com.), or its first label holds ':' among hex digits (an IPv6 address).
bool looks_like_address(WireName name);

inline bool is_hostname(const dns::Name& name, bool wildcard) {
    return is_hostname(name.wire(), wildcard);
}
inline bool is_mailbox(const dns::Name& name) {
    return is_mailbox(name.wire());
}
inline bool looks_like_address(const dns::Name& name) {
    return looks_like_address(name.wire());
}

// True when `name` equals `ancestor` or lies below it (ASCII case-insensitive).
bool wire_is_subdomain(WireName name, WireName ancestor);

}  // namespace cairn::zonefile
