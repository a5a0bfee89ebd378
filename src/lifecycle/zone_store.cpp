#include "lifecycle/zone_store.hpp"

#include <filesystem>

#include "lifecycle/zone_config.hpp"

namespace cairn::lifecycle {

dns::Name ZoneStore::key_of(const std::string& view, const dns::Name& origin) {
    if (view == kDefaultView) return origin.lowercased();
    return dns::Name::from_text(view + "._view." + origin.lowercased().to_text());
}

store::Environment& ZoneStore::environment() {
    std::lock_guard lock(mutex_);
    if (env_ == nullptr) {
        const auto path = std::filesystem::absolute(std::filesystem::path(directory_) / "cairn.lmdb");
        env_ = std::make_unique<store::Environment>(path.string(), options_);
    }
    return *env_;
}

store::Journal& ZoneStore::journal(const std::string& view, const dns::Name& origin) {
    store::Environment& env = environment();
    const dns::Name key = key_of(view, origin);
    std::lock_guard lock(mutex_);
    auto& slot = journals_[key];
    if (slot == nullptr) slot = std::make_unique<store::Journal>(env, key);
    return *slot;
}

std::optional<store::ZoneTimers> ZoneStore::load_timers(const std::string& view, const dns::Name& origin) {
    const dns::Name key = key_of(view, origin);
    {
        std::lock_guard lock(timers_mutex_);
        if (const auto pending = pending_timers_.find(key); pending != pending_timers_.end())
            return pending->second;
    }
    return store::load_timers(environment(), key);
}

void ZoneStore::save_timers(const std::string& view, const dns::Name& origin,
                            const store::ZoneTimers& timers) {
    std::lock_guard lock(timers_mutex_);
    pending_timers_[key_of(view, origin)] = timers;
}

bool ZoneStore::dirty() const {
    std::lock_guard lock(timers_mutex_);
    return !pending_timers_.empty();
}

void ZoneStore::flush() {
    std::map<dns::Name, store::ZoneTimers> batch;
    {
        std::lock_guard lock(timers_mutex_);
        batch.swap(pending_timers_);
    }
    if (batch.empty()) return;
    try {
        store::save_timers_batch(environment(), batch);
    } catch (...) {
        // Kept for the next attempt unless newer values came meanwhile.
        std::lock_guard lock(timers_mutex_);
        for (auto& [key, timers] : batch)
            pending_timers_.emplace(key, timers);
        throw;
    }
}

}  // namespace cairn::lifecycle
