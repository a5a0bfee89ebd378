// What signed answers need from a zone that carries DNSSEC records (RRSIG, NSEC, NSEC3; pre-signed with
// dnssec-signzone or made by cairn's signer), computed once per zone version (full build, raw load and
// incremental patch alike) so that the query path only reads arrays:
//   - for every RRset, where the RRSIGs covering it lie in the node's RRSIG RRset (stored in canonical
//     rdata order, so the signatures of one type are consecutive);
//   - NSEC zones: for every node, the node whose NSEC covers the names sorting right after it;
//   - NSEC3 zones (the chain NSEC3PARAM names): the chain sorted by hash, and for every node the NSEC3
//     matching its name and the one covering "*.<name>", hashed at build time. The hashed owners are nodes
//     of the zone, but answers treat them as BIND and Knot do (a tree of their own): invisible to every
//     query, one for type NSEC3 included.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "dnssec/nsec3.hpp"
#include "zone/large_allocator.hpp"

namespace cairn::zone {

class Zone;
struct RRset;

// The RRSIG records covering one RRset: consecutive pre-rendered RRs in the zone's RR arena.
struct SignatureSpan {
    std::uint32_t wire = 0;
    std::uint32_t wire_size = 0;
    std::uint16_t count = 0;
};

class ZoneDnssec {
  public:
    enum class Denial : std::uint8_t { none, nsec, nsec3 };
    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

    // Null for a zone without RRSIG, NSEC or NSEC3 records.
    static std::unique_ptr<const ZoneDnssec> derive(const Zone& zone);

    Denial denial() const { return denial_; }

    // The RRSIGs covering the RRset at `rrset_index` (count 0: none).
    const SignatureSpan& signatures(std::uint32_t rrset_index) const { return signatures_[rrset_index]; }

    // NSEC: the node holding the NSEC that covers names sorting right after `node` (the last node at or
    // before it that has one), kNone before the first.
    std::uint32_t nsec_before(std::uint32_t node) const { return per_node_[node]; }
    // NSEC: the node holding the NSEC that covers `lowered_name` (a name of the zone that is no node of
    // it): nsec_before() of its predecessor, found by the canonical key prefixes of the nodes first.
    std::uint32_t nsec_covering(const Zone& zone, std::span<const std::uint8_t> lowered_name) const;

    // NSEC3: the node holding the NSEC3 that matches `node`'s name (kNone: none, as for an empty
    // non-terminal that leads only to opt-out delegations, or for occluded names).
    std::uint32_t nsec3_match(std::uint32_t node) const {
        const std::uint32_t m = per_node_[node];
        return m == kHashedOwner ? kNone : m;
    }
    // NSEC3: the node holding the NSEC3 that covers "*.<node's name>".
    std::uint32_t nsec3_wildcard_cover(std::uint32_t node) const { return wildcard_cover_[node]; }
    // A hashed owner name (holds only NSEC3 and its RRSIGs).
    bool hashed_owner(std::uint32_t node) const {
        return denial_ == Denial::nsec3 && per_node_[node] == kHashedOwner;
    }
    // The node of the NSEC3 that covers (or, `matched`, matches) the hash of `lowered_name`. Allocation-free:
    // hashes with the zone's salt and iterations.
    std::uint32_t nsec3_cover(std::span<const std::uint8_t> lowered_name, bool& matched) const;

    // The earliest expiration among the zone's RRSIGs (RFC 4034 §3.1.5: 32-bit seconds, compared with serial
    // arithmetic); unset when it has none. What the lifecycle warns about at 14 and 7 days (issue 17).
    std::optional<std::uint32_t> earliest_expiration() const { return earliest_expiration_; }

    std::size_t memory_bytes() const;
    std::uint16_t nsec3_iterations() const { return iterations_; }
    std::span<const std::uint8_t> nsec3_salt() const { return {salt_.data(), salt_size_}; }

  private:
    static constexpr std::uint32_t kHashedOwner = 0xFFFFFFFEu;
    struct Nsec3Entry {
        dnssec::Nsec3Hash hash;
        std::uint32_t node;
    };
    std::uint32_t cover(const dnssec::Nsec3Hash& h, bool& matched) const;

    Denial denial_ = Denial::none;
    std::optional<std::uint32_t> earliest_expiration_;
    LargeVector<SignatureSpan> signatures_;      // per RRset
    LargeVector<std::uint32_t> per_node_;        // NSEC: nsec_before; NSEC3: match or kHashedOwner
    LargeVector<std::uint32_t> wildcard_cover_;  // NSEC3 only
    LargeVector<Nsec3Entry> chain_;              // NSEC3, sorted by hash
    struct Prefix {
        std::uint64_t hi, lo;
        bool operator<(const Prefix& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
    };
    LargeVector<Prefix> prefixes_;  // NSEC: each node's canonical key prefix (zone_build.hpp), node order
    std::size_t origin_labels_ = 0;
    std::array<std::uint8_t, 255> salt_{};
    std::uint8_t salt_size_ = 0;
    std::uint16_t iterations_ = 0;
};

}  // namespace cairn::zone
