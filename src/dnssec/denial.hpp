// Authenticated denial of existence with NSEC (RFC 4035 §5.4, RFC 6840 §4.1-§4.4, RFC 7129) and NSEC3
// (RFC 5155 §7.2 and §8, RFC 9276): which records prove that a name does not exist, that it has no
// records of a type, that a wildcard answered, or that a delegation is insecure. The validator checks
// responses with these; the signer and the authoritative server choose what to send by the same rules.
// Records are taken as they come (owner and rdata, signatures already checked by the caller) and names in
// any case.
#pragma once

#include <cstdint>
#include <span>

#include "dnssec/budget.hpp"
#include "dnssec/nsec3.hpp"

namespace cairn::dnssec {

using Bytes = std::span<const std::uint8_t>;

// An NSEC or NSEC3 record of the response or zone: uncompressed wire owner and rdata.
struct DenialRecord {
    Bytes owner;
    Bytes rdata;
};

enum class DenialStatus : std::uint8_t {
    proven,      // the records prove it
    opt_out,     // proven only up to an opt-out span: an insecure delegation may lie there (insecure)
    not_proven,  // the records do not prove it (bogus)
    too_many_iterations,  // NSEC3 over the iteration limit: insecure (RFC 9276 §3.2, EDE 27)
    budget_exhausted,     // the WorkBudget stopped the hashing
};

struct Denial {
    DenialStatus status = DenialStatus::not_proven;
    const char* reason = "";                   // why, for logs and EXTRA-TEXT
    std::uint8_t closest_encloser_labels = 0;  // where known: labels of the closest (provable) encloser
    bool proven() const { return status == DenialStatus::proven; }
};

// --- NSEC (RFC 4034 §4, RFC 4035 §5.4)

// Whether the NSEC at `owner` with next name `next` covers `name`: owner < name < next in canonical order,
// or, for the last NSEC of the chain (next <= owner, next being the apex), owner < name.
bool nsec_covers(Bytes owner, Bytes next, Bytes name);

// The name does not exist and no wildcard could have made it (NXDOMAIN): an NSEC covers it, and one covers
// the wildcard at the closest encloser that the covering NSEC implies.
Denial nsec_nxdomain(Bytes qname, std::span<const DenialRecord> nsecs);
// The name exists but has no `qtype` (NODATA): the NSEC of the name lists neither qtype nor CNAME (for DS,
// it must be the parent side's; for the other types, not a delegation's), or, for an empty non-terminal,
// an NSEC covers the name and its next name is below it.
Denial nsec_nodata(Bytes qname, std::uint16_t qtype, std::span<const DenialRecord> nsecs);
// A wildcard made the answer: `rrsig_labels` (the RRSIG's label count) names the wildcard's parent, and an
// NSEC must show that no closer name exists (RFC 4035 §5.3.4).
Denial nsec_wildcard_answer(Bytes qname, std::uint8_t rrsig_labels, std::span<const DenialRecord> nsecs);
// A wildcard matched but has no `qtype`: the name is covered, the wildcard at the closest encloser has an
// NSEC without qtype or CNAME.
Denial nsec_wildcard_nodata(Bytes qname, std::uint16_t qtype, std::span<const DenialRecord> nsecs);
// A referral without DS (an insecure delegation): the NSEC at the delegation lists NS and neither DS nor SOA.
Denial nsec_insecure_delegation(Bytes delegation, std::span<const DenialRecord> nsecs);

// --- NSEC3 (RFC 5155 §8). `zone` is the zone the records belong to (their owners are <hash>.<zone>);
// records of another zone, an unknown hash algorithm or unknown flags are ignored (§8.2), as are those
// whose parameters differ from the first usable one's. Every hash is charged to `budget`.

// The closest provable encloser proof (§8.3): the closest encloser has a matching NSEC3 (not a delegation
// or DNAME) and the next closer name is covered. `opt_out` in the result status when the covering NSEC3
// has the opt-out flag. closest_encloser_labels is set.
Denial nsec3_closest_encloser(Bytes qname, Bytes zone, std::span<const DenialRecord> nsec3s,
                              WorkBudget& budget);
// §8.4: the closest encloser proof and an NSEC3 covering the wildcard at the closest encloser. With an
// opt-out span over the next closer name the result is opt_out (RFC 5155 §8.4 and RFC 7129 §5.4).
Denial nsec3_nxdomain(Bytes qname, Bytes zone, std::span<const DenialRecord> nsec3s, WorkBudget& budget);
// §8.5 and §8.6: a matching NSEC3 without qtype or CNAME; for DS without one, the closest provable
// encloser proof with an opt-out span over the next closer name (result opt_out).
Denial nsec3_nodata(Bytes qname, std::uint16_t qtype, Bytes zone, std::span<const DenialRecord> nsec3s,
                    WorkBudget& budget);
// §8.7: the closest encloser proof and an NSEC3 matching the wildcard at it, without qtype or CNAME.
Denial nsec3_wildcard_nodata(Bytes qname, std::uint16_t qtype, Bytes zone,
                             std::span<const DenialRecord> nsec3s, WorkBudget& budget);
// §8.8: an NSEC3 covers the next closer name of the wildcard's parent (`rrsig_labels` labels of qname).
Denial nsec3_wildcard_answer(Bytes qname, std::uint8_t rrsig_labels, Bytes zone,
                             std::span<const DenialRecord> nsec3s, WorkBudget& budget);
// §8.9: the NSEC3 matching the delegation lists NS and neither DS nor SOA, or an opt-out NSEC3 covers the
// next closer name of the closest provable encloser (result opt_out).
Denial nsec3_insecure_delegation(Bytes delegation, Bytes zone, std::span<const DenialRecord> nsec3s,
                                 WorkBudget& budget);

// The NSEC3 parameters of a record set: the first usable record's. False when none is usable.
struct Nsec3Parameters {
    std::uint8_t hash_algorithm = 1;
    std::uint16_t iterations = 0;
    Bytes salt;
};
bool nsec3_parameters(Bytes zone, std::span<const DenialRecord> nsec3s, Nsec3Parameters& out);

}  // namespace cairn::dnssec
