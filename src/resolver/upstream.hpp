// The resolver's side of the conversation with authoritative servers and forwarders: what a Resolution
// asks the driver to send (UpstreamQuery), how the driver reports what came back, and the keys that let the
// driver send identical questions once (RFC 5452 §5 and BIND's fetch sharing).
//
// The driver owns the sockets: a random source port and ID per query (RFC 5452 §4), TCP when asked, the
// per-query timeout, and first-level matching (source address and port, ID, transport). The Resolution
// still checks what does not depend on the ID: QR, opcode, the question (name, type, class), and it drops
// everything outside the bailiwick of the zone it asked.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "dns/edns.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/clock.hpp"
#include "resolver/settings.hpp"

namespace cairn::resolver {

// Identifies one upstream query of one Resolution. Unique within that Resolution for its lifetime.
using Token = std::uint32_t;

enum class UpstreamTransport : std::uint8_t { udp, tcp };

// Why no reply came.
enum class UpstreamError : std::uint8_t {
    timeout,          // nothing within UpstreamQuery::timeout
    unreachable,      // ICMP unreachable / ECONNREFUSED on UDP: counted like a timeout but known at once
    connection_lost,  // TCP connect failed, reset, or closed before a whole reply arrived
};
std::string_view to_string(UpstreamError error);

// The identity of an upstream question for sharing one socket between Resolutions: the same server and the
// same bytes asked (qname compared without case, type, class, RD/CD/DO, EDNS or not, transport). The
// driver may keep a map from key to the query in flight and hand its reply to every waiting
// (Resolution, token); each Resolution still checks it.
struct UpstreamKey {
    ServerAddress server;
    std::basic_string<std::uint8_t> qname_lower;  // wire form
    std::uint16_t qtype = 0;
    std::uint16_t flags = 0;  // RD | CD | DO | EDNS | TCP bits
    bool operator==(const UpstreamKey&) const = default;
    std::size_t hash() const;
};

struct UpstreamQuery {
    Token token = 0;
    ServerAddress server;
    dns::Name qname;  // as it goes on the wire (minimised names are shorter than the client's)
    dns::RRType qtype = dns::RRType::A;
    dns::RRClass qclass = dns::RRClass::IN;
    bool recursion_desired = false;  // set towards forwarders only
    bool checking_disabled = false;
    bool edns = true;  // false after this server failed EDNS
    std::uint16_t edns_udp_size = 1232;
    bool dnssec_ok = true;
    UpstreamTransport transport = UpstreamTransport::udp;
    Millis timeout = 0;  // ms to wait for the reply before consume_failure(token, timeout)
    dns::Name zone;      // the zone (or forwarding zone) being asked, for logs and fetch limits
    // The COOKIE option (RFC 7873): our client cookie, then the server's last cookie; 0: none (no EDNS,
    // send-cookie no).
    std::array<std::uint8_t, dns::kCookieMaxSize> cookie{};
    std::uint8_t cookie_size = 0;

    // The query message with `id`; 0 when `out` is too small (512 octets always suffice).
    std::size_t write(std::uint16_t id, std::span<std::uint8_t> out) const;
    UpstreamKey key() const;
};

// Whether a reply was taken. `ignored` leaves the token waiting: the reply did not match the question
// (possibly spoofed), so the driver keeps listening until the query's timeout.
enum class ConsumeResult : std::uint8_t { accepted, ignored };

}  // namespace cairn::resolver
