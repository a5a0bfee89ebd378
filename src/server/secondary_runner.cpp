#include "server/secondary_runner.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <ctime>

#include "server/log_setup.hpp"
#include "server/zone_label.hpp"
#include "server/zone_loader.hpp"
#include "xfr/activity.hpp"

namespace cairn::server {

namespace {

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(::time(nullptr));
}

bool same_secondary(const ZoneSettings& a, const ZoneSettings& b) {
    if (!(a.source == b.source) || a.primaries.size() != b.primaries.size()) return false;
    for (std::size_t i = 0; i < a.primaries.size(); ++i) {
        if (a.primaries[i].to_text() != b.primaries[i].to_text()) return false;
        // Keys are compared by value: each reload builds a new keyring.
        const dns::TsigKey* x = a.primaries[i].key;
        const dns::TsigKey* y = b.primaries[i].key;
        if ((x == nullptr) != (y == nullptr)) return false;
        if (x != nullptr && (x->name != y->name || x->algorithm != y->algorithm || x->secret != y->secret ||
                             x->mac_length != y->mac_length))
            return false;
    }
    return a.refresh_bounds.min_refresh == b.refresh_bounds.min_refresh &&
           a.refresh_bounds.max_refresh == b.refresh_bounds.max_refresh &&
           a.refresh_bounds.min_retry == b.refresh_bounds.min_retry &&
           a.refresh_bounds.max_retry == b.refresh_bounds.max_retry;
}

}  // namespace

SecondaryRunner::SecondaryRunner(std::function<store::Environment*()> environment,
                                 std::function<void()> changed)
    : environment_(std::move(environment)), on_changed_(std::move(changed)), thread_([this] { run(); }) {}

SecondaryRunner::~SecondaryRunner() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SecondaryRunner::configure(const std::vector<ViewSettings>& views,
                                std::shared_ptr<const dns::TsigKeyring> keys) {
    std::map<Key, Entry> next;
    {
        std::lock_guard lock(mutex_);
        keys_ = std::move(keys);
        for (const auto& view : views) {
            for (const auto& zone : view.zones) {
                if (!zone.secondary) continue;
                Key key{view.name, zone.source.origin.lowercased().to_text()};
                const auto found = zones_.find(key);
                if (found != zones_.end() && same_secondary(found->second.settings, zone)) {
                    // ACLs may have changed; the running zone keeps its primaries and the keyring they use.
                    found->second.settings = zone;
                    next.emplace(key, std::move(found->second));
                    continue;
                }
                xfr::SecondaryConfig config;
                config.zone = zone.source.origin;
                config.primaries = zone.primaries;
                config.keys = keys_;
                config.bounds = zone.refresh_bounds;
                config.file = zone.source.file;
                config.format = zone.source.raw ? xfr::ZoneFileFormat::Raw : xfr::ZoneFileFormat::Text;
                config.max_journal_bytes = zone.max_journal_bytes;
                const std::string label = zone_label(zone.source.origin, view.name);
                auto publish = [this, key](std::shared_ptr<const zone::Zone> version) {
                    {
                        std::lock_guard served_lock(served_mutex_);
                        if (version != nullptr) {
                            served_[key] = Served{std::move(version), false};
                        } else if (const auto held = served_.find(key); held != served_.end()) {
                            held->second.expired = true;  // keep the zone: its names get SERVFAIL
                        }
                    }
                    changed_ = true;
                    if (on_changed_) on_changed_();
                };
                auto log = [label](xfr::SecondaryZone::LogLevel level, const std::string& line) {
                    if (level == xfr::SecondaryZone::LogLevel::warning)
                        logs::xfr_in().warn("{} (secondary): {}", label, line);
                    else
                        logs::xfr_in().info("{} (secondary): {}", label, line);
                };
                auto secondary =
                    std::make_shared<xfr::SecondaryZone>(std::move(config), environment_(), publish, log);
                // Started before the transfer thread can see it; the thread only takes the lock briefly.
                std::shared_ptr<const zone::Zone> copy;
                if (!zone.source.file.empty() && FileStamp::of(zone.source.file)) {
                    ZoneLoadResult loaded = load_zone(zone.source);
                    for (const auto& error : loaded.errors)
                        logs::xfr_in().warn("{} (secondary): {}", label, error);
                    if (loaded.loaded) copy = loaded.loaded->zone;
                }
                try {
                    secondary->start(copy, now_seconds());
                    // A copy that expired while we were down is held, not served: its names get SERVFAIL.
                    if (copy != nullptr && secondary->status(now_seconds()).expired) {
                        std::lock_guard served_lock(served_mutex_);
                        served_[key] = Served{copy, true};
                        changed_ = true;
                    }
                } catch (const std::exception& e) {
                    logs::xfr_in().error("{} (secondary): cannot start: {}", label, e.what());
                }
                next.emplace(key, Entry{zone, std::move(secondary)});
            }
        }
        for (const auto& [key, entry] : zones_) {
            if (next.find(key) == next.end()) {
                std::lock_guard served_lock(served_mutex_);
                served_.erase(key);
                changed_ = true;
            }
        }
        zones_ = std::move(next);
    }
    {
        std::lock_guard lock(mutex_);
        poke_ = true;
    }
    wake_.notify_all();
}

SecondaryRunner::Served SecondaryRunner::served(const std::string& view, const dns::Name& origin) const {
    std::lock_guard lock(served_mutex_);
    const auto found = served_.find({view, origin.lowercased().to_text()});
    return found == served_.end() ? Served{} : found->second;
}

std::shared_ptr<const xfr::SecondaryZone> SecondaryRunner::secondary(const std::string& view,
                                                                     const dns::Name& origin) const {
    std::lock_guard lock(mutex_);
    const auto found = zones_.find({view, origin.lowercased().to_text()});
    return found == zones_.end() ? nullptr : found->second.zone;
}

SecondaryRunner::NotifyVerdict SecondaryRunner::notify(const std::string& view, const dns::Name& origin,
                                                       const net::ClientInfo& client, const dns::Name* key) {
    std::shared_ptr<xfr::SecondaryZone> zone;
    {
        std::lock_guard lock(mutex_);
        const auto found = zones_.find({view, origin.lowercased().to_text()});
        if (found == zones_.end()) return NotifyVerdict::NotSecondary;
        const std::string source = client.source.address.to_string();
        bool allowed = found->second.settings.allow_notify.allows_source(client, key);
        for (const auto& primary : found->second.settings.primaries)
            allowed = allowed || primary.address == source;
        if (!allowed) return NotifyVerdict::Refused;
        zone = found->second.zone;
    }
    if (zone->notified(now_seconds())) {
        std::lock_guard lock(mutex_);
        poke_ = true;
    }
    wake_.notify_all();
    return NotifyVerdict::Accepted;
}

bool SecondaryRunner::refresh_now(const std::string& view, const dns::Name& origin, bool full_transfer) {
    std::shared_ptr<xfr::SecondaryZone> zone;
    {
        std::lock_guard lock(mutex_);
        const auto found = zones_.find({view, origin.lowercased().to_text()});
        if (found == zones_.end()) return false;
        zone = found->second.zone;
    }
    const bool start =
        full_transfer ? zone->full_transfer_requested(now_seconds()) : zone->notified(now_seconds());
    if (start) {
        std::lock_guard lock(mutex_);
        poke_ = true;
    }
    wake_.notify_all();
    return true;
}

void SecondaryRunner::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        std::vector<std::shared_ptr<xfr::SecondaryZone>> zones;
        for (const auto& [key, entry] : zones_)
            zones.push_back(entry.zone);
        poke_ = false;
        lock.unlock();
        std::int64_t next = INT64_MAX;
        // The zones due now wait for this one thread: `rndc status` calls them deferred until they start.
        unsigned waiting = 0;
        for (const auto& zone : zones)
            waiting += zone->due(now_seconds()) ? 1 : 0;
        xfr::transfer_activity().deferred = waiting;
        for (const auto& zone : zones) {
            try {
                zone->tick(now_seconds());
                if (zone->due(now_seconds())) {
                    if (waiting > 0) xfr::transfer_activity().deferred = --waiting;
                    zone->refresh(now_seconds);
                    timers_changed_ = true;
                }
                next = std::min(next, zone->next_event(now_seconds()));
            } catch (const std::exception& e) {
                logs::xfr_in().error("secondary refresh: {}", e.what());
            }
        }
        xfr::transfer_activity().deferred = 0;
        lock.lock();
        if (stopping_ || poke_) continue;
        const std::int64_t now = now_seconds();
        if (next == INT64_MAX) {
            wake_.wait(lock, [this] { return stopping_ || poke_; });
        } else if (next > now) {
            wake_.wait_for(lock, std::chrono::seconds(std::min<std::int64_t>(next - now, 3600)),
                           [this] { return stopping_ || poke_; });
        }
    }
}

}  // namespace cairn::server
