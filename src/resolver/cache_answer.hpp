// Answering a client's question from the cache alone: the CNAME/DNAME chain as far as the cache holds it,
// then the data, a negative answer with its SOA, or a cached failure. Used by the cache-hit path (fresh data
// only), by serve-stale (expired data within its stale window, RFC 8767) and for RD=0 queries. Allocates
// nothing; the caller is inside a read section.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/message_query.hpp"
#include "resolver/cache_entry.hpp"
#include "resolver/context.hpp"

namespace cairn::resolver {

struct CachedAnswerOptions {
    bool allow_stale = false;       // expired entries still within their stale window (the answer is stale)
    bool failures = true;           // answer a cached failure (servfail-ttl) with SERVFAIL and EDE 13
    bool referral_on_miss = false;  // RD=0: answer a miss with the closest cached delegation
    // The COOKIE option to give the client (its client cookie and our server cookie, RFC 7873 §5.2); empty:
    // none. Must outlive the call.
    std::span<const std::uint8_t> cookie;
};

struct CachedAnswerResult {
    CacheAnswer::Kind kind = CacheAnswer::Kind::miss;
    std::size_t size = 0;
    bool stale = false;                       // expired data was used
    bool prefetch = false;                    // a fresh answer near its end (prefetch settings): refresh it
    Security security = Security::unchecked;  // answers: secure when all of it validated
    std::uint16_t failure_ede = 0;            // failures: the cached failure's own EDE code
};

CachedAnswerResult write_cached_answer(const ResolverContext& ctx, const dns::ParsedQuery& query,
                                       std::span<std::uint8_t> out, bool tcp, std::uint32_t now_seconds,
                                       const CachedAnswerOptions& options);

// Whether a question can be resolved at all; otherwise writes the rejection (REFUSED, NOTIMP, FORMERR,
// BADVERS) and returns its size (a reply of 0 octets: drop).
bool resolvable(const dns::ParsedQuery& query);
std::size_t write_rejection(const ResolverContext& ctx, const dns::ParsedQuery& query,
                            std::span<std::uint8_t> out, bool tcp);

}  // namespace cairn::resolver
