#include "resolver/infra_cache.hpp"

#include <algorithm>
#include <tuple>

#include "dns/name.hpp"

namespace cairn::resolver {
namespace {

constexpr Millis kMinTimeout = 50;           // Unbound's RTT_MIN_TIMEOUT
constexpr Millis kMaxTimeout = 12000;        // one query never waits longer
constexpr std::uint32_t kHoldDownAfter = 3;  // consecutive timeouts before a server is held down
constexpr Millis kLameHold = 600000;         // REFUSED / not authoritative: ten minutes
constexpr Millis kServfailHold = 5000;       // SERVFAIL: often temporary
constexpr Millis kBadReplyHold = 60000;

std::string lower_key(const dns::Name& zone) {
    const dns::Name lower = zone.lowercased();
    return {reinterpret_cast<const char*>(lower.wire().data()), lower.wire_size()};
}

}  // namespace

std::string_view to_string(LameReason r) {
    switch (r) {
        case LameReason::refused:
            return "REFUSED";
        case LameReason::not_authoritative:
            return "not authoritative (lame)";
        case LameReason::servfail:
            return "SERVFAIL";
        case LameReason::bad_reply:
            return "bad reply";
    }
    return "?";
}

Millis ServerInfo::timeout(const ResolverSettings& settings) const {
    Millis base = known ? static_cast<Millis>(srtt_ms) + 4 * static_cast<Millis>(rttvar_ms)
                        : static_cast<Millis>(settings.retry_interval_ms);
    base = std::max(base, kMinTimeout);
    // Exponential backoff once the non-backoff tries are used up (BIND's resolver-nonbackoff-tries).
    if (timeouts >= settings.nonbackoff_tries) {
        const std::uint32_t doublings = std::min<std::uint32_t>(timeouts - settings.nonbackoff_tries + 1, 6);
        base <<= doublings;
    }
    return std::min(base, kMaxTimeout);
}

std::size_t InfraCache::KeyHash::operator()(const Key& k) const {
    std::size_t h = k.server.port;
    for (const auto b : k.server.address.octets())
        h = h * 131 + b;
    return h;
}

InfraCache::Shard& InfraCache::shard(const ServerAddress& server) const {
    return shards_[KeyHash{}(Key{server}) % kShards];
}

ServerInfo InfraCache::get(const ServerAddress& server, Millis now) const {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    auto it = s.map.find(Key{server});
    if (it == s.map.end()) return {};
    if (now - it->second.info.last_used > static_cast<Millis>(settings_.infra_ttl) * 1000) return {};
    return it->second.info;
}

void InfraCache::sent(const ServerAddress& server, Millis now) {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    ServerInfo& info = s.map[Key{server}].info;
    ++info.queries;
    info.last_used = now;
}

void InfraCache::reply(const ServerAddress& server, std::uint32_t rtt_ms, Millis now) {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    ServerInfo& info = s.map[Key{server}].info;
    if (!info.known) {
        info.known = true;
        info.srtt_ms = rtt_ms;
        info.rttvar_ms = rtt_ms / 2;
    } else {  // RFC 6298 §2.3, alpha 1/8, beta 1/4
        const std::uint32_t delta = rtt_ms > info.srtt_ms ? rtt_ms - info.srtt_ms : info.srtt_ms - rtt_ms;
        info.rttvar_ms = (3 * info.rttvar_ms + delta) / 4;
        info.srtt_ms = (7 * info.srtt_ms + rtt_ms) / 8;
    }
    info.timeouts = 0;
    info.held_down_until = 0;
    info.last_used = now;
}

void InfraCache::timeout(const ServerAddress& server, Millis now) {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    ServerInfo& info = s.map[Key{server}].info;
    ++info.timeouts;
    ++info.failures;
    info.last_used = now;
    if (info.timeouts >= kHoldDownAfter) {
        // Held down for a while that grows with the timeouts (probed again afterwards), at most 2 minutes.
        const Millis hold = std::min<Millis>(1000LL << std::min<std::uint32_t>(info.timeouts, 7), 120000);
        info.held_down_until = now + hold;
    }
}

void InfraCache::edns(const ServerAddress& server, EdnsSupport support, Millis now) {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    ServerInfo& info = s.map[Key{server}].info;
    // "works" once seen wins over a later "broken" guess from a lost packet; an explicit FORMERR says broken.
    info.edns = support;
    info.last_used = now;
}

std::size_t InfraCache::cookie(const ServerAddress& server, std::uint64_t fresh, Millis now,
                               std::span<std::uint8_t, dns::kCookieMaxSize> out) {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    ServerInfo& info = s.map[Key{server}].info;
    const bool forgotten = now - info.last_used > static_cast<Millis>(settings_.infra_ttl) * 1000;
    if (!info.has_client_cookie || forgotten) {
        for (std::size_t i = 0; i < dns::kCookieClientSize; ++i)
            info.client_cookie[i] = static_cast<std::uint8_t>(fresh >> (8 * i));
        info.has_client_cookie = true;
        info.server_cookie_size = 0;
    }
    std::copy(info.client_cookie.begin(), info.client_cookie.end(), out.begin());
    std::copy_n(info.server_cookie.begin(), info.server_cookie_size, out.begin() + dns::kCookieClientSize);
    return dns::kCookieClientSize + info.server_cookie_size;
}

void InfraCache::server_cookie(const ServerAddress& server, std::span<const std::uint8_t> cookie,
                               Millis now) {
    if (cookie.size() < dns::kCookieServerMinSize || cookie.size() > dns::kCookieServerMaxSize) return;
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    ServerInfo& info = s.map[Key{server}].info;
    std::copy(cookie.begin(), cookie.end(), info.server_cookie.begin());
    info.server_cookie_size = static_cast<std::uint8_t>(cookie.size());
    info.last_used = now;
}

void InfraCache::set_lame(const ServerAddress& server, const dns::Name& zone, LameReason reason, Millis now) {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    Entry& e = s.map[Key{server}];
    e.info.last_used = now;
    const Millis hold = reason == LameReason::servfail    ? kServfailHold
                        : reason == LameReason::bad_reply ? kBadReplyHold
                                                          : kLameHold;
    const std::string key = lower_key(zone);
    for (auto& [z, value] : e.lame) {
        if (z == key) {
            value = {reason, now + hold};
            return;
        }
    }
    e.lame.push_back({key, {reason, now + hold}});
}

std::optional<LameReason> InfraCache::lame(const ServerAddress& server, const dns::Name& zone,
                                           Millis now) const {
    Shard& s = shard(server);
    std::lock_guard lock(s.mutex);
    auto it = s.map.find(Key{server});
    if (it == s.map.end()) return std::nullopt;
    const std::string key = lower_key(zone);
    for (const auto& [z, value] : it->second.lame) {
        if (z == key && now < value.second) return value.first;
    }
    return std::nullopt;
}

std::size_t InfraCache::size() const {
    std::size_t n = 0;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.map.size();
    }
    return n;
}

std::size_t InfraCache::flush() {
    std::size_t n = 0;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.map.size();
        s.map.clear();
    }
    return n;
}

void InfraCache::expire(Millis now) {
    const Millis ttl = static_cast<Millis>(settings_.infra_ttl) * 1000;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        std::erase_if(s.map, [&](const auto& item) { return now - item.second.info.last_used > ttl; });
    }
}

std::vector<std::string> InfraCache::describe(Millis now) const {
    std::vector<std::string> lines;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (const auto& [key, entry] : s.map) {
            std::string line = key.server.address.to_string() + "#" + std::to_string(key.server.port);
            const ServerInfo& i = entry.info;
            if (i.known)
                line += " srtt " + std::to_string(i.srtt_ms) + " ms rttvar " + std::to_string(i.rttvar_ms) +
                        " ms";
            else
                line += " rtt unknown";
            line += " timeouts " + std::to_string(i.timeouts);
            if (i.held_down_until > now)
                line += " held down " + std::to_string((i.held_down_until - now + 999) / 1000) + " s";
            line += i.edns == EdnsSupport::works    ? " edns works"
                    : i.edns == EdnsSupport::broken ? " edns broken"
                                                    : " edns unknown";
            for (const auto& [zone, value] : entry.lame) {
                if (now >= value.second) continue;
                const auto wire = std::span(reinterpret_cast<const std::uint8_t*>(zone.data()), zone.size());
                line += " lame for " + dns::Name::from_validated_wire(wire).to_text() + " (" +
                        std::string(to_string(value.first)) + ")";
            }
            lines.push_back(std::move(line));
        }
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::vector<ServerUsage> InfraCache::busiest(std::size_t limit, Millis now) const {
    const Millis ttl = static_cast<Millis>(settings_.infra_ttl) * 1000;
    std::vector<ServerUsage> all;
    for (auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        for (const auto& [key, entry] : s.map) {
            if (now - entry.info.last_used <= ttl)
                all.push_back({key.server, entry.info, entry.info.held_down_until > now});
        }
    }
    const auto busier = [](const ServerUsage& a, const ServerUsage& b) {
        if (a.info.queries != b.info.queries) return a.info.queries > b.info.queries;
        return std::tuple(a.server.address.family, a.server.address.bytes, a.server.port) <
               std::tuple(b.server.address.family, b.server.address.bytes, b.server.port);
    };
    const std::size_t kept = std::min(limit, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kept), all.end(), busier);
    all.resize(kept);
    return all;
}

}  // namespace cairn::resolver
