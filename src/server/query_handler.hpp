// Answers queries for the net layer: picks the client's view in the current snapshot, asks the answer
// engine, and applies allow-query. Brackets worker batches so that snapshots are reclaimed safely.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "auth/engine.hpp"
#include "dns/tsig.hpp"
#include "net/handler.hpp"
#include "server/published.hpp"
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

    // Answers NOTIFY requests (rare: may lock) for the client's view; unset, they get NOTIMP. `key` is the
    // TSIG key that verified the NOTIFY (nullptr: unsigned); the handler signs the answer itself. Set before
    // the workers start.
    using NotifyReceiver = std::function<std::size_t(
        std::span<const std::uint8_t> query, std::span<std::uint8_t> response, const net::ClientInfo& client,
        const std::string& view, const dns::Name* key)>;
    void set_notify_receiver(NotifyReceiver receiver) { notify_receiver_ = std::move(receiver); }

    // Only for a server with one view (the common case): the view of each client is not known yet.
    void prefetch(std::span<const std::span<const std::uint8_t>> queries, unsigned worker) override;

    void begin_batch(unsigned worker) override { state_.enter(worker); }
    void end_batch(unsigned worker) override { state_.leave(worker); }

  private:
    std::size_t answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                       const net::ClientInfo& client, const ServedView*& view, std::size_t& view_index);
    // Requests carrying a TSIG record (rare): verified first, the key then picks the view and meets the
    // ACLs, and the answer is signed.
    std::size_t answer_signed(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                              const net::ClientInfo& client, const ServedView*& view,
                              std::size_t& view_index);

    // Response rate limiting of the view's UDP answers (`rcode`: what `response` says after the ACLs).
    std::size_t rate_limited(const ServedView& view, std::size_t view_index,
                             std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                             std::size_t size, const auth::Result& result, dns::Rcode rcode,
                             const net::ClientInfo& client, std::uint32_t now);

    Published<ServingState>& state_;
    auth::Engine engine_;
    stats::Statistics* stats_ = nullptr;
    const std::atomic<bool>* querylog_ = nullptr;
    NotifyReceiver notify_receiver_;
};

// Writes a REFUSED reply to `query` (header and question echoed, EDNS kept) into `out`; 0 when the query
// is not worth answering at all.
// `rcode` SERVFAIL: the answer for an expired secondary zone, with EDE 22 (No Reachable Authority).
std::size_t write_refused(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, bool udp,
                          dns::Rcode rcode = dns::Rcode::REFUSED);

}  // namespace cairn::server
