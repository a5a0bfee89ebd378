#include "auth/dnssec_proofs.hpp"

#include <cstring>

namespace cairn::auth {

using zone::ZoneDnssec;

bool DnssecProofs::put_signatures(const zone::RRset& set, const NameRef& owner, SectionIndex section,
                                  std::uint32_t ttl_override, bool override_ttl) {
    const zone::SignatureSpan& span = sec_.signatures(z_.rrset_index(set));
    if (span.count == 0) return true;
    zone::RRset sigs;
    sigs.wire = span.wire;
    sigs.wire_size = span.wire_size;
    sigs.count = span.count;
    sigs.type = dns::code(dns::RRType::RRSIG);
    bool compact = false;
    return w_.put_rrset(z_, sigs, owner, section, compact, ttl_override, override_ttl) !=
           ResponseWriter::kFailed;
}

void DnssecProofs::queue(std::uint32_t node) {
    if (node == ZoneDnssec::kNone) return;
    for (std::size_t i = 0; i < queued_count_; ++i) {
        if (queued_[i] == node) return;
    }
    if (queued_count_ < kMaxQueued) queued_[queued_count_++] = node;
}

void DnssecProofs::queue_nsec_covering(std::span<const std::uint8_t> lowered_name) {
    queue(sec_.nsec_covering(z_, lowered_name));
}

std::uint32_t DnssecProofs::queue_closest_encloser_proof(const zone::LookupName& name,
                                                         std::uint32_t encloser) {
    // An empty non-terminal that leads only to opt-out delegations has no NSEC3: the proof climbs to the
    // closest encloser that has one (RFC 5155 §7.2.1).
    while (sec_.nsec3_match(encloser) == ZoneDnssec::kNone && encloser != zone::Zone::apex())
        encloser = z_.node(encloser).parent;
    queue(sec_.nsec3_match(encloser));
    const std::size_t encloser_labels = z_.node(encloser).labels;
    if (name.labels() > encloser_labels) {
        bool matched = false;
        queue(sec_.nsec3_cover(name.suffix(name.labels() - encloser_labels - 1), matched));
    }
    return encloser;
}

void DnssecProofs::nxdomain(const zone::LookupName& name, std::uint32_t encloser) {
    if (sec_.denial() == ZoneDnssec::Denial::nsec) {
        queue_nsec_covering(name.wire());
        // The wildcard at the closest encloser does not exist either (RFC 4035 §3.1.3.2).
        const auto ce = z_.name(z_.node(encloser));
        std::uint8_t wildcard[dns::kMaxNameLength];
        if (ce.size() + 2 <= sizeof wildcard) {
            wildcard[0] = 1;
            wildcard[1] = '*';
            std::memcpy(wildcard + 2, ce.data(), ce.size());
            queue_nsec_covering({wildcard, ce.size() + 2});
        }
    } else if (sec_.denial() == ZoneDnssec::Denial::nsec3) {
        encloser = queue_closest_encloser_proof(name, encloser);
        queue(sec_.nsec3_wildcard_cover(encloser));
    }
}

void DnssecProofs::nodata(const zone::LookupName& name, std::uint32_t node) {
    if (sec_.denial() == ZoneDnssec::Denial::nsec) {
        // The name's own NSEC; for an empty non-terminal, the one before it, whose next name is below it.
        queue(sec_.nsec_before(node));
    } else if (sec_.denial() == ZoneDnssec::Denial::nsec3) {
        if (sec_.nsec3_match(node) != ZoneDnssec::kNone) {
            queue(sec_.nsec3_match(node));
        } else if (node != zone::Zone::apex()) {
            // No NSEC3 of its own (an opt-out delegation or what leads to one): the opt-out span covers it
            // (RFC 5155 §7.2.4).
            queue_closest_encloser_proof(name, z_.node(node).parent);
        }
    }
}

void DnssecProofs::wildcard_answer(const zone::LookupName& name, std::uint32_t encloser) {
    // No closer match exists (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6): the name is covered.
    if (sec_.denial() == ZoneDnssec::Denial::nsec) {
        queue_nsec_covering(name.wire());
    } else if (sec_.denial() == ZoneDnssec::Denial::nsec3) {
        bool matched = false;
        const std::size_t encloser_labels = z_.node(encloser).labels;
        queue(sec_.nsec3_cover(name.suffix(name.labels() - encloser_labels - 1), matched));
    }
}

void DnssecProofs::wildcard_nodata(const zone::LookupName& name, std::uint32_t encloser,
                                   std::uint32_t wildcard) {
    // RFC 4035 §3.1.3.4, RFC 5155 §7.2.5: no closer match, and the wildcard lacks the type.
    if (sec_.denial() == ZoneDnssec::Denial::nsec) {
        queue_nsec_covering(name.wire());
        queue(sec_.nsec_before(wildcard));
    } else if (sec_.denial() == ZoneDnssec::Denial::nsec3) {
        queue_closest_encloser_proof(name, encloser);
        queue(sec_.nsec3_match(wildcard));
    }
}

void DnssecProofs::insecure_delegation(const zone::LookupName& name, std::uint32_t cut) {
    // RFC 4035 §3.1.4.1, RFC 5155 §7.2.7: the NSEC or NSEC3 at the delegation shows NS and no DS, or, with
    // opt-out, the span that covers it. `name` is at or below the cut: the next closer name of an encloser
    // above the cut is the same suffix of either.
    if (sec_.denial() == ZoneDnssec::Denial::nsec) {
        queue(sec_.nsec_before(cut));
    } else if (sec_.denial() == ZoneDnssec::Denial::nsec3) {
        if (sec_.nsec3_match(cut) != ZoneDnssec::kNone) {
            queue(sec_.nsec3_match(cut));
        } else {
            queue_closest_encloser_proof(name, z_.node(cut).parent);
        }
    }
}

bool DnssecProofs::flush() {
    for (std::size_t i = 0; i < queued_count_; ++i) {
        const zone::Node& n = z_.node(queued_[i]);
        const auto type = sec_.denial() == ZoneDnssec::Denial::nsec3 ? dns::RRType::NSEC3 : dns::RRType::NSEC;
        const zone::RRset* set = z_.find_rrset(n, type);
        if (set == nullptr) continue;
        // The owner is not in the message yet: written in full once, then pointed at by its RRSIGs.
        bool compact = false;
        const std::size_t at = w_.put_rrset(z_, *set, {~std::size_t{0}, z_.spelling(n)}, kAuthority, compact);
        if (at == ResponseWriter::kFailed) return false;
        if (!put_signatures(*set, {at, z_.spelling(n)}, kAuthority)) return false;
    }
    queued_count_ = 0;
    return true;
}

}  // namespace cairn::auth
