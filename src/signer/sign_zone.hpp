// Signs a version of a zone under its dnssec-policy, as BIND's inline signing lays the signed zone out
// (RFC 4033-4035, RFC 5155, RFC 7344, RFC 9276): the unsigned records are kept (DNSSEC records the
// operator wrote in the unsigned zone are replaced: the policy owns them), and added are the DNSKEY RRset
// of the policy's keys, CDS (SHA-256) and CDNSKEY for the keys whose DS is being or is published
// (SigningKey::cds), NSEC3PARAM when the policy says nsec3param, an NSEC or NSEC3 chain (opt-out over
// insecure delegations when asked), and an RRSIG over every authoritative RRset: none over delegation NS or
// glue (RFC 4035 §2.2), DS at a delegation signed. The DNSKEY, CDS and CDNSKEY RRsets are signed by the
// KSKs/CSKs with signatures-validity-dnskey, the rest by the ZSKs/CSKs with signatures-validity.
//
// Times, as BIND: inception an hour in the past (clock skew); expiration at now + validity less a jitter
// (signatures-jitter) drawn per RRset so that the signatures of a large zone do not all come due at once.
// The unsigned zone is never modified; the result is a new version with its own serial.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "config/config.hpp"
#include "signer/zone_keys.hpp"
#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace cairn::signer {

struct SignRequest {
    std::uint32_t now = 0;        // Unix seconds
    std::uint32_t serial = 0;     // the signed version's SOA serial
    std::uint64_t salt_seed = 0;  // NSEC3 salt (salt-length octets) derives from it; stable across re-signs
};

struct SignedZone {
    std::shared_ptr<const zone::Zone> zone;
    std::uint32_t earliest_expiration = 0;  // of all its RRSIGs
    std::uint32_t inception = 0;
    std::size_t signatures = 0;
    std::size_t chain_records = 0;  // NSEC or NSEC3 records
};

// Signs `records` (the unsigned zone's, any order) of the zone `origin`. Throws zone::ZoneError when the
// result cannot be built and dnssec::KeyError when a key cannot sign; std::invalid_argument when `keys`
// does not have a key for both roles.
SignedZone sign_zone(const dns::Name& origin, std::span<const zone::Record> records,
                     std::span<const SigningKey> keys, const config::DnssecPolicy& policy,
                     const SignRequest& request);

// The same over a zone version (its records()).
SignedZone sign_zone(const zone::Zone& unsigned_zone, std::span<const SigningKey> keys,
                     const config::DnssecPolicy& policy, const SignRequest& request);

// The earliest RRSIG expiration of a zone version; nullopt when it has no RRSIG.
std::optional<std::uint32_t> earliest_rrsig_expiration(const zone::Zone& zone);

// When a zone signed under `policy` whose earliest signature expires at `earliest` must be signed again:
// signatures-refresh before that expiration (BIND's refresh rule), and never in the past.
std::uint32_t next_resign_time(const config::DnssecPolicy& policy, std::uint32_t earliest, std::uint32_t now);

}  // namespace cairn::signer
