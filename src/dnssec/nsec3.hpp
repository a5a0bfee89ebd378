// NSEC3 hashing (RFC 5155 §5): IH(salt, x, 0) = H(x || salt), IH(salt, x, k) = H(IH(salt, x, k-1) || salt),
// with x the owner in canonical form (lowercased) and H SHA-1, the one hash algorithm (RFC 5155 §11).
// Allocation-free: the authoritative query path hashes names with it. Each call is charged to a
// WorkBudget when one is given (RFC 9276, CVE-2023-50868): one hash and 1 + iterations SHA-1s.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>

#include "dnssec/budget.hpp"

namespace cairn::dnssec {

using Bytes = std::span<const std::uint8_t>;

inline constexpr std::size_t kNsec3HashSize = 20;  // SHA-1
using Nsec3Hash = std::array<std::uint8_t, kNsec3HashSize>;

// Computes the hash of the uncompressed wire name `name` (any case). False, with nothing computed, when
// `budget` refuses the work.
bool nsec3_hash(Bytes name, Bytes salt, std::uint16_t iterations, Nsec3Hash& out,
                WorkBudget* budget = nullptr);

// The hash as the first label of an NSEC3 owner: base32hex without padding, lowercase (as BIND and Knot
// write owners; RFC 4343 makes the case irrelevant).
std::string nsec3_label(Bytes hash);

// The hash in the first label of an NSEC3 owner name (32 base32hex characters for SHA-1). False when the
// label is not one.
bool nsec3_owner_hash(Bytes owner, Nsec3Hash& out);

std::strong_ordering compare_hashes(Bytes a, Bytes b);

// RFC 5155 §8.3 terms on hashes: an NSEC3 whose owner hash is `owner` and next hash `next` covers `hash`
// when owner < hash < next, or, for the last NSEC3 of the chain (next <= owner), when hash > owner or
// hash < next. It matches when hash == owner.
bool nsec3_covers(Bytes owner, Bytes next, Bytes hash);

}  // namespace cairn::dnssec
