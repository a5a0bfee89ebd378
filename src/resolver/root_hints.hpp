// Root hints: the built-in list of the thirteen root servers (IANA's named.root, as BIND compiles it in),
// and the hints a `zone "." { type hint; file "..."; }` file gives, turned into RootHint values. The
// resolver only uses hints to prime (RFC 8109): it asks one of them for ". NS" and trusts the answer.
#pragma once

#include <vector>

#include "dns/message.hpp"
#include "resolver/settings.hpp"

namespace cairn::resolver {

std::vector<RootHint> builtin_root_hints();

// The NS records at the root and the A/AAAA records of their targets, from a hints file (the
// configuration layer parses the file). NS targets without an address are kept (resolved when needed).
std::vector<RootHint> root_hints_from_records(const std::vector<dns::ResourceRecord>& records);

}  // namespace cairn::resolver
