// The doctor's DNSSEC check (the article's step 5 and type 4): the chain of trust from a trust anchor down
// to the answer, judged link by link from fetched responses, so that the report names the broken link
// (an expired RRSIG with its window, a DS that matches no DNSKEY with the key tags on both sides) rather
// than the resolver's bare SERVFAIL; a negative answer's NSEC/NSEC3 proof is checked with the validator's
// rules (dnssec/denial.hpp) and a broken one named with the records sent. Pure: the responses come from the
// caller (doctor.cpp fetches them).
// Signatures are checked with dnssec/'s verify_rrset (RFC 4034 §3.1.5 windows, RFC 4035 §5.3).
#pragma once

#include <optional>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "doctor/observations.hpp"

namespace cairn::doctor {

// A zone on the path from the anchor's zone down to the zone NAME is in.
struct ChainLink {
    dns::Name zone;
    std::optional<dns::Message> ds;  // the parent's answer to "ZONE DS" with DO (none for the anchor's zone)
    std::optional<dns::Message> dnskey;  // the zone's answer to "ZONE DNSKEY" with DO
};

// `anchors`: DS or DNSKEY records, all owned by the first link's zone. `answer`: an authoritative answer to
// NAME TYPE with DO from the last link's zone (its answer RRsets, or the SOA and the NSEC/NSEC3 proof of a
// negative answer, are checked). `now`: Unix time.
DnssecFindings check_chain(const std::vector<dns::ResourceRecord>& anchors,
                           const std::vector<ChainLink>& links, const std::optional<dns::Message>& answer,
                           std::uint32_t now);

// "20260410120000" (RFC 4034 §3.2's presentation of RRSIG times).
std::string signature_time_text(std::uint32_t t);

}  // namespace cairn::doctor
