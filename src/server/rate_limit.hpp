// Response rate limiting as the query path applies it to one view (the accounts live in rrl/): BIND's
// lib/ns/query.c (query_checkrrl) and lib/ns/client.c. Only UDP responses are limited; exempt-clients and
// requests with a valid server cookie (not a forged source) pass untouched. A slipped response is the
// header and question with TC set, so that a real client retries over TCP, or, to a client that sent a
// cookie, BADCOOKIE with a fresh server cookie, so that it retries with it and is exempt; NXDOMAIN keeps
// its rcode. log-only decides and counts but sends everything. The first limited response of an account
// is logged in the rate-limit category ("limit responses to 127.58.1.0/24 for www.example IN A  (5f1c03a2)",
// NXDOMAIN naming the zone, as BIND's make_log_buf), the flood of such lines held back by the log throttle;
// "continue limiting ..." every 30 minutes while it stays limited; as BIND (lib/dns/rrl.c, log_stops), once
// such an account has been quiet for 60 s and is back in credit "stop limiting responses to ..." follows
// (checked once a second, when a response passes, 8 lines at most each time), "*stop limiting ..." when the
// account left the table or the limiter ends (reload, shutdown). Growths of the table are logged too
// ("increase from 512 to 1024 RRL entries").
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/engine.hpp"
#include "config/config.hpp"
#include "net/handler.hpp"
#include "rrl/rate_limiter.hpp"
#include "server/access.hpp"

namespace cairn::server {

class RateLimit {
  public:
    enum class Outcome : std::uint8_t { sent, slipped, dropped, logged };

    RateLimit(const rrl::Limits& limits, std::optional<AccessList> exempt)
        : limiter_(limits), exempt_(std::move(exempt)) {}
    ~RateLimit();  // "*stop limiting" for the accounts still limiting, as BIND when a view goes
    RateLimit(const RateLimit&) = delete;
    RateLimit& operator=(const RateLimit&) = delete;

    const rrl::RateLimiter& limiter() const { return limiter_; }

    const rrl::Limits& limits() const { return limiter_.limits(); }
    const std::optional<AccessList>& exempt() const { return exempt_; }  // exempt-clients

    // The `size` octets of `response` answer `query` over UDP: returns what to send instead, `size`, a
    // slipped response's size (written over `response`), or 0 to drop it. `now`: Unix seconds.
    std::size_t apply(std::span<const std::uint8_t> query, std::span<std::uint8_t> response, std::size_t size,
                      const auth::Result& result, const net::ClientInfo& client, const auth::Settings& engine,
                      std::uint32_t now, Outcome& outcome);

    // A response sent over TCP (for qps-scale).
    void note_tcp(const net::ClientInfo& client, std::uint32_t now) {
        limiter_.note_tcp(client.source.address, now, client.worker);
    }

    // Once a second (the first response of the second does it): "stop limiting" lines for the accounts
    // that recovered, and the table's growth. Called by apply(); public for tests.
    void log_changes(std::uint32_t now);

  private:
    // An account whose "limit" line was written, waiting for its "stop limiting" line.
    struct Limited {
        std::uint64_t account = 0;
        std::uint32_t rate = 0;
        std::uint32_t logged_at = 0;  // its last "limit" or "continue limiting" line
        std::string what;             // "responses to 127.58.1.0/24 for www.example IN A  (5f1c03a2)"
    };
    static constexpr std::size_t kMaxLimited = 256;             // BIND keeps 256 names for these lines
    static constexpr int kStopLinesPerSecond = 8;               // BIND's log_stops(rrl, now, 8, ...)
    static constexpr std::uint32_t kContinueLogSeconds = 1800;  // BIND's DNS_RRL_MAX_LOG_SECS

    void log_start(std::span<const std::uint8_t> response, const rrl::ResponseKey& key,
                   const rrl::Decision& decision, const net::ClientInfo& client, std::uint32_t now);
    void log_stop(const Limited& limited, bool early) const;

    rrl::RateLimiter limiter_;
    std::optional<AccessList> exempt_;
    std::mutex limited_mutex_;  // taken with try_lock on the query path: never waited for
    std::vector<Limited> limited_;
    std::atomic<std::size_t> limited_count_{0};
    std::atomic<std::uint32_t> checked_second_{0};
};

// BIND's defaults for what the block leaves out; nullptr without a rate-limit block.
std::shared_ptr<RateLimit> make_rate_limit(const config::RateLimit* block, const config::Config& config,
                                           const config::HostNetworks& host);

// Whether `query` carries a server cookie we issued to this client (RFC 7873: not a forged source, never
// limited). The answer engine finds this out for its own answers; the resolver's answers ask here.
bool has_valid_server_cookie(std::span<const std::uint8_t> query, const net::ClientInfo& client,
                             const auth::Settings& engine, std::uint32_t now);

// The slipped form of a response to `query`: header and question (and OPT when the query had EDNS), TC set,
// rcode NOERROR or NXDOMAIN; BADCOOKIE with a fresh server cookie instead when the query carried a cookie
// and cookies are on. `aa`: the authoritative bit of the response it replaces. 0 for a query it cannot read.
std::size_t write_slipped(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, bool nxdomain,
                          bool aa, const auth::Settings& engine, const net::ClientInfo& client,
                          std::uint32_t now);

}  // namespace cairn::server
