// The TCP exchange's limits against a peer that answers a little and then stalls, or keeps trickling: the
// idle limit (BIND's max-transfer-idle-in) holds from the first octet received, also inside the first
// message; the first-message timeout covers only a peer that never says anything; a transfer's failures
// are named in BIND's words.
#include "lifecycle/exchange.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "lifecycle/reactor.hpp"

namespace cairn::lifecycle {
namespace {

using namespace std::chrono_literals;

// Accepts one connection on 127.0.0.1 and sends `octets` of a 500-octet message, one every `every`
// (zero: all at once), then holds the connection without sending more until destroyed.
class StallingPeer {
  public:
    StallingPeer(std::size_t octets, std::chrono::milliseconds every) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        socklen_t size = sizeof address;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
        port_ = ntohs(address.sin_port);
        ::listen(listener_, 1);
        thread_ = std::thread([this, octets, every] {
            const int connection = ::accept(listener_, nullptr, nullptr);
            if (connection < 0) return;
            std::uint8_t message[502] = {0x01, 0xF4};  // length 500
            for (std::size_t sent = 0; sent < octets && !stopping_; ++sent) {
                if (::send(connection, message + sent, 1, MSG_NOSIGNAL) != 1) break;
                if (every.count() > 0) std::this_thread::sleep_for(every);
            }
            while (!stopping_)
                std::this_thread::sleep_for(10ms);
            ::close(connection);
        });
    }
    ~StallingPeer() {
        stopping_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        ::close(listener_);
    }
    Peer peer() const {
        Peer peer;
        peer.address = dns::IpAddress::parse("127.0.0.1").value();
        peer.port = port_;
        return peer;
    }

  private:
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

struct Ended {
    std::string what;
    std::chrono::milliseconds after;
};

Ended run(const StallingPeer& peer, TcpExchange::Options options) {
    Reactor reactor;
    reactor.start();
    std::promise<Ended> ended;
    std::unique_ptr<TcpExchange> exchange;
    const auto began = std::chrono::steady_clock::now();
    reactor.post([&] {
        exchange = std::make_unique<TcpExchange>(
            reactor, peer.peer(), std::vector<std::uint8_t>{0, 0}, options,
            [](std::span<const std::uint8_t>) { return true; },
            [&](TcpExchange::End, std::optional<Failure> failure) {
                ended.set_value(
                    {failure ? failure->what : "", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       std::chrono::steady_clock::now() - began)});
            });
    });
    Ended result = ended.get_future().get();
    std::promise<void> gone;
    reactor.post([&] {
        exchange.reset();
        gone.set_value();
    });
    gone.get_future().wait();
    return result;
}

TcpExchange::Options transfer_options() {
    TcpExchange::Options options;
    options.connect_timeout = options.first_message_timeout = 100ms;
    options.idle_timeout = 600ms;
    options.total_timeout = 10s;
    options.transfer = true;
    return options;
}

TEST(TcpExchange, ThePeerStallingInsideTheFirstMessageIsGivenUpAtTheIdleLimit) {
    StallingPeer peer(50, 0ms);
    const Ended ended = run(peer, transfer_options());
    EXPECT_NE(ended.what.find("maximum idle time exceeded"), std::string::npos) << ended.what;
    EXPECT_NE(ended.what.find("timed out"), std::string::npos) << ended.what;
    EXPECT_GE(ended.after, 550ms);  // not the 100 ms meant for a peer that says nothing at all
}

TEST(TcpExchange, APeerThatSaysNothingIsGivenUpAtTheFirstMessageTimeout) {
    StallingPeer peer(0, 0ms);
    const Ended ended = run(peer, transfer_options());
    EXPECT_NE(ended.what.find("no answer within 100 ms"), std::string::npos) << ended.what;
    EXPECT_LT(ended.after, 550ms);
}

TEST(TcpExchange, ATricklingTransferIsGivenUpAtTheTotalLimitInBindsWords) {
    StallingPeer peer(500, 20ms);  // an octet every 20 ms: never idle, never done within a second
    TcpExchange::Options options = transfer_options();
    options.total_timeout = 1s;
    const Ended ended = run(peer, options);
    EXPECT_NE(ended.what.find("maximum transfer time exceeded (1 s, after 0 messages): timed out"),
              std::string::npos)
        << ended.what;
    EXPECT_GE(ended.after, 950ms);
}

}  // namespace
}  // namespace cairn::lifecycle
