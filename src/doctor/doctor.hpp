// `cairn doctor NAME [TYPE]` (issue 17): the article's diagnosis run from the client's side inward —
// resolv.conf, each resolver (UDP, TCP, with and without CD), the zone's name servers found from the root
// hints, each of them at each address (SOA serial, EDNS EXPIRE, the answer), the DNSSEC chain from the trust
// anchor, and the answer from other source addresses — observed here, judged by verdict.hpp. The whole
// run is bounded by `timeout`; each query gets at most a fifth of it (2 s by default).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "doctor/verdict.hpp"
#include "net/endpoint.hpp"

namespace cairn::doctor {

struct DoctorOptions {
    dns::Name name;
    dns::RRType type = dns::RRType::A;
    std::vector<net::Endpoint> resolvers;  // --resolver; when empty, resolv.conf's nameservers
    std::string resolv_conf;               // --resolv-conf; "" means /etc/resolv.conf unless --resolver
    std::string root_hints;                // --root-hints; "": the built-in root servers
    std::string trust_anchor;              // --trust-anchor; "": the root's KSKs
    std::vector<dns::IpAddress> sources;   // --from
    std::chrono::milliseconds timeout{10000};
};

// Throws std::runtime_error for unusable input (a hints or anchor file that cannot be read).
Diagnosis run_doctor(const DoctorOptions& options);

// The trust anchor records of a file (DS and DNSKEY; other types are an error), or for "" the root KSKs
// the validator has built in (resolver::builtin_root_anchors(): 20326 and 38696).
std::vector<dns::ResourceRecord> load_trust_anchors(const std::string& path);

}  // namespace cairn::doctor
