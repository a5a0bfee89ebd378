// The replay harness for resolver unit tests (after Unbound's testcode/replay.c): a fake network of
// authoritative servers on a fake clock. Each server answers with cairn's own authoritative engine over the
// zones it is given (so referrals, glue, CNAMEs, DNAMEs, wildcards, NXDOMAIN and NODATA are real), unless a
// script for it says otherwise (silence, REFUSED, spoofed or hostile replies, truncation, no EDNS). A
// discrete-event loop delivers replies after each server's latency and timeouts after each query's timeout,
// and the clock jumps from event to event, so a test of a 10-second timeout runs in microseconds.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "../auth/auth_test_util.hpp"
#include "auth/engine.hpp"
#include "dns/message.hpp"
#include "dns/message_query.hpp"
#include "dns/rdata.hpp"
#include "resolver/clock.hpp"
#include "resolver/context.hpp"
#include "resolver/resolution.hpp"
#include "zone/zone_table.hpp"

namespace cairn::resolver::testing {

using auth::testing::make_query;
using auth::testing::QueryOptions;
using auth::testing::without_edns;

struct Zone {
    std::string origin;
    std::vector<std::string> lines;  // "owner ttl TYPE rdata", names relative to the origin
};

// What a script makes a server do with one query.
struct ScriptReply {
    enum class Action { answer, drop, unreachable, reset, wire };
    Action action = Action::answer;          // answer: as the zones say
    std::vector<std::uint8_t> wire;          // Action::wire: these bytes (the ID is patched to the query's)
    Millis delay = -1;                       // -1: the server's latency
    std::vector<std::uint8_t> forged_first;  // delivered 1 ms before the reply, on the same query (a spoof)
    static ScriptReply drop() { return {Action::drop, {}, -1, {}}; }
    static ScriptReply unreachable() { return {Action::unreachable, {}, -1, {}}; }
    static ScriptReply reset() { return {Action::reset, {}, -1, {}}; }  // the connection breaks
    static ScriptReply of(const dns::Message& m) { return {Action::wire, dns::to_wire(m), -1, {}}; }
    static ScriptReply forged_then_real(const dns::Message& forged) {
        return {Action::answer, {}, -1, dns::to_wire(forged)};
    }
};

struct SentQuery {
    std::string server;  // "10.0.0.1" ("10.0.0.1#5300" off port 53)
    std::string qname;   // presentation form
    dns::RRType qtype = dns::RRType::A;
    bool rd = false;
    bool edns = true;
    bool tcp = false;
    bool dnssec_ok = false;
    Millis at = 0;
    std::vector<std::uint8_t> cookie;  // the COOKIE option sent (empty: none)
    std::string text() const {
        return server + " " + qname + " " + dns::type_to_text(qtype) + (tcp ? " tcp" : "") +
               (edns ? "" : " noedns") + (rd ? " rd" : "");
    }
};

struct FakeServer {
    std::vector<std::shared_ptr<const zone::Zone>> zones;
    Millis latency = 5;
    bool down = false;          // never answers
    bool no_edns = false;       // FORMERR to any query with OPT (an old server or a middlebox)
    std::size_t udp_limit = 0;  // >0: replies larger than this over UDP are truncated (TC, no records)
    bool recursive = false;     // a forwarder: answers the same but never with AA
    // Sees every query first; nullopt: answer from the zones.
    std::function<std::optional<ScriptReply>(const dns::Message& query, const UpstreamQuery& upstream)>
        script;
    std::size_t queries = 0;
};

struct Outcome {
    std::vector<std::uint8_t> wire;
    dns::Message message;
    ResolutionOutcome outcome;
    std::vector<std::uint8_t> stale_wire;  // a stale answer sent at stale-answer-client-timeout
    Millis took = 0;
    std::vector<std::string> answer() const { return lines(message.answer); }
    std::vector<std::string> authority() const { return lines(message.authority); }
    std::optional<dns::ExtendedError> ede() const {
        if (!message.edns) return std::nullopt;
        const auto* o = message.edns->find(dns::EdnsOptionCode::EDE);
        if (o == nullptr) return std::nullopt;
        return dns::parse_ede(o->data);
    }
    static std::vector<std::string> lines(const std::vector<dns::ResourceRecord>& rrs) {
        std::vector<std::string> out;
        for (const auto& rr : rrs)
            out.push_back(rr.owner.to_text() + " " + std::to_string(rr.ttl) + " " +
                          dns::type_to_text(rr.type) + " " + dns::rdata_to_text(rr.type, rr.rdata));
        return out;
    }
};

// A reply to `query` to fill in by hand (scripts): QR set, the question echoed, EDNS kept.
inline dns::Message reply_to(const dns::Message& query, dns::Rcode rcode = dns::Rcode::NOERROR,
                             bool aa = true) {
    dns::Message m;
    m.header = query.header;
    m.header.qr = true;
    m.header.aa = aa;
    m.header.rcode = static_cast<std::uint8_t>(rcode);
    m.questions = query.questions;
    if (query.edns) {
        m.edns = dns::Edns{};
        m.edns->udp_payload = 1232;
    }
    return m;
}

// "owner ttl TYPE rdata", names absolute.
inline dns::ResourceRecord rr(const std::string& line) {
    zone::Record r = auth::testing::record_from(line, dns::Name());
    return {std::move(r.owner), r.type, dns::RRClass::IN, r.ttl, std::move(r.rdata)};
}

inline std::shared_ptr<const zone::Zone> make_zone(const Zone& z) {
    return auth::testing::zone_from(z.origin, z.lines);
}

class Network {
  public:
    FakeClock clock;

    FakeServer& server(const std::string& address) { return servers_[address]; }
    FakeServer& serve(const std::string& address, std::vector<Zone> zones) {
        FakeServer& s = servers_[address];
        for (const auto& z : zones)
            s.zones.push_back(make_zone(z));
        tables_.erase(address);
        return s;
    }
    // Serves a zone built from records (signed zones: tests/unit/test_zone_signer.hpp); replaces one with the
    // same origin.
    FakeServer& serve_zone(const std::string& address, std::shared_ptr<const zone::Zone> z) {
        FakeServer& s = servers_[address];
        std::erase_if(s.zones, [&](const auto& old) { return old->origin() == z->origin(); });
        s.zones.push_back(std::move(z));
        tables_.erase(address);
        return s;
    }
    // Replaces the zone with `zone`'s origin on `address` (a zone edit on the primary).
    void replace_zone(const std::string& address, const Zone& zone) {
        FakeServer& s = servers_[address];
        const auto origin = dns::Name::from_text(zone.origin);
        std::erase_if(s.zones, [&](const auto& z) { return z->origin() == origin; });
        s.zones.push_back(make_zone(zone));
        tables_.erase(address);
    }
    const std::vector<SentQuery>& sent() const { return sent_; }
    void clear_log() { sent_.clear(); }
    std::size_t count_sent(const std::function<bool(const SentQuery&)>& pred) const {
        std::size_t n = 0;
        for (const auto& q : sent_)
            n += pred(q);
        return n;
    }
    std::string log_text() const {
        std::string out;
        for (const auto& q : sent_)
            out += q.text() + "\n";
        return out;
    }

    // Resolves one client question end to end, as the driver would: produce, deliver, consume, deadlines.
    Outcome resolve(ResolverContext& ctx, const std::string& qname, dns::RRType qtype,
                    QueryOptions options = {}) {
        const auto query = make_query(qname, qtype, options);
        dns::ParsedQuery parsed;
        EXPECT_EQ(dns::parse_query(query, parsed), dns::QueryStatus::Ok);
        Outcome out;
        const Millis begun = clock.now();
        Resolution r(ctx, ClientQuestion::from_query(parsed));
        drive(r, &parsed, &out);
        out.took = clock.now() - begun;
        std::vector<std::uint8_t> buffer(65535);
        const std::size_t size = r.finish(parsed, buffer, true);
        buffer.resize(size);
        out.wire = buffer;
        out.outcome = r.outcome();
        if (size > 0) out.message = dns::parse_message(out.wire);
        return out;
    }

    // Runs a background refresh (Purpose::refresh) to its end.
    void refresh(ResolverContext& ctx, const std::string& qname, dns::RRType qtype) {
        ClientQuestion q;
        q.qname = dns::Name::from_text(qname);
        q.qtype = qtype;
        Resolution r(ctx, q, Purpose::refresh);
        drive(r, nullptr, nullptr);
    }

    // The cache-hit path for a client query.
    std::pair<CacheAnswer, dns::Message> from_cache(const ResolverContext& ctx, const std::string& qname,
                                                    dns::RRType qtype, QueryOptions options = {},
                                                    bool tcp = false) {
        const auto query = make_query(qname, qtype, options);
        std::vector<std::uint8_t> buffer(65535);
        const CacheAnswer a = ctx.answer_from_cache(query, buffer, tcp);
        dns::Message m;
        if (a.size > 0) m = dns::parse_message(std::span(buffer.data(), a.size));
        return {a, m};
    }

  private:
    struct Event {
        Millis at;
        std::uint64_t seq;
        Token token;
        enum Kind { reply, timeout, unreachable, reset } kind;
        std::vector<std::uint8_t> wire;
        bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
    };

    const zone::ZoneTable& table_for(const std::string& address) {
        auto it = tables_.find(address);
        if (it == tables_.end())
            it = tables_.emplace(address, zone::ZoneTable(servers_[address].zones)).first;
        return it->second;
    }

    void send(const UpstreamQuery& q) {
        const std::string address =
            q.server.address.to_string() + (q.server.port == 53 ? "" : "#" + std::to_string(q.server.port));
        sent_.push_back({address,
                         q.qname.to_text(),
                         q.qtype,
                         q.recursion_desired,
                         q.edns,
                         q.transport == UpstreamTransport::tcp,
                         q.dnssec_ok,
                         clock.now(),
                         {q.cookie.begin(), q.cookie.begin() + q.cookie_size}});
        const std::uint16_t id = static_cast<std::uint16_t>(0x1000 + sent_.size());
        std::vector<std::uint8_t> wire(512);
        wire.resize(q.write(id, wire));
        EXPECT_GT(wire.size(), 0u);
        auto timeout = [&] { push({clock.now() + q.timeout, 0, q.token, Event::timeout, {}}); };
        auto it = servers_.find(address);
        if (it == servers_.end() || it->second.down) return timeout();
        FakeServer& s = it->second;
        ++s.queries;
        const dns::Message parsed = dns::parse_message(wire);
        std::optional<ScriptReply> scripted = s.script ? s.script(parsed, q) : std::nullopt;
        ScriptReply reply = scripted.value_or(ScriptReply{});
        const Millis delay = reply.delay >= 0 ? reply.delay : s.latency;
        if (reply.action == ScriptReply::Action::drop) return timeout();
        if (reply.action == ScriptReply::Action::unreachable || reply.action == ScriptReply::Action::reset) {
            push({clock.now() + 1,
                  0,
                  q.token,
                  reply.action == ScriptReply::Action::reset ? Event::reset : Event::unreachable,
                  {}});
            return;
        }
        std::vector<std::uint8_t> answer;
        if (reply.action == ScriptReply::Action::wire) {
            answer = reply.wire;
            if (answer.size() >= 2) {
                answer[0] = static_cast<std::uint8_t>(id >> 8);
                answer[1] = static_cast<std::uint8_t>(id);
            }
        } else if (s.no_edns && q.edns) {
            dns::Message m;
            m.header = parsed.header;
            m.header.qr = true;
            m.header.rcode = static_cast<std::uint8_t>(dns::Rcode::FORMERR);
            m.questions = parsed.questions;
            answer = dns::to_wire(m);
        } else {
            auth::Engine engine(auth::Settings{});
            auth::ClientInfo client;
            client.transport =
                q.transport == UpstreamTransport::tcp ? auth::Transport::tcp : auth::Transport::udp;
            std::vector<std::uint8_t> out(65535);
            const auto result = engine.answer(table_for(address), wire, client, out);
            out.resize(result.size);
            answer = out;
            if (s.recursive && answer.size() > 2) answer[2] &= static_cast<std::uint8_t>(~0x04);  // AA off
            if (s.udp_limit != 0 && q.transport == UpstreamTransport::udp && answer.size() > s.udp_limit) {
                dns::Message m = dns::parse_message(answer);
                m.answer.clear();
                m.authority.clear();
                m.additional.clear();
                m.header.tc = true;
                answer = dns::to_wire(m);
            }
        }
        if (!reply.forged_first.empty()) {
            std::vector<std::uint8_t> forged = reply.forged_first;
            forged[0] = static_cast<std::uint8_t>(id >> 8);
            forged[1] = static_cast<std::uint8_t>(id);
            push({clock.now() + std::max<Millis>(0, delay - 1), 0, q.token, Event::reply, std::move(forged)});
        }
        push({clock.now() + delay, 0, q.token, Event::reply, std::move(answer)});
        if (q.timeout > delay) push({clock.now() + q.timeout, 0, q.token, Event::timeout, {}});
    }

    void push(Event e) {
        e.seq = ++seq_;
        events_.push(std::move(e));
    }

    void drive(Resolution& r, const dns::ParsedQuery* client, Outcome* out) {
        std::map<Token, bool> open;
        events_ = {};
        auto pump = [&] {
            UpstreamQuery q;
            while (r.produce(q)) {
                open[q.token] = true;
                send(q);
            }
        };
        pump();
        for (int guard = 0; !r.done() && guard < 100000; ++guard) {
            if (client != nullptr && out != nullptr && out->stale_wire.empty() && r.stale_answer_ready()) {
                std::vector<std::uint8_t> buffer(65535);
                buffer.resize(r.write_stale(*client, buffer, true));
                out->stale_wire = buffer;
            }
            const Millis deadline = r.next_deadline();
            if (events_.empty() && deadline == kNever) {
                ADD_FAILURE() << "resolution waits for nothing";
                return;
            }
            if (events_.empty() || deadline < events_.top().at) {
                clock.set(std::max(clock.now(), deadline));
                r.on_deadline();
            } else {
                Event e = events_.top();
                events_.pop();
                if (!open[e.token]) continue;
                clock.set(std::max(clock.now(), e.at));
                if (e.kind == Event::reply) {
                    if (r.consume(e.token, e.wire) == ConsumeResult::accepted)
                        open[e.token] = false;
                    else
                        ++ignored_;
                } else {
                    open[e.token] = false;
                    r.consume_failure(e.token, e.kind == Event::timeout ? UpstreamError::timeout
                                               : e.kind == Event::unreachable
                                                   ? UpstreamError::unreachable
                                                   : UpstreamError::connection_lost);
                }
            }
            pump();
        }
        EXPECT_TRUE(r.done());
    }

    std::map<std::string, FakeServer> servers_;
    std::map<std::string, zone::ZoneTable> tables_;
    std::vector<SentQuery> sent_;
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
    std::uint64_t seq_ = 0;
    std::size_t ignored_ = 0;

  public:
    std::size_t ignored_replies() const { return ignored_; }
};

// Settings for tests: our own root hints, a fixed random seed, IPv4 only.
inline ResolverSettings test_settings(const std::string& root_address = "10.0.0.1") {
    ResolverSettings s;
    s.root_hints = {{dns::Name::from_text("ns.root."), {*dns::IpAddress::parse(root_address)}}};
    s.use_ipv6 = false;
    s.random_seed = 42;
    return s;
}

}  // namespace cairn::resolver::testing
