// The IXFR journal of one zone (RFC 1995 needs the differences between versions): each new version's
// difference from the previous one, in order, persisted in the LMDB environment. Entries are numbered by a
// sequence, not by serial (serials wrap, RFC 1982), and the journal is bounded: appending trims the oldest
// entries until the stored size fits `max_bytes` (BIND's max-journal-size), always keeping the newest one.
//
// Thread-safety: LMDB serialises writers and gives readers a snapshot, so a transfer can read the chain
// while the zone's writer appends; one Journal object may be used from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dns/name.hpp"
#include "store/environment.hpp"
#include "zone/diff.hpp"

namespace cairn::store {

struct JournalInfo {
    std::size_t entries = 0;
    std::size_t bytes = 0;           // encoded size of the stored differences
    std::uint32_t first_serial = 0;  // the oldest version a client may hold for IXFR (when entries > 0)
    std::uint32_t last_serial = 0;   // the newest version (when entries > 0)
};

class Journal {
  public:
    static constexpr std::size_t kUnlimited = ~std::size_t{0};

    Journal(Environment& env, const dns::Name& zone);

    JournalInfo info() const;

    // Stores the difference to a new version. When it does not start at the journal's last serial (the zone
    // was replaced by other means, e.g. an AXFR or a reload without ixfr-from-differences), the older
    // entries can no longer form a chain and are dropped first. An empty-serial change (from == to) is
    // refused with StoreError. Throws StoreError.
    void append(const zone::ZoneDiff& diff, std::size_t max_bytes = kUnlimited);

    // The differences leading from `serial` to the newest version, oldest first: empty when `serial` is the
    // newest; nullopt when the journal does not reach back to `serial` (answer with a full zone).
    std::optional<std::vector<zone::ZoneDiff>> chain_from(std::uint32_t serial) const;

    // RRs an IXFR of chain_from(serial) would carry, read from the entry headers only; nullopt as above.
    std::optional<std::size_t> chain_rr_count(std::uint32_t serial) const;

    void clear();
    // Drops the oldest entries until the stored size fits `max_bytes`, always keeping the newest one;
    // returns how many were dropped.
    std::size_t trim(std::size_t max_bytes);

  private:
    std::vector<std::uint8_t> key(std::uint8_t kind, std::uint32_t sequence = 0) const;
    Environment& env_;
    std::vector<std::uint8_t> prefix_;  // the zone's lowercased wire name
};

}  // namespace cairn::store
