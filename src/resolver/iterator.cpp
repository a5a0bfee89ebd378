#include "resolver/iterator.hpp"

#include <algorithm>
#include <array>

#include "resolver/cache.hpp"
#include "resolver/cache_answer.hpp"
#include "resolver/cache_reader.hpp"
#include "resolver/context.hpp"
#include "resolver/entry_text.hpp"
#include "resolver/failure_text.hpp"
#include "resolver/infra_cache.hpp"
#include "resolver/read_section.hpp"
#include "resolver/server_selection.hpp"
#include "resolver/validation.hpp"

namespace cairn::resolver {
namespace {

constexpr std::uint32_t kMaxMinimiseSteps = 10;  // Unbound's MAX_MINIMISE_COUNT
constexpr std::uint32_t kMinimiseOneLabel = 4;   // the first steps add one label each (MINIMISE_ONE_LAB)

dns::Name name_in(const std::vector<std::uint8_t>& rdata, std::size_t offset = 0) {
    return dns::Name::from_wire(rdata, offset);
}

std::uint32_t read32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

bool is_minimising(QnameMinimization mode) {
    return mode == QnameMinimization::strict || mode == QnameMinimization::relaxed;
}

}  // namespace

std::uint32_t negative_ttl(const RRsetData& soa) {
    if (soa.rdatas.empty() || soa.rdatas[0].size() < 20) return soa.ttl;
    const auto& rdata = soa.rdatas[0];
    return std::min(soa.ttl, read32(rdata.data() + rdata.size() - 4));
}

Security answer_security(const Task& t) {
    auto rank = [](Security s) {
        switch (s) {
            case Security::secure:
                return 0;
            case Security::insecure:
                return 1;
            case Security::unchecked:
                return 2;
            case Security::indeterminate:
                return 3;
            case Security::bogus:
                return 4;
        }
        return 4;
    };
    Security worst = Security::secure;
    for (const auto& set : t.chain) {
        if (rank(set.security) > rank(worst)) worst = set.security;
    }
    if (t.soa && rank(t.soa->security) > rank(worst)) worst = t.soa->security;
    return worst;
}

Millis Resolution::Impl::now() const {
    return ctx.clock().now();
}

std::uint32_t Resolution::Impl::now_seconds() const {
    return ctx.clock().now_seconds();
}

std::size_t Resolution::Impl::spawn(std::optional<std::size_t> parent, const dns::Name& qname,
                                    dns::RRType qtype, std::uint32_t depth) {
    Task& t = tasks.emplace_back();
    t.id = tasks.size() - 1;
    t.parent = parent;
    t.depth = depth;
    t.qname = qname;
    t.qtype = qtype;
    t.sname = qname;
    t.visited.push_back(qname);
    return t.id;
}

void Resolution::Impl::run() {
    bool progress = true;
    while (progress && !done) {
        progress = false;
        for (std::size_t i = 0; i < tasks.size() && !done; ++i) {
            if (tasks[i].state == Task::State::start || tasks[i].state == Task::State::iterate) {
                step(tasks[i]);
                progress = true;
            }
        }
    }
}

void Resolution::Impl::step(Task& t) {
    if (t.state == Task::State::start)
        step_start(t);
    else if (t.state == Task::State::iterate)
        step_iterate(t);
}

bool Resolution::Impl::budget_left(Task& t) {
    const WorkLimits& limits = ctx.settings().limits;
    if (total_queries >= limits.max_query_count) {
        fail(t, dns::EdeCode::OtherError,
             "gave up on " + t.sname.to_text() + ": max-query-count (" +
                 std::to_string(limits.max_query_count) + ") upstream queries for one client query");
        return false;
    }
    if (t.queries >= limits.max_recursion_queries) {
        fail(t, dns::EdeCode::OtherError,
             "gave up on " + t.sname.to_text() + ": max-recursion-queries (" +
                 std::to_string(limits.max_recursion_queries) + ") upstream queries for one name");
        return false;
    }
    return true;
}

bool Resolution::Impl::usable_from_cache(const Task& t, Security security) const {
    if (!t.validate || question.checking_disabled) return true;   // lookups for servers; CD clients
    if (failed_validation(security)) return false;                // the cached failure answers instead
    return security != Security::unchecked || !ctx.validating();  // never validated: resolve to validate
}

// RFC 8198: a negative answer the validated NSEC/NSEC3 records already in the cache prove.
bool Resolution::Impl::synthesise_denial(Task& t) {
    if (!t.validate || !ctx.validating() || t.qtype == dns::RRType::ANY) return false;
    auto denial = ctx.validator()->synthesise(t.sname, t.qtype);
    if (!denial) return false;
    t.rcode = denial->nxdomain ? dns::Rcode::NXDOMAIN : dns::Rcode::NOERROR;
    denial->soa.security = Security::secure;
    denial->soa.rank = Rank::auth_authority;
    cache_negative(t.sname, t.qtype, denial->nxdomain, denial->soa, Rank::auth_authority, {}, denial->proof);
    t.soa = std::move(denial->soa);
    t.proof = std::move(denial->proof);
    ctx.counters().add(Counter::synthesised_answers);
    complete(t);
    return true;
}

bool Resolution::Impl::needs_validation(const Task& t, const InFlight& f, const ClassifiedReply& c) const {
    if (!t.validate || t.priming || !ctx.validating()) return false;
    switch (c.kind) {
        case ReplyKind::answer:
        case ReplyKind::nodata:
        case ReplyKind::restart:
            return !f.minimised;
        case ReplyKind::nxdomain:
            return !f.minimised ||
                   (ctx.settings().qname_minimization == QnameMinimization::strict && c.chain.empty());
        case ReplyKind::referral:
            return !c.chain.empty();
        case ReplyKind::lame:
        case ReplyKind::server_error:
        case ReplyKind::invalid:
            return false;
    }
    return false;
}

void Resolution::Impl::start_validation(Task& t, const InFlight& f, ClassifiedReply c) {
    t.judged = std::make_unique<ClassifiedReply>(std::move(c));
    t.judged_flight = f;
    const ReplyContext context{f.zone, f.qname, f.qtype, question.ignore_nta};
    t.job = ctx.validator()->begin(*t.judged, context, query_work);
    t.state = Task::State::validating;
    advance_validation(t);
}

void Resolution::Impl::advance_validation(Task& t) {
    while (!t.job->run()) {
        const FetchRequest want = t.job->wanted();
        // A lookup that a task above is already making would wait on itself.
        bool loops = t.depth + 1 > ctx.settings().limits.max_recursion_depth + 2;
        for (std::optional<std::size_t> up = t.id; up && !loops; up = tasks[*up].parent)
            loops = tasks[*up].qname == want.name && tasks[*up].qtype == want.type;
        if (loops) {
            FetchResult r;
            r.failure = "the lookup of " + want.name.to_text() + " " + dns::type_to_text(want.type) +
                        " depends on itself";
            t.job->provide(std::move(r));
            continue;
        }
        const std::size_t child = spawn(t.id, want.name, want.type, t.depth + 1);
        tasks[child].validation_fetch = true;
        t.state = Task::State::validating;
        return;
    }
    finish_validation(t);
}

// A validation lookup's result, as the job takes it.
static FetchResult fetch_result(const Task& child) {
    FetchResult r;
    if (child.failed) {
        r.kind = FetchResult::Kind::failure;
        r.failure = child.ede_text;
        return r;
    }
    if (!child.chain.empty() && child.chain.back().type == child.qtype) {
        r.kind = FetchResult::Kind::data;
        r.rrset = child.chain.back();
        return r;
    }
    r.kind = child.rcode == dns::Rcode::NXDOMAIN ? FetchResult::Kind::nxdomain : FetchResult::Kind::nodata;
    r.soa = child.soa;
    r.proof = child.proof;
    return r;
}

void Resolution::Impl::finish_validation(Task& t) {
    std::unique_ptr<ValidationJob> job = std::move(t.job);
    std::unique_ptr<ClassifiedReply> reply = std::move(t.judged);
    const InFlight f = t.judged_flight;
    const ValidationOutcome& o = job->outcome();
    for (const auto& set : o.learnt)
        cache_rrset(set, {});
    t.state = Task::State::iterate;
    const bool negative = reply->kind == ReplyKind::nxdomain || reply->kind == ReplyKind::nodata;
    if (negative && o.negative == Security::secure)
        reply->denial = o.proof;  // what proved it, for DO clients
    if (o.failed() && !question.checking_disabled) {
        // Kept briefly, marked, for CD clients; this client gets SERVFAIL with the reason.
        for (const auto& set : reply->chain)
            cache_rrset(set, f.server);
        if (negative && reply->soa)
            cache_negative(reply->final_name, t.qtype, reply->kind == ReplyKind::nxdomain, *reply->soa,
                           reply->soa->rank, f.server, reply->denial);
        t.failure_ttl = ctx.settings().validation.bogus_ttl;
        t.validation_failed = true;
        fail(t, o.ede.value_or(dns::EdeCode::DnssecBogus), o.text);
        return;
    }
    if (o.security == Security::insecure && o.ede) {
        t.insecure_ede = static_cast<std::uint16_t>(*o.ede);
        t.insecure_text = o.text;
    }
    process_reply(t, f, *reply);
}

void Resolution::Impl::step_start(Task& t) {
    const std::uint32_t now_s = now_seconds();
    const Cache& cache = ctx.cache();
    // The cache, following CNAME/DNAME links it holds.
    while (!t.skip_cache) {
        if (t.qtype != dns::RRType::ANY && t.qtype != dns::RRType::RRSIG) {
            if (auto set = read_rrset(cache, t.sname, t.qtype, now_s, Rank::answer);
                set && usable_from_cache(t, set->security)) {
                t.chain.push_back(std::move(*set));
                complete(t);
                return;
            }
        }
        if (t.qtype != dns::RRType::CNAME) {
            if (auto cname = read_rrset(cache, t.sname, dns::RRType::CNAME, now_s, Rank::answer);
                cname && cname->rdatas.size() == 1 && usable_from_cache(t, cname->security)) {
                std::vector<RRsetData> links;
                if (cname->dname_owner) {
                    auto dname =
                        read_rrset(cache, *cname->dname_owner, dns::RRType::DNAME, now_s, Rank::answer);
                    if (!dname || !usable_from_cache(t, dname->security)) goto not_cached;  // ask again
                    links.push_back(std::move(*dname));
                }
                const dns::Name target = name_in(cname->rdatas[0]);
                links.push_back(std::move(*cname));
                if (!follow_chain(t, links, target)) return;
                continue;
            }
        }
        if (auto negative = read_negative(cache, t.sname, t.qtype, now_s);
            negative && usable_from_cache(t, negative->soa.security)) {
            t.rcode = negative->nxdomain ? dns::Rcode::NXDOMAIN : dns::Rcode::NOERROR;
            t.soa = std::move(negative->soa);
            t.proof = std::move(negative->proof);
            complete(t);
            return;
        }
        if (auto failure = read_failure(cache, t.sname, t.qtype, now_s)) {
            t.cached_failure = true;
            t.validation_failed = dnssec_ede(failure->ede_code);
            fail(t,
                 dnssec_ede(failure->ede_code) ? static_cast<dns::EdeCode>(failure->ede_code)
                                               : dns::EdeCode::CachedError,
                 failure->cause);
            return;
        }
        if (synthesise_denial(t)) return;
        break;
    }
not_cached:
    t.skip_cache = false;

    if (t.priming) {
        set_delegation(t, hints_delegation(ctx));
        return;
    }
    Delegation dp = find_delegation(ctx, t.sname, t.qtype, now_s, t.forward_failed);
    if (dp.kind == Delegation::Kind::hints && !t.primed) {
        // Priming (RFC 8109): ". NS" from a hint, which caches the root's NS set and addresses.
        t.primed = true;
        for (const Task& other : tasks) {
            if (other.priming && other.state != Task::State::done) {
                t.priming_task = other.id;
                t.state = Task::State::waiting;
                return;
            }
        }
        const std::size_t p = spawn(t.id, dns::Name(), dns::RRType::NS, t.depth);
        tasks[p].priming = true;
        tasks[p].skip_cache = false;
        t.priming_task = p;
        t.state = Task::State::waiting;
        return;
    }
    set_delegation(t, std::move(dp));
}

void Resolution::Impl::set_delegation(Task& t, Delegation dp) {
    t.dp = std::move(dp);
    ++t.dp_generation;
    t.targets.clear();
    t.children.clear();
    t.glueless_started = 0;
    t.minimise = is_minimising(ctx.settings().qname_minimization) && t.dp.kind != Delegation::Kind::forward &&
                 !t.priming && t.sname.label_count() > t.dp.zone.label_count() + 0;
    t.sent_labels = t.dp.zone.label_count();
    t.minimise_steps = 0;
    rebuild_targets(t);
    t.state = Task::State::iterate;
}

void Resolution::Impl::rebuild_targets(Task& t) {
    // Adds targets for addresses not yet listed (delegation servers gain addresses as lookups finish).
    for (std::size_t n = 0; n < t.dp.servers.size(); ++n) {
        for (const auto& address : t.dp.servers[n].addresses) {
            const bool listed = std::any_of(t.targets.begin(), t.targets.end(),
                                            [&](const Target& x) { return x.server == address; });
            if (listed) continue;
            Target target;
            target.server = address;
            target.ns_index = n;
            if (auto lame = ctx.infra().lame(address, t.dp.zone, now())) {
                target.done = true;
                target.failure = *lame == LameReason::refused     ? ServerFailure::refused
                                 : *lame == LameReason::servfail  ? ServerFailure::servfail
                                 : *lame == LameReason::bad_reply ? ServerFailure::bad
                                                                  : ServerFailure::lame;
                target.outcome = std::string(to_string(*lame)) + " (remembered)";
            }
            t.targets.push_back(std::move(target));
        }
    }
}

bool Resolution::Impl::spawn_glueless(Task& t) {
    const WorkLimits& limits = ctx.settings().limits;
    bool waiting = false;
    std::size_t running = 0;
    for (std::size_t c : t.children)
        running += tasks[c].state != Task::State::done;
    for (auto& ns : t.dp.servers) {
        if (ns.lookup_started || !ns.addresses.empty()) continue;
        if (t.glueless_started >= limits.max_glueless_per_delegation) {
            ns.lookup_started = ns.lookup_done = true;
            ns.lookup_failure = "not looked up (at most " +
                                std::to_string(limits.max_glueless_per_delegation) +
                                " glueless name servers per delegation)";
            continue;
        }
        if (running >= limits.max_parallel_glueless) break;
        if (t.depth + 1 > limits.max_recursion_depth) {
            ns.lookup_started = ns.lookup_done = true;
            ns.lookup_failure =
                "not looked up (max-recursion-depth " + std::to_string(limits.max_recursion_depth) + ")";
            continue;
        }
        // A lookup that some task above is already making would wait on itself.
        bool loops = false;
        for (std::optional<std::size_t> up = t.id; up; up = tasks[*up].parent) {
            const Task& a = tasks[*up];
            loops =
                loops || (a.qname == ns.name && (a.qtype == dns::RRType::A || a.qtype == dns::RRType::AAAA));
        }
        if (loops) {
            ns.lookup_started = ns.lookup_done = true;
            ns.lookup_failure = "its address depends on itself";
            continue;
        }
        ns.lookup_started = true;
        ++t.glueless_started;
        const dns::Name name = ns.name;
        const std::uint32_t depth = t.depth + 1;
        const std::size_t id = t.id;
        if (ctx.settings().use_ipv4) {
            const std::size_t c = spawn(id, name, dns::RRType::A, depth);
            tasks[id].children.push_back(c);
            ++running;
        }
        if (ctx.settings().use_ipv6) {
            const std::size_t c = spawn(id, name, dns::RRType::AAAA, depth);
            tasks[id].children.push_back(c);
            ++running;
        }
        waiting = true;
    }
    for (std::size_t c : tasks[t.id].children)
        waiting = waiting || tasks[c].state != Task::State::done;
    return waiting;
}

void Resolution::Impl::step_iterate(Task& t) {
    const Millis now_ms = now();
    if (auto pick = select_target(ctx, t.targets, now_ms)) {
        if (!budget_left(t)) return;
        if (send(t, *pick)) {
            t.state = Task::State::waiting;
            return;
        }
    }
    if (std::any_of(t.targets.begin(), t.targets.end(), [](const Target& x) { return x.in_flight; })) {
        t.state = Task::State::waiting;
        return;
    }
    if (spawn_glueless(t)) {
        t.state = Task::State::waiting;
        return;
    }
    fail_delegation(t);
}

bool Resolution::Impl::send(Task& t, std::size_t index) {
    Target& target = t.targets[index];
    const ResolverSettings& s = ctx.settings();
    const bool forwarding = t.dp.kind == Delegation::Kind::forward;
    if (!ctx.fetch_limiter().try_acquire(t.dp.zone, target.server)) {
        target.done = true;
        target.failure = ServerFailure::servfail;
        target.outcome = "fetches-per-zone/fetches-per-server limit reached";
        return false;
    }
    UpstreamQuery q;
    q.token = next_token++;
    q.server = target.server;
    q.qclass = dns::RRClass::IN;
    q.recursion_desired = forwarding;
    // CD upstream once we validate ourselves (a validating forwarder would otherwise hide bogus data from
    // our validator); until then a forwarder's own validation is all there is.
    q.checking_disabled = question.checking_disabled || ctx.validating();
    const ServerInfo info = ctx.infra().get(target.server, now());
    q.edns = !target.no_edns && info.edns != EdnsSupport::broken;
    // EDNS fallback after timeouts: a server never heard with EDNS that timed out twice gets one plain try.
    if (q.edns && info.edns == EdnsSupport::unknown && target.timeouts == 2) q.edns = false;
    q.edns_udp_size = s.edns_udp_size;
    q.dnssec_ok = q.edns && s.dnssec_ok_upstream;
    q.transport = target.use_tcp ? UpstreamTransport::tcp : UpstreamTransport::udp;
    q.timeout = info.timeout(s);
    if (q.transport == UpstreamTransport::tcp) q.timeout = std::max<Millis>(q.timeout, 1000);
    q.zone = t.dp.zone;

    // QNAME minimisation: one more label below the zone cut than last time (several later on), type A,
    // until the whole name goes out with its own type.
    bool minimised = false;
    q.qname = t.sname;
    q.qtype = t.qtype;
    if (t.minimise) {
        const std::size_t total = t.sname.label_count();
        std::size_t next = t.sent_labels + 1;
        if (t.minimise_steps >= kMinimiseOneLabel) {
            const std::size_t steps_left = std::max<std::size_t>(1, kMaxMinimiseSteps - t.minimise_steps);
            next = t.sent_labels + std::max<std::size_t>(1, (total - t.sent_labels) / steps_left);
        }
        if (next < total) {
            q.qname = t.sname.suffix(next);
            q.qtype = dns::RRType::A;
            minimised = true;
        }
    }

    InFlight f;
    f.task = t.id;
    f.target = index;
    f.dp_generation = t.dp_generation;
    f.qname = q.qname;
    f.qtype = q.qtype;
    f.edns = q.edns;
    f.transport = q.transport;
    f.sent = now();
    f.zone = t.dp.zone;
    f.server = target.server;
    f.minimised = minimised;
    f.forwarding = forwarding;
    f.fetch_counted = ctx.fetch_limiter().enabled();
    in_flight.emplace(q.token, std::move(f));

    target.in_flight = true;
    target.retry_now = false;
    ++target.tries;
    ++t.queries;
    ++total_queries;
    t.from_cache_only = false;
    ctx.counters().add(Counter::upstream_queries);
    if (q.transport == UpstreamTransport::tcp) ctx.counters().add(Counter::upstream_tcp);
    if (!q.edns) ctx.counters().add(Counter::upstream_edns_fallbacks);
    outbox.push_back(std::move(q));
    return true;
}

void Resolution::Impl::fail_delegation(Task& t) {
    if (t.dp.kind == Delegation::Kind::forward && t.dp.policy == ForwardPolicy::first && !t.forward_failed) {
        t.forward_failed = true;  // forward first: iterate from the cache and the hints instead
        t.state = Task::State::start;
        t.skip_cache = true;
        return;
    }
    if (t.dp.kind == Delegation::Kind::hints && t.priming) {
        fail(t, dns::EdeCode::NoReachableAuthority, describe_delegation_failure(t).text);
        return;
    }
    const DelegationFailure failure = describe_delegation_failure(t);
    fail(t, failure.code, failure.text);
}

void Resolution::Impl::fail(Task& t, dns::EdeCode code, std::string text) {
    // EXTRA-TEXT must fit the OPT record beside the rest (MessageBuilder keeps 512 octets for options) and
    // stay readable; nested reasons (a glueless server's own failure) can run long.
    constexpr std::size_t kMaxText = 400;
    if (text.size() > kMaxText) text = text.substr(0, kMaxText - 3) + "...";
    t.failed = true;
    t.rcode = dns::Rcode::SERVFAIL;
    t.ede = code;
    t.ede_text = std::move(text);
    complete(t);
}

void Resolution::Impl::complete(Task& t) {
    t.state = Task::State::done;
    for (auto& [token, f] : in_flight) {  // replies to its queries are ignored from now on
        if (f.task == t.id && f.dp_generation == t.dp_generation && f.target < t.targets.size())
            t.targets[f.target].in_flight = false;
    }
    if (t.failed && t.ede != dns::EdeCode::CachedError && !t.cached_failure && !t.priming &&
        !question.ignore_nta) {
        // RFC 9520: remember the failure for servfail-ttl (not an NTA recheck's: the NTA's clients must keep
        // their answers).
        NewEntry e;
        e.owner = t.qname;
        e.type = dns::code(t.qtype);
        e.kind = EntryKind::failure;
        e.rank = Rank::none;
        e.ede_code = static_cast<std::uint16_t>(t.ede);
        e.ttl = t.failure_ttl;
        e.cause = t.ede_text + " (cached " + format_utc(ctx.clock().wall_seconds()) + ")";
        ctx.cache().store(e, now_seconds(), ctx.clock().wall_seconds());
    }
    if (!t.parent) {
        finish_resolution();
        return;
    }
    Task& parent = tasks[*t.parent];
    if (t.validation_fetch) {
        if (parent.state == Task::State::validating && parent.job) {
            parent.job->provide(fetch_result(t));
            advance_validation(parent);
        }
        return;
    }
    if (t.priming) {
        // Whether or not priming worked, the waiting tasks go on (with the hints if it failed).
        for (Task& other : tasks) {
            if (other.priming_task == t.id && other.state == Task::State::waiting) {
                other.priming_task.reset();
                other.state = Task::State::start;
                if (t.failed) {
                    set_delegation(other, hints_delegation(ctx));
                }
            }
        }
        return;
    }
    if (parent.state == Task::State::done) return;
    // An address lookup for the parent's delegation.
    for (auto& ns : parent.dp.servers) {
        if (!(ns.name == t.qname)) continue;
        bool pending = false;
        for (std::size_t c : parent.children) {
            const Task& sibling = tasks[c];
            if (sibling.qname == t.qname && sibling.state != Task::State::done) pending = true;
        }
        if (!t.failed && !t.chain.empty()) {
            const RRsetData& last = t.chain.back();
            if (last.type == t.qtype) {
                for (const auto& rdata : last.rdatas) {
                    const sa_family_t family = rdata.size() == 4 ? AF_INET : AF_INET6;
                    if (rdata.size() == 4 || rdata.size() == 16)
                        ns.addresses.push_back({dns::IpAddress::from_octets(family, rdata.data()), 53});
                }
            }
        }
        if (!pending) {
            ns.lookup_done = true;
            if (ns.addresses.empty())
                ns.lookup_failure =
                    t.failed ? t.ede_text
                             : (t.rcode == dns::Rcode::NXDOMAIN ? "NXDOMAIN" : "no address records");
        }
    }
    rebuild_targets(parent);
    if (parent.state == Task::State::waiting && !std::any_of(parent.targets.begin(), parent.targets.end(),
                                                             [](const Target& x) { return x.in_flight; }))
        parent.state = Task::State::iterate;
}

bool Resolution::Impl::follow_chain(Task& t, const std::vector<RRsetData>& links,
                                    const dns::Name& final_name) {
    for (const auto& set : links) {
        t.chain.push_back(set);
        if (set.type == dns::RRType::CNAME) ++t.links;
    }
    if (t.links > ctx.settings().limits.max_query_restarts) {
        fail(t, dns::EdeCode::InvalidData,
             "CNAME chain from " + t.qname.to_text() + " longer than max-query-restarts (" +
                 std::to_string(ctx.settings().limits.max_query_restarts) + ")");
        return false;
    }
    if (std::find(t.visited.begin(), t.visited.end(), final_name) != t.visited.end()) {
        fail(t, dns::EdeCode::InvalidData, "CNAME loop at " + final_name.to_text());
        return false;
    }
    t.visited.push_back(final_name);
    t.sname = final_name;
    return true;
}

void Resolution::Impl::cache_rrset(const RRsetData& set, const ServerAddress& from) {
    NewEntry e;
    e.owner = set.owner;
    e.type = dns::code(set.type);
    e.kind = EntryKind::rrset;
    e.rank = set.rank;
    e.ttl = set.ttl;
    e.rdatas = set.rdatas;
    e.sigs = set.sigs;
    e.dname_owner = set.dname_owner;
    e.security = set.security;
    e.ede_code = set.insecure_ede;
    e.proof = proof_records(set.proof);
    if (failed_validation(set.security)) e.ttl = std::min(e.ttl, ctx.settings().validation.bogus_ttl);
    e.source = from.address;
    ctx.cache().store(e, now_seconds(), ctx.clock().wall_seconds());
}

void Resolution::Impl::cache_negative(const dns::Name& owner, dns::RRType type, bool nxdomain,
                                      const RRsetData& soa, Rank rank, const ServerAddress& from,
                                      const std::vector<RRsetData>& proof) {
    NewEntry e;
    e.owner = owner;
    e.type = dns::code(type);
    e.kind = nxdomain ? EntryKind::nxdomain : EntryKind::nodata;
    e.rank = rank;
    e.ttl = negative_ttl(soa);
    e.soa_owner = soa.owner;
    e.soa_rdata = soa.rdatas.front();
    e.soa_ttl = soa.ttl;
    e.security = soa.security;
    e.ede_code = soa.insecure_ede;
    if (failed_validation(soa.security)) e.ttl = std::min(e.ttl, ctx.settings().validation.bogus_ttl);
    for (const auto& sig : soa.sigs)
        e.proof.push_back({soa.owner, dns::code(dns::RRType::RRSIG), sig});
    for (auto& r : proof_records(proof))
        e.proof.push_back(std::move(r));
    e.source = from.address;
    ctx.cache().store(e, now_seconds(), ctx.clock().wall_seconds());
}

void Resolution::Impl::on_failure(Task& t, const InFlight& f, UpstreamError error) {
    Target& target = t.targets[f.target];
    target.in_flight = false;
    if (t.state == Task::State::validating) return;  // a reply is being judged already
    if (error == UpstreamError::timeout) {
        ++target.timeouts;
        ctx.infra().timeout(f.server, now());
        ctx.counters().add(Counter::upstream_timeouts);
        target.failure = ServerFailure::timeout;
    } else {
        ctx.counters().add(Counter::upstream_errors);
        ctx.infra().timeout(f.server, now());
        target.failure =
            error == UpstreamError::unreachable ? ServerFailure::unreachable : ServerFailure::network;
        target.outcome =
            std::string(to_string(error)) + (f.transport == UpstreamTransport::tcp ? " over TCP" : "");
        target.done = true;
    }
    // A minimised query that the server does not answer: relaxed mode sends the full name next.
    if (f.minimised && ctx.settings().qname_minimization == QnameMinimization::relaxed &&
        target.timeouts >= 2)
        t.minimise = false;
    t.state = Task::State::iterate;
}

void Resolution::Impl::on_reply(Task& t, const InFlight& f, const dns::Message& reply) {
    Target& target = t.targets[f.target];
    target.in_flight = false;
    if (t.state == Task::State::validating) return;  // a reply is being judged already
    const std::uint32_t rtt = static_cast<std::uint32_t>(std::max<Millis>(0, now() - f.sent));
    ctx.infra().reply(f.server, rtt, now());
    ctx.counters().rtt(rtt);
    if (f.edns && reply.edns) ctx.infra().edns(f.server, EdnsSupport::works, now());
    if (!f.edns && target.timeouts >= 2 && ctx.infra().get(f.server, now()).edns == EdnsSupport::unknown)
        ctx.infra().edns(f.server, EdnsSupport::broken, now());  // answered only without EDNS
    t.state = Task::State::iterate;

    if (reply.header.tc && f.transport == UpstreamTransport::udp) {
        target.use_tcp = true;
        target.retry_now = true;
        --target.tries;  // the TCP retry is the same try
        return;
    }
    const dns::Rcode rcode = reply.rcode();
    if (f.edns &&
        (rcode == dns::Rcode::FORMERR || rcode == dns::Rcode::NOTIMP || rcode == dns::Rcode::BADVERS)) {
        ctx.infra().edns(f.server, EdnsSupport::broken, now());
        if (!target.no_edns) {
            target.no_edns = true;
            target.retry_now = true;
            --target.tries;
            return;
        }
    }

    ClassifyInput in;
    in.qname = f.qname;
    in.qtype = f.qtype;
    in.zone = f.zone;
    in.forwarding = f.forwarding;
    in.max_chain = ctx.settings().limits.max_query_restarts;
    ClassifiedReply c = classify_reply(reply, in);
    if (needs_validation(t, f, c)) {
        start_validation(t, f, std::move(c));
        return;
    }
    process_reply(t, f, c);
}

// What a reply (validated where it had to be) does to the task: cache it, follow it, finish with it.
void Resolution::Impl::process_reply(Task& t, const InFlight& f, ClassifiedReply& c) {
    Target& target = t.targets[f.target];
    const bool relaxed = ctx.settings().qname_minimization == QnameMinimization::relaxed;
    const dns::Rcode rcode = c.rcode;
    if (f.minimised) {
        switch (c.kind) {
            case ReplyKind::referral:
                break;  // a zone cut: handled below
            case ReplyKind::answer:
            case ReplyKind::nodata:
                // The name exists and is no cut: one more label next time. (Not validated: kept only
                // when nothing is validated.)
                if (!ctx.validating()) {
                    for (const auto& set : c.chain)
                        cache_rrset(set, f.server);
                }
                t.sent_labels = f.qname.label_count();
                ++t.minimise_steps;
                return;
            case ReplyKind::nxdomain:
                if (ctx.settings().qname_minimization == QnameMinimization::strict && c.chain.empty()) {
                    // RFC 8020: nothing exists below a name that does not exist.
                    if (c.soa) {
                        cache_negative(f.qname, f.qtype, true, *c.soa, c.soa->rank, f.server, c.denial);
                        t.soa = c.soa;
                        t.soa->ttl = negative_ttl(*c.soa);
                        t.proof = c.denial;
                    }
                    t.rcode = dns::Rcode::NXDOMAIN;
                    complete(t);
                    return;
                }
                t.minimise = false;
                target.retry_now = true;
                --target.tries;
                return;
            case ReplyKind::restart:
            case ReplyKind::lame:
            case ReplyKind::server_error:
            case ReplyKind::invalid:
                if (relaxed || c.kind == ReplyKind::restart) {
                    t.minimise = false;
                    target.retry_now = true;
                    --target.tries;
                    return;
                }
                break;
        }
    }

    switch (c.kind) {
        case ReplyKind::server_error: {
            target.done = true;
            target.outcome = dns::rcode_to_text(rcode);
            if (rcode == dns::Rcode::REFUSED) {
                target.failure = ServerFailure::refused;
                ctx.infra().set_lame(f.server, f.zone, LameReason::refused, now());
            } else if (rcode == dns::Rcode::SERVFAIL) {
                target.failure = ServerFailure::servfail;
                ctx.infra().set_lame(f.server, f.zone, LameReason::servfail, now());
            } else {
                target.failure = ServerFailure::bad;
            }
            return;
        }
        case ReplyKind::lame:
            target.done = true;
            target.failure = ServerFailure::lame;
            target.outcome = "lame: " + c.problem;
            ctx.infra().set_lame(f.server, f.zone, LameReason::not_authoritative, now());
            return;
        case ReplyKind::invalid:
            target.done = true;
            target.failure = ServerFailure::bad;
            target.outcome = "invalid: " + c.problem;
            ctx.infra().set_lame(f.server, f.zone, LameReason::bad_reply, now());
            return;
        case ReplyKind::referral: {
            if (++t.referrals > ctx.settings().limits.max_referrals) {
                fail(t, dns::EdeCode::OtherError,
                     "gave up on " + t.sname.to_text() + " after " + std::to_string(t.referrals - 1) +
                         " referrals");
                return;
            }
            cache_rrset(*c.ns, f.server);
            for (const auto& g : c.glue)
                cache_rrset(g, f.server);
            // The DS of a secure delegation, unchecked: the validator's key walk finds it here and judges it.
            if (c.ds && ctx.validating()) cache_rrset(*c.ds, f.server);
            // A referral reached through a CNAME in this reply continues the chain.
            if (!c.chain.empty() && !follow_chain(t, c.chain, c.final_name)) return;
            for (const auto& set : c.chain)
                cache_rrset(set, f.server);
            std::vector<dns::Name> names;
            for (const auto& rdata : c.ns->rdatas)
                names.push_back(name_in(rdata));
            Delegation next = delegation_from_ns(ctx, c.cut, names, now_seconds());
            // Glue in this very reply counts even when the cache would not keep it (TTL 0, full cache).
            for (auto& ns : next.servers) {
                for (const auto& g : c.glue) {
                    if (!(g.owner == ns.name)) continue;
                    for (const auto& rdata : g.rdatas) {
                        ServerAddress a{
                            dns::IpAddress::from_octets(rdata.size() == 4 ? AF_INET : AF_INET6, rdata.data()),
                            53};
                        const bool wanted = (a.address.is_v4() && ctx.settings().use_ipv4) ||
                                            (a.address.is_v6() && ctx.settings().use_ipv6);
                        if (wanted &&
                            std::find(ns.addresses.begin(), ns.addresses.end(), a) == ns.addresses.end())
                            ns.addresses.push_back(a);
                    }
                }
            }
            set_delegation(t, std::move(next));
            return;
        }
        case ReplyKind::answer:
        case ReplyKind::restart:
        case ReplyKind::nxdomain:
        case ReplyKind::nodata:
            break;
    }

    // Data: the chain (in the zone's bailiwick), then its end.
    for (const auto& set : c.chain)
        cache_rrset(set, f.server);
    if (c.ns) cache_rrset(*c.ns, f.server);
    for (const auto& g : c.glue)
        cache_rrset(g, f.server);
    if (t.priming && c.kind != ReplyKind::answer) {
        target.done = true;
        target.failure = ServerFailure::bad;
        target.outcome = "no root NS set in the priming reply";
        return;
    }
    if (!c.chain.empty()) {
        // The answer's last RRset is the data (not a link) when the kind is answer.
        std::vector<RRsetData> links = c.chain;
        std::optional<RRsetData> data;
        if (c.kind == ReplyKind::answer) {
            data = std::move(links.back());
            links.pop_back();
            if (t.qtype == dns::RRType::ANY) {
                // Every RRset at the final name is data.
                while (!links.empty() && links.back().owner == c.final_name &&
                       links.back().type != dns::RRType::CNAME) {
                    t.chain.push_back(std::move(links.back()));
                    links.pop_back();
                }
            }
        }
        if (!links.empty() && !follow_chain(t, links, c.final_name)) return;
        if (data) t.chain.push_back(std::move(*data));
    }
    switch (c.kind) {
        case ReplyKind::answer:
            complete(t);
            return;
        case ReplyKind::restart:
            t.state = Task::State::start;  // the cache, then the delegation of the new name
            return;
        case ReplyKind::nxdomain:
        case ReplyKind::nodata:
            t.rcode = c.kind == ReplyKind::nxdomain ? dns::Rcode::NXDOMAIN : dns::Rcode::NOERROR;
            if (c.soa) {
                cache_negative(c.final_name, t.qtype, c.kind == ReplyKind::nxdomain, *c.soa, c.soa->rank,
                               f.server, c.denial);
                t.soa = c.soa;
                t.soa->ttl = ctx.cache().clamp_ttl(EntryKind::nodata, negative_ttl(*c.soa));
            }
            t.proof = c.denial;
            complete(t);
            return;
        default:
            return;
    }
}

void Resolution::Impl::finish_resolution() {
    done = true;
    done_at = now();
    Task& main = tasks[0];
    for (auto& [token, f] : in_flight) {
        if (f.fetch_counted) ctx.fetch_limiter().release(f.zone, f.server);
        f.fetch_counted = false;
    }
    ctx.counters().add(Counter::dnssec_verifications, query_work.verifications());
    ctx.counters().add(Counter::dnssec_nsec3_hashes, query_work.nsec3_hashes());
    outcome.rcode = main.rcode;
    outcome.from_cache = main.from_cache_only;
    outcome.upstream_queries = total_queries;
    if (main.failed) {
        outcome.ede = main.ede;
        outcome.ede_text = main.ede_text;
    }
    if (question.ignore_nta && ctx.validator() != nullptr)
        ctx.validator()->nta_rechecked(question.qname, !main.failed);
    if (purpose != Purpose::client) return;
    ctx.counters().add(Counter::resolutions);
    if (main.failed && ctx.serve_stale() && main.ede != dns::EdeCode::CachedError && !main.cached_failure &&
        !main.validation_failed) {
        // RFC 8767: the authorities failed; answer stale data if the cache kept some, and answer it at once
        // for stale-refresh-time.
        std::array<std::uint8_t, 512> scratch{};
        ReadSection section;
        CachedAnswerOptions stale;
        stale.allow_stale = true;
        stale.failures = false;
        const auto r = write_cached_answer(ctx, probe, scratch, true, now_seconds(), stale);
        if (r.kind != CacheAnswer::Kind::miss) {
            stale_result = true;
            outcome.stale = true;
            outcome.rcode = static_cast<dns::Rcode>(dns::Header::read(scratch.data()).rcode);
            outcome.ede = r.kind == CacheAnswer::Kind::stale && outcome.rcode == dns::Rcode::NXDOMAIN
                              ? dns::EdeCode::StaleNxdomainAnswer
                              : dns::EdeCode::StaleAnswer;
            NewEntry hold;
            hold.owner = question.qname;
            hold.type = dns::code(question.qtype);
            hold.kind = EntryKind::stale_hold;
            hold.cause = "refresh failed: " + main.ede_text;
            ctx.cache().store(hold, now_seconds(), ctx.clock().wall_seconds());
            return;
        }
    }
    if (outcome.rcode == dns::Rcode::SERVFAIL) ctx.counters().servfail(static_cast<std::uint16_t>(main.ede));
    if (outcome.rcode == dns::Rcode::NXDOMAIN) ctx.counters().add(Counter::nxdomain);
    if (ctx.validating()) {
        if (main.failed) {
            if (main.validation_failed)
                ctx.counters().validation(
                    static_cast<std::uint8_t>(main.ede == dns::EdeCode::DnssecIndeterminate
                                                  ? Security::indeterminate
                                                  : Security::bogus),
                    static_cast<std::uint16_t>(main.ede));
        } else {
            ctx.counters().validation(static_cast<std::uint8_t>(answer_security(main)), main.insecure_ede);
        }
    }
}

}  // namespace cairn::resolver
