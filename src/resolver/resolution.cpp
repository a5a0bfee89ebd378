#include "resolver/resolution.hpp"

#include <algorithm>

#include "dns/message_builder.hpp"
#include "resolver/cache.hpp"
#include "resolver/cache_answer.hpp"
#include "resolver/context.hpp"
#include "resolver/failure_text.hpp"
#include "resolver/infra_cache.hpp"
#include "resolver/iterator.hpp"
#include "resolver/read_section.hpp"

namespace cairn::resolver {
namespace {

std::size_t hash_bytes(std::span<const std::uint8_t> bytes, std::size_t h) {
    for (const auto b : bytes)
        h = (h ^ b) * 1099511628211ULL;
    return h;
}

std::basic_string<std::uint8_t> lower_wire(const dns::Name& name) {
    const dns::Name lower = name.lowercased();
    return {lower.wire().begin(), lower.wire().end()};
}

// A query for the client's question, parsed, so that the cache can be asked as a client would ask it.
void build_probe(const ClientQuestion& q, std::vector<std::uint8_t>& wire, dns::ParsedQuery& parsed) {
    wire.assign(512, 0);
    dns::MessageBuilder b(wire);
    b.reset();
    b.header().rd = true;
    b.header().cd = q.checking_disabled;
    b.add_question(q.qname, q.qtype, q.qclass);
    b.set_edns(65535, q.dnssec_ok);
    const auto message = b.finish();
    wire.resize(message.size());
    dns::parse_query(wire, parsed);
}

}  // namespace

std::string_view to_string(UpstreamError error) {
    switch (error) {
        case UpstreamError::timeout:
            return "timed out";
        case UpstreamError::unreachable:
            return "unreachable";
        case UpstreamError::connection_lost:
            return "connection lost";
    }
    return "?";
}

std::size_t UpstreamKey::hash() const {
    std::size_t h = 1469598103934665603ULL;
    h = hash_bytes(server.address.octets(), h);
    h = (h ^ server.port) * 1099511628211ULL;
    h = hash_bytes(qname_lower, h);
    h = (h ^ qtype) * 1099511628211ULL;
    return (h ^ flags) * 1099511628211ULL;
}

UpstreamKey UpstreamQuery::key() const {
    UpstreamKey k;
    k.server = server;
    k.qname_lower = lower_wire(qname);
    k.qtype = dns::code(qtype);
    k.flags = static_cast<std::uint16_t>((recursion_desired ? 1 : 0) | (checking_disabled ? 2 : 0) |
                                         (dnssec_ok ? 4 : 0) | (edns ? 8 : 0) |
                                         (transport == UpstreamTransport::tcp ? 16 : 0));
    return k;
}

std::size_t UpstreamQuery::write(std::uint16_t id, std::span<std::uint8_t> out) const {
    if (out.size() < dns::kHeaderSize) return 0;
    dns::MessageBuilder b(out);
    b.reset();
    b.header().id = id;
    b.header().rd = recursion_desired;
    b.header().cd = checking_disabled;
    if (!b.add_question(qname, qtype, qclass)) return 0;
    if (edns && !b.set_edns(edns_udp_size, dnssec_ok)) return 0;
    return b.finish().size();
}

ClientQuestion ClientQuestion::from_query(const dns::ParsedQuery& query) {
    ClientQuestion q;
    q.qname = dns::Name::from_validated_wire(query.qname);
    q.qtype = query.qtype;
    q.qclass = query.qclass;
    q.checking_disabled = query.header.cd;
    q.dnssec_ok = query.edns.present && query.edns.dnssec_ok;
    return q;
}

std::size_t QuestionKey::hash() const {
    std::size_t h = hash_bytes(qname_lower, 1469598103934665603ULL);
    h = (h ^ qtype) * 1099511628211ULL;
    h = (h ^ qclass) * 1099511628211ULL;
    return (h ^ ((checking_disabled ? 1 : 0) | (dnssec_ok ? 2 : 0) | (ignore_nta ? 4 : 0))) *
           1099511628211ULL;
}

QuestionKey question_key(const ClientQuestion& q) {
    return {lower_wire(q.qname), dns::code(q.qtype), dns::code(q.qclass),
            q.checking_disabled, q.dnssec_ok,        q.ignore_nta};
}

QuestionKey question_key(const dns::ParsedQuery& query) {
    const auto lower = query.qname_lower();
    return {{lower.begin(), lower.end()},
            dns::code(query.qtype),
            dns::code(query.qclass),
            query.header.cd,
            query.edns.present && query.edns.dnssec_ok};
}

Resolution::Impl::Impl(ResolverContext& c, const ClientQuestion& q, Purpose p)
    : ctx(c), question(q), purpose(p), begun(c.clock().now()), query_work(c.settings().validation.per_query) {
    deadline = begun + ctx.settings().resolver_query_timeout_ms;
    const auto& client_timeout = ctx.settings().stale.client_timeout_ms;
    if (purpose == Purpose::client && client_timeout && *client_timeout > 0)
        stale_deadline = begun + *client_timeout;
    build_probe(question, probe_wire, probe);
}

Resolution::Resolution(ResolverContext& ctx, const ClientQuestion& question, Purpose purpose)
    : impl_(std::make_unique<Impl>(ctx, question, purpose)) {
    ReadSection section;
    const std::size_t main = impl_->spawn(std::nullopt, question.qname, question.qtype, 0);
    impl_->tasks[main].skip_cache = purpose == Purpose::refresh;
    impl_->tasks[main].validate = true;
    impl_->run();
}

Resolution::~Resolution() {
    if (!impl_->done) {
        for (auto& [token, f] : impl_->in_flight) {
            if (f.fetch_counted) impl_->ctx.fetch_limiter().release(f.zone, f.server);
        }
    }
}

const ClientQuestion& Resolution::question() const {
    return impl_->question;
}

bool Resolution::produce(UpstreamQuery& out) {
    if (impl_->outbox.empty() && !impl_->done) {
        ReadSection section;
        impl_->run();
    }
    if (impl_->outbox.empty() || impl_->done) {
        impl_->outbox.clear();
        return false;
    }
    out = std::move(impl_->outbox.front());
    impl_->outbox.pop_front();
    return true;
}

ConsumeResult Resolution::consume(Token token, std::span<const std::uint8_t> reply) {
    Impl& m = *impl_;
    auto it = m.in_flight.find(token);
    if (it == m.in_flight.end()) return ConsumeResult::ignored;
    const InFlight& f = it->second;
    dns::Message message;
    bool malformed = false;
    try {
        message = dns::parse_message(reply);
    } catch (const dns::ParseError&) {
        malformed = true;
    }
    if (!malformed) {
        // Not the reply to this question (RFC 5452 §9.1): keep waiting for the real one.
        if (!message.header.qr || message.header.opcode != dns::Opcode::QUERY ||
            message.questions.size() != 1 || !(message.questions[0].name == f.qname) ||
            message.questions[0].type != f.qtype || message.questions[0].qclass != dns::RRClass::IN)
            return ConsumeResult::ignored;
    }
    const InFlight flight = std::move(it->second);
    m.in_flight.erase(it);
    if (flight.fetch_counted) m.ctx.fetch_limiter().release(flight.zone, flight.server);
    if (m.done) return ConsumeResult::accepted;
    Task& t = m.tasks[flight.task];
    if (t.state == Task::State::done || flight.dp_generation != t.dp_generation)
        return ConsumeResult::accepted;
    ReadSection section;
    if (malformed) {
        Target& target = t.targets[flight.target];
        target.in_flight = false;
        target.done = true;
        target.failure = ServerFailure::bad;
        target.outcome = "malformed reply";
        t.state = Task::State::iterate;
    } else {
        m.on_reply(t, flight, message);
    }
    m.run();
    return ConsumeResult::accepted;
}

void Resolution::consume_failure(Token token, UpstreamError error) {
    Impl& m = *impl_;
    auto it = m.in_flight.find(token);
    if (it == m.in_flight.end()) return;
    const InFlight flight = std::move(it->second);
    m.in_flight.erase(it);
    if (flight.fetch_counted) m.ctx.fetch_limiter().release(flight.zone, flight.server);
    if (m.done) return;
    Task& t = m.tasks[flight.task];
    if (t.state == Task::State::done || flight.dp_generation != t.dp_generation) return;
    ReadSection section;
    m.on_failure(t, flight, error);
    m.run();
}

Millis Resolution::next_deadline() const {
    if (impl_->done) return kNever;
    return impl_->stale_checked ? impl_->deadline : std::min(impl_->deadline, impl_->stale_deadline);
}

void Resolution::on_deadline() {
    Impl& m = *impl_;
    if (m.done) return;
    const Millis now = m.now();
    ReadSection section;
    if (!m.stale_checked && now >= m.stale_deadline) {
        m.stale_checked = true;
        if (m.ctx.serve_stale()) {
            std::array<std::uint8_t, 512> scratch{};
            CachedAnswerOptions stale;
            stale.allow_stale = true;
            stale.failures = false;
            m.stale_ready = write_cached_answer(m.ctx, m.probe, scratch, true, m.now_seconds(), stale).kind !=
                            CacheAnswer::Kind::miss;
        }
    }
    if (now >= m.deadline) {
        Task& main = m.tasks[0];
        const DelegationFailure failure = describe_delegation_failure(main);
        m.fail(main, failure.code,
               "resolver-query-timeout (" + std::to_string(m.ctx.settings().resolver_query_timeout_ms) +
                   " ms) reached; " + failure.text);
    }
}

bool Resolution::stale_answer_ready() const {
    return impl_->stale_ready && !impl_->done;
}

std::size_t Resolution::write_stale(const dns::ParsedQuery& client, std::span<std::uint8_t> out, bool tcp) {
    ReadSection section;
    CachedAnswerOptions stale;
    stale.allow_stale = true;
    stale.failures = false;
    const auto r = write_cached_answer(impl_->ctx, client, out, tcp, impl_->now_seconds(), stale);
    if (r.kind == CacheAnswer::Kind::miss) return 0;
    if (r.stale) impl_->ctx.counters().add(Counter::stale_answers);
    return r.size;
}

bool Resolution::done() const {
    return impl_->done;
}

const ResolutionOutcome& Resolution::outcome() const {
    return impl_->outcome;
}

std::size_t Resolution::in_flight() const {
    return impl_->in_flight.size();
}

std::size_t Resolution::finish(const dns::ParsedQuery& client, std::span<std::uint8_t> out, bool tcp) const {
    const Impl& m = *impl_;
    if (m.purpose != Purpose::client || !m.done || out.size() < dns::kHeaderSize) return 0;
    ReadSection section;
    if (m.stale_result) {
        CachedAnswerOptions stale;
        stale.allow_stale = true;
        stale.failures = false;
        const auto r = write_cached_answer(m.ctx, client, out, tcp, m.now_seconds(), stale);
        if (r.kind != CacheAnswer::Kind::miss) {
            if (r.stale) m.ctx.counters().add(Counter::stale_answers);
            return r.size;
        }
    }
    const Task& main = m.tasks[0];
    const bool failed = main.failed;  // (stale data gone meanwhile: the failure stands)
    const auto elapsed = static_cast<std::uint32_t>(std::max<Millis>(0, m.now() - m.done_at) / 1000);
    const bool with_sigs = client.edns.present && client.edns.dnssec_ok;
    auto ttl_of = [&](std::uint32_t ttl) { return ttl > elapsed ? ttl - elapsed : 0; };
    // AD (RFC 4035 §3.2.3, RFC 6840 §5.7): everything answered validated, and the client asked for it.
    const bool ad = !failed && m.ctx.validating() && answer_security(main) == Security::secure &&
                    (with_sigs || client.header.ad);

    dns::MessageBuilder b(out);
    auto start = [&] {
        b.reset();
        b.start_response(client, m.ctx.settings().max_udp_size, tcp);
        b.header().ra = true;
        b.header().aa = false;
        b.header().ad = ad;
        b.set_rcode(failed ? dns::Rcode::SERVFAIL : main.rcode);
        if (failed)
            b.add_ede(main.ede, main.ede_text);
        else if (main.insecure_ede != 0)
            b.add_ede(static_cast<dns::EdeCode>(main.insecure_ede), main.insecure_text);
    };
    start();
    if (failed) return b.finish().size();
    bool fits = true;
    auto add_set = [&](const RRsetData& set, std::uint32_t ttl) {
        b.begin_rrset();
        for (const auto& rdata : set.rdatas)
            fits = fits && b.add_rr(set.owner, set.type, dns::RRClass::IN, ttl, rdata);
        if (with_sigs) {
            for (const auto& sig : set.sigs)
                fits = fits && b.add_rr(set.owner, dns::RRType::RRSIG, dns::RRClass::IN, ttl, sig);
        }
        if (fits) b.commit();
    };
    b.start_section(dns::Section::Answer);
    for (const auto& set : main.chain) {
        add_set(set, ttl_of(set.rank == Rank::none ? set.ttl
                                                   : m.ctx.cache().clamp_ttl(EntryKind::rrset, set.ttl)));
        if (!fits) break;
    }
    if (fits && main.soa) {
        b.start_section(dns::Section::Authority);
        add_set(*main.soa, ttl_of(main.soa->ttl));
    }
    // DO: what proves a negative or wildcard answer (RFC 4035 §3.1.3).
    if (fits && with_sigs) {
        b.start_section(dns::Section::Authority);
        const std::uint32_t proof_ttl = main.soa ? ttl_of(main.soa->ttl) : 0;
        for (const auto& set : main.proof) {
            if (fits) add_set(set, main.soa ? proof_ttl : ttl_of(set.ttl));
        }
        for (const auto& set : main.chain) {
            for (const auto& p : set.proof) {
                if (fits) add_set(p, ttl_of(std::min(p.ttl, set.ttl)));
            }
        }
    }
    if (!fits) {  // RFC 2181 §9: no partial RRsets; the client retries over TCP
        start();
        b.header().tc = true;
    }
    return b.finish().size();
}

}  // namespace cairn::resolver
