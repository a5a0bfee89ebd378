#include "zone/zone_table.hpp"

#include <algorithm>
#include <cstring>

namespace cairn::zone {
namespace {

std::vector<std::uint8_t> lowered(std::span<const std::uint8_t> wire) {
    std::vector<std::uint8_t> out(wire.begin(), wire.end());
    for (auto& c : out)
        c = dns::lower_ascii(c);
    return out;
}

}  // namespace

ZoneTable::ZoneTable(std::vector<std::shared_ptr<const Zone>> zones) : zones_(std::move(zones)) {
    std::size_t size = 16;
    while (size < zones_.size() * 2)
        size <<= 1;
    table_.assign(size, 0);
    mask_ = size - 1;
    for (std::size_t i = 0; i < zones_.size(); ++i) {
        const auto key = lowered(zones_[i]->origin().wire());
        const std::uint64_t h = SuffixHasher::hash(key);
        std::uint64_t slot = h & mask_;
        while (table_[slot] != 0) {
            const auto other = static_cast<std::uint32_t>(table_[slot]) - 1;
            if (zones_[other]->origin() == zones_[i]->origin()) {
                throw ZoneError("zone " + zones_[i]->origin().to_text() + " is served twice");
            }
            slot = (slot + 1) & mask_;
        }
        table_[slot] = (h & 0xFFFFFFFF00000000ULL) | (i + 1);
        max_labels_ = std::max(max_labels_, zones_[i]->origin().label_count());
    }
}

const Zone* ZoneTable::find(const LookupName& name, std::size_t min_skip) const {
    if (zones_.empty()) return nullptr;
    const std::size_t first =
        std::max(min_skip, name.labels() > max_labels_ ? name.labels() - max_labels_ : std::size_t{0});
    for (std::size_t skip = first; skip <= name.labels(); ++skip) {
        const std::uint64_t h = name.suffix_hash(skip);
        const auto want = name.suffix(skip);
        for (std::uint64_t slot = h & mask_; table_[slot] != 0; slot = (slot + 1) & mask_) {
            if ((table_[slot] & 0xFFFFFFFF00000000ULL) != (h & 0xFFFFFFFF00000000ULL)) continue;
            const Zone* zone = zones_[static_cast<std::uint32_t>(table_[slot]) - 1].get();
            const auto origin = zone->name(zone->node(Zone::apex()));
            if (origin.size() == want.size() && std::memcmp(origin.data(), want.data(), want.size()) == 0) {
                return zone;
            }
        }
    }
    return nullptr;
}

}  // namespace cairn::zone
