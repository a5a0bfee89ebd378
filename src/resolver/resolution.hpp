// One recursive resolution as a state machine with no I/O (modelled on Knot Resolver's lib/resolve.h
// begin/produce/consume/finish and Unbound's iterator states): it starts from the client's question, asks
// for upstream queries, takes their replies (or timeouts) and ends with the client's response. The driver
// (the network side) does the sockets, timers and random IDs; the Resolution does everything else:
// iteration from the root hints with priming, referrals, glue and glueless name servers, CNAME and DNAME
// chains, QNAME minimisation (RFC 9156), RFC 2181 ranking and bailiwick checks, server selection, retries,
// TCP after TC, EDNS fallback, bounded work, and caching of what it learnt.
//
// Driving one (from any one thread at a time; different Resolutions on different threads at once):
//
//     Resolution r(ctx, ClientQuestion::from_query(parsed));
//     for (;;) {
//         UpstreamQuery q;
//         while (r.produce(q)) send(q);                  // several may be in flight at once
//         if (r.stale_answer_ready()) reply(r.write_stale(client, buf, tcp));   // once, optional
//         if (r.done()) break;
//         wait for: a reply    -> r.consume(token, reply)          (ignored: keep listening)
//                   a timeout  -> r.consume_failure(token, UpstreamError::timeout)
//                   r.next_deadline() -> r.on_deadline()
//     }
//     reply(r.finish(client, buf, tcp));  // for each client waiting on it (coalesced by question_key())
//
// Every produced token ends in exactly one consume (accepted) or consume_failure, unless the Resolution is
// done first: then the driver drops its outstanding queries (replies to them are ignored if passed in).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dns/edns.hpp"
#include "dns/message_query.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/clock.hpp"
#include "resolver/upstream.hpp"

namespace cairn::resolver {

class ResolverContext;

// The client's question and the flags that change the answer.
struct ClientQuestion {
    dns::Name qname;
    dns::RRType qtype = dns::RRType::A;
    dns::RRClass qclass = dns::RRClass::IN;
    bool checking_disabled = false;  // CD
    bool dnssec_ok = false;          // DO
    // Validated as if no negative trust anchor covered it (BIND's DNS_FETCHOPT_NONTA): nta-recheck's
    // lookups, whose outcome tells the validator whether an NTA can end early.
    bool ignore_nta = false;
    static ClientQuestion from_query(const dns::ParsedQuery& query);
};

// Client queries with equal keys can share one Resolution (BIND's clients-per-query): the qname without
// case, type, class, CD and DO.
struct QuestionKey {
    std::basic_string<std::uint8_t> qname_lower;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    bool checking_disabled = false;
    bool dnssec_ok = false;
    bool ignore_nta = false;
    bool operator==(const QuestionKey&) const = default;
    std::size_t hash() const;
};
QuestionKey question_key(const ClientQuestion& question);
QuestionKey question_key(const dns::ParsedQuery& query);

// How a finished Resolution ended, for the query log and metrics.
struct ResolutionOutcome {
    dns::Rcode rcode = dns::Rcode::SERVFAIL;
    std::optional<dns::EdeCode> ede;  // set on every SERVFAIL, on stale answers, ...
    std::string ede_text;             // EXTRA-TEXT, e.g. "no reachable authority for example.com: ..."
    bool stale = false;               // answered with stale data
    bool from_cache = false;          // no upstream query was needed after all
    std::uint32_t upstream_queries = 0;
};

enum class Purpose : std::uint8_t {
    client,   // a client waits: stale answers, failure EDEs and the final response apply
    refresh,  // prefetch or stale refresh (CacheAnswer::refresh): only the cache is updated
};

class Resolution {
  public:
    // Begins: looks in the cache first, so a Resolution begun after a miss that another one has since
    // filled is done at once (done() true, no query produced).
    Resolution(ResolverContext& ctx, const ClientQuestion& question, Purpose purpose = Purpose::client);
    ~Resolution();
    Resolution(const Resolution&) = delete;
    Resolution& operator=(const Resolution&) = delete;

    const ClientQuestion& question() const;

    // The next upstream query to send now, if any. Call until it returns false after each of the
    // constructor, consume, consume_failure and on_deadline.
    bool produce(UpstreamQuery& out);

    // The reply to `token`'s query, from the server it was sent to (the driver matched address, port, ID).
    ConsumeResult consume(Token token, std::span<const std::uint8_t> reply);
    void consume_failure(Token token, UpstreamError error);

    // When on_deadline() must be called next (kNever: no deadline): resolver-query-timeout and
    // stale-answer-client-timeout. Per-query timeouts are the driver's (UpstreamQuery::timeout).
    Millis next_deadline() const;
    void on_deadline();

    // True once, after the stale-answer-client-timeout passed with stale data in the cache: write_stale()
    // then writes it for each waiting client. The Resolution goes on and refreshes the cache.
    bool stale_answer_ready() const;
    std::size_t write_stale(const dns::ParsedQuery& client, std::span<std::uint8_t> out, bool tcp);

    bool done() const;
    // The client's response (after done()): 0 for a refresh. May be called for several clients.
    std::size_t finish(const dns::ParsedQuery& client, std::span<std::uint8_t> out, bool tcp) const;
    const ResolutionOutcome& outcome() const;

    std::size_t in_flight() const;  // upstream queries produced and not yet consumed

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::resolver
