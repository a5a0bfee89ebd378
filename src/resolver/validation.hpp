// Where DNSSEC validation (RFC 4033-4035) plugs into the iterator. For every reply to the client's question
// (and the CNAME/DNAME chain it leads to) the iterator asks the validator for a job before anything of the
// reply is cached or used. A job judges each RRset of the reply and the proofs its kind needs; when it needs
// a DS or DNSKEY RRset it does not have (the chain of trust from an anchor down, RFC 4035 §5), it asks for it
// and the iterator fetches it, from the cache or as a sub-task the way it looks up glueless name servers,
// then hands the result back. Once done, every RRset of the reply carries its verdict, which is cached with
// it (CacheEntry::security), so a validated cache hit costs what an unvalidated one does; bogus data is
// answered only to clients that set CD.
//
// The validator itself (validator.hpp) is a separate unit; tests may plug in their own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "dnssec/budget.hpp"
#include "resolver/reply_classifier.hpp"

namespace cairn::resolver {

// An RRset the validator needs before it can go on.
struct FetchRequest {
    dns::Name name;
    dns::RRType type = dns::RRType::DNSKEY;  // DS or DNSKEY
};

// What the iterator found for a FetchRequest: the RRset (with its RRSIGs, and its verdict when it came
// validated from the cache), a negative answer with its SOA and NSEC/NSEC3 records, or a failure.
struct FetchResult {
    enum class Kind : std::uint8_t { data, nxdomain, nodata, failure };
    Kind kind = Kind::failure;
    std::optional<RRsetData> rrset;
    std::optional<RRsetData> soa;  // its security: a cached negative's verdict
    std::vector<RRsetData> proof;  // NSEC/NSEC3 RRsets
    std::string failure;           // why the lookup failed (its EDE text)
};

// A reply's verdict as a whole: the worst of its parts (bogus > indeterminate > insecure > secure).
struct ValidationOutcome {
    Security security = Security::unchecked;
    std::optional<dns::EdeCode> ede;  // bogus / indeterminate: the reason; insecure: 1, 2 or 27 when that
                                      // is why (an informational EDE on the answer)
    std::string text;                 // the EXTRA-TEXT
    Security negative = Security::unchecked;  // NXDOMAIN / NODATA: the denial's verdict (SOA and proof)
    std::vector<RRsetData> proof;             // the NSEC/NSEC3 RRsets that proved it (secure ones)
    std::vector<RRsetData> learnt;  // DNSKEY and DS RRsets validated on the way, to cache with verdicts
    bool failed() const { return failed_validation(security); }
};

class ValidationJob {
  public:
    virtual ~ValidationJob() = default;
    // Works until done (true: outcome() and the reply's RRsets are final) or until it needs an RRset
    // fetched (false: wanted() says which; provide() the result, then run() again).
    virtual bool run() = 0;
    virtual const FetchRequest& wanted() const = 0;
    virtual void provide(FetchResult result) = 0;
    virtual const ValidationOutcome& outcome() const = 0;
};

// What a job needs to know of the reply beside its content.
struct ReplyContext {
    dns::Name zone;  // the zone asked: signers must be at or below it
    dns::Name qname;
    dns::RRType qtype = dns::RRType::A;
    bool ignore_nta = false;  // ClientQuestion::ignore_nta: the NTA recheck
};

// A negative answer made from cached, validated NSEC/NSEC3 records (RFC 8198).
struct SynthesisedDenial {
    bool nxdomain = false;
    RRsetData soa;  // with its RRSIGs, TTL the negative TTL
    std::vector<RRsetData> proof;
};

class Validator {
  public:
    virtual ~Validator() = default;
    // A job for `reply` (kept by reference and marked; it must outlive the job). `query_work` is the
    // client query's work budget, charged with everything the job does.
    virtual std::unique_ptr<ValidationJob> begin(ClassifiedReply& reply, const ReplyContext& context,
                                                 dnssec::WorkBudget& query_work) = 0;
    // RFC 8198 aggressive use of the validated denials seen so far; nullopt when they prove nothing.
    virtual std::optional<SynthesisedDenial> synthesise(const dns::Name&, dns::RRType) {
        return std::nullopt;
    }
    // A lookup made with the NTAs ignored (nta-recheck) ended: `validated` when its answer was not bogus.
    virtual void nta_rechecked(const dns::Name& /*qname*/, bool /*validated*/) {}
    // The cache lost entries (flush; flushtree of `top`): forget what was learnt about keys there too.
    virtual void flushed(const dns::Name* /*top*/) {}
    // Housekeeping, every second or so (ResolverContext::maintenance).
    virtual void maintenance() {}
};

}  // namespace cairn::resolver
