// Answers queries for the net layer: picks the client's view in the current snapshot, asks the answer
// engine, and applies allow-query. Brackets worker batches so that snapshots are reclaimed safely.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "auth/engine.hpp"
#include "dns/tsig.hpp"
#include "net/handler.hpp"
#include "resolver/read_section.hpp"
#include "server/published.hpp"
#include "server/recursive_view.hpp"
#include "server/serving_state.hpp"
#include "stats/counters.hpp"

namespace cairn::server {

class QueryHandler : public net::PacketHandler {
  public:
    QueryHandler(Published<ServingState>& state, auth::Settings engine_settings);

    std::size_t handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                       const net::ClientInfo& client) override;

    // AXFR and IXFR over TCP.
    std::unique_ptr<net::ResponseStream> open_stream(std::span<const std::uint8_t> query,
                                                     const net::ClientInfo& client) override;

    // Counts every reply in `stats` and, while `querylog` is on, logs each query (category queries). Set
    // before the workers start; either may be null.
    void set_observers(stats::Statistics* stats, const std::atomic<bool>* querylog) {
        stats_ = stats;
        querylog_ = querylog;
    }

    // Answers NOTIFY requests (rare: may lock) for the client's view and the zone the engine found for the
    // NOTIFY's name (nullptr: none); unset, they get NOTIMP. `key` is the TSIG key that verified the NOTIFY
    // (nullptr: unsigned); the handler signs the answer itself. Set before the workers start.
    using NotifyReceiver = std::function<std::size_t(
        std::span<const std::uint8_t> query, std::span<std::uint8_t> response, const net::ClientInfo& client,
        const ServedView& view, const zone::Zone* zone, const dns::Name* key)>;
    void set_notify_receiver(NotifyReceiver receiver) { notify_receiver_ = std::move(receiver); }
    // transfers-out: outbound transfers at once (BIND's default 10); more are REFUSED. Any thread.
    void set_transfers_out(unsigned limit) { transfers_out_ = limit; }

    // Where cache misses of recursive views go (resolution_driver.hpp); unset, they are dropped. Set before
    // the workers start.
    void set_resolution_driver(ResolutionDriver* driver) { driver_ = driver; }

    // The rate limiting of a resolver's answer sent when its resolution ended (ResolutionDriver::Limiter),
    // from a resolution thread: `client.worker` is that thread's statistics slot.
    std::size_t rate_limit_deferred(RateLimit& limit, std::size_t view_index,
                                    std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                    std::size_t size, const net::ClientInfo& client);

    // Only for a server with one view (the common case): the view of each client is not known yet.
    void prefetch(std::span<const std::span<const std::uint8_t>> queries, unsigned worker) override;

    // Batches also bracket the resolver caches' read sections (resolver/read_section.hpp) while some view
    // recurses: the cache-hit path then opens none of its own.
    void begin_batch(unsigned worker) override {
        state_.enter(worker);
        if (reads_caches_.load(std::memory_order_relaxed)) resolver::enter_read_section();
    }
    void end_batch(unsigned worker) override {
        if (reads_caches_.load(std::memory_order_relaxed)) resolver::leave_read_section();
        state_.leave(worker);
    }
    // Whether some view recurses at start-up. Set before the workers start, never after (a batch must leave
    // the section it entered); views that start recursing on a reload open their own sections per query.
    void set_reads_caches(bool on) { reads_caches_ = on; }

  private:
    std::size_t answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                       const net::ClientInfo& client, const ServedView*& view, std::size_t& view_index,
                       RecursiveAnswer& recursive);
    // Requests carrying a TSIG record (rare): verified first, the key then picks the view and meets the
    // ACLs, and the answer is signed.
    std::size_t answer_signed(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                              const net::ClientInfo& client, const ServedView*& view,
                              std::size_t& view_index);

    // The resolver's answers to rate limit, as BIND's query_checkrrl on a recursive server: answers from
    // the cache (and refusals to recurse) are limited like authoritative ones; kReplyLater (the answer
    // needs recursion: limited when the resolution ends, rate_limit_deferred) and drops pass untouched.
    std::size_t rate_limited_recursive(const ServedView& view, std::size_t view_index,
                                       std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                       std::size_t size, RecursiveAnswer how, const net::ClientInfo& client);

    // Response rate limiting of the view's UDP answers (`rcode`: what `response` says after the ACLs).
    std::size_t rate_limited(RateLimit& limit, std::size_t view_index, std::span<const std::uint8_t> query,
                             std::span<std::uint8_t> response, std::size_t size, const auth::Result& result,
                             dns::Rcode rcode, const net::ClientInfo& client, std::uint32_t now);

    Published<ServingState>& state_;
    auth::Engine engine_;
    stats::Statistics* stats_ = nullptr;
    const std::atomic<bool>* querylog_ = nullptr;
    NotifyReceiver notify_receiver_;
    std::atomic<unsigned> transfers_out_{10};
    std::atomic<unsigned> transfers_running_{0};
    ResolutionDriver* driver_ = nullptr;
    std::atomic<bool> reads_caches_{false};
};

// Writes a REFUSED reply to `query` (header and question echoed, EDNS kept) into `out`; 0 when the query
// is not worth answering at all. With `why`, the answer for a zone that cannot answer (not loaded, no copy
// yet, expired): SERVFAIL with the EDE that says why when the query has EDNS.
std::size_t write_refused(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, bool udp,
                          dns::Rcode rcode = dns::Rcode::REFUSED,
                          const ServedView::Unavailable* why = nullptr);

}  // namespace cairn::server
