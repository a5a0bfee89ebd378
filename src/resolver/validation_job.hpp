// The judging of one upstream reply (validation.hpp's ValidationJob), as BIND's validator and Unbound's
// val_* do it:
//
//  1. Each RRset of the reply (the answer chain, the SOA and the NSEC/NSEC3 records of a negative answer,
//     a signed NS set) needs the keys of its signer: the zone its RRSIGs name (within the zone asked), or,
//     for an unsigned RRset, the zone that holds its owner. A key walk finds them: from the closest trust
//     anchor (or the deepest zone already in the key cache) down towards that name, one label at a time:
//     the DS RRset of the next name (validated with the keys above; a NODATA proven by NSEC/NSEC3 without
//     NS in the bitmap means no zone cut there, with NS an insecure delegation), then the DNSKEY RRset it
//     names (validated with the DS). Anything the walk needs and does not have is asked of the iterator.
//  2. Each RRset is checked with those keys (signature_check.hpp); an insecure zone makes it insecure, a
//     bogus key chain bogus.
//  3. What the reply's kind needs: NXDOMAIN and NODATA proven by NSEC or NSEC3 (RFC 4035 §5.4, RFC 5155
//     §8), wildcard answers with the proof that no closer name exists (RFC 4035 §5.3.4); NSEC3 opt-out
//     spans make the answer insecure, NSEC3 over the iteration limit insecure with EDE 27.
//
// Every verification and NSEC3 hash is charged to the answer's budget and the client query's.
#pragma once

#include <memory>

#include "resolver/validation.hpp"

namespace cairn::resolver {

class DnssecValidator;

std::unique_ptr<ValidationJob> make_validation_job(DnssecValidator& validator, ClassifiedReply& reply,
                                                   const ReplyContext& context,
                                                   dnssec::WorkBudget& query_work);

}  // namespace cairn::resolver
