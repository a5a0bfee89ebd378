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
using bench::name_wire;
using bench::put16;
using bench::record;

constexpr int kQueries = 1024;
constexpr std::uint64_t kNow = 1700000000;

const zone::ZoneTable& zones() {
    static const zone::ZoneTable table = [] {
        std::vector<zone::Record> records;
        auto soa = name_wire("ns1.example.");
        const auto rname = name_wire("hostmaster.example.");
        soa.insert(soa.end(), rname.begin(), rname.end());
        for (int i = 0; i < 5; ++i)
            put16(soa, 0), put16(soa, 3600);
        records.push_back(record("example.", dns::RRType::SOA, soa));
        records.push_back(record("example.", dns::RRType::NS, name_wire("ns1.example.")));
        for (int i = 0; i < kQueries; ++i)
            records.push_back(
                record("host" + std::to_string(i) + ".example.", dns::RRType::A,
                       {10, 0, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}));
        return zone::ZoneTable({zone::Zone::build(dns::Name::from_text("example."), std::move(records))});
    }();
    return table;
}

// An EDNS query (ARCOUNT 1: the OPT record), the common case the cheap test has to walk.
std::vector<std::uint8_t> edns_query(int i) {
    std::vector<std::uint8_t> q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    const auto n = name_wire("host" + std::to_string(i) + ".example.");
    q.insert(q.end(), n.begin(), n.end());
    put16(q, 1);
    put16(q, 1);
    q.insert(q.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
    return q;
}

std::vector<std::vector<std::uint8_t>> edns_queries() {
    std::vector<std::vector<std::uint8_t>> out;
    for (int i = 0; i < kQueries; ++i)
        out.push_back(edns_query(i));
    return out;
}

void BM_EngineAnswer(benchmark::State& state) {
    const auto queries = edns_queries();
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
    const auto queries = edns_queries();
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
