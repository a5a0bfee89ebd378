// DNSSEC in authoritative answers (RFC 4035 §3.1, RFC 5155 §7.2, RFC 7129), for queries with the DO bit to
// zones that carry signatures: the RRSIGs beside every RRset an answer carries, and the NSEC or NSEC3
// records (with their RRSIGs) that prove a name absent (NXDOMAIN: the name and the wildcard at its closest
// encloser), a type absent (NODATA, at the name, an empty non-terminal, or a wildcard), a wildcard
// answer (no closer name), or a delegation insecure (no DS). What it writes is what BIND 9.18 and Knot
// write for a pre-signed zone. Everything it looks up was computed at zone build time (zone_dnssec.hpp);
// NSEC3 needs one hash at query time for the next closer name. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "auth/response_writer.hpp"
#include "zone/lookup_name.hpp"
#include "zone/zone.hpp"
#include "zone/zone_dnssec.hpp"

namespace cairn::auth {

class DnssecProofs {
  public:
    DnssecProofs(const zone::Zone& zone, const zone::ZoneDnssec& dnssec, ResponseWriter& writer)
        : z_(zone), sec_(dnssec), w_(writer) {}

    // Places the RRSIGs covering `set` (owned by `owner`, with the TTL override the RRset got) right after
    // it. False when they do not fit.
    bool put_signatures(const zone::RRset& set, const NameRef& owner, SectionIndex section,
                        std::uint32_t ttl_override = 0, bool override_ttl = false);

    // The denial records an answer needs, queued (each record once) and written by flush() into the
    // authority section after the answer: `encloser` is the closest encloser node the lookup found.
    void nxdomain(const zone::LookupName& name, std::uint32_t encloser);
    void nodata(const zone::LookupName& name, std::uint32_t node);
    void wildcard_answer(const zone::LookupName& name, std::uint32_t encloser);
    void wildcard_nodata(const zone::LookupName& name, std::uint32_t encloser, std::uint32_t wildcard);
    void insecure_delegation(const zone::LookupName& name, std::uint32_t cut);

    // Writes the queued records and their RRSIGs. False when they do not all fit (the answer is then TC).
    bool flush();

  private:
    static constexpr std::size_t kMaxQueued = 24;  // a chain of 8 names, 3 records each at most

    void queue(std::uint32_t node);
    // NSEC: the record covering `lowered_name`, a name that is not a node of the zone.
    void queue_nsec_covering(std::span<const std::uint8_t> lowered_name);
    // NSEC3 (RFC 5155 §7.2.1): the closest provable encloser at or above `encloser` (an ancestor of
    // `name`) gets its matching NSEC3 and the next closer name its covering one; returns that encloser.
    std::uint32_t queue_closest_encloser_proof(const zone::LookupName& name, std::uint32_t encloser);

    const zone::Zone& z_;
    const zone::ZoneDnssec& sec_;
    ResponseWriter& w_;
    std::uint32_t queued_[kMaxQueued];
    std::size_t queued_count_ = 0;
};

}  // namespace cairn::auth
