// What `cairn doctor` saw (issue 17): the outcome of every query of the diagnosis, kept as parsed messages
// so that the checks (verdict.hpp) are pure functions of it and the unit tests can script any answer. The
// probing side (probe.hpp, doctor.hpp) fills these in; nothing here does I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "doctor/resolv_conf.hpp"
#include "net/endpoint.hpp"

namespace cairn::doctor {

// One query's outcome: a response, or why there is none.
struct QueryResult {
    enum class Outcome : std::uint8_t { not_sent, answer, timeout, unreachable, malformed };
    Outcome outcome = Outcome::not_sent;
    std::optional<dns::Message> message;  // with `answer`
    double rtt_ms = 0;
    bool over_tcp = false;
    int error = 0;  // errno with `unreachable`

    bool answered() const { return outcome == Outcome::answer && message.has_value(); }
    dns::Rcode rcode() const { return answered() ? message->rcode() : dns::Rcode::SERVFAIL; }
    // "answer 12.3 ms", "timeout", "unreachable (Connection refused)", ...
    std::string describe() const;
};

// A recursive resolver the client uses (resolv.conf or --resolver), asked NAME TYPE with RD and DO.
struct ResolverObservation {
    net::Endpoint server;
    bool from_resolv_conf = false;
    std::size_t position = 0;       // in resolv.conf, 0 first
    QueryResult udp;                // RD, DO
    QueryResult tcp;                // the same over TCP
    QueryResult checking_disabled;  // RD, DO, CD over UDP: the answer without the resolver's validation
};

// A name server of the zone at one of its addresses, asked directly (RD clear).
struct AuthorityObservation {
    dns::Name name;          // the NS target
    dns::IpAddress address;  // one of its addresses
    QueryResult soa;         // zone SOA, with an EDNS EXPIRE option (RFC 7314)
    QueryResult answer;      // NAME TYPE, DO
};

// The zone's delegation as found by iterating from the root hints, independently of the resolvers.
struct Delegation {
    dns::Name zone;                  // the zone NAME is in (the last referral's owner)
    std::vector<dns::Name> servers;  // its NS targets
    std::uint32_t ns_ttl = 0;        // the NS RRset's TTL in the parent's referral
    std::vector<std::string> trail;  // "the root (127.0.0.1#53): referral to test. (NS ns1.test. ...)"
    std::string error;               // why the walk stopped short ("" when it reached the zone's servers)
    bool found() const { return error.empty() && !servers.empty(); }
};

// The DNSSEC chain from the trust anchor down to the answer (dnssec_chain.hpp says how it is judged).
struct DnssecFindings {
    enum class Status : std::uint8_t {
        not_checked,  // no anchor covers the name, or nothing could be fetched
        secure,
        insecure,  // an unsigned delegation below the anchor (no DS): nothing to validate
        bogus,     // a broken link: `problems` says which
    };
    Status status = Status::not_checked;
    std::vector<std::string> lines;     // each link as checked ("test.: DNSKEY 12345 matches DS ...")
    std::vector<std::string> problems;  // what breaks the chain ("RRSIG A www.test. expired at ...")
    std::optional<std::uint32_t> earliest_expiration;  // of the signatures seen, Unix time
};

// NAME TYPE asked from one source address (--from) of one server: a split-horizon comparison.
struct SourceObservation {
    dns::IpAddress source;
    std::string server;  // "ns1.test. 127.53.1.1" or a resolver's address
    QueryResult result;
};

struct Observations {
    dns::Name name;
    dns::RRType type = dns::RRType::A;
    std::uint32_t now = 0;  // Unix time the run started, for signature windows
    std::optional<ResolvConf> resolv_conf;
    std::string resolv_conf_path;
    std::string resolv_conf_error;
    std::vector<ResolverObservation> resolvers;
    Delegation delegation;
    std::vector<AuthorityObservation> authorities;
    DnssecFindings dnssec;
    std::vector<SourceObservation> sources;
    bool out_of_time = false;  // the run's --timeout cut some step short
};

}  // namespace cairn::doctor
