// What a view with `recursion yes` adds to the query path (BIND's order: policy, then the authoritative
// zones, then the resolver): who may recurse (allow-recursion, allow-recursion-on) and who may read the cache
// (allow-query-cache, allow-query-cache-on), and the answer for the rest. Queries for names in the view's
// own zones (its configured zones and the built-in ones, builtin_zones.hpp) are the answer engine's; the
// others go to the resolver: answered from the cache on the worker, or handed to the resolution driver and
// answered later. A client that may do neither gets REFUSED with EDE 18 (Prohibited). Answers to clients
// that may recurse carry RA; answers from the resolver never carry AA.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "auth/cookie.hpp"
#include "auth/engine.hpp"
#include "dns/edns.hpp"
#include "dns/message_query.hpp"
#include "net/handler.hpp"
#include "server/access.hpp"
#include "zone/zone_table.hpp"

namespace cairn::server {

class RateLimit;

struct ViewResolver;
class ResolutionDriver;

struct ViewRecursion {
    QueryAccess recursion;  // allow-recursion (clients), allow-recursion-on (addresses asked)
    QueryAccess cache;      // allow-query-cache, allow-query-cache-on
    std::shared_ptr<ViewResolver> resolver;  // the view's cache and settings (view_resolver.hpp)
    // The view's rate-limit (nullptr: none), for the answers sent when a resolution ends: BIND limits them
    // too (query_checkrrl runs again when the fetch returns).
    std::shared_ptr<RateLimit> rate_limit;

    bool may_recurse(const net::ClientInfo& client) const { return recursion.allows(client); }
    bool may_read_cache(const net::ClientInfo& client) const { return cache.allows(client); }
};

// The COOKIE option the resolver's answer gives a client that sent a cookie (RFC 7873 §5.2.2: its client
// cookie and a server cookie of ours, made where the authoritative answers make theirs, auth/cookie.hpp);
// empty when the client sent none or cookies are off.
struct ClientCookie {
    std::array<std::uint8_t, auth::kCookieOptionSize> value{};
    std::uint8_t size = 0;
    std::span<const std::uint8_t> span() const { return {value.data(), size}; }
};
ClientCookie client_cookie(const dns::ParsedQuery& query, const net::ClientInfo& client,
                           const auth::Settings& engine);

// handle()'s answer when the query is for the view's own zones: the answer engine takes it.
inline constexpr std::size_t kAnswerLocally = static_cast<std::size_t>(-2);

// How the resolver answered, for the query log.
enum class RecursiveAnswer : std::uint8_t { none, refused, cache, resolving, dropped };
std::string_view log_note(RecursiveAnswer answer);

// Decides whether `query` is the resolver's (no zone of the view holds its name, a QUERY of class IN or ANY,
// not signed) and answers it then: from the cache, or kReplyLater once `driver` has taken it (0 when it
// could not: over recursive-clients); kAnswerLocally otherwise.
std::size_t answer_recursively(const ViewRecursion& recursion, const zone::ZoneTable& zones,
                               std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                               const net::ClientInfo& client, ResolutionDriver* driver,
                               std::size_t view_index, RecursiveAnswer& how, const auth::Settings& engine);

// A response with `rcode` and, when the query has EDNS, the EDE `code` with `text`; the question and EDNS
// echoed, no records; 0 when the query cannot be answered.
std::size_t write_refusal(const dns::ParsedQuery& parsed, std::span<std::uint8_t> out, bool udp,
                          dns::Rcode rcode, dns::EdeCode code, std::string_view text);
// The resolver's answer to a query it takes: from the cache, kReplyLater once `driver` has it, 0 when it
// could not (over recursive-clients), or REFUSED with EDE 18 for a client that may neither recurse nor read
// the cache; kAnswerLocally when the view has no resolver.
std::size_t resolve(const ViewRecursion& recursion, const dns::ParsedQuery& parsed,
                    std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                    const net::ClientInfo& client, ResolutionDriver* driver, std::size_t view_index,
                    RecursiveAnswer& how, const auth::Settings& engine);

// A referral the engine wrote from one of the view's zones (a delegation below it): a client that may recurse
// and asked for recursion gets the resolver's answer instead, as from BIND (resolve_past_referral returns
// kAnswerLocally otherwise, and the referral stands).
bool is_referral(std::span<const std::uint8_t> response, std::size_t size);
std::size_t resolve_past_referral(const ViewRecursion& recursion, std::span<const std::uint8_t> query,
                                  std::span<std::uint8_t> response, const net::ClientInfo& client,
                                  ResolutionDriver* driver, std::size_t view_index, RecursiveAnswer& how,
                                  const auth::Settings& engine);

// REFUSED with EDE 18 (Prohibited).
inline std::size_t write_prohibited(const dns::ParsedQuery& parsed, std::span<std::uint8_t> out, bool udp) {
    return write_refusal(parsed, out, udp, dns::Rcode::REFUSED, dns::EdeCode::Prohibited,
                         "recursion not allowed");
}

// Sets RA in a response the engine wrote for a client that may recurse.
inline void set_recursion_available(std::span<std::uint8_t> response, std::size_t size) {
    if (size >= 4 && size != net::kReplyLater) response[3] |= 0x80;
}

}  // namespace cairn::server
