// Where to ask: the closest zone cut the resolver knows for a name, with its name servers and the addresses
// it has for them. Configured zones come first as BIND has them: a forward zone (forwarders, first or only)
// covers everything below it unless a deeper forward zone with an empty list turns forwarding off; a
// static-stub zone's servers are used instead of whatever the parent delegates to; otherwise the deepest
// NS set in the cache, and the root hints when there is none (then priming, RFC 8109).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/settings.hpp"

namespace cairn::resolver {

class ResolverContext;
class Cache;

struct NameServer {
    dns::Name name;
    std::vector<ServerAddress> addresses;
    bool lookup_started = false;  // a lookup of its addresses was begun (glueless)
    bool lookup_done = false;
    std::string lookup_failure;  // why no address was found
};

struct Delegation {
    enum class Kind : std::uint8_t { hints, iterative, forward, stub };
    Kind kind = Kind::iterative;
    dns::Name zone;
    ForwardPolicy policy = ForwardPolicy::first;
    std::vector<NameServer> servers;
};
std::string_view to_string(Delegation::Kind kind);

// The delegation to ask for `name` (for DS, the parent side of a cut at `name`). `no_forwarding` after
// `forward first` failed.
Delegation find_delegation(const ResolverContext& ctx, const dns::Name& name, dns::RRType qtype,
                           std::uint32_t now, bool no_forwarding);
Delegation hints_delegation(const ResolverContext& ctx);

// A delegation from NS names (a referral), with the addresses the cache has for them (glue included).
Delegation delegation_from_ns(const ResolverContext& ctx, const dns::Name& zone,
                              const std::vector<dns::Name>& ns_names, std::uint32_t now);

// The addresses the cache holds for a name server (any rank, glue included), in the families in use.
std::vector<ServerAddress> cached_addresses(const ResolverContext& ctx, const dns::Name& name,
                                            std::uint32_t now);

}  // namespace cairn::resolver
