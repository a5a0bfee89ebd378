// What response rate limiting costs the query path when nobody is limited: the engine's answer alone, and
// the answer followed by what server::RateLimit::apply adds for a UDP response (classifying the response
// and debiting its account), for answers spread over many names from one client block (an account per
// name, as a busy resolver's traffic looks) and for many clients (a table miss for most responses).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "auth/engine.hpp"
#include "bench_records.hpp"
#include "rrl/rate_limiter.hpp"
#include "rrl/response_key.hpp"

namespace {

using namespace cairn;

constexpr int kQueries = 1024;
constexpr std::uint32_t kNow = 1700000000;

const zone::ZoneTable& zones() {
    static const zone::ZoneTable table = bench::host_zone(kQueries);
    return table;
}

void BM_Answer(benchmark::State& state) {
    const auto qs = bench::host_queries(kQueries);
    const auth::Engine engine{auth::Settings{}};
    auth::ClientInfo client;
    client.now = kNow;
    std::vector<std::uint8_t> out(4096);
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(engine.answer(zones(), qs[i++ & (kQueries - 1)], client, out).size);
}

// range(0): distinct client addresses (1: one block, every account a name's).
void BM_AnswerRateLimited(benchmark::State& state) {
    const auto qs = bench::host_queries(kQueries);
    const auth::Engine engine{auth::Settings{}};
    rrl::Limits limits;
    limits.responses_per_second = limits.nxdomains_per_second = limits.errors_per_second = 1000;
    rrl::RateLimiter limiter(limits);
    std::vector<dns::IpAddress> clients;
    for (int c = 0; c < state.range(0); ++c)
        clients.push_back(*dns::IpAddress::parse("10." + std::to_string(c >> 8 & 255) + "." +
                                                 std::to_string(c & 255) + ".1"));
    auth::ClientInfo client;
    client.now = kNow;
    std::vector<std::uint8_t> out(4096);
    std::size_t i = 0;
    std::uint32_t second = kNow;
    for (auto _ : state) {
        const auth::Result result = engine.answer(zones(), qs[i & (kQueries - 1)], client, out);
        rrl::ResponseFacts facts;
        facts.rcode = result.rcode;
        facts.wildcard = result.wildcard;
        const rrl::ResponseKey key = rrl::describe_response(std::span(out).first(result.size), facts);
        // A new second every 64k responses: no account ever reaches its rate.
        if ((++i & 0xFFFF) == 0) ++second;
        benchmark::DoNotOptimize(limiter.check(clients[i % clients.size()], key, second, 0).verdict);
    }
}

}  // namespace

BENCHMARK(BM_Answer);
BENCHMARK(BM_AnswerRateLimited)->Arg(1)->Arg(4096);
