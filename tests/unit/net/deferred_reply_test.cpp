// Replies given later (kReplyLater + DeferredReply): over UDP from another thread, from the address the
// query was sent to even on a wildcard socket; over TCP handed back to the connection, which stays open
// while it waits (past tcp-idle-timeout), and lost quietly when the client has gone.
#include "net/deferred_reply.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "net/server.hpp"
#include "test_client.hpp"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

// Keeps every query for later; answers queries whose payload starts with 'N' at once.
class LaterHandler : public PacketHandler {
  public:
    std::size_t handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                       const ClientInfo& client) override {
        if (query.size() > 12 && query[12] == 'N') {
            std::copy(query.begin(), query.end(), response.begin());
            response[2] |= 0x80;
            return query.size();
        }
        std::lock_guard lock(mutex_);
        parked_.push_back({DeferredReply(client), std::vector<std::uint8_t>(query.begin(), query.end())});
        return kReplyLater;
    }

    // Waits (bounded) until `count` queries are parked.
    bool wait_parked(std::size_t count) {
        for (int i = 0; i < 300; ++i) {
            {
                std::lock_guard lock(mutex_);
                if (parked_.size() >= count) return true;
            }
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    // Answers every parked query from a thread of its own, in reverse order; returns how many sends worked.
    int answer_all_from_another_thread(bool abandon = false) {
        std::vector<Parked> parked;
        {
            std::lock_guard lock(mutex_);
            parked.swap(parked_);
        }
        int sent = 0;
        std::thread([&] {
            for (auto it = parked.rbegin(); it != parked.rend(); ++it) {
                if (abandon) {
                    it->reply.abandon();
                    continue;
                }
                std::vector<std::uint8_t> message = it->query;
                message[2] |= 0x80;
                sent += it->reply.send(message) ? 1 : 0;
            }
        }).join();
        return sent;
    }

  private:
    struct Parked {
        DeferredReply reply;
        std::vector<std::uint8_t> query;
    };
    std::mutex mutex_;
    std::vector<Parked> parked_;
};

ServerOptions options_for(const char* address) {
    ServerOptions o;
    o.listen.push_back(Endpoint{*dns::IpAddress::parse(address), 0});
    o.workers = 1;
    return o;
}

TEST(DeferredReply, UdpReplyLeavesFromAnotherThread) {
    LaterHandler handler;
    Server server(options_for("127.0.0.1"), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_DGRAM);
    for (std::uint16_t id = 1; id <= 3; ++id)
        test::send_all(client.get(), test::message(id, {'x'}));
    ASSERT_TRUE(handler.wait_parked(3));
    EXPECT_FALSE(test::udp_receive(client.get(), 50)) << "nothing is sent before the answer exists";
    EXPECT_EQ(handler.answer_all_from_another_thread(), 3);
    std::vector<std::uint16_t> ids;
    for (int i = 0; i < 3; ++i) {
        auto reply = test::udp_receive(client.get(), 2000);
        ASSERT_TRUE(reply);
        EXPECT_TRUE((*reply)[2] & 0x80);
        ids.push_back(test::id_of(*reply));
    }
    EXPECT_EQ(ids, (std::vector<std::uint16_t>{3, 2, 1}));
}

TEST(DeferredReply, UdpReplyOnAWildcardSocketComesFromTheAddressAsked) {
    LaterHandler handler;
    Server server(options_for("0.0.0.0"), handler);
    server.start();
    // 127.0.0.2 is a loopback address like any other; a reply from 127.0.0.1 would not reach a socket
    // connected to 127.0.0.2 (the kernel filters on the connected peer).
    Fd client = test::connect_to(Endpoint{*dns::IpAddress::parse("127.0.0.2"), server.endpoints()[0].port},
                                 SOCK_DGRAM);
    test::send_all(client.get(), test::message(7, {'x'}));
    ASSERT_TRUE(handler.wait_parked(1));
    EXPECT_EQ(handler.answer_all_from_another_thread(), 1);
    auto reply = test::udp_receive(client.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 7);
}

TEST(DeferredReply, TcpRepliesComeBackOnTheConnectionAmongImmediateOnes) {
    LaterHandler handler;
    Server server(options_for("127.0.0.1"), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    std::vector<std::uint8_t> burst;
    for (const auto& m : {test::message(1, {'x'}), test::message(2, {'N'}), test::message(3, {'x'})}) {
        auto framed = test::framed(m);
        burst.insert(burst.end(), framed.begin(), framed.end());
    }
    test::send_all(client.get(), burst);
    auto first = test::tcp_receive(client.get(), 2000);
    ASSERT_TRUE(first);
    EXPECT_EQ(test::id_of(*first), 2) << "the immediate answer overtakes the ones still pending";
    ASSERT_TRUE(handler.wait_parked(2));
    // The client closes its side: the connection stays until what it owes has gone out.
    ::shutdown(client.get(), SHUT_WR);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(handler.answer_all_from_another_thread(), 2);
    auto second = test::tcp_receive(client.get(), 2000);
    auto third = test::tcp_receive(client.get(), 2000);
    ASSERT_TRUE(second && third);
    EXPECT_EQ(test::id_of(*second), 3);
    EXPECT_EQ(test::id_of(*third), 1);
    EXPECT_TRUE(test::closed_by_peer(client.get(), 2000)) << "closed once nothing is owed";
}

TEST(DeferredReply, AConnectionOwedAReplyOutlivesTheIdleTimeout) {
    LaterHandler handler;
    auto options = options_for("127.0.0.1");
    options.tcp_initial_timeout = 200ms;
    options.tcp_idle_timeout = 200ms;
    Server server(options, handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(client.get(), test::framed(test::message(1, {'x'})));
    ASSERT_TRUE(handler.wait_parked(1));
    EXPECT_FALSE(test::closed_by_peer(client.get(), 800)) << "a client waiting for its answer is not idle";
    EXPECT_EQ(handler.answer_all_from_another_thread(), 1);
    const auto reply = test::tcp_receive(client.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 1);
    EXPECT_TRUE(test::closed_by_peer(client.get(), 3000)) << "idle once answered: the idle timeout applies";
}

TEST(DeferredReply, AbandonedTcpRepliesLetTheConnectionClose) {
    LaterHandler handler;
    Server server(options_for("127.0.0.1"), handler);
    server.start();
    Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(client.get(), test::framed(test::message(1, {'x'})));
    ASSERT_TRUE(handler.wait_parked(1));
    ::shutdown(client.get(), SHUT_WR);
    EXPECT_FALSE(test::closed_by_peer(client.get(), 100)) << "still owed a reply";
    handler.answer_all_from_another_thread(/*abandon=*/true);
    EXPECT_TRUE(test::closed_by_peer(client.get(), 2000));
}

TEST(DeferredReply, ReplyToAClientThatWentAwayClosesTheConnection) {
    LaterHandler handler;
    Server server(options_for("127.0.0.1"), handler);
    server.start();
    {
        Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
        test::send_all(client.get(), test::framed(test::message(1, {'x'})));
        ASSERT_TRUE(handler.wait_parked(1));
    }  // closed: end of stream for the server, which cannot tell it from a half-close, so it waits
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(server.tcp_connections(), 1u);
    EXPECT_EQ(handler.answer_all_from_another_thread(), 1);
    // Writing to the closed socket draws a reset, and the connection goes.
    for (int i = 0; i < 200 && server.tcp_connections() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server.tcp_connections(), 0u);
    // The worker is still well: a new connection is served.
    Fd again = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(again.get(), test::framed(test::message(9, {'N'})));
    auto reply = test::tcp_receive(again.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 9);
}

TEST(DeferredReply, ReplyForAResetConnectionIsDropped) {
    LaterHandler handler;
    Server server(options_for("127.0.0.1"), handler);
    server.start();
    {
        Fd client = test::connect_to(server.endpoints()[0], SOCK_STREAM);
        test::send_all(client.get(), test::framed(test::message(1, {'x'})));
        ASSERT_TRUE(handler.wait_parked(1));
        const linger reset{1, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }  // closed with a reset: the server drops the connection although it owes a reply
    for (int i = 0; i < 200 && server.tcp_connections() != 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server.tcp_connections(), 0u);
    EXPECT_EQ(handler.answer_all_from_another_thread(), 1);  // posted, then dropped by the worker
    Fd again = test::connect_to(server.endpoints()[0], SOCK_STREAM);
    test::send_all(again.get(), test::framed(test::message(9, {'N'})));
    auto reply = test::tcp_receive(again.get(), 2000);
    ASSERT_TRUE(reply);
    EXPECT_EQ(test::id_of(*reply), 9);
}

}  // namespace
}  // namespace cairn::net
