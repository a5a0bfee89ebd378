// Aggressive use of DNSSEC-validated denials (RFC 8198; BIND's `synth-from-dnssec yes`, Unbound's
// aggressive-nsec): the NSEC and NSEC3 records of validated negative answers are kept per zone, in
// canonical (NSEC) or hash (NSEC3) order, with the zone's validated SOA; a later question that they already
// answer (a name they prove absent, with no wildcard; a type they prove absent at a name) gets an NXDOMAIN
// or NODATA made from them without asking the zone's servers. Opt-out spans prove nothing here (RFC 8198
// §4.3: they may hide insecure delegations), nor do records whose TTL has run out.
//
// Thread-safe (a shared mutex: look-ups happen on cache misses, not on the hit path). Bounded in records;
// when full, the zone being added to starts over.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "dns/name.hpp"
#include "dnssec/budget.hpp"
#include "dnssec/nsec3.hpp"
#include "resolver/reply_classifier.hpp"
#include "resolver/validation.hpp"

namespace cairn::resolver {

class AggressiveNsec {
  public:
    explicit AggressiveNsec(std::size_t max_records = 100000) : max_records_(max_records) {}

    // Validated (secure) records of `zone` and its validated SOA, learnt at `now` (monotonic seconds).
    void add(const dns::Name& zone, const RRsetData& soa, const std::vector<RRsetData>& records,
             std::uint32_t now);
    // NXDOMAIN or NODATA for (qname, qtype) from what is kept, or nullopt.
    std::optional<SynthesisedDenial> synthesise(const dns::Name& qname, dns::RRType qtype, std::uint32_t now,
                                                dnssec::WorkBudget& budget) const;

    void remove_tree(const dns::Name& top);
    void clear();
    void sweep(std::uint32_t now);
    std::size_t size() const;

  private:
    struct Kept {
        RRsetData set;
        std::uint32_t expire = 0;
    };
    struct ZoneDenials {
        dns::Name zone;
        Kept soa;
        std::map<dns::Name, Kept> nsec;           // by owner, canonical order
        std::map<dnssec::Nsec3Hash, Kept> nsec3;  // by owner hash
    };
    const ZoneDenials* zone_for(const dns::Name& qname) const;

    std::size_t max_records_;
    std::size_t records_ = 0;
    mutable std::shared_mutex mutex_;
    std::map<dns::Name, ZoneDenials> zones_;
};

}  // namespace cairn::resolver
