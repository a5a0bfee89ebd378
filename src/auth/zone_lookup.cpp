#include "auth/zone_lookup.hpp"

#include <cstring>

#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::auth {
namespace {

constexpr std::uint16_t kTypeA = dns::code(dns::RRType::A), kTypeNs = dns::code(dns::RRType::NS),
                        kTypeCname = dns::code(dns::RRType::CNAME), kTypeMx = dns::code(dns::RRType::MX),
                        kTypeAaaa = dns::code(dns::RRType::AAAA), kTypeSrv = dns::code(dns::RRType::SRV),
                        kTypeDs = dns::code(dns::RRType::DS), kTypeAny = dns::code(dns::RRType::ANY),
                        kTypeRrsig = dns::code(dns::RRType::RRSIG), kTypeNsec = dns::code(dns::RRType::NSEC),
                        kTypeNsec3 = dns::code(dns::RRType::NSEC3);

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

}  // namespace

template <bool Signed>
Outcome ZoneLookup<Signed>::run(const zone::LookupName& qname, std::span<const std::uint8_t> qname_wire) {
    const zone::LookupName* name = &qname;
    NameRef ref{12, qname_wire};
    for (int hop = 0;; ++hop) {
        if (step(*name, ref) == Next::done || hop == kMaxChain) break;
        name = &chain_;
        ref = chain_ref_;
    }
    // Denial records go after the whole answer section (a wildcard CNAME queues them mid-chain).
    if (Signed && proofs_ && !proofs_->flush()) out_.truncated = true;
    flush_additional();
    return out_;
}

template <bool Signed>
zone::Lookup ZoneLookup<Signed>::below_apex(const zone::LookupName& name) const {
    zone::Lookup l;
    l.node = zone::Zone::apex();
    l.exact = false;
    l.encloser_skip = name.labels() - z_.node(zone::Zone::apex()).labels;
    return l;
}

template <bool Signed>
typename ZoneLookup<Signed>::Next ZoneLookup<Signed>::step(const zone::LookupName& name, const NameRef& ref) {
    zone::Lookup l = z_.lookup(name);
    // NSEC3's hashed owners are no names of the zone (BIND and Knot keep them apart; a query for one, of type
    // NSEC3 too, is NXDOMAIN with its proof). They hang off the apex.
    if (Signed && sec_->hashed_owner(l.node)) [[unlikely]]
        l = below_apex(name);
    const zone::Node& found = z_.node(l.node);
    if (found.cut != zone::kNoNode) {
        const std::uint32_t cut = found.cut;
        const bool at_cut = l.exact && l.node == cut;
        if (z_.node(cut).has(zone::kNodeDelegation)) {
            // The parent side answers DS at the cut itself (RFC 4035 §3.1.4.1); all else is a referral.
            if (!(at_cut && qtype_ == kTypeDs)) {
                referral(cut, name, ref);
                return Next::done;
            }
        } else if (!at_cut) {
            return dname(cut, name, ref);
        }
    }
    if (l.exact) return answer_node(l.node, name, ref);
    if (found.wildcard != zone::kNoNode) {
        out_.wildcard = true;
        wildcard_encloser_ = l.node;
        const Next next = answer_node(found.wildcard, name, ref);
        wildcard_encloser_ = zone::kNoNode;
        return next;
    }
    out_.rcode = dns::Rcode::NXDOMAIN;
    negative(name, ref);
    if (Signed && proofs_) proofs_->nxdomain(name, l.node);
    return Next::done;
}

template <bool Signed>
bool ZoneLookup<Signed>::put_answer(const zone::RRset& set, const NameRef& ref, std::size_t& rdata_offset) {
    bool compact = false;
    const std::size_t start = w_.put_rrset(z_, set, ref, kAnswer, compact);
    if (start == ResponseWriter::kFailed) {
        out_.truncated = true;
        return false;
    }
    rdata_offset = start + (compact ? zone::kRRHeaderSize : ref.wire.size() + 10);
    queue_additional(set, start, compact, false, zone::kNoNode);
    if (Signed && proofs_ && !proofs_->put_signatures(set, ref, kAnswer)) {
        out_.truncated = true;
        return false;
    }
    return true;
}

template <bool Signed>
typename ZoneLookup<Signed>::Next ZoneLookup<Signed>::answer_node(std::uint32_t node,
                                                                  const zone::LookupName& name,
                                                                  const NameRef& ref) {
    const zone::Node& n = z_.node(node);
    std::size_t rdata = 0;
    if (qtype_ == kTypeAny) {
        bool answered = false;
        // RFC 8482 as BIND's minimal-any: one RRset over UDP (the first by type), all of them over TCP. The
        // RRSIGs come beside the RRsets they cover, and only with DO, as do NSEC and NSEC3 (BIND).
        for (const zone::RRset& set : z_.rrsets(n)) {
            if (Signed &&
                (set.type == kTypeRrsig || (!proofs_ && (set.type == kTypeNsec || set.type == kTypeNsec3))))
                continue;
            answered = true;
            if (!put_answer(set, ref, rdata) || minimal_any_) break;
        }
        if (!answered) {
            nodata(node, name, ref);
        } else if (Signed && proofs_ && wildcard_encloser_ != zone::kNoNode) {
            proofs_->wildcard_answer(name, wildcard_encloser_);
        }
        return Next::done;
    }
    if (const zone::RRset* set = z_.find_rrset(n, static_cast<dns::RRType>(qtype_))) {
        if (put_answer(*set, ref, rdata) && Signed && proofs_ && wildcard_encloser_ != zone::kNoNode)
            proofs_->wildcard_answer(name, wildcard_encloser_);
        return Next::done;
    }
    if (qtype_ != kTypeCname && n.has(zone::kNodeCname)) {
        const zone::RRset* cname = z_.find_rrset(n, dns::RRType::CNAME);
        if (!put_answer(*cname, ref, rdata)) return Next::done;
        if (Signed && proofs_ && wildcard_encloser_ != zone::kNoNode)
            proofs_->wildcard_answer(name, wildcard_encloser_);
        return follow(rdata, get16(z_.wire(*cname).data() + 10));
    }
    nodata(node, name, ref);
    return Next::done;
}

template <bool Signed>
void ZoneLookup<Signed>::nodata(std::uint32_t node, const zone::LookupName& name, const NameRef& ref) {
    negative(name, ref);
    if (!Signed || !proofs_) return;
    if (wildcard_encloser_ != zone::kNoNode) {
        proofs_->wildcard_nodata(name, wildcard_encloser_, node);
    } else {
        proofs_->nodata(name, node);
    }
}

template <bool Signed>
typename ZoneLookup<Signed>::Next ZoneLookup<Signed>::follow(std::size_t name_offset, std::size_t name_size) {
    const std::uint8_t* p = w_.data() + name_offset;
    for (std::size_t i = 0; i < name_size; ++i)
        chain_wire_[i] = dns::lower_ascii(p[i]);
    if (!chain_.assign({chain_wire_, name_size})) return Next::done;
    // Only chains that stay inside this zone are followed (as Knot and NSD do).
    const zone::Node& apex = z_.node(zone::Zone::apex());
    if (chain_.labels() < apex.labels) return Next::done;
    const auto suffix = chain_.suffix(chain_.labels() - apex.labels);
    const auto origin = z_.name(apex);
    if (suffix.size() != origin.size() || std::memcmp(suffix.data(), origin.data(), origin.size()) != 0) {
        return Next::done;
    }
    chain_ref_ = {name_offset, {chain_wire_, name_size}};
    return Next::follow;
}

template <bool Signed>
typename ZoneLookup<Signed>::Next ZoneLookup<Signed>::dname(std::uint32_t cut, const zone::LookupName& name,
                                                            const NameRef& ref) {
    const zone::Node& owner = z_.node(cut);
    const zone::RRset* set = z_.find_rrset(owner, dns::RRType::DNAME);
    const std::size_t skip = name.labels() - owner.labels;
    bool compact = false;
    const NameRef owner_ref = suffix_ref(name, ref, skip);
    if (w_.put_rrset(z_, *set, owner_ref, kAnswer, compact) == ResponseWriter::kFailed ||
        (Signed && proofs_ && !proofs_->put_signatures(*set, owner_ref, kAnswer))) {
        out_.truncated = true;
        return Next::done;
    }
    // RFC 6672 §3.1: synthesize "<name> CNAME <prefix>.<target>" with the DNAME's TTL.
    const auto wire = z_.wire(*set);
    const std::size_t target_size = get16(wire.data() + 10);
    const std::size_t prefix_size = name.offset_of_label(skip);
    const std::size_t size = prefix_size + target_size;
    if (size > dns::kMaxNameLength) {
        out_.rcode = dns::Rcode::YXDOMAIN;
        return Next::done;
    }
    const std::size_t at =
        w_.put_rr_header(ref, kTypeCname, static_cast<std::uint16_t>(z_.rclass()), set->ttl, size, kAnswer);
    if (at == ResponseWriter::kFailed) {
        out_.truncated = true;
        return Next::done;
    }
    std::memmove(w_.data() + at, w_.data() + ref.offset, prefix_size);
    std::memcpy(w_.data() + at + prefix_size, wire.data() + zone::kRRHeaderSize, target_size);
    w_.advance(size);
    // A CNAME query is answered by the synthesized CNAME itself (RFC 1034 4.3.2 step 3a), as Knot and NSD do.
    if (qtype_ == kTypeCname) return Next::done;
    return follow(at, size);
}

template <bool Signed>
void ZoneLookup<Signed>::referral(std::uint32_t cut, const zone::LookupName& name, const NameRef& ref) {
    // AA only covers an answer section we already filled (a chain that led here).
    out_.authoritative = w_.count(kAnswer) > 0;
    const zone::Node& owner = z_.node(cut);
    const zone::RRset* ns = z_.find_rrset(owner, dns::RRType::NS);
    bool compact = false;
    const std::size_t start =
        w_.put_rrset(z_, *ns, suffix_ref(name, ref, name.labels() - owner.labels), kAuthority, compact);
    if (start == ResponseWriter::kFailed) {
        out_.truncated = true;
        return;
    }
    queue_additional(*ns, start, compact, true, cut);
    if (Signed && proofs_) referral_ds(cut, name, ref);
}

template <bool Signed>
void ZoneLookup<Signed>::referral_ds(std::uint32_t cut, const zone::LookupName& name, const NameRef& ref) {
    // RFC 4035 §3.1.4.1: the DS RRset and its RRSIGs, or the proof that there is none.
    const zone::Node& owner = z_.node(cut);
    if (const zone::RRset* ds = z_.find_rrset(owner, dns::RRType::DS)) {
        const NameRef cut_ref = suffix_ref(name, ref, name.labels() - owner.labels);
        bool compact = false;
        if (w_.put_rrset(z_, *ds, cut_ref, kAuthority, compact) == ResponseWriter::kFailed ||
            !proofs_->put_signatures(*ds, cut_ref, kAuthority)) {
            out_.truncated = true;
        }
    } else {
        proofs_->insecure_delegation(name, cut);
    }
}

template <bool Signed>
void ZoneLookup<Signed>::negative(const zone::LookupName& name, const NameRef& ref) {
    const zone::Node& apex = z_.node(zone::Zone::apex());
    bool compact = false;
    const NameRef apex_ref = suffix_ref(name, ref, name.labels() - apex.labels);
    if (w_.put_rrset(z_, *z_.soa(), apex_ref, kAuthority, compact, z_.negative_ttl(), true) ==
            ResponseWriter::kFailed ||
        (Signed && proofs_ &&
         !proofs_->put_signatures(*z_.soa(), apex_ref, kAuthority, z_.negative_ttl(), true))) {
        out_.truncated = true;
    }
}

template <bool Signed>
void ZoneLookup<Signed>::queue_additional(const zone::RRset& set, std::size_t start, bool compact,
                                          bool referral_glue, std::uint32_t cut) {
    if (set.type != kTypeNs && set.type != kTypeMx && set.type != kTypeSrv) return;
    for (const zone::AdditionalLink& link : z_.additional(set)) {
        bool seen = false;
        for (std::size_t i = 0; i < pending_count_ && !seen; ++i)
            seen = pending_[i].node == link.node;
        if (seen || pending_count_ == kMaxPending) continue;
        pending_[pending_count_++] = {link.node, compact ? start + link.name_offset : kNoOffset,
                                      referral_glue && z_.node(link.node).cut == cut, set.type == kTypeNs};
    }
}

template <bool Signed>
void ZoneLookup<Signed>::flush_additional() {
    for (std::size_t i = 0; i < pending_count_; ++i) {
        const Pending& p = pending_[i];
        const zone::Node& n = z_.node(p.node);
        if (n.has(zone::kNodeOccluded) && !p.glue) continue;  // not authoritative data
        const NameRef owner{p.owner_offset, z_.spelling(n)};
        for (const std::uint16_t type : {kTypeA, kTypeAaaa}) {
            if (qtype_ == type && w_.count(kAnswer) > 0 && p.owner_offset == 12) continue;
            const zone::RRset* set = z_.find_rrset(n, static_cast<dns::RRType>(type));
            if (set == nullptr) continue;
            if (Signed && proofs_) {
                if (!put_signed_additional(*set, owner, p.required)) break;
                continue;
            }
            bool compact = false;
            if (w_.put_rrset(z_, *set, owner, kAdditional, compact) == ResponseWriter::kFailed) {
                if (p.required) out_.truncated = true;
                break;  // a smaller RRset further on may still fit
            }
        }
    }
}

template <bool Signed>
bool ZoneLookup<Signed>::put_signed_additional(const zone::RRset& set, const NameRef& owner, bool required) {
    // With DO, authoritative addresses go with their RRSIGs or not at all (glue has none).
    const ResponseWriter::Mark before = w_.mark();
    bool compact = false;
    const std::size_t at = w_.put_rrset(z_, set, owner, kAdditional, compact);
    if (at == ResponseWriter::kFailed) {
        if (required) out_.truncated = true;
        return false;
    }
    const NameRef sig_owner = owner.offset <= kMaxPointerTarget ? owner : NameRef{at, owner.wire};
    if (!proofs_->put_signatures(set, sig_owner, kAdditional)) {
        w_.rollback(before);
        return false;
    }
    return true;
}

template class ZoneLookup<false>;
template class ZoneLookup<true>;

}  // namespace cairn::auth
