#include "resolver/key_cache.hpp"

#include <mutex>

#include "dnssec/algorithm.hpp"
#include "dnssec/records.hpp"

namespace cairn::resolver {

std::vector<ZoneKey> zone_keys(const std::vector<std::vector<std::uint8_t>>& dnskey_rdatas) {
    std::vector<ZoneKey> out;
    for (const auto& rdata : dnskey_rdatas) {
        const auto view = dnssec::DnskeyView::parse(rdata);
        if (!view || !view->zone_key() || view->revoked() || view->protocol != 3) continue;
        if (out.size() >= kMaxZoneKeys) break;
        ZoneKey k;
        k.rdata = rdata;
        k.tag = dnssec::key_tag(rdata);
        k.flags = view->flags;
        k.algorithm = view->algorithm;
        if (dnssec::can_verify(view->algorithm))
            k.key = dnssec::PublicKey::from_dnskey(view->algorithm, view->public_key);
        out.push_back(std::move(k));
    }
    return out;
}

std::shared_ptr<const KeyEntry> KeyCache::find(const dns::Name& zone, std::uint32_t now) const {
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(zone.lowercased());
    if (it == entries_.end() || !it->second->fresh(now)) return nullptr;
    return it->second;
}

std::shared_ptr<const KeyEntry> KeyCache::closest(const dns::Name& name, const dns::Name& floor,
                                                  std::uint32_t now) const {
    const std::size_t floor_labels = floor.label_count();
    std::shared_lock lock(mutex_);
    for (std::size_t labels = name.label_count() + 1; labels-- > floor_labels;) {
        const auto it = entries_.find(name.suffix(labels).lowercased());
        if (it != entries_.end() && it->second->fresh(now)) return it->second;
    }
    return nullptr;
}

void KeyCache::store(std::shared_ptr<const KeyEntry> entry) {
    std::unique_lock lock(mutex_);
    if (entries_.size() >= max_entries_ && !entries_.count(entry->zone)) {
        // Full: drop what has expired, else every eighth entry (the map's order is no age order, but the
        // bound is what matters against a flood of zones).
        const std::uint32_t now = entry->expire;  // anything that expires before the new entry may go
        std::size_t index = 0;
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->second->expire < now || index++ % 8 == 0)
                it = entries_.erase(it);
            else
                ++it;
        }
    }
    entries_[entry->zone] = std::move(entry);
}

std::size_t KeyCache::remove_tree(const dns::Name& top) {
    std::unique_lock lock(mutex_);
    std::size_t n = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->first.is_subdomain_of(top)) {
            it = entries_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

std::size_t KeyCache::remove(const dns::Name& zone) {
    std::unique_lock lock(mutex_);
    return entries_.erase(zone.lowercased());
}

std::size_t KeyCache::clear() {
    std::unique_lock lock(mutex_);
    const std::size_t n = entries_.size();
    entries_.clear();
    return n;
}

std::size_t KeyCache::sweep(std::uint32_t now) {
    std::unique_lock lock(mutex_);
    return std::erase_if(entries_, [&](const auto& kv) { return !kv.second->fresh(now); });
}

std::size_t KeyCache::size() const {
    std::shared_lock lock(mutex_);
    return entries_.size();
}

std::vector<std::shared_ptr<const KeyEntry>> KeyCache::entries() const {
    std::shared_lock lock(mutex_);
    std::vector<std::shared_ptr<const KeyEntry>> out;
    for (const auto& [name, e] : entries_)
        out.push_back(e);
    return out;
}

}  // namespace cairn::resolver
