// The recursive resolver's one way of asking other servers (RFC 1035 §4.2, RFC 5452, RFC 7766): one query
// to one server with a deadline, over UDP, and over TCP when the UDP answer comes back truncated (or when
// asked to). Runs on an EventLoop's thread; the callback gets the answer, or why there is none.
//
// Spoofing resistance (RFC 5452 §9): every UDP query leaves from its own socket on a port drawn at random
// from the system's ephemeral range, with a random ID; the socket is connected to the server, so the kernel
// delivers nothing from elsewhere, and what does arrive must still carry the query's ID and question (the
// name compared without regard to case), and echo the query's client cookie when both carry a COOKIE
// (RFC 7873 §5.3), to be accepted. Anything else is dropped and counted, and the
// query goes on waiting for the real answer until its deadline, as BIND does.
//
// Retries, server selection and EDNS fallback belong to the resolver: a query here is one attempt.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "net/endpoint.hpp"
#include "net/event_loop.hpp"
#include "net/random.hpp"

namespace cairn::net {

struct UpstreamQuery {
    Endpoint server;                    // port included (53 for name servers)
    std::vector<std::uint8_t> message;  // the query; its ID is replaced with a random one
    EventLoop::Clock::time_point deadline;
    bool tcp = false;  // over TCP from the start (e.g. a server that truncates everything)
};

enum class UpstreamStatus : std::uint8_t {
    answer,         // `message` is the server's response, ID and question checked
    timeout,        // nothing acceptable before the deadline
    network_error,  // the server cannot be reached (`error` holds errno: ECONNREFUSED, ENETUNREACH, ...)
    malformed,      // the query itself could not be read (no question)
};

struct UpstreamReply {
    UpstreamStatus status = UpstreamStatus::timeout;
    std::span<const std::uint8_t> message;  // valid during the callback only
    bool over_tcp = false;                  // the answer came over TCP
    bool truncated = false;                 // a UDP answer had TC set (then TCP was tried)
    int error = 0;
    EventLoop::Clock::duration rtt{};  // from sending to the answer (the last attempt's)
    std::uint16_t id = 0;              // the ID the query carried
    std::uint16_t source_port = 0;     // the local port of the UDP attempt
    unsigned ignored = 0;              // responses dropped for a wrong ID, question or source
};

// What the client has done so far; readable from any thread.
struct UpstreamCounters {
    std::uint64_t udp_queries = 0;
    std::uint64_t tcp_queries = 0;
    std::uint64_t answers = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t network_errors = 0;
    std::uint64_t truncated = 0;  // UDP answers with TC, retried over TCP
    std::uint64_t ignored = 0;    // responses that matched no query (ID, question or source)
};

class UpstreamClient {
  public:
    using Callback = std::function<void(const UpstreamReply&)>;
    using QueryId = std::uint64_t;

    // Options for the tests and for the operator's query-source (later): the address queries leave from.
    struct Options {
        dns::IpAddress source_v4 = dns::IpAddress::v4_any();
        dns::IpAddress source_v6 = dns::IpAddress::v6_any();
        std::size_t max_udp_response = 65535;
        std::uint16_t port_low = 0, port_high = 0;  // 0: the system's ephemeral range
    };

    explicit UpstreamClient(EventLoop& loop) : UpstreamClient(loop, Options{}) {}
    UpstreamClient(EventLoop& loop, Options options);
    ~UpstreamClient();  // abandons every query in flight without calling back
    UpstreamClient(const UpstreamClient&) = delete;
    UpstreamClient& operator=(const UpstreamClient&) = delete;

    // Loop thread. `done` is called exactly once, on the loop's thread, never from within send().
    QueryId send(UpstreamQuery query, Callback done);
    // Loop thread: forgets the query; its callback is not called.
    void cancel(QueryId id);

    std::size_t in_flight() const { return queries_.size(); }
    UpstreamCounters counters() const;

  private:
    class Query;
    friend class Query;

    void finish(Query& query, const UpstreamReply& reply);
    void finish_later(QueryId id);
    std::uint16_t random_port();
    void count(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
        counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }

    EventLoop& loop_;
    Options options_;
    RandomSource random_;
    QueryId next_id_ = 1;
    std::unordered_map<QueryId, std::unique_ptr<Query>> queries_;
    std::vector<std::uint8_t> receive_buffer_;

    struct {
        std::atomic<std::uint64_t> udp_queries{0}, tcp_queries{0}, answers{0}, timeouts{0}, network_errors{0},
            truncated{0}, ignored{0};
    } counters_;
};

// Builds a query message for `name`/`type` (ID 0: the client draws it): RD as given, and with `edns_udp_size`
// non-zero an OPT record advertising it, DO as given. For the resolver and the tests.
std::vector<std::uint8_t> make_upstream_query(const dns::Name& name, dns::RRType type, bool rd,
                                              std::uint16_t edns_udp_size, bool dnssec_ok = false,
                                              bool cd = false);

}  // namespace cairn::net
