// The network side of the recursive resolver: what happens to a query that missed the cache. Resolution
// threads, each an EventLoop with its own UpstreamClient, run the core's Resolutions
// (resolver/resolution.hpp): they send the upstream queries a Resolution produces, hand it the answers and
// timeouts, and when it is done write the response for every client waiting on it and send it through the
// client's DeferredReply.
//
// Identical work is done once. A client question (view, name, type, class, CD, DO) always goes to the same
// thread (by hash), where clients asking the same question while it is being resolved wait on the one
// Resolution (BIND's clients-per-query); and on each thread an upstream question identical to one in flight
// (same server, name, type, flags) waits for that query's answer instead of being sent again.
//
// Limits: `recursive-clients` clients wait at most (more are dropped, as BIND drops them). Shutdown: stop()
// ends the threads; clients still waiting get no answer (UDP) or are let go (TCP), before the network
// front end closes its sockets.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "dns/message_query.hpp"
#include "net/handler.hpp"
#include "net/upstream_client.hpp"
#include "resolver/resolution.hpp"
#include "server/recursive_view.hpp"
#include "server/view_resolver.hpp"

namespace cairn::server {

class RateLimit;

// What a reply that left a resolution thread was, for the statistics and the query log.
struct DeferredAnswer {
    std::span<const std::uint8_t> response;
    const net::ClientInfo& client;
    std::size_t view_index;
    unsigned thread;  // the resolution thread's slot among the statistics' counter blocks
    const resolver::ResolutionOutcome* outcome;  // nullptr when the client was let go without an answer
    bool stale;                                  // a stale answer sent before the resolution ended
};

struct DriverCounters {
    std::uint64_t clients_waiting = 0;
    std::uint64_t clients_limit = 0;       // recursive-clients
    std::uint64_t clients_dropped = 0;     // over recursive-clients, or while stopping
    std::uint64_t resolutions = 0;         // in progress
    std::uint64_t coalesced_clients = 0;   // joined a Resolution already running
    std::uint64_t coalesced_upstream = 0;  // upstream questions that waited on one in flight
    net::UpstreamCounters upstream;
};

class ResolutionDriver {
  public:
    struct Options {
        unsigned threads = 1;
        std::size_t recursive_clients = 1000;
        unsigned first_thread_slot = 0;  // DeferredAnswer::thread of the first resolution thread
    };
    using Observer = std::function<void(const DeferredAnswer&)>;
    // Response rate limiting of an answer about to leave over UDP (query_handler.hpp): the size to send
    // instead (a slipped reply written over `response`), or 0 to drop it. `client.worker` is the resolution
    // thread's statistics slot.
    using Limiter = std::function<std::size_t(RateLimit& limit, std::span<const std::uint8_t> query,
                                              std::span<std::uint8_t> response, std::size_t size,
                                              const net::ClientInfo& client, std::size_t view_index)>;

    explicit ResolutionDriver(Options options, Observer observer = {});
    ~ResolutionDriver();  // stops
    ResolutionDriver(const ResolutionDriver&) = delete;
    ResolutionDriver& operator=(const ResolutionDriver&) = delete;

    void start();
    // Ends the threads; waiting clients are let go. Call before the network front end stops.
    void stop();

    // Any thread (query workers): `query` (a request parse_query accepted) missed `view`'s cache; its reply
    // goes out through a DeferredReply made from `client`, rate limited by `rate_limit` when the view has
    // one, and carrying `cookie` (recursive_view.hpp). False when the client was not taken (over
    // recursive-clients, stopping): the caller drops the query.
    bool resolve(std::shared_ptr<ViewResolver> view, std::span<const std::uint8_t> query,
                 const dns::ParsedQuery& parsed, const net::ClientInfo& client, std::size_t view_index,
                 std::shared_ptr<RateLimit> rate_limit = nullptr, const ClientCookie& cookie = {});
    // Set before start().
    void set_limiter(Limiter limiter) { limiter_ = std::move(limiter); }
    // Any thread: refreshes the cache for `parsed`'s question without a client waiting (prefetch, or a stale
    // answer given from the cache). Joins a resolution of the same question when one runs.
    void refresh(std::shared_ptr<ViewResolver> view, const dns::ParsedQuery& parsed);
    void refresh(std::shared_ptr<ViewResolver> view, const resolver::ClientQuestion& question);

    // recursive-clients: how many clients may wait at once (any thread; applies to new clients).
    void set_recursive_clients(std::size_t limit) {
        recursive_clients_.store(limit, std::memory_order_relaxed);
    }

    DriverCounters counters() const;  // any thread
    unsigned thread_count() const;

  private:
    class Loop;
    Loop& loop_for(const ViewResolver& view, const resolver::QuestionKey& key);

    Options options_;
    Observer observer_;
    Limiter limiter_;
    std::vector<std::unique_ptr<Loop>> loops_;
    std::atomic<std::size_t> recursive_clients_;
    std::atomic<std::size_t> waiting_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<bool> stopping_{false};
};

}  // namespace cairn::server
