// The reason a resolution failed, in the words an operator needs (RFC 8914 EXTRA-TEXT): the zone, and what
// each of its servers did. "no reachable authority for solvethenetwork.com: 10.0.1.1 timed out x3,
// 10.0.1.2 REFUSED" (EDE 22); every server lame: EDE 20; only network errors: EDE 23; only nonsense: EDE 24.
#pragma once

#include <string>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "resolver/iterator.hpp"

namespace cairn::resolver {

struct DelegationFailure {
    dns::EdeCode code = dns::EdeCode::NoReachableAuthority;
    std::string text;
};

DelegationFailure describe_delegation_failure(const Task& task);

// "example.com" (no trailing dot, as operators write zones), "." for the root.
std::string zone_text(const dns::Name& zone);

}  // namespace cairn::resolver
