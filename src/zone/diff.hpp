// The difference between two versions of a zone, as IXFR (RFC 1995) carries it and the journal stores it:
// the old and new SOA, the records that went away and the records that came. A record's identity is its
// owner (case-insensitive), type, class, canonical rdata and TTL, so a TTL change is a removal plus an
// addition, exactly as IXFR expresses it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "zone/record.hpp"
#include "zone/zone.hpp"

namespace cairn::zone {

// A difference that does not fit the zone it is applied to (removing a record that is not there, an old
// SOA serial other than the zone's, a chain with a gap).
class DiffError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ZoneDiff {
    Record old_soa;               // the SOA of the version the difference starts from
    Record new_soa;               // the SOA of the version it leads to
    std::vector<Record> removed;  // never an SOA: the SOA change is old_soa -> new_soa
    std::vector<Record> added;

    std::uint32_t from_serial() const;
    std::uint32_t to_serial() const;
    // RRs an IXFR sequence of this difference carries: both SOAs plus every removal and addition.
    std::size_t rr_count() const { return 2 + removed.size() + added.size(); }
    bool empty() const { return removed.empty() && added.empty(); }
    bool operator==(const ZoneDiff&) const = default;
};

// The serial held in SOA rdata (0 when the rdata is too short to be an SOA).
std::uint32_t soa_serial(std::span<const std::uint8_t> soa_rdata);
// The SOA record of a zone.
Record soa_record(const Zone& zone);
// An empty difference from `base` to its serial plus one (RFC 1982): where an edit starts.
ZoneDiff next_version(const Zone& base);
// The first of the stored and derived arrays (Zone::Arrays) whose octets differ between `a` and `b`, or
// nullptr when every one is equal: how the incremental build is checked against the full build.
const char* first_differing_array(const Zone& a, const Zone& b);

// What turns `from` into `to`. Both must be the same zone (origin); the removed and added records come in
// canonical order of owners as the zone holds them.
ZoneDiff diff_zones(const Zone& from, const Zone& to);

// Applies `diff` to the records of `base` and builds the new immutable version; `base` is untouched.
// Strict as IXFR clients must be: the diff's old SOA serial must be the zone's serial, every removed record
// must exist (TTL not compared); an added record that already exists replaces it (a TTL update).
// Throws DiffError (or ZoneError when the result cannot be built).
std::shared_ptr<const Zone> apply_diff(const Zone& base, const ZoneDiff& diff);
// Applies a chain of differences in order (each must start where the previous ended) in one new version:
// made from base's arrays around the changed names (Zone::patch) when the change is small, else by a full
// build. `allow_patch` false forces the full build (the reference the incremental one is tested against).
std::shared_ptr<const Zone> apply_diffs(const Zone& base, std::span<const ZoneDiff> diffs,
                                        bool allow_patch = true);

// How apply_diffs() built its results since the process started: incrementally from the base zone's
// arrays (Zone::patch) or, for large or unusual changes, by a full build. For tests and statistics.
struct ApplyCounts {
    std::uint64_t patched = 0;
    std::uint64_t rebuilt = 0;
};
ApplyCounts apply_counts();

// Condenses a chain into one difference (RFC 1995 §4 "condensed" form): a record added then removed
// vanishes, a record removed then added back (same TTL) vanishes. Throws DiffError on a gap in the chain or
// an empty chain.
ZoneDiff condense(std::span<const ZoneDiff> chain);

}  // namespace cairn::zone
