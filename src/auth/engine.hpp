// The authoritative answer engine: a pure function from (served zones, query packet, client facts) to a
// response packet written into a caller-provided buffer. No sockets, no allocation, no locks, no
// exceptions per query; safe to call from many threads at once on one Engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/types.hpp"
#include "zone/zone_table.hpp"

namespace cairn::dns {
struct ParsedQuery;
enum class QueryStatus : std::uint8_t;
}  // namespace cairn::dns

namespace cairn::auth {

enum class Transport : std::uint8_t { udp, tcp };

// What the engine needs to know about the client. The server fills it per query (no allocation).
struct ClientInfo {
    std::array<std::uint8_t, 16> address{};  // IPv4 in the first 4 octets
    std::uint8_t address_size = 4;           // 4 or 16
    Transport transport = Transport::udp;
    std::uint32_t now = 0;  // Unix time in seconds, for DNS Cookies (passed in so the engine stays pure)
};

// Per-server settings, fixed while an Engine lives.
struct Settings {
    std::uint16_t max_udp_payload = 1232;          // what we advertise and the most we send over UDP (>= 512)
    bool cookies = true;                           // RFC 7873/9018 server cookies
    std::array<std::uint8_t, 16> cookie_secret{};  // SipHash-2-4 key; share it among anycast peers
    bool require_cookie_udp = false;               // BADCOOKIE for UDP queries without a valid server cookie
    std::vector<std::uint8_t> nsid;                // RFC 5001 NSID payload; empty: do not answer NSID
    bool minimal_any = true;   // RFC 8482: one RRset for ANY over UDP (BIND's minimal-any)
    std::string version_bind;  // CH TXT version.bind / version.server; empty: REFUSED
    std::string id_server;     // CH TXT id.server / hostname.bind; empty: REFUSED
    // RFC 7828: the idle timeout (tenths of a second) announced in TCP replies to queries that carry the
    // edns-tcp-keepalive option (BIND's tcp-advertised-timeout).
    std::uint16_t tcp_advertised_timeout = 300;
};

// What the caller should do with the message the engine wrote.
enum class Action : std::uint8_t {
    drop,      // send nothing (size is 0)
    send,      // send `size` octets of `out`
    transfer,  // AXFR over TCP, IXFR: hand to the transfer module; `out` holds a REFUSED fallback
    notify,    // NOTIFY: hand to the secondary module; `out` holds a NOTIMP fallback
};

struct Result {
    std::size_t size = 0;
    Action action = Action::drop;
    dns::Rcode rcode = dns::Rcode::NOERROR;  // extended rcode of the response, for statistics
    const zone::Zone* zone = nullptr;        // the zone that answered (or that a transfer asks for)
    // The request ends with a TSIG record: the answer is unsigned and unchecked, the caller verifies the
    // request and answers it again (the engine knows no keys). Free to learn: the parser walks every record.
    bool tsig = false;
    // For response rate limiting: the request carried a valid server cookie (RFC 7873: not a forged
    // source, so not limited), and the answer was synthesised from a wildcard (counted as the zone's "*").
    bool cookie_valid = false;
    bool wildcard = false;
    // The request carried edns-tcp-keepalive (RFC 7828); over TCP the reply announces our timeout.
    bool tcp_keepalive = false;
};

class Engine {
  public:
    explicit Engine(Settings settings);

    // `out` should be at least 512 octets (65535 for TCP to allow full-size answers). Responses never
    // exceed `out`, nor the client's UDP payload limit.
    Result answer(const zone::ZoneTable& zones, std::span<const std::uint8_t> query, const ClientInfo& client,
                  std::span<std::uint8_t> out) const;

    // Warms the caches for a batch of queries that answer() will be asked next (for `zones`): their zone
    // data is fetched from memory all at once instead of one query after another. A hint only: queries
    // it cannot read are skipped. At most kPrefetchBatch queries are looked at.
    static constexpr std::size_t kPrefetchBatch = 64;
    void prefetch(const zone::ZoneTable& zones, std::span<const std::span<const std::uint8_t>> queries) const;

    const Settings& settings() const { return settings_; }

  private:
    Result answer_parsed(const zone::ZoneTable& zones, const dns::ParsedQuery& q, dns::QueryStatus outcome,
                         const ClientInfo& client, std::span<std::uint8_t> out) const;

    Settings settings_;
};

}  // namespace cairn::auth
