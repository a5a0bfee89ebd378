// What TSIG costs the query path: a whole answer from the engine on a small zone (whose parser flags a TSIG
// record for free: Result::tsig), the record walk that tsig_present does for requests no view matches
// without a key, and the verify + sign work of a signed query, per algorithm.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "auth/engine.hpp"
#include "bench_records.hpp"
#include "dns/name.hpp"
#include "dns/tsig.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"

namespace {

using namespace cairn;
using bench::edns_query;

constexpr int kQueries = 1024;
constexpr std::uint64_t kNow = 1700000000;

const zone::ZoneTable& zones() {
    static const zone::ZoneTable table = bench::host_zone(kQueries);
    return table;
}

void BM_EngineAnswer(benchmark::State& state) {
    const auto queries = bench::host_queries(kQueries);
    const auth::Engine engine{auth::Settings{}};
    auth::ClientInfo client;
    client.now = static_cast<std::uint32_t>(kNow);
    std::vector<std::uint8_t> out(65535);
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(engine.answer(zones(), queries[i++ & (kQueries - 1)], client, out).size);
    }
}

// Only paid by requests that match no view unsigned (they may match one by key).
void BM_TsigPresentUnsigned(benchmark::State& state) {
    const auto queries = bench::host_queries(kQueries);
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(dns::tsig_present(queries[i++ & (kQueries - 1)]));
    }
}

void BM_SignedQueryVerifyAndSign(benchmark::State& state) {
    const auto algorithm = static_cast<dns::TsigAlgorithm>(state.range(0));
    dns::TsigKey key;
    key.name = dns::Name::from_text("k.example.");
    key.algorithm = algorithm;
    key.secret.assign(32, 7);
    dns::TsigKeyring ring;
    ring.add(key);
    std::vector<std::uint8_t> query = edns_query(42);
    dns::TsigSignOptions options;
    options.time_signed = kNow;
    dns::tsig_sign(query, key, options);
    const auth::Engine engine{auth::Settings{}};
    auth::ClientInfo client;
    std::vector<std::uint8_t> out(65535);
    const std::size_t size = engine.answer(zones(), query, client, out).size;
    for (auto _ : state) {
        const dns::TsigVerification verified = dns::tsig_verify_request(query, ring, kNow);
        std::vector<std::uint8_t> answer(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size));
        dns::tsig_sign_response(answer, verified, kNow);
        benchmark::DoNotOptimize(answer.data());
    }
    state.SetLabel(std::string(dns::tsig_algorithm_config_name(algorithm)));
}

}  // namespace

BENCHMARK(BM_EngineAnswer);
BENCHMARK(BM_TsigPresentUnsigned);
BENCHMARK(BM_SignedQueryVerifyAndSign)->DenseRange(0, 5);
