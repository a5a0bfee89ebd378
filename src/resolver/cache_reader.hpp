// Owned copies of cache entries for Resolutions (which keep what they read across replies): RRsets with the
// time they have left, negative answers with their SOA, cached failures. Each call opens its own read
// section.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/cache.hpp"
#include "resolver/reply_classifier.hpp"

namespace cairn::resolver {

// The proof block of an entry (cache_entry.hpp) as RRsets, RRSIGs attached; and RRsets as proof records.
// RRSIGs over a SOA (a negative entry's) go to `soa_sigs` when given.
std::vector<RRsetData> proof_sets(std::span<const std::uint8_t> block,
                                  std::vector<std::vector<std::uint8_t>>* soa_sigs = nullptr);
std::vector<ProofRecord> proof_records(const std::vector<RRsetData>& sets);

// A fresh RRset of at least `min_rank`, TTL the time left, with its verdict and wildcard proof.
std::optional<RRsetData> read_rrset(const Cache& cache, const dns::Name& owner, dns::RRType type,
                                    std::uint32_t now, Rank min_rank);

struct CachedNegative {
    bool nxdomain = false;
    RRsetData soa;                 // TTL: the time the negative entry has left; security: the entry's
    std::vector<RRsetData> proof;  // NSEC/NSEC3 RRsets (the SOA's RRSIGs are in soa.sigs)
};
// A fresh NODATA for (owner, type) or NXDOMAIN for owner.
std::optional<CachedNegative> read_negative(const Cache& cache, const dns::Name& owner, dns::RRType type,
                                            std::uint32_t now);

struct CachedFailure {
    std::uint16_t ede_code = 0;
    std::string cause;
};
std::optional<CachedFailure> read_failure(const Cache& cache, const dns::Name& owner, dns::RRType type,
                                          std::uint32_t now);

}  // namespace cairn::resolver
