// The infrastructure cache: what a view's resolver learnt about each upstream server, shared by all its
// Resolutions. Smoothed RTT and its variance (RFC 6298's estimator, as Unbound's and Knot's server
// selection), consecutive timeouts with the backed-off timeout they lead to, whether the server speaks
// EDNS, and per (server, zone) lameness (REFUSED, not authoritative, upward referrals). Entries are
// forgotten after infra_ttl seconds without use.
//
// Only Resolutions touch it (the cache-hit path never does), so it is a mutex-protected map split in
// shards by address. It also counts queries and failures per server for the statistics channel, which
// reads a copy of the busiest servers (busiest()) when a page is asked for: nothing is kept for it
// elsewhere, and the counters go with the entry when it is forgotten (a Prometheus counter reset).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "resolver/clock.hpp"
#include "resolver/settings.hpp"

namespace cairn::resolver {

enum class EdnsSupport : std::uint8_t { unknown, works, broken };

enum class LameReason : std::uint8_t {
    refused,            // REFUSED for the zone
    not_authoritative,  // an answer without AA, an upward or sideways referral
    servfail,           // SERVFAIL (held briefly: often a temporary failure upstream)
    bad_reply,          // FORMERR-worthy reply, question mismatch, out-of-zone data only
};
std::string_view to_string(LameReason r);

struct ServerInfo {
    bool known = false;           // an RTT was measured
    std::uint32_t srtt_ms = 0;    // smoothed RTT
    std::uint32_t rttvar_ms = 0;  // its variance
    std::uint32_t timeouts = 0;   // consecutive, since the last reply
    Millis held_down_until = 0;   // after repeated timeouts: only tried when nothing else is left
    EdnsSupport edns = EdnsSupport::unknown;
    Millis last_used = 0;
    std::uint64_t queries = 0;   // sent to it, since it was first (or last forgotten and) used
    std::uint64_t failures = 0;  // of them: no answer in time, or failed on the network
    // DNS Cookies (RFC 7873 §5.1, RFC 9018): our client cookie for this server (random, made on first use,
    // forgotten with the entry) and the last server cookie it gave us, sent back with every query.
    std::array<std::uint8_t, dns::kCookieClientSize> client_cookie{};
    bool has_client_cookie = false;
    std::array<std::uint8_t, dns::kCookieServerMaxSize> server_cookie{};
    std::uint8_t server_cookie_size = 0;
    // The timeout to use for the next query (RFC 6298 RTO: srtt + 4 rttvar, with backoff after timeouts).
    Millis timeout(const ResolverSettings& settings) const;
};

// One server as the statistics channel shows it (InfraCache::busiest).
struct ServerUsage {
    ServerAddress server;
    ServerInfo info;
    bool held_down = false;  // at the time of the copy
};

class InfraCache {
  public:
    explicit InfraCache(const ResolverSettings& settings) : settings_(settings) {}

    ServerInfo get(const ServerAddress& server, Millis now) const;
    void sent(const ServerAddress& server, Millis now);  // a query went to it
    void reply(const ServerAddress& server, std::uint32_t rtt_ms, Millis now);
    void timeout(const ServerAddress& server, Millis now);  // no answer in time, or a network error
    void edns(const ServerAddress& server, EdnsSupport support, Millis now);
    // The COOKIE option to send `server`: our client cookie (made from `fresh` the first time) and its last
    // server cookie. Returns its size: 8, or 16 to 40 once the server gave a cookie.
    std::size_t cookie(const ServerAddress& server, std::uint64_t fresh, Millis now,
                       std::span<std::uint8_t, dns::kCookieMaxSize> out);
    // Remembers the server cookie `server` sent (8 to 32 octets).
    void server_cookie(const ServerAddress& server, std::span<const std::uint8_t> cookie, Millis now);

    void set_lame(const ServerAddress& server, const dns::Name& zone, LameReason reason, Millis now);
    std::optional<LameReason> lame(const ServerAddress& server, const dns::Name& zone, Millis now) const;

    std::size_t size() const;
    std::size_t flush();
    void expire(Millis now);
    // One line per server, for dumps: "10.0.0.1#53 srtt 12 ms rttvar 3 timeouts 0 edns works".
    std::vector<std::string> describe(Millis now) const;
    // The `limit` servers sent the most queries (ties: the address order), not yet forgotten: a copy
    // taken shard by shard, so that the statistics channel's cardinality stays bounded.
    std::vector<ServerUsage> busiest(std::size_t limit, Millis now) const;

  private:
    struct Entry {
        ServerInfo info;
        // Zone (lowercased wire) -> (reason, until).
        std::vector<std::pair<std::string, std::pair<LameReason, Millis>>> lame;
    };
    struct Key {
        ServerAddress server;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };
    struct alignas(64) Shard {
        mutable std::mutex mutex;
        std::unordered_map<Key, Entry, KeyHash> map;
    };
    static constexpr std::size_t kShards = 16;
    Shard& shard(const ServerAddress& server) const;

    const ResolverSettings& settings_;
    mutable std::array<Shard, kShards> shards_;
};

}  // namespace cairn::resolver
