// Finding a zone's authoritative servers the way a resolver would, but on its own: from the root hints,
// following referrals (glue, or a glueless name server's address looked up the same way), asking every
// address of a level at once and keeping the first usable answer. Independent of the resolvers under
// diagnosis, so that a broken resolver cannot hide or fake the delegation (the article's step 4).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "doctor/probe.hpp"
#include "resolver/settings.hpp"

namespace cairn::doctor {

// One zone cut on the way down: the zone, its NS targets and the addresses known for them.
struct ZoneServers {
    dns::Name zone;
    std::vector<dns::Name> servers;
    std::vector<std::pair<dns::Name, dns::IpAddress>> addresses;
    std::uint32_t ns_ttl = 0;
};

struct DelegationWalk {
    std::vector<ZoneServers> cuts;  // the root first, the zone NAME is in last
    std::vector<std::string> trail;
    std::string error;                         // set when not even the first level answered
    std::optional<dns::Message> final_answer;  // the last level's answer to NAME TYPE
};

// The referral in `m` towards `qname` from `current` (an NS RRset in the authority section owned strictly
// below `current` and at or above `qname`), with the glue of the additional section; nullopt when `m` is
// not a referral.
std::optional<ZoneServers> referral_in(const dns::Message& m, const dns::Name& current,
                                       const dns::Name& qname);

DelegationWalk walk_delegation(Prober& prober, const std::vector<resolver::RootHint>& hints,
                               const dns::Name& name, dns::RRType type, unsigned depth = 0);

}  // namespace cairn::doctor
