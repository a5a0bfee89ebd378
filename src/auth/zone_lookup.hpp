// RFC 1034 §4.3.2 lookup inside one zone, writing answer, authority and additional sections: exact
// matches, CNAME chains within the zone, DNAME substitution (RFC 6672), wildcards (RFC 4592), referrals
// with glue (RFC 9471), negative answers with the SOA (RFC 2308).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

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

class ZoneLookup {
  public:
    static constexpr int kMaxChain = 8;  // CNAME/DNAME links followed inside the zone
    static constexpr std::size_t kMaxPending = 32;

    ZoneLookup(const zone::Zone& zone, ResponseWriter& writer, std::uint16_t qtype, bool minimal_any)
        : z_(zone), w_(writer), qtype_(qtype), minimal_any_(minimal_any) {}

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
    void negative(const zone::LookupName& name, const NameRef& ref);
    bool put_answer(const zone::RRset& set, const NameRef& ref, std::size_t& rdata_offset);
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
    Outcome out_;
    Pending pending_[kMaxPending];
    std::size_t pending_count_ = 0;
    // The current name after following a CNAME or DNAME.
    zone::LookupName chain_;
    NameRef chain_ref_;
    std::uint8_t chain_wire_[255];
};

}  // namespace cairn::auth
