// The TCP connection limit and timeouts: at tcp-clients the idlest connection gives way to a new one;
// BIND's initial, idle and keepalive timeouts; a client trickling octets is not kept alive by them.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "echo_handler.hpp"
#include "net/server.hpp"
#include "test_client.hpp"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ServerOptions one_worker() {
    ServerOptions o;
    o.listen.push_back(Endpoint{*dns::IpAddress::parse("127.0.0.1"), 0});
    o.workers = 1;
    return o;
}

bool answered(int fd, std::uint16_t id, char kind = 'Q') {
    test::send_all(fd, test::framed(test::message(id, {static_cast<std::uint8_t>(kind)})));
    const auto reply = test::tcp_receive(fd, 2000);
    return reply && test::id_of(*reply) == id;
}

// How long until the server closes `fd` (at most `limit`).
Clock::duration time_to_close(int fd, std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    EXPECT_TRUE(test::closed_by_peer(fd, static_cast<int>(limit.count())));
    return Clock::now() - start;
}

TEST(TcpLimits, AtTheLimitTheIdlestConnectionGivesWay) {
    test::EchoHandler handler;
    auto options = one_worker();
    options.tcp_clients = 3;
    Server server(options, handler);
    server.start();
    std::vector<Fd> clients;
    for (std::uint16_t i = 0; i < 3; ++i) {
        clients.push_back(test::connect_to(server.endpoints()[0], SOCK_STREAM));
        ASSERT_TRUE(answered(clients.back().get(), i));
        std::this_thread::sleep_for(20ms);  // the first is the idlest
    }
    ASSERT_TRUE(answered(clients[0].get(), 10));  // ... until it asks again: now the second is
    Fd fresh = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    EXPECT_TRUE(answered(fresh.get(), 99));
    EXPECT_TRUE(test::closed_by_peer(clients[1].get(), 1000));
    EXPECT_TRUE(answered(clients[0].get(), 11));
    EXPECT_TRUE(answered(clients[2].get(), 12));
    EXPECT_EQ(server.tcp_connections(), 3u);
}

TEST(TcpLimits, ManySilentConnectionsNeverLockOutAFreshOne) {
    test::EchoHandler handler;
    auto options = one_worker();
    options.tcp_clients = 10;
    Server server(options, handler);
    server.start();
    std::vector<Fd> silent;
    for (int i = 0; i < 40; ++i)
        silent.push_back(test::connect_to(server.endpoints()[0], SOCK_STREAM));
    Fd fresh = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    EXPECT_TRUE(answered(fresh.get(), 7));
    EXPECT_LE(server.tcp_connections(), 10u);
}

TEST(TcpLimits, AConnectionThatNeverCompletesAQueryMeetsTheInitialTimeout) {
    test::EchoHandler handler;
    auto options = one_worker();
    options.tcp_initial_timeout = 300ms;
    options.tcp_idle_timeout = 5s;
    Server server(options, handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    // A 65,535-octet query announced, then an octet of it every 100 ms: progress of a kind, never a query.
    test::send_all(client.get(), {0xFF, 0xFF});
    std::thread trickle([fd = client.get()] {
        for (int i = 0; i < 15; ++i) {
            const std::uint8_t octet = 0;
            if (::send(fd, &octet, 1, MSG_NOSIGNAL) != 1) return;
            std::this_thread::sleep_for(100ms);
        }
    });
    const auto waited = time_to_close(client.get(), 3000ms);
    trickle.join();
    EXPECT_GE(waited, 200ms);
    EXPECT_LT(waited, 1500ms);
}

TEST(TcpLimits, KeepaliveClientsGetTheKeepaliveTimeout) {
    test::EchoHandler handler;
    auto options = one_worker();
    options.tcp_idle_timeout = 200ms;
    options.tcp_keepalive_timeout = 1500ms;
    Server server(options, handler);
    server.start();
    Fd plain = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    Fd keepalive = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    ASSERT_TRUE(answered(plain.get(), 1));
    ASSERT_TRUE(answered(keepalive.get(), 2, 'K'));
    EXPECT_LT(time_to_close(plain.get(), 3000ms), 1000ms);
    EXPECT_GE(time_to_close(keepalive.get(), 4000ms), 800ms);
}

}  // namespace
}  // namespace cairn::net
