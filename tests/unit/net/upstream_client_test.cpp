// The upstream client against a scripted authority on loopback: answers matched by ID, question and
// source; forgeries ignored; truncation retried over TCP; timeouts, refusals and cancellation; random IDs
// and source ports (RFC 5452).
#include "net/upstream_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <set>
#include <thread>

#include "dns/message.hpp"
#include "net/event_loop.hpp"
#include "net/sockets.hpp"
#include "test_client.hpp"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;
using Clock = EventLoop::Clock;

const dns::Name kName = dns::Name::from_text("www.example.test.");

// A UDP socket and a TCP listener on one loopback port, driven by the test between loop turns.
struct FakeAuthority {
    FakeAuthority() {
        // The kernel picks a free UDP port; its TCP twin may be taken by another test running beside this
        // one, so another pair is tried then.
        for (int attempt = 0;; ++attempt) {
            udp = bind_socket(SocketKind::udp, Endpoint{*dns::IpAddress::parse("127.0.0.1"), 0}, false);
            at = local_endpoint(udp.get());
            try {
                tcp = bind_socket(SocketKind::tcp, at, false);
                return;
            } catch (const std::exception&) {
                if (attempt == 20) throw;
            }
        }
    }

    // The next query over UDP, and who sent it.
    std::optional<std::vector<std::uint8_t>> receive(Endpoint& from, int timeout_ms = 2000) {
        if (!test::readable(udp.get(), timeout_ms)) return std::nullopt;
        std::vector<std::uint8_t> buffer(65536);
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        const ssize_t n =
            ::recvfrom(udp.get(), buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&peer), &len);
        if (n < 0) return std::nullopt;
        buffer.resize(static_cast<std::size_t>(n));
        from = Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&peer));
        return buffer;
    }

    void send_to(const Endpoint& to, const std::vector<std::uint8_t>& message) {
        sockaddr_storage addr;
        const socklen_t len = to.to_sockaddr(addr);
        ::sendto(udp.get(), message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr), len);
    }

    Fd udp, tcp;
    Endpoint at;
};

// `query` turned into a response: QR set, `flags` or-ed into the second header octet, an A record added.
std::vector<std::uint8_t> respond(std::vector<std::uint8_t> query, std::uint8_t extra_flags = 0) {
    query[2] |= 0x80;
    query[3] |= extra_flags;
    query.resize(12 + kName.wire_size() + 4);  // drops OPT
    query[11] = 0;                             // arcount
    query[7] = 1;                              // ancount
    const std::uint8_t answer[] = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
    query.insert(query.end(), std::begin(answer), std::end(answer));
    return query;
}

struct Outcome {
    std::optional<UpstreamReply> reply;
    std::vector<std::uint8_t> message;
};

// Runs the loop until the callback fired (or two seconds passed).
void run_until(EventLoop& loop, const Outcome& outcome) {
    const auto until = Clock::now() + 2s;
    while (!outcome.reply && Clock::now() < until)
        loop.run_once(20ms);
}

UpstreamClient::Callback record(Outcome& outcome) {
    return [&outcome](const UpstreamReply& reply) {
        outcome.reply = reply;
        outcome.message.assign(reply.message.begin(), reply.message.end());
    };
}

UpstreamQuery query_to(const Endpoint& server, Clock::duration timeout = 2s) {
    return {server, make_upstream_query(kName, dns::RRType::A, false, 1232), Clock::now() + timeout};
}

TEST(UpstreamClient, MatchingAnswerIsDelivered) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    Outcome outcome;
    client.send(query_to(authority.at), record(outcome));
    Endpoint from;
    auto query = authority.receive(from);
    ASSERT_TRUE(query);
    authority.send_to(from, respond(*query));
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::answer);
    EXPECT_FALSE(outcome.reply->over_tcp);
    EXPECT_EQ(outcome.reply->source_port, from.port);
    EXPECT_EQ(outcome.message, respond(*query));
    EXPECT_EQ(client.in_flight(), 0u);
    EXPECT_EQ(client.counters().answers, 1u);
}

TEST(UpstreamClient, ForgedResponsesAreIgnoredUntilTheRealOne) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    Outcome outcome;
    client.send(query_to(authority.at), record(outcome));
    Endpoint from;
    auto query = authority.receive(from);
    ASSERT_TRUE(query);
    auto wrong_id = respond(*query);
    wrong_id[1] ^= 0x5A;
    authority.send_to(from, wrong_id);
    auto wrong_question = respond(*query);
    wrong_question[12 + 1] = 'X';  // "Xww.example.test."
    authority.send_to(from, wrong_question);
    auto wrong_type = respond(*query);
    wrong_type[12 + kName.wire_size() + 1] = 28;  // AAAA
    authority.send_to(from, wrong_type);
    auto not_a_response = *query;
    authority.send_to(from, not_a_response);
    // Case does not matter in the question (RFC 1035 §2.3.3; dns0x20 resolvers rely on it).
    auto upper = respond(*query);
    upper[12 + 1] = 'W';
    authority.send_to(from, upper);
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::answer);
    EXPECT_EQ(outcome.message, upper);
    EXPECT_EQ(outcome.reply->ignored, 4u);
    EXPECT_EQ(client.counters().ignored, 4u);
}

TEST(UpstreamClient, ResponseFromAnotherPortIsNotAccepted) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    FakeAuthority impostor;  // same address, another port
    Outcome outcome;
    client.send(query_to(authority.at, 300ms), record(outcome));
    Endpoint from;
    auto query = authority.receive(from);
    ASSERT_TRUE(query);
    impostor.send_to(from, respond(*query));
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::timeout);
}

TEST(UpstreamClient, TruncatedAnswerIsAskedAgainOverTcp) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    Outcome outcome;
    client.send(query_to(authority.at), record(outcome));
    Endpoint from;
    auto query = authority.receive(from);
    ASSERT_TRUE(query);
    auto truncated = *query;
    truncated[2] |= 0x82;  // QR, TC
    authority.send_to(from, truncated);
    // The client connects while the loop turns; accept it, read the query, answer with a forgery first.
    Fd connection;
    for (int i = 0; i < 100 && !connection; ++i) {
        loop.run_once(10ms);
        if (test::readable(authority.tcp.get(), 10))
            connection = Fd(::accept(authority.tcp.get(), nullptr, nullptr));
    }
    ASSERT_TRUE(connection);
    std::optional<std::vector<std::uint8_t>> tcp_query;
    for (int i = 0; i < 100 && !tcp_query; ++i) {
        loop.run_once(10ms);
        tcp_query = test::tcp_receive(connection.get(), 10);
    }
    ASSERT_TRUE(tcp_query);
    EXPECT_NE(test::id_of(*tcp_query), test::id_of(*query)) << "a fresh ID for the TCP attempt";
    auto forged = respond(*tcp_query);
    forged[0] ^= 0xFF;
    test::send_all(connection.get(), test::framed(forged));
    test::send_all(connection.get(), test::framed(respond(*tcp_query)));
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::answer);
    EXPECT_TRUE(outcome.reply->over_tcp);
    EXPECT_TRUE(outcome.reply->truncated);
    EXPECT_EQ(outcome.reply->ignored, 1u);
    EXPECT_EQ(outcome.message, respond(*tcp_query));
    EXPECT_EQ(client.counters().tcp_queries, 1u);
}

TEST(UpstreamClient, SilenceEndsInATimeoutAtTheDeadline) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    Outcome outcome;
    const auto started = Clock::now();
    client.send(query_to(authority.at, 150ms), record(outcome));
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::timeout);
    EXPECT_GE(Clock::now() - started, 150ms);
    EXPECT_EQ(client.counters().timeouts, 1u);
}

TEST(UpstreamClient, ClosedPortIsANetworkError) {
    EventLoop loop;
    UpstreamClient client(loop);
    Endpoint closed;
    {
        FakeAuthority gone;
        closed = gone.at;
    }
    Outcome outcome;
    client.send(query_to(closed), record(outcome));
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::network_error);
    EXPECT_EQ(outcome.reply->error, ECONNREFUSED);
}

TEST(UpstreamClient, CancelledQueryNeverCallsBack) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    Outcome outcome;
    const auto id = client.send(query_to(authority.at, 50ms), record(outcome));
    client.cancel(id);
    for (int i = 0; i < 10; ++i)
        loop.run_once(20ms);
    EXPECT_FALSE(outcome.reply);
    EXPECT_EQ(client.in_flight(), 0u);
}

TEST(UpstreamClient, FormerrWithoutQuestionIsAccepted) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    Outcome outcome;
    client.send(query_to(authority.at), record(outcome));
    Endpoint from;
    auto query = authority.receive(from);
    ASSERT_TRUE(query);
    std::vector<std::uint8_t> formerr(query->begin(), query->begin() + 12);
    formerr[2] |= 0x80;
    formerr[3] = 1;  // FORMERR
    formerr[5] = 0;  // qdcount 0
    formerr[11] = 0;
    authority.send_to(from, formerr);
    run_until(loop, outcome);
    ASSERT_TRUE(outcome.reply);
    EXPECT_EQ(outcome.reply->status, UpstreamStatus::answer);
}

TEST(UpstreamClient, IdsAndSourcePortsVary) {
    EventLoop loop;
    UpstreamClient client(loop);
    FakeAuthority authority;
    std::set<std::uint16_t> ports, ids;
    constexpr int kQueries = 32;
    std::vector<Outcome> outcomes(kQueries);
    for (auto& outcome : outcomes)
        client.send(query_to(authority.at), record(outcome));
    for (int i = 0; i < kQueries; ++i) {
        Endpoint from;
        auto query = authority.receive(from);
        ASSERT_TRUE(query);
        ports.insert(from.port);
        ids.insert(test::id_of(*query));
        authority.send_to(from, respond(*query));
    }
    for (auto& outcome : outcomes)
        run_until(loop, outcome);
    for (auto& outcome : outcomes)
        EXPECT_EQ(outcome.reply->status, UpstreamStatus::answer);
    // 32 draws from ~28,000 ports and 65,536 IDs: a repeat is possible but more than two is not plausible.
    EXPECT_GE(ports.size(), static_cast<std::size_t>(kQueries - 2));
    EXPECT_GE(ids.size(), static_cast<std::size_t>(kQueries - 2));
}

TEST(EventLoop, TimersRunInOrderAndCancelledOnesNever) {
    EventLoop loop;
    std::vector<int> ran;
    const auto now = Clock::now();
    loop.at(now + 30ms, [&] { ran.push_back(3); });
    loop.at(now + 10ms, [&] { ran.push_back(1); });
    const auto cancelled = loop.at(now + 20ms, [&] { ran.push_back(2); });
    loop.cancel(cancelled);
    for (int i = 0; i < 20 && ran.size() < 2; ++i)
        loop.run_once(50ms);
    EXPECT_EQ(ran, (std::vector<int>{1, 3}));
    EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(EventLoop, PostedTasksRunOnTheLoopThread) {
    EventLoop loop;
    std::thread::id ran_on;
    std::thread runner([&] { loop.run(); });
    std::thread([&] { loop.post([&] { ran_on = std::this_thread::get_id(); }); }).join();
    for (int i = 0; i < 200 && ran_on == std::thread::id(); ++i)
        std::this_thread::sleep_for(5ms);
    const auto loop_thread = runner.get_id();
    loop.stop();
    runner.join();
    EXPECT_EQ(ran_on, loop_thread);
}

}  // namespace
}  // namespace cairn::net
