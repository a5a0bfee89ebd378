#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "echo_handler.hpp"
#include "net/server.hpp"
#include "test_client.hpp"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

ServerOptions tcp_options(const char* address = "127.0.0.1", unsigned workers = 1) {
    ServerOptions o;
    o.listen.push_back(Endpoint{*dns::IpAddress::parse(address), 0});
    o.workers = workers;
    return o;
}

std::vector<std::uint8_t> stream_query(std::uint16_t id, std::uint16_t count) {
    return test::message(id, {'S', static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)});
}

// Polls `condition` for up to two seconds.
template <typename F>
bool eventually(F condition) {
    for (int i = 0; i < 200; ++i) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

TEST(Tcp, PipelinedQueriesAreAllAnswered) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    std::vector<std::uint8_t> burst;
    for (std::uint16_t id = 0; id < 50; ++id) {
        auto f = test::framed(test::message(id));
        burst.insert(burst.end(), f.begin(), f.end());
    }
    test::send_all(client.get(), burst);  // one write: the server sees many queries at once
    std::set<std::uint16_t> ids;
    for (int i = 0; i < 50; ++i) {
        auto reply = test::tcp_receive(client.get(), 2000);
        ASSERT_TRUE(reply) << "reply " << i;
        ids.insert(test::id_of(*reply));
    }
    EXPECT_EQ(ids.size(), 50u);
    const auto seen = handler.seen();
    EXPECT_EQ(seen.at(0).transport, Transport::tcp);
    EXPECT_EQ(seen.at(0).destination.address, *dns::IpAddress::parse("127.0.0.1"));
    EXPECT_EQ(handler.outside_batch(), 0);
}

TEST(Tcp, ReplyOvertakesAStreamInProgress) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    auto burst = test::framed(stream_query(1, 500));
    auto second = test::framed(test::message(2));
    burst.insert(burst.end(), second.begin(), second.end());
    test::send_all(client.get(), burst);

    std::size_t stream_messages = 0;
    std::size_t stream_messages_before_second = 0;
    bool second_seen = false;
    while (!(second_seen && stream_messages == 500)) {
        auto reply = test::tcp_receive(client.get(), 2000);
        ASSERT_TRUE(reply) << "after " << stream_messages << " stream messages";
        if (test::id_of(*reply) == 2) {
            second_seen = true;
            stream_messages_before_second = stream_messages;
        } else {
            ASSERT_EQ(test::id_of(*reply), 1);
            ASSERT_EQ(reply->size(), 1000u);
            const std::size_t left = (std::size_t{(*reply)[4]} << 8) | (*reply)[5];
            EXPECT_EQ(left, 500 - ++stream_messages);  // in order, none lost
        }
    }
    EXPECT_LT(stream_messages_before_second, 500u);  // answered out of order, before the stream ended
}

TEST(Tcp, LargeStreamToASlowReaderDoesNotStallOthers) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);  // one worker: both clients share it
    server.start();
    Fd transfer = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(transfer.get(), test::framed(stream_query(1, 5000)));  // ~5 MB, not read for now
    std::this_thread::sleep_for(100ms);

    Fd other = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(other.get(), test::framed(test::message(9)));
    auto reply = test::tcp_receive(other.get(), 1000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 9);

    for (std::size_t i = 0; i < 5000; ++i) {
        auto message = test::tcp_receive(transfer.get(), 2000);
        ASSERT_TRUE(message) << "stream message " << i;
        ASSERT_EQ((std::size_t{(*message)[4]} << 8) | (*message)[5], 4999 - i);
    }
}

TEST(Tcp, HalfALengthPrefixDoesNotStallAnotherClient) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd slow = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(slow.get(), {0x00});  // and nothing more
    auto partial = test::framed(test::message(5));
    partial.resize(8);
    Fd slower = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(slower.get(), partial);

    Fd fast = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    const auto before = std::chrono::steady_clock::now();
    test::send_all(fast.get(), test::framed(test::message(3)));
    auto reply = test::tcp_receive(fast.get(), 1000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 3);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms);
}

TEST(Tcp, MessageSplitAcrossWritesIsReassembled) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    const int one = 1;
    setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::vector<std::uint8_t> payload(3000, 'x');
    const auto whole = test::framed(test::message(11, payload));
    for (std::size_t at = 0; at < whole.size(); at += 700) {
        test::send_all(client.get(), {whole.begin() + at, whole.begin() + std::min(whole.size(), at + 700)});
        std::this_thread::sleep_for(5ms);
    }
    auto reply = test::tcp_receive(client.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->size(), 12u + 3000u);
    EXPECT_EQ(test::id_of(*reply), 11);
}

TEST(Tcp, LargestMessageRoundTrips) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    std::vector<std::uint8_t> payload(65535 - 12, 'y');
    test::send_all(client.get(), test::framed(test::message(12, payload)));
    auto reply = test::tcp_receive(client.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->size(), 65535u);
}

TEST(Tcp, IdleConnectionIsClosed) {
    test::EchoHandler handler;
    auto options = tcp_options();
    options.tcp_idle_timeout = 200ms;
    Server server(options, handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(client.get(), test::framed(test::message(1)));
    ASSERT_TRUE(test::tcp_receive(client.get(), 1000));
    const auto before = std::chrono::steady_clock::now();
    EXPECT_TRUE(test::closed_by_peer(client.get(), 2000));
    const auto waited = std::chrono::steady_clock::now() - before;
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 1500ms);
    EXPECT_TRUE(eventually([&] { return server.tcp_connections() == 0; }));
}

TEST(Tcp, HandlerExceptionClosesOnlyThatConnection) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd failing = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(failing.get(), test::framed(test::message(1, {'X'})));
    EXPECT_TRUE(test::closed_by_peer(failing.get(), 1000));
    EXPECT_EQ(server.failures(), 1u);
    Fd fine = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(fine.get(), test::framed(test::message(2)));
    EXPECT_TRUE(test::tcp_receive(fine.get(), 1000));
}

TEST(Tcp, Ipv6RoundTrip) {
    test::EchoHandler handler;
    Server server(tcp_options("::1", 2), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(client.get(), test::framed(test::message(6)));
    auto reply = test::tcp_receive(client.get(), 1000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 6);
    EXPECT_EQ(handler.seen().at(0).source.address, *dns::IpAddress::parse("::1"));
}

TEST(Tcp, ClientHalfCloseStillGetsItsAnswers) {
    test::EchoHandler handler;
    Server server(tcp_options(), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    auto a = test::framed(test::message(1));
    auto b = test::framed(test::message(2));
    a.insert(a.end(), b.begin(), b.end());
    test::send_all(client.get(), a);
    ::shutdown(client.get(), SHUT_WR);
    EXPECT_TRUE(test::tcp_receive(client.get(), 1000));
    EXPECT_TRUE(test::tcp_receive(client.get(), 1000));
    EXPECT_TRUE(test::closed_by_peer(client.get(), 1000));
}

}  // namespace
}  // namespace cairn::net
