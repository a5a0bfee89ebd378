// RFC 1034 §4.3.2 lookup inside one zone, writing answer, authority and additional sections: exact
// matches, CNAME chains within the zone, DNAME substitution (RFC 6672), wildcards (RFC 4592), referrals
// with glue (RFC 9471), negative answers with the SOA (RFC 2308); with DO on a signed zone, the RRSIGs and
// denial proofs of RFC 4035 §3.1 and RFC 5155 §7.2 (dnssec_proofs.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "auth/dnssec_proofs.hpp"
#include "auth/response_writer.hpp"
#include "dns/types.hpp"
#include "zone/lookup_name.hpp"
#include "zone/zone.hpp"

namespace cairn::auth {

struct Outcome {
    dns::Rcode rcode = dns::Rcode::NOERROR;
    bool authoritative = true;
    bool truncated = false;
    bool wildcard = false;  // the answer (or NODATA) came from a wildcard
};

// `Signed`: the zone carries DNSSEC records (Zone::dnssec() is set). The unsigned instance has none of the
// DNSSEC code: the query path of unsigned zones stays what it was.
template <bool Signed>
class ZoneLookup {
  public:
    static constexpr int kMaxChain = 8;  // CNAME/DNAME links followed inside the zone
    static constexpr std::size_t kMaxPending = 32;

    // `dnssec_ok`: the query's DO bit; signatures and proofs go out when the zone has them.
    ZoneLookup(const zone::Zone& zone, ResponseWriter& writer, std::uint16_t qtype, bool minimal_any,
               bool dnssec_ok = false)
        : z_(zone), w_(writer), qtype_(qtype), minimal_any_(minimal_any), sec_(zone.dnssec()) {
        if (Signed && dnssec_ok) proofs_.emplace(zone, *sec_, writer);
    }

    // `qname` is the question name (lowercased), present in the message at offset 12.
    Outcome run(const zone::LookupName& qname, std::span<const std::uint8_t> qname_wire);

  private:
    enum class Next : std::uint8_t { done, follow };
    struct Pending {
        std::uint32_t node;
        std::size_t owner_offset;  // where the target name is in the message; kNoOffset when unknown
        bool required;             // in-domain glue of a referral (RFC 9471: TC when it does not fit)
        bool glue;                 // from an NS RRset: occluded addresses are allowed
    };
    static constexpr std::size_t kNoOffset = ~std::size_t{0};

    Next step(const zone::LookupName& name, const NameRef& ref);
    Next answer_node(std::uint32_t node, const zone::LookupName& name, const NameRef& ref);
    Next dname(std::uint32_t cut, const zone::LookupName& name, const NameRef& ref);
    Next follow(std::size_t name_offset, std::size_t name_size);
    void referral(std::uint32_t cut, const zone::LookupName& name, const NameRef& ref);
    void referral_ds(std::uint32_t cut, const zone::LookupName& name, const NameRef& ref);
    void negative(const zone::LookupName& name, const NameRef& ref);
    void nodata(std::uint32_t node, const zone::LookupName& name, const NameRef& ref);
    bool put_signed_additional(const zone::RRset& set, const NameRef& owner, bool required);
    bool put_answer(const zone::RRset& set, const NameRef& ref, std::size_t& rdata_offset);
    // The lookup of a name whose closest encloser is the apex (one below an NSEC3 hashed owner).
    zone::Lookup below_apex(const zone::LookupName& name) const;
    void queue_additional(const zone::RRset& set, std::size_t start, bool compact, bool referral_glue,
                          std::uint32_t cut);
    void flush_additional();
    NameRef suffix_ref(const zone::LookupName& name, const NameRef& ref, std::size_t skip) const {
        return {ref.offset + name.offset_of_label(skip), name.suffix(skip)};
    }

    const zone::Zone& z_;
    ResponseWriter& w_;
    std::uint16_t qtype_;
    bool minimal_any_;
    const zone::ZoneDnssec* sec_;         // set when Signed
    std::optional<DnssecProofs> proofs_;  // set when the answer carries DNSSEC (Signed and DO)
    // While a wildcard answers: the closest encloser of the name (for its proofs), else kNoNode.
    std::uint32_t wildcard_encloser_ = zone::kNoNode;
    Outcome out_;
    Pending pending_[kMaxPending];
    std::size_t pending_count_ = 0;
    // The current name after following a CNAME or DNAME.
    zone::LookupName chain_;
    NameRef chain_ref_;
    std::uint8_t chain_wire_[255];
};

// The lookup for a zone, signed or not.
inline Outcome lookup_in_zone(const zone::Zone& zone, ResponseWriter& writer, std::uint16_t qtype,
                              bool minimal_any, bool dnssec_ok, const zone::LookupName& qname,
                              std::span<const std::uint8_t> qname_wire) {
    if (zone.dnssec() == nullptr)
        return ZoneLookup<false>(zone, writer, qtype, minimal_any).run(qname, qname_wire);
    return ZoneLookup<true>(zone, writer, qtype, minimal_any, dnssec_ok).run(qname, qname_wire);
}

}  // namespace cairn::auth
