// The set of served zones as one immutable snapshot: finds the zone whose origin is the longest suffix of a
// query name by probing a hash of origins with the suffix hashes LookupName already holds.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "zone/lookup_name.hpp"
#include "zone/zone.hpp"

namespace cairn::zone {

class ZoneTable {
  public:
    ZoneTable() = default;
    // Throws ZoneError when two zones share an origin.
    explicit ZoneTable(std::vector<std::shared_ptr<const Zone>> zones);

    // The zone with the longest origin at or above `name`, or nullptr. `min_skip` ignores origins longer
    // than `name` minus that many labels (1 finds the parent zone of an apex, for DS).
    const Zone* find(const LookupName& name, std::size_t min_skip = 0) const;
    std::span<const std::shared_ptr<const Zone>> zones() const { return zones_; }

  private:
    std::vector<std::shared_ptr<const Zone>> zones_;
    std::vector<std::uint64_t> table_;  // (hash high bits << 32 | zone index + 1), 0 = empty
    std::uint64_t mask_ = 0;
    std::size_t max_labels_ = 0;
};

}  // namespace cairn::zone
