// The inside of a Resolution: a tree of tasks, each chasing one question the way Unbound's iterator does
// (INIT_REQUEST -> QUERYTARGETS -> QUERY_RESP, restarted by CNAMEs and referrals). The client's question is
// task 0; the others look up addresses of name servers without glue (depth-limited, a few at a time) or
// prime the root. All tasks share the Resolution's budget of upstream queries.
//
//   start:   the cache (answer, CNAME/DNAME link, negative answer, failure), else the closest delegation
//            (priming first when only the hints are known)
//   iterate: pick a server of the delegation (server_selection.hpp) and send it the next question, QNAME
//            minimised (RFC 9156), or start address lookups for glueless name servers; fail with the EDE
//            that says why when nothing is left
//   waiting: for the reply, a timeout, or child tasks
//   done:    the answer, a negative answer, or a failure with its EDE
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/edns.hpp"
#include "dns/message.hpp"
#include "dns/message_query.hpp"
#include "dnssec/budget.hpp"
#include "resolver/clock.hpp"
#include "resolver/delegation.hpp"
#include "resolver/reply_classifier.hpp"
#include "resolver/resolution.hpp"
#include "resolver/upstream.hpp"
#include "resolver/validation.hpp"

namespace cairn::resolver {

// How a server let a delegation down, for the EDE code and text. `unreachable` (ICMP, ECONNREFUSED) counts
// with timeouts towards EDE 22 (RFC 8914: "could not reach any of the authoritative name servers");
// `network` is a connection that broke once made (EDE 23).
// `quota`: passed over at its fetches-per-server limit.
enum class ServerFailure : std::uint8_t {
    none,
    timeout,
    unreachable,
    network,
    lame,
    refused,
    servfail,
    bad,
    quota
};

struct Target {
    ServerAddress server;
    std::size_t ns_index = 0;  // its NameServer in the delegation
    std::uint32_t tries = 0;
    std::uint32_t timeouts = 0;
    bool in_flight = false;
    bool done = false;            // nothing more to ask it in this delegation
    bool use_tcp = false;         // it truncated over UDP
    bool no_edns = false;         // it failed EDNS
    bool retry_now = false;       // ask it again first (after TC, EDNS fallback, a minimisation fallback)
    bool cookie_retried = false;  // BADCOOKIE once: asked again with the new server cookie
    ServerFailure failure = ServerFailure::none;
    std::string outcome;  // the last failure in words ("REFUSED", "lame: upward referral", ...)
};

struct InFlight {
    std::size_t task = 0;
    std::size_t target = 0;
    std::uint32_t dp_generation = 0;
    dns::Name qname;
    dns::RRType qtype = dns::RRType::A;
    bool edns = true;
    UpstreamTransport transport = UpstreamTransport::udp;
    Millis sent = 0;
    dns::Name zone;
    ServerAddress server;
    bool minimised = false;
    bool forwarding = false;
    bool server_counted = false;  // holds one of the server's fetches-per-server slots
    bool cookie_sent = false;     // with our client cookie (the reply's COOKIE must echo it)
    std::array<std::uint8_t, dns::kCookieClientSize> client_cookie{};
};

struct Task {
    // validating: a reply waits for its validation job (validation.hpp) and the DS/DNSKEY lookups it asked.
    enum class State : std::uint8_t { start, iterate, waiting, validating, done };
    std::size_t id = 0;
    std::optional<std::size_t> parent;
    std::uint32_t depth = 0;
    dns::Name qname;
    dns::RRType qtype = dns::RRType::A;
    dns::Name sname;  // the name being chased, after CNAME/DNAME links
    State state = State::start;
    bool priming = false;         // ". NS" to the hints
    bool skip_cache = false;      // refresh: the first cache look-up must not answer
    bool forward_failed = false;  // `forward first` gave up: iterate instead
    bool primed = false;          // priming was tried for this task
    std::optional<std::size_t> priming_task;

    Delegation dp;
    std::uint32_t dp_generation = 0;
    std::vector<Target> targets;
    std::vector<std::size_t> children;  // address lookups in progress

    bool minimise = false;
    std::size_t sent_labels = 0;  // labels of sname sent last (minimisation)
    std::uint32_t minimise_steps = 0;

    std::uint32_t queries = 0;
    std::uint32_t referrals = 0;
    std::uint32_t links = 0;  // CNAME/DNAME links followed
    std::uint32_t glueless_started = 0;
    std::optional<dns::Name> fetch_zone;  // the zone its fetches-per-zone slot counts under, once it asked
    std::vector<dns::Name> visited;       // names of the chain, for loops

    // DNSSEC (validation.hpp).
    bool validate = false;          // its replies are validated: the client's question and its chain
    bool validation_fetch = false;  // a DS/DNSKEY lookup for a parent's job: taken raw, judged there
    std::unique_ptr<ValidationJob> job;
    std::unique_ptr<ClassifiedReply> judged;  // the reply the job is judging
    InFlight judged_flight;

    // Result.
    bool failed = false;
    dns::Rcode rcode = dns::Rcode::NOERROR;
    std::vector<RRsetData> chain;
    std::optional<RRsetData> soa;    // negative answers, TTL the negative TTL; its security the denial's
    std::vector<RRsetData> proof;    // negative answers: the NSEC/NSEC3 RRsets (with RRSIGs)
    std::uint16_t insecure_ede = 0;  // an insecure answer's EDE (1, 2, 27) and its text
    std::string insecure_text;
    std::uint32_t failure_ttl = 0;   // the failure is cached this long instead of servfail-ttl (bogus)
    bool cached_failure = false;     // the failure came from the cache (not cached again)
    bool validation_failed = false;  // the failure is DNSSEC's (no stale data instead of it)
    bool quota_failure = false;      // fetches-per-zone/-server refused it (not cached as a failure)
    bool quota_drop = false;         // and the quota's response is drop: the client gets no answer
    dns::EdeCode ede = dns::EdeCode::OtherError;
    std::string ede_text;
    bool from_cache_only = true;
};

struct Resolution::Impl {
    Impl(ResolverContext& ctx, const ClientQuestion& question, Purpose purpose);

    ResolverContext& ctx;
    ClientQuestion question;
    Purpose purpose;
    Millis begun;
    Millis deadline;
    Millis stale_deadline = kNever;
    bool stale_checked = false;
    bool stale_ready = false;
    bool done = false;
    Millis done_at = 0;
    ResolutionOutcome outcome;
    bool stale_result = false;  // finish() answers stale data from the cache

    std::deque<Task> tasks;
    std::deque<UpstreamQuery> outbox;
    std::map<Token, InFlight> in_flight;
    Token next_token = 1;
    std::uint32_t total_queries = 0;
    dnssec::WorkBudget query_work;  // DNSSEC work for this client query (validation_settings.hpp)

    // A query for the client's question, to look the cache up with write_cached_answer().
    std::vector<std::uint8_t> probe_wire;
    dns::ParsedQuery probe;

    void run();
    void step(Task& t);
    void step_start(Task& t);
    void step_iterate(Task& t);
    void on_reply(Task& t, const InFlight& f, const dns::Message& reply);
    void process_reply(Task& t, const InFlight& f, ClassifiedReply& c);
    bool needs_validation(const Task& t, const InFlight& f, const ClassifiedReply& c) const;
    void start_validation(Task& t, const InFlight& f, ClassifiedReply c);
    void advance_validation(Task& t);
    void finish_validation(Task& t);
    bool usable_from_cache(const Task& t, Security security) const;
    bool synthesise_denial(Task& t);
    void on_failure(Task& t, const InFlight& f, UpstreamError error);

    std::size_t spawn(std::optional<std::size_t> parent, const dns::Name& qname, dns::RRType qtype,
                      std::uint32_t depth);
    void set_delegation(Task& t, Delegation dp);
    void rebuild_targets(Task& t);
    bool send(Task& t, std::size_t target);
    bool spawn_glueless(Task& t);
    bool follow_chain(Task& t, const std::vector<RRsetData>& chain, const dns::Name& final_name);
    void cache_rrset(const RRsetData& set, const ServerAddress& from);
    void cache_negative(const dns::Name& owner, dns::RRType type, bool nxdomain, const RRsetData& soa,
                        Rank rank, const ServerAddress& from, const std::vector<RRsetData>& proof);
    void complete(Task& t);
    void fail(Task& t, dns::EdeCode code, std::string text);
    void fail_delegation(Task& t);
    void fail_quota(Task& t, QuotaResponse response, std::string text);
    bool hold_fetch(Task& t);
    void release_fetches();
    void finish_resolution();
    std::uint32_t now_seconds() const;
    Millis now() const;
    bool budget_left(Task& t);
};

// RFC 2308 §5: min(SOA TTL, SOA MINIMUM).
std::uint32_t negative_ttl(const RRsetData& soa);

// The DNSSEC state of a task's answer: the worst of its chain and its denial (secure only when all are).
Security answer_security(const Task& t);

}  // namespace cairn::resolver
