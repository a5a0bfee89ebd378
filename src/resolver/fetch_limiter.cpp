#include "resolver/fetch_limiter.hpp"

namespace cairn::resolver {
namespace {

constexpr Millis kSpillLogInterval = 60000;  // BIND logs a spilling zone at most once a minute

std::string zone_key(const dns::Name& zone) {
    const dns::Name lower = zone.lowercased();
    return {reinterpret_cast<const char*>(lower.wire().data()), lower.wire_size()};
}

std::string server_key(const ServerAddress& server) {
    return server.address.to_string() + "#" + std::to_string(server.port);
}

}  // namespace

void FetchLimiter::log(std::string text) const {
    if (sink_ == nullptr || !*sink_) return;
    (*sink_)(LogLine{"spill", LogSeverity::info, std::move(text)});
}

bool FetchLimiter::begin_fetch(const dns::Name& zone, bool force) {
    if (!zone_limited()) return true;
    std::string line;
    {
        std::lock_guard lock(mutex_);
        ZoneCounter& c = zones_[zone_key(zone)];
        if (!force && c.count >= limits_.fetches_per_zone) {
            ++c.dropped;
            const Millis now = clock_.now();
            if (c.logged == kNever || now - c.logged >= kSpillLogInterval) {
                c.logged = now;
                line = "too many simultaneous fetches for " + zone.to_text_without_dot() + " (allowed " +
                       std::to_string(c.allowed) + " spilled " + std::to_string(c.dropped) + ")";
            }
        } else {
            ++c.count;
            ++c.allowed;
            return true;
        }
    }
    if (!line.empty()) log(std::move(line));
    return false;
}

void FetchLimiter::end_fetch(const dns::Name& zone) {
    if (!zone_limited()) return;
    std::string line;
    {
        std::lock_guard lock(mutex_);
        const auto it = zones_.find(zone_key(zone));
        if (it == zones_.end() || it->second.count == 0) return;
        if (--it->second.count != 0) return;
        if (it->second.dropped != 0)
            line = "fetch counters for " + zone.to_text_without_dot() + " now being discarded (allowed " +
                   std::to_string(it->second.allowed) + " spilled " + std::to_string(it->second.dropped) +
                   "; cumulative since initial trigger event)";
        zones_.erase(it);
    }
    if (!line.empty()) log(std::move(line));
}

bool FetchLimiter::begin_query(const ServerAddress& server) {
    if (!server_limited()) return true;
    std::lock_guard lock(mutex_);
    std::uint32_t& n = servers_[server_key(server)];
    if (n >= limits_.fetches_per_server) return false;
    ++n;
    return true;
}

void FetchLimiter::end_query(const ServerAddress& server) {
    if (!server_limited()) return;
    std::lock_guard lock(mutex_);
    if (auto it = servers_.find(server_key(server)); it != servers_.end() && --it->second == 0)
        servers_.erase(it);
}

std::uint32_t FetchLimiter::fetches(const dns::Name& zone) const {
    std::lock_guard lock(mutex_);
    const auto it = zones_.find(zone_key(zone));
    return it == zones_.end() ? 0 : it->second.count;
}

std::uint32_t FetchLimiter::spilled(const dns::Name& zone) const {
    std::lock_guard lock(mutex_);
    const auto it = zones_.find(zone_key(zone));
    return it == zones_.end() ? 0 : it->second.dropped;
}

}  // namespace cairn::resolver
