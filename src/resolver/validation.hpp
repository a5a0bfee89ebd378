// Where DNSSEC validation (RFC 4033-4035, a later issue) plugs in. The validator is a separate unit; the
// iterator calls it with each classified reply before anything of it is cached or used, and the validator
// marks each RRset's `security` (and may turn the reply into a failure: bogus data with EDE 6 and friends).
// The verdict is cached with the RRset (CacheEntry::security), so a validated cache hit costs what an
// unvalidated one does; the cache-hit path answers bogus data only to CD clients.
//
// It will need keys: it can ask the Resolution for DNSKEY and DS RRsets through `fetch` (answered from the
// cache, or resolved as sub-tasks like glueless name servers are). Until then nothing is validated and
// every RRset stays Security::unchecked.
#pragma once

#include "dns/name.hpp"
#include "resolver/reply_classifier.hpp"

namespace cairn::resolver {

class Validator {
  public:
    virtual ~Validator() = default;
    // `zone`: the zone that was asked; `checking_disabled`: the client set CD.
    virtual void validate(ClassifiedReply& reply, const dns::Name& zone, bool checking_disabled) = 0;
};

}  // namespace cairn::resolver
