// What an upstream reply says, once everything the asked server has no authority over is thrown away: an
// answer (possibly through CNAME and DNAME links), a referral to a zone below, NXDOMAIN, NODATA, or a lame
// or failed server. A pure function of the reply, the question sent and the zone asked; the iterator acts on
// the result.
//
// Trust (RFC 2181 §5.4.1, and the scrubbing BIND and Unbound do against poisoning, RFC 5452 §6): a record is
// kept only when its owner is at or below the zone being asked (the bailiwick); in the answer section only
// the chain that starts at the question name (CNAMEs followed, DNAMEs applied, the synthesised CNAME built
// here rather than taken from the reply); in the authority section only the NS set of a referral (a zone
// strictly below the one asked, at or above the name) and the SOA of a negative answer; in the additional
// section only addresses of the referral's name servers. Everything else is counted and dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/cache_entry.hpp"

namespace cairn::resolver {

// One RRset from a reply, grouped and deduplicated; TTL the smallest of its records (RFC 2181 §5.2).
struct RRsetData {
    dns::Name owner;
    dns::RRType type = dns::RRType::A;
    std::uint32_t ttl = 0;
    std::vector<std::vector<std::uint8_t>> rdatas;
    std::vector<std::vector<std::uint8_t>> sigs;  // RRSIGs covering it
    Rank rank = Rank::none;
    std::optional<dns::Name> dname_owner;     // a CNAME synthesised from this DNAME owner
    Security security = Security::unchecked;  // the validator's verdict (validation.hpp)
    std::uint16_t insecure_ede = 0;           // insecure for a reason worth an EDE (1, 2, 27)
    std::vector<RRsetData> proof;             // a wildcard answer: the NSEC/NSEC3 RRsets that prove it
};

enum class ReplyKind : std::uint8_t {
    answer,        // the chain ends in data for the final name
    restart,       // the chain (CNAME/DNAME) leads to a name outside this zone's reach: ask again for it
    nxdomain,      // the final name does not exist
    nodata,        // the final name exists without the type
    referral,      // a delegation to `cut`, below the zone asked
    lame,          // not authoritative for the zone: no AA and no referral, or a referral upwards/sideways
    server_error,  // SERVFAIL, REFUSED, NOTIMP, FORMERR... (rcode says which)
    invalid,       // nonsense: a CNAME loop, a DNAME synthesis that overflows, a broken chain
};
std::string_view to_string(ReplyKind kind);

struct ClassifiedReply {
    ReplyKind kind = ReplyKind::invalid;
    dns::Rcode rcode = dns::Rcode::NOERROR;
    bool authoritative = false;    // AA
    std::vector<RRsetData> chain;  // answer section in order: CNAMEs, DNAMEs (with synthesised CNAMEs), data
    dns::Name final_name;          // where the chain ends (the question name when it is empty)
    std::optional<RRsetData> soa;  // negative answers: the SOA from the authority section
    dns::Name cut;                 // referral: the delegated zone
    std::optional<RRsetData> ns;   // referral: its NS set; otherwise an authoritative answer's NS set
    std::vector<RRsetData> glue;   // addresses of name servers (A, AAAA)
    // DNSSEC (kept only with their RRSIGs' help in mind; the validator judges them): NSEC and NSEC3 RRsets
    // of the authority section (denials, wildcard proofs, insecure referrals), and a referral's DS RRset.
    std::vector<RRsetData> denial;
    std::optional<RRsetData> ds;
    std::size_t dropped = 0;  // records thrown away (out of bailiwick or irrelevant)
    std::string problem;      // for kind invalid / lame: why, for the EDE text
    bool edns = false;        // the reply carried OPT
};

struct ClassifyInput {
    dns::Name qname;  // the question sent
    dns::RRType qtype = dns::RRType::A;
    dns::Name zone;           // the zone asked (for forwarders: the forward zone, "." for all)
    bool forwarding = false;  // the server recurses for us: answers without AA are fine
    std::uint32_t max_chain = 11;
};

ClassifiedReply classify_reply(const dns::Message& reply, const ClassifyInput& input);

// Groups the records of one section into RRsets, RRSIGs attached to the RRset they cover.
std::vector<RRsetData> group_rrsets(const std::vector<dns::ResourceRecord>& records);

// DNAME substitution (RFC 6672 §2.2): `name` with the suffix `owner` replaced by `target`; nullopt when the
// result is longer than 255 octets.
std::optional<dns::Name> dname_substitute(const dns::Name& name, const dns::Name& owner,
                                          const dns::Name& target);

}  // namespace cairn::resolver
