// Upstream replies as a hostile (or broken) authority sends them, to the recursive resolver's state machine
// (resolver/resolution.hpp). The first input octet picks the client's question and the resolver's mode
// (iteration from our root hints or a forwarder, QNAME minimisation, DNSSEC validation with the built-in
// root anchors, CD/DO); then, for each upstream query the Resolution asks for, in order, one step of the
// input says what comes back:
//   0  the honest answer of a small fake DNS tree (cairn's own authoritative engine), so that a run gets deep
//   1  that answer with octets overwritten (count, then offset/value pairs) or cut short
//   2  arbitrary bytes (2-octet length, then the reply) given as they are
//   3  a 12-octet header and the rest of a message (2-octet length) around the question we asked
//   4  timeout, 5 unreachable, 6 connection lost
// When the input runs out every query left times out. The Resolution must end, within a bounded number of
// steps, with a response that parses, keeps the client's ID and echoes its question; the cache it filled
// must then answer the same question (hit or miss) with a response that parses, and be dumpable.
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "../unit/auth/zone_lines.hpp"
#include "auth/engine.hpp"
#include "dns/message.hpp"
#include "dns/message_query.hpp"
#include "fuzz_check.hpp"
#include "resolver/clock.hpp"
#include "resolver/context.hpp"
#include "resolver/resolution.hpp"
#include "resolver/trust_anchors.hpp"
#include "zone/zone_table.hpp"

using namespace cairn;

namespace {

using auth::testing::zone_from;
using cairn::fuzz::check;

// The fake tree: the root on 10.0.0.1 (our only hint), com. on 10.0.1.1, example.com. on 10.1.0.1 (glue)
// and on ns.provider.net. (glueless), provider.net. on 10.2.0.1, a forwarder on 10.9.0.1 that knows it all.
const std::map<std::string, zone::ZoneTable>& servers() {
    static const auto root =
        zone_from(".", {"@ 86400 SOA ns.root. h.root. 1 1800 900 604800 86400", "@ 518400 NS ns.root.",
                        "ns.root. 518400 A 10.0.0.1", "com. 172800 NS ns1.com.", "ns1.com. 172800 A 10.0.1.1",
                        "net. 172800 NS ns1.com."});
    static const auto com =
        zone_from("com.", {"@ 900 SOA ns1 h 1 1800 900 604800 900", "@ 172800 NS ns1",
                           "ns1 172800 A 10.0.1.1", "example 172800 NS ns1.example",
                           "example 172800 NS ns.provider.net.", "ns1.example 172800 A 10.1.0.1"});
    static const auto net =
        zone_from("net.", {"@ 900 SOA ns1.com. h 1 1800 900 604800 900", "@ 172800 NS ns1.com.",
                           "provider 172800 NS ns1.provider", "ns1.provider 172800 A 10.2.0.1"});
    static const auto provider =
        zone_from("provider.net.", {"@ 3600 SOA ns1 h 1 3600 900 604800 300", "@ 3600 NS ns1",
                                    "ns1 3600 A 10.2.0.1", "ns 3600 A 10.1.0.1"});
    static const auto example = zone_from(
        "example.com.",
        {"@ 3600 SOA ns1 h 1 3600 900 604800 300", "@ 3600 NS ns1", "@ 3600 NS ns.provider.net.",
         "ns1 3600 A 10.1.0.1", "www 300 A 192.0.2.1", "www 300 AAAA 2001:db8::1", "alias 600 CNAME www",
         "out 600 CNAME ns1.provider.net.", "d 900 DNAME provider.net.", "*.wild 300 A 192.0.2.99",
         "@ 300 MX 10 mail", "mail 300 A 192.0.2.25", "sub 3600 NS ns.sub", "ns.sub 3600 A 10.1.0.1"});
    static const std::map<std::string, zone::ZoneTable> table = [] {
        std::map<std::string, zone::ZoneTable> t;
        t.emplace("10.0.0.1", zone::ZoneTable({root}));
        t.emplace("10.0.1.1", zone::ZoneTable({com, net}));
        t.emplace("10.2.0.1", zone::ZoneTable({provider}));
        t.emplace("10.1.0.1", zone::ZoneTable({example}));
        t.emplace("10.9.0.1", zone::ZoneTable({root, com, net, provider, example}));
        return t;
    }();
    return table;
}

struct Question {
    const char* name;
    dns::RRType type;
};
constexpr Question kQuestions[] = {
    {"www.example.com.", dns::RRType::A},    {"alias.example.com.", dns::RRType::AAAA},
    {"out.example.com.", dns::RRType::A},    {"x.d.example.com.", dns::RRType::A},
    {"a.wild.example.com.", dns::RRType::A}, {"example.com.", dns::RRType::MX},
    {"nx.example.com.", dns::RRType::TXT},   {"host.sub.example.com.", dns::RRType::A},
};

// Reads the input step by step; past its end every read is 0 and exhausted() is true.
class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool exhausted() const { return at_ >= size_; }
    std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>((byte() << 8) | byte()); }
    std::span<const std::uint8_t> bytes(std::size_t n) {
        n = std::min(n, size_ - std::min(at_, size_));
        const std::span<const std::uint8_t> out(data_ + at_, n);
        at_ += n;
        return out;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

std::vector<std::uint8_t> honest_answer(const resolver::UpstreamQuery& q,
                                        std::span<const std::uint8_t> query) {
    const auto it = servers().find(q.server.address.to_string());
    if (it == servers().end()) return {};
    static const auth::Engine engine{auth::Settings{}};
    auth::ClientInfo client;
    client.transport =
        q.transport == resolver::UpstreamTransport::tcp ? auth::Transport::tcp : auth::Transport::udp;
    static std::vector<std::uint8_t> out(65535);  // written whole once: no page faults per execution
    std::vector<std::uint8_t> reply(
        out.begin(),
        out.begin() + static_cast<std::ptrdiff_t>(engine.answer(it->second, query, client, out).size));
    if (q.server.address.to_string() == "10.9.0.1" && reply.size() > 2)
        reply[2] &= 0xfb;  // a forwarder: no AA
    return reply;
}

// The reply a step of the input makes of `q` (sent as `query`); nullopt: a failure instead (in `error`).
std::optional<std::vector<std::uint8_t>> reply_for(Input& in, const resolver::UpstreamQuery& q,
                                                   std::span<const std::uint8_t> query,
                                                   resolver::UpstreamError& error) {
    switch (in.byte() % 7) {
        case 0:
            return honest_answer(q, query);
        case 1: {
            std::vector<std::uint8_t> reply = honest_answer(q, query);
            const std::uint8_t edits = in.byte();
            if (edits & 0x80) reply.resize(std::min<std::size_t>(reply.size(), in.u16()));
            for (unsigned i = 0; i < (edits & 0x0f) && !reply.empty(); ++i) {
                const std::size_t at = in.u16() % reply.size();
                reply[at] = in.byte();
            }
            return reply;
        }
        case 2: {
            const auto raw = in.bytes(in.u16());
            return std::vector<std::uint8_t>(raw.begin(), raw.end());
        }
        case 3: {
            // Header (QDCOUNT made 1), the question as we sent it, then the input's sections.
            const auto header = in.bytes(dns::kHeaderSize);
            const auto rest = in.bytes(in.u16());
            std::vector<std::uint8_t> reply(header.begin(), header.end());
            reply.resize(dns::kHeaderSize);
            reply[4] = 0;
            reply[5] = 1;
            dns::ParsedQuery sent;
            if (dns::parse_query(query, sent) == dns::QueryStatus::Ok)
                reply.insert(reply.end(), query.begin() + dns::kHeaderSize,
                             query.begin() + sent.question_end);
            reply.insert(reply.end(), rest.begin(), rest.end());
            return reply;
        }
        case 4:
            error = resolver::UpstreamError::timeout;
            return std::nullopt;
        case 5:
            error = resolver::UpstreamError::unreachable;
            return std::nullopt;
        default:
            error = resolver::UpstreamError::connection_lost;
            return std::nullopt;
    }
}

std::vector<std::uint8_t> client_query(const Question& question, bool cd, bool dnssec_ok) {
    dns::Message m;
    m.header.id = 0x4242;
    m.header.rd = true;
    m.header.cd = cd;
    m.questions.push_back({dns::Name::from_text(question.name), question.type, dns::RRClass::IN});
    m.edns = dns::Edns{};
    m.edns->udp_payload = 1232;
    m.edns->dnssec_ok = dnssec_ok;
    return dns::to_wire(m);
}

// The client's response parses, keeps its ID and echoes its question.
void check_response(std::span<const std::uint8_t> wire, const dns::Message& query, const char* what) {
    dns::Message response;
    try {
        response = dns::parse_message(wire);
    } catch (const dns::ParseError&) {
        check(false, what);
    }
    check(response.header.id == query.header.id && response.header.qr, "the response keeps the ID, QR set");
    check(response.questions == query.questions, "the response echoes the question");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 64 * 1024) return 0;
    Input in(data, size);
    const std::uint8_t mode = in.byte();
    const Question& question = kQuestions[mode & 7];

    resolver::FakeClock clock;
    resolver::ResolverSettings settings;
    settings.root_hints = {{dns::Name::from_text("ns.root."), {*dns::IpAddress::parse("10.0.0.1")}}};
    settings.use_ipv6 = false;
    settings.random_seed = 42;
    settings.cache.max_cache_size = 1 << 20;  // few shards: a context per input stays cheap
    if (mode & 0x08)
        settings.forward_zones.push_back(
            {dns::Name(),
             (mode & 0x10) ? resolver::ForwardPolicy::only : resolver::ForwardPolicy::first,
             {{*dns::IpAddress::parse("10.9.0.1"), 53}}});
    settings.qname_minimization = (mode & 0x20)   ? resolver::QnameMinimization::strict
                                  : (mode & 0x10) ? resolver::QnameMinimization::disabled
                                                  : resolver::QnameMinimization::relaxed;
    if (mode & 0x40) {
        settings.validation.enabled = true;
        settings.validation.anchors = resolver::builtin_root_anchors();
    }
    resolver::ResolverContext ctx(std::move(settings), clock);

    const auto query_wire = client_query(question, (mode & 0x80) != 0, (mode & 0x40) != 0);
    dns::ParsedQuery client;
    check(dns::parse_query(query_wire, client) == dns::QueryStatus::Ok, "the client query parses");
    const dns::Message query = dns::parse_message(query_wire);

    resolver::Resolution resolution(ctx, resolver::ClientQuestion::from_query(client));
    std::deque<std::pair<resolver::UpstreamQuery, std::vector<std::uint8_t>>> waiting;  // oldest first
    auto pump = [&] {
        resolver::UpstreamQuery q;
        while (resolution.produce(q)) {
            std::vector<std::uint8_t> wire(512);
            wire.resize(q.write(0x1000, wire));
            check(!wire.empty(), "an upstream query fits 512 octets");
            waiting.emplace_back(q, std::move(wire));
        }
    };
    pump();
    static std::vector<std::uint8_t> buffer(65535);
    for (int steps = 0; !resolution.done(); ++steps) {
        check(steps < 5000, "a resolution ends within 5,000 steps");
        if (resolution.stale_answer_ready()) (void)resolution.write_stale(client, buffer, true);
        if (waiting.empty()) {
            const resolver::Millis deadline = resolution.next_deadline();
            check(deadline != resolver::kNever, "a resolution with nothing in flight has a deadline");
            clock.set(std::max(clock.now(), deadline));
            resolution.on_deadline();
        } else {
            auto [q, wire] = std::move(waiting.front());
            waiting.pop_front();
            clock.advance(3);
            resolver::UpstreamError error = resolver::UpstreamError::timeout;
            const auto reply = in.exhausted() ? std::nullopt : reply_for(in, q, wire, error);
            if (reply && resolution.consume(q.token, *reply) == resolver::ConsumeResult::ignored) {
                // Ignored (a spoof or garbage): the query stays open until its timeout.
                clock.advance(q.timeout);
                resolution.consume_failure(q.token, resolver::UpstreamError::timeout);
            } else if (!reply) {
                if (error == resolver::UpstreamError::timeout) clock.advance(q.timeout);
                resolution.consume_failure(q.token, error);
            }
        }
        pump();
    }

    const std::size_t written = resolution.finish(client, buffer, true);
    check(written > 0, "a client's resolution ends in a response");
    check_response({buffer.data(), written}, query, "the final response parses");
    const resolver::CacheAnswer cached = ctx.answer_from_cache(client, buffer, false);
    if (cached.size > 0)
        check_response({buffer.data(), cached.size}, query, "the answer from the cache parses");
    check(cached.size <= 1232, "a UDP answer from the cache fits the client's payload");
    (void)ctx.dump_cache();
    return 0;
}
