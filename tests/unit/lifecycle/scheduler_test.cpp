// The event thread's pieces on their own: the Reactor's timers, posts and sockets; the Scheduler's rule of
// one event per zone at a time (expire excepted) and its held network events; BIND's limits in the
// RequestGate (serial-query-rate, transfers-in, transfers-per-ns, urgent checks first).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <vector>

#include "lifecycle/events.hpp"
#include "lifecycle/reactor.hpp"
#include "lifecycle/request_gate.hpp"

namespace cairn::lifecycle {
namespace {

using namespace std::chrono_literals;

// Runs `task` on the reactor thread and waits for it.
template <typename F>
void on(Reactor& reactor, F&& task) {
    std::promise<void> done;
    reactor.post([&] {
        task();
        done.set_value();
    });
    done.get_future().wait();
}

TEST(Reactor, TimersFireInOrderAndCancelledOnesNever) {
    Reactor reactor;
    reactor.start();
    std::vector<int> fired;
    std::promise<void> last;
    on(reactor, [&] {
        reactor.after(30ms, [&] { fired.push_back(3); });
        reactor.after(10ms, [&] { fired.push_back(1); });
        const auto cancelled = reactor.after(20ms, [&] { fired.push_back(2); });
        reactor.cancel(cancelled);
        reactor.after(40ms, [&] { last.set_value(); });
    });
    last.get_future().wait();
    EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

TEST(Reactor, WatchesASocketAndAHandlerMayUnwatchItself) {
    Reactor reactor;
    reactor.start();
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, pair), 0);
    std::promise<int> got;
    on(reactor, [&] {
        reactor.watch(pair[0], 1 /* EPOLLIN */, [&](std::uint32_t) {
            char byte = 0;
            [[maybe_unused]] auto n = ::recv(pair[0], &byte, 1, 0);
            reactor.unwatch(pair[0]);
            got.set_value(byte);
        });
    });
    const char byte = 'x';
    ASSERT_EQ(::send(pair[1], &byte, 1, 0), 1);
    EXPECT_EQ(got.get_future().get(), 'x');
    on(reactor, [&] { EXPECT_EQ(reactor.watched(), 0u); });
    ::close(pair[0]);
    ::close(pair[1]);
}

TEST(Scheduler, OneEventOfAZoneAtATimeAndExpireRunsAnyway) {
    Reactor reactor;
    reactor.start();
    Scheduler scheduler(reactor);
    ZoneEvents events;
    std::vector<EventType> started;
    std::promise<void> expired;
    events.dispatch = [&](EventType type) {
        started.push_back(type);
        if (type == EventType::expire) expired.set_value();
        // refresh never calls done(): it stays running
        if (type == EventType::notify) scheduler.done(events);
    };
    on(reactor, [&] {
        scheduler.schedule(events, EventType::refresh, wall_now());
        scheduler.schedule(events, EventType::notify, wall_now() + 5);
        scheduler.schedule(events, EventType::expire, wall_now() + 20);
    });
    expired.get_future().wait();
    std::this_thread::sleep_for(50ms);
    on(reactor, [&] {
        // notify came due while refresh ran: it waits; expire did not.
        EXPECT_EQ(started, (std::vector<EventType>{EventType::refresh, EventType::expire}));
        scheduler.done(events);  // refresh over: notify starts now
    });
    std::this_thread::sleep_for(50ms);
    on(reactor, [&] {
        EXPECT_EQ(started.back(), EventType::notify);
        scheduler.freeze(events);
    });
}

TEST(Scheduler, HeldEventsWaitForTheRelease) {
    Reactor reactor;
    reactor.start();
    Scheduler scheduler(reactor);
    ZoneEvents events;
    std::vector<EventType> started;
    events.dispatch = [&](EventType type) {
        started.push_back(type);
        scheduler.done(events);
    };
    on(reactor, [&] {
        scheduler.hold(events, 1u << static_cast<unsigned>(EventType::refresh));
        scheduler.schedule(events, EventType::refresh, wall_now());
        scheduler.schedule(events, EventType::load, wall_now());
    });
    std::this_thread::sleep_for(50ms);
    on(reactor, [&] {
        EXPECT_EQ(started, (std::vector<EventType>{EventType::load}));
        scheduler.release(events);
    });
    std::this_thread::sleep_for(50ms);
    on(reactor, [&] {
        EXPECT_EQ(started, (std::vector<EventType>{EventType::load, EventType::refresh}));
        scheduler.freeze(events);
    });
}

TEST(RequestGate, SerialQueryRateAndUrgentChecksFirst) {
    Reactor reactor;
    reactor.start();
    RequestGate gate(reactor);
    std::vector<int> order;
    on(reactor, [&] {
        gate.set_limits({10, 2, 2});  // two SOA queries a second
        for (int i = 0; i < 4; ++i)
            gate.soa_query(false, [&order, i] { order.push_back(i); });
        gate.soa_query(true, [&order] { order.push_back(99); });
        EXPECT_EQ(order, (std::vector<int>{0}));  // one at a time: no burst of a second's worth
    });
    std::this_thread::sleep_for(700ms);
    on(reactor, [&] {
        ASSERT_GE(order.size(), 2u);
        EXPECT_LE(order.size(), 3u);  // at most two a second (and the clock's slack)
        EXPECT_EQ(order[1], 99);      // the urgent one went ahead of 1, 2 and 3
    });
}

TEST(RequestGate, TransfersPerPrimaryNeverHoldUpAnotherPrimary) {
    Reactor reactor;
    reactor.start();
    RequestGate gate(reactor);
    std::vector<std::string> running;
    on(reactor, [&] {
        gate.set_limits({3, 2, 20});
        for (int i = 0; i < 3; ++i)
            gate.transfer("dead#53", 2, [&] { running.push_back("dead"); });
        gate.transfer("alive#53", 2, [&] { running.push_back("alive"); });
        // dead has its two; the third waits; alive takes the last of transfers-in.
        EXPECT_EQ(running, (std::vector<std::string>{"dead", "dead", "alive"}));
        gate.transfer("alive#53", 2, [&] { running.push_back("alive"); });
        EXPECT_EQ(running.size(), 3u);  // transfers-in is full
        gate.transfer_done("alive#53");
        EXPECT_EQ(running.back(), "alive");  // the next for an idle primary, not the third dead one
        EXPECT_EQ(gate.waiting(), 1u);
    });
}

}  // namespace
}  // namespace cairn::lifecycle
