// The infrastructure cache: what a view's resolver learnt about each upstream server, shared by all its
// Resolutions. Smoothed RTT and its variance (RFC 6298's estimator, as Unbound's and Knot's server
// selection), consecutive timeouts with the backed-off timeout they lead to, whether the server speaks
// EDNS, and per (server, zone) lameness (REFUSED, not authoritative, upward referrals). Entries are
// forgotten after infra_ttl seconds without use.
//
// Only Resolutions touch it (the cache-hit path never does), so it is a mutex-protected map split in
// shards by address.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

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
    // The timeout to use for the next query (RFC 6298 RTO: srtt + 4 rttvar, with backoff after timeouts).
    Millis timeout(const ResolverSettings& settings) const;
};

class InfraCache {
  public:
    explicit InfraCache(const ResolverSettings& settings) : settings_(settings) {}

    ServerInfo get(const ServerAddress& server, Millis now) const;
    void reply(const ServerAddress& server, std::uint32_t rtt_ms, Millis now);
    void timeout(const ServerAddress& server, Millis now);
    void edns(const ServerAddress& server, EdnsSupport support, Millis now);

    void set_lame(const ServerAddress& server, const dns::Name& zone, LameReason reason, Millis now);
    std::optional<LameReason> lame(const ServerAddress& server, const dns::Name& zone, Millis now) const;

    std::size_t size() const;
    std::size_t flush();
    void expire(Millis now);
    // One line per server, for dumps: "10.0.0.1#53 srtt 12 ms rttvar 3 timeouts 0 edns works".
    std::vector<std::string> describe(Millis now) const;

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
