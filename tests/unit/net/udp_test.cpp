#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "echo_handler.hpp"
#include "net/error.hpp"
#include "net/server.hpp"
#include "test_client.hpp"

namespace cairn::net {
namespace {

ServerOptions options_for(const char* address, unsigned workers = 2) {
    ServerOptions o;
    o.listen.push_back(Endpoint{*dns::IpAddress::parse(address), 0});
    o.workers = workers;
    return o;
}

// Sends `count` queries before reading any reply, so the server sees them in batches.
void expect_round_trips(const Endpoint& at, int count) {
    Fd client = test::connect_to(at, SOCK_DGRAM);
    for (int i = 0; i < count; ++i)
        test::send_all(client.get(), test::message(static_cast<std::uint16_t>(i)));
    std::set<std::uint16_t> ids;
    for (int i = 0; i < count; ++i) {
        auto reply = test::udp_receive(client.get(), 2000);
        ASSERT_TRUE(reply) << "reply " << i << " of " << count << " missing";
        EXPECT_EQ(reply->size(), 12u);
        EXPECT_TRUE((*reply)[2] & 0x80);
        ids.insert(test::id_of(*reply));
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(count));
}

TEST(Udp, RoundTripOverIpv4) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1"), handler);
    server.start();
    ASSERT_EQ(server.endpoints().size(), 1u);
    EXPECT_NE(server.endpoints()[0].port, 0);
    expect_round_trips(server.endpoints()[0], 200);
    const auto seen = handler.seen();
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen[0].transport, Transport::udp);
    EXPECT_EQ(seen[0].destination, server.endpoints()[0]);
    EXPECT_EQ(seen[0].source.address, *dns::IpAddress::parse("127.0.0.1"));
    EXPECT_EQ(handler.outside_batch(), 0);
}

TEST(Udp, RoundTripOverIpv6) {
    test::EchoHandler handler;
    Server server(options_for("::1"), handler);
    server.start();
    expect_round_trips(server.endpoints()[0], 50);
    EXPECT_EQ(handler.seen().at(0).destination.address, *dns::IpAddress::parse("::1"));
}

// On a wildcard socket the reply must leave from the address the query went to: a connected client socket
// discards datagrams from any other source, so a wrong source shows up as a missing reply.
TEST(Udp, WildcardSocketRepliesFromTheQueriedAddress) {
    test::EchoHandler handler;
    Server server(options_for("0.0.0.0"), handler);
    server.start();
    const Endpoint target{*dns::IpAddress::parse("127.0.0.2"), server.endpoints()[0].port};
    expect_round_trips(target, 5);
    EXPECT_EQ(handler.seen().at(0).destination, target);
}

// With several listen addresses a worker's UDP thread waits on all of its sockets in epoll instead of
// sleeping in recvmmsg on one: both addresses must be served, and stop must still end it promptly.
TEST(Udp, SeveralAddressesAreAllServed) {
    test::EchoHandler handler;
    auto options = options_for("127.0.0.1", 1);
    options.listen.push_back(Endpoint{*dns::IpAddress::parse("::1"), 0});
    Server server(options, handler);
    server.start();
    ASSERT_EQ(server.endpoints().size(), 2u);
    expect_round_trips(server.endpoints()[0], 100);
    expect_round_trips(server.endpoints()[1], 100);
    EXPECT_EQ(handler.outside_batch(), 0);
    const auto before = std::chrono::steady_clock::now();
    server.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
}

// Each worker has a UDP and a TCP thread; they must never share a thread index, which the handler uses
// for per-thread state (statistics blocks, snapshot reader slots).
TEST(Udp, UdpAndTcpThreadsHaveTheirOwnIndexes) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1", 2), handler);
    server.start();
    ASSERT_EQ(server.thread_slots(), 4u);
    for (int round = 0; round < 8; ++round) {  // new source ports spread over both workers' sockets
        Fd udp = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
        test::send_all(udp.get(), test::message(1));
        ASSERT_TRUE(test::udp_receive(udp.get(), 2000));
        Fd tcp = test::connect_to(server.endpoints()[0], SOCK_STREAM);
        test::send_all(tcp.get(), test::framed(test::message(2)));
        ASSERT_TRUE(test::tcp_receive(tcp.get(), 2000));
    }
    std::set<unsigned> udp_threads, tcp_threads;
    for (const ClientInfo& c : handler.seen())
        (c.transport == Transport::udp ? udp_threads : tcp_threads).insert(c.worker);
    for (unsigned t : udp_threads)
        EXPECT_LT(t, 2u);
    for (unsigned t : tcp_threads) {
        EXPECT_GE(t, 2u);
        EXPECT_LT(t, 4u);
    }
    EXPECT_FALSE(udp_threads.empty());
    EXPECT_FALSE(tcp_threads.empty());
}

// Queries beyond the first 512 octets land in a second buffer and are joined before the handler sees
// them: large and small queries in one batch must all come back exactly.
TEST(Udp, LargeQueriesArriveWhole) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1", 1), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    std::vector<std::vector<std::uint8_t>> sent;
    for (std::uint16_t id = 0; id < 12; ++id) {
        const std::size_t payload = id % 3 == 0 ? 4000 : (id % 3 == 1 ? 500 : 30);  // 4012, 512, 42 octets
        std::vector<std::uint8_t> bytes(payload);
        for (std::size_t k = 0; k < payload; ++k)
            bytes[k] = static_cast<std::uint8_t>('a' + (k * 7 + id) % 26);
        sent.push_back(test::message(id, bytes));
        test::send_all(client.get(), sent.back());
    }
    for (std::size_t n = 0; n < sent.size(); ++n) {
        auto reply = test::udp_receive(client.get(), 2000);
        ASSERT_TRUE(reply) << "reply " << n;
        auto expected = sent.at(test::id_of(*reply));
        expected[2] |= 0x80;
        EXPECT_EQ(*reply, expected) << "query " << test::id_of(*reply);
    }
}

TEST(Udp, DroppedQueriesGetNoReplyAndOthersStillDo) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1", 1), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    test::send_all(client.get(), test::message(1, {'D'}));
    test::send_all(client.get(), {0x01});  // shorter than a header
    test::send_all(client.get(), test::message(2));
    auto reply = test::udp_receive(client.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 2);
    EXPECT_FALSE(test::udp_receive(client.get(), 200));
}

// Queries that arrive together reach the handler's prefetch() first, all of them, inside the batch.
TEST(Udp, BatchesArePrefetchedBeforeTheyAreAnswered) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1", 1), handler);
    server.start();
    expect_round_trips(server.endpoints()[0], 200);
    const auto prefetched = handler.prefetched();
    EXPECT_GT(prefetched.size(), 1u) << "200 queries sent at once should arrive in batches";
    EXPECT_EQ(handler.handled_after_prefetch(), prefetched.size());
    EXPECT_EQ(handler.outside_batch(), 0);
}

TEST(Udp, HandlerExceptionLosesTheBatchNotTheWorker) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1", 1), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    test::send_all(client.get(), test::message(1, {'X'}));
    EXPECT_FALSE(test::udp_receive(client.get(), 200));
    EXPECT_EQ(server.failures(), 1u);
    test::send_all(client.get(), test::message(2));
    EXPECT_TRUE(test::udp_receive(client.get(), 1000));
}

TEST(Udp, AddressInUseIsAClearError) {
    test::EchoHandler handler;
    Server first(options_for("127.0.0.1"), handler);
    auto taken = options_for("127.0.0.1");
    taken.listen[0].port = first.endpoints()[0].port;
    try {
        Server second(taken, handler);
        FAIL() << "a second server bound the same port";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
    }
}

TEST(Udp, AnAddressListedTwiceIsServedOnce) {
    test::EchoHandler handler;
    Server first(options_for("127.0.0.1"), handler);
    const Endpoint at = first.endpoints()[0];
    first.stop();
    auto twice = options_for("127.0.0.1");
    twice.listen = {at, at};
    Server server(twice, handler);
    EXPECT_EQ(server.endpoints().size(), 1u);
}

TEST(Udp, StopEndsWorkersPromptly) {
    test::EchoHandler handler;
    Server server(options_for("127.0.0.1", 4), handler);
    server.start();
    const auto before = std::chrono::steady_clock::now();
    server.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    test::send_all(client.get(), test::message(7));
    EXPECT_FALSE(test::udp_receive(client.get(), 200));
}

// One worker on 127.0.0.1 that pauses `pause` between the batches of a stream.
ServerOptions coalescing(std::chrono::microseconds pause) {
    auto options = options_for("127.0.0.1", 1);
    options.udp_coalesce = pause;
    return options;
}

// A worker pauses after it has sent the replies of a batch: the client may see them first.
UdpCounters counters_after_pause(const Server& server) {
    const auto answered = std::chrono::steady_clock::now();
    while (server.udp_counters().pauses == 0 &&
           std::chrono::steady_clock::now() - answered < std::chrono::seconds(1))
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return server.udp_counters();
}

// Coalescing (udp_coalescing.hpp): queries that queued up while the worker was busy show a stream, so it
// pauses before its next receive; every query is still answered.
TEST(UdpCoalescing, AStreamOfQueriesMakesTheWorkerPause) {
    test::EchoHandler handler;
    auto options = coalescing(std::chrono::microseconds(50));
    Server server(options, handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    const std::vector<std::uint8_t> gated = {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 'G'};  // id 0
    test::send_all(client.get(), gated);                                                // holds the worker
    const auto sent = std::chrono::steady_clock::now();
    while (handler.seen().empty() && std::chrono::steady_clock::now() - sent < std::chrono::seconds(2))
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(handler.seen().size(), 1u);
    for (std::uint16_t id = 1; id <= 20; ++id)
        test::send_all(client.get(), test::message(id));
    handler.open_gate();
    std::set<std::uint16_t> ids;
    for (int i = 0; i <= 20; ++i) {
        auto reply = test::udp_receive(client.get(), 2000);
        ASSERT_TRUE(reply) << "reply " << i;
        ids.insert(test::id_of(*reply));
    }
    EXPECT_EQ(ids.size(), 21u);
    const UdpCounters counters = counters_after_pause(server);
    EXPECT_EQ(counters.datagrams, 21u);
    EXPECT_GE(counters.pauses, 1u) << "20 queries were waiting after the first";
    EXPECT_LE(counters.batches, 3u) << "the gated query alone, then the 20 together (or in two receives)";
}

// A lone query, answered before the next is sent, never waits for company: no pause, one batch each.
TEST(UdpCoalescing, LoneQueriesAreAnsweredWithoutAPause) {
    test::EchoHandler handler;
    auto options = coalescing(std::chrono::microseconds(1000));
    Server server(options, handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    for (std::uint16_t id = 0; id < 20; ++id) {
        test::send_all(client.get(), test::message(id));
        ASSERT_TRUE(test::udp_receive(client.get(), 2000)) << "query " << id;
    }
    const UdpCounters counters = server.udp_counters();
    EXPECT_EQ(counters.pauses, 0u);
    EXPECT_EQ(counters.batches, 20u);
    EXPECT_EQ(counters.datagrams, 20u);
}

TEST(UdpCoalescing, ZeroTurnsItOff) {
    test::EchoHandler handler;
    auto options = coalescing(std::chrono::microseconds(0));
    Server server(options, handler);
    server.start();
    expect_round_trips(server.endpoints()[0], 200);
    EXPECT_EQ(server.udp_counters().pauses, 0u);
    EXPECT_EQ(server.udp_counters().datagrams, 200u);
}

// With several sockets the thread waits in epoll; after a pause it serves what gathered without blocking,
// and a stop during a stream still ends it promptly.
TEST(UdpCoalescing, PollingThreadsCoalesceToo) {
    test::EchoHandler handler;
    auto options = coalescing(std::chrono::microseconds(50));
    options.listen.push_back(Endpoint{*dns::IpAddress::parse("::1"), 0});
    Server server(options, handler);
    server.start();
    expect_round_trips(server.endpoints()[0], 200);
    expect_round_trips(server.endpoints()[1], 200);
    const UdpCounters counters = counters_after_pause(server);
    EXPECT_EQ(counters.datagrams, 400u);
    EXPECT_GE(counters.pauses, 1u) << counters.batches << " batches";
    const auto before = std::chrono::steady_clock::now();
    server.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
}

}  // namespace
}  // namespace cairn::net
