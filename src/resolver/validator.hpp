// cairn's DNSSEC validator (RFC 4033-4035, RFC 5155, RFC 6840), one per view, built by the ResolverContext
// from `ValidationSettings`. It holds what outlives one reply: the trust anchors (static ones as configured,
// managed ones as RFC 5011 keeps them, rfc5011.hpp), negative trust anchors (nta.hpp), the key cache
// (key_cache.hpp) and the validated denials for RFC 8198 (aggressive_nsec.hpp). Jobs (validation_job.hpp)
// do the judging.
//
// As BIND and Unbound: the chain DS -> DNSKEY -> RRSIG from the closest anchor down; algorithms and
// digests as RFC 8624 says (dnssec/algorithm.hpp); a zone whose DS set names only algorithms or digests
// cairn cannot check is insecure, not bogus (RFC 4035 §5.2, RFC 6840 §5.2), with EDE 1 or 2 on its answers;
// NSEC3 above 50 iterations is insecure with EDE 27 (RFC 9276, as BIND 9.20 and Knot Resolver); the work
// per answer and per client query is bounded (CVE-2023-50387, CVE-2023-50868).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "resolver/aggressive_nsec.hpp"
#include "resolver/clock.hpp"
#include "resolver/key_cache.hpp"
#include "resolver/nta.hpp"
#include "resolver/rfc5011.hpp"
#include "resolver/trust_anchors.hpp"
#include "resolver/validation.hpp"
#include "resolver/validation_settings.hpp"

namespace cairn::resolver {

class DnssecValidator final : public Validator {
  public:
    DnssecValidator(ValidationSettings settings, const Clock& clock);
    ~DnssecValidator() override;

    std::unique_ptr<ValidationJob> begin(ClassifiedReply& reply, const ReplyContext& context,
                                         dnssec::WorkBudget& query_work) override;
    std::optional<SynthesisedDenial> synthesise(const dns::Name& qname, dns::RRType qtype) override;
    void nta_rechecked(const dns::Name& qname, bool validated) override;
    void flushed(const dns::Name* top) override;
    void maintenance() override;

    const ValidationSettings& settings() const { return settings_; }
    const Clock& clock() const { return clock_; }
    std::shared_ptr<const TrustAnchorTable> anchors() const;
    NtaTable& ntas() { return ntas_; }
    const NtaTable& ntas() const { return ntas_; }
    KeyCache& keys() { return keys_; }
    AggressiveNsec& denials() { return denials_; }
    ManagedKeys& managed() { return managed_; }
    const ManagedKeys& managed() const { return managed_; }

    // A validated DNSKEY RRset of an anchored zone (RFC 5011's active refresh sees every one): the
    // managed keys' states move on, and the anchors follow.
    void observe_anchor_dnskeys(const dns::Name& zone, const RRsetData& dnskeys);
    // The managed keys changed from outside (state loaded from a file): publish the anchors again.
    void republish_anchors();

    // `rndc secroots`: the anchors with their kind, then the NTAs, BIND's layout.
    std::string secroots(const std::string& view) const;

  private:
    ValidationSettings settings_;
    const Clock& clock_;
    NtaTable ntas_;
    KeyCache keys_;
    AggressiveNsec denials_;
    ManagedKeys managed_;
    mutable std::mutex anchors_mutex_;
    std::shared_ptr<const TrustAnchorTable> anchors_;
};

}  // namespace cairn::resolver
