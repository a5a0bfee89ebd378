// The doctor's queries, sent in batches through net/'s upstream client (random port and ID, TCP on TC,
// one deadline per query) from the source addresses asked for (--from), and turned into QueryResults. A
// batch runs in parallel and returns when every query has its outcome; the whole run shares one deadline
// (--timeout): a query that cannot start before it is `not_sent`, and none waits past it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "doctor/observations.hpp"
#include "net/endpoint.hpp"
#include "net/event_loop.hpp"
#include "net/upstream_client.hpp"

namespace cairn::doctor {

struct QueryFlags {
    bool rd = false;
    bool dnssec_ok = false;
    bool cd = false;
    bool expire = false;  // an empty EDNS EXPIRE option (RFC 7314 §2)
    bool tcp = false;
};

// The query message for NAME TYPE with EDNS (1232 octets) and the flags asked for.
std::vector<std::uint8_t> make_query(const dns::Name& name, dns::RRType type, const QueryFlags& flags);

class Prober {
  public:
    using Clock = net::EventLoop::Clock;

    Prober(Clock::time_point run_deadline, Clock::duration per_query);
    ~Prober();

    struct Request {
        net::Endpoint server;
        dns::Name name;
        dns::RRType type = dns::RRType::A;
        QueryFlags flags;
        std::optional<dns::IpAddress> source;  // the address to send from; default: the system's choice
    };

    // Sends every request at once and waits for all the outcomes (in the order of `requests`).
    std::vector<QueryResult> run(const std::vector<Request>& requests);
    QueryResult ask(const Request& request) { return run({request}).front(); }

    bool out_of_time() const { return Clock::now() >= run_deadline_; }
    Clock::time_point deadline() const { return run_deadline_; }

  private:
    net::UpstreamClient& client_for(const std::optional<dns::IpAddress>& source);

    Clock::time_point run_deadline_;
    Clock::duration per_query_;
    net::EventLoop loop_;
    std::map<std::string, std::unique_ptr<net::UpstreamClient>> clients_;  // by source address
};

}  // namespace cairn::doctor
