// ns per answered query on a 100k-name zone, for each kind of answer: positive hit, NXDOMAIN, referral,
// wildcard, CNAME, plus a hit with a DNS Cookie. Queries rotate over many names so lookups are not all
// served from one cache line.
#include <benchmark/benchmark.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "auth/engine.hpp"
#include "bench_records.hpp"
#include "dns/name.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"

namespace {

using namespace cairn;
using bench::name_wire;
using bench::put16;
using bench::query;
using bench::record;

constexpr int kNames = 100000;
constexpr int kDelegations = 1000;
constexpr int kQueries = 4096;

std::vector<std::uint8_t> ipv4(int i) {
    return {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
            static_cast<std::uint8_t>(i)};
}

const zone::ZoneTable& zones() {
    static const zone::ZoneTable table = [] {
        std::vector<zone::Record> records = bench::apex_records();
        records.push_back(record("ns1.example.", dns::RRType::A, ipv4(1)));
        for (int i = 0; i < kNames; ++i) {
            records.push_back(record("host" + std::to_string(i) + ".example.", dns::RRType::A, ipv4(i)));
        }
        for (int i = 0; i < kDelegations; ++i) {
            const std::string sub = "sub" + std::to_string(i) + ".example.";
            records.push_back(record(sub, dns::RRType::NS, name_wire("ns1." + sub)));
            records.push_back(record(sub, dns::RRType::NS, name_wire("ns2." + sub)));
            records.push_back(record("ns1." + sub, dns::RRType::A, ipv4(i)));
            records.push_back(record("ns2." + sub, dns::RRType::A, ipv4(i + 1)));
        }
        records.push_back(record("*.wild.example.", dns::RRType::A, ipv4(7)));
        records.push_back(record("alias.example.", dns::RRType::CNAME, name_wire("host42.example.")));
        return zone::ZoneTable({zone::Zone::build(dns::Name::from_text("example."), std::move(records))});
    }();
    return table;
}

// How the server meets the zone: `queries` distinct names (a power of two), and optionally a system call
// before each query. With page-table isolation and no PCID (this VM) every system call empties the TLB,
// as each recvmmsg/sendmmsg does between batches of one or two queries in the UDP server.
struct Access {
    int queries = kQueries;
    bool syscall = false;
};

template <typename MakeName>
void run(benchmark::State& state, MakeName make_name, dns::RRType type = dns::RRType::A, bool cookie = false,
         Access access = {}) {
    std::vector<std::vector<std::uint8_t>> queries;
    for (int i = 0; i < access.queries; ++i)
        queries.push_back(query(make_name(i), type, cookie));
    const std::size_t mask = static_cast<std::size_t>(access.queries) - 1;
    const auth::Engine engine{auth::Settings{}};
    const auto& table = zones();
    auth::ClientInfo client;
    client.address = {127, 0, 0, 1};
    client.now = 1700000000;
    std::vector<std::uint8_t> out(65535);
    std::size_t i = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        if (access.syscall) ::syscall(SYS_getppid);
        const auto r = engine.answer(table, queries[i++ & mask], client, out);
        bytes += r.size;
        benchmark::DoNotOptimize(out.data());
    }
    if (bytes == 0) state.SkipWithError("no responses");
    state.counters["bytes/query"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

// Batches of `batch` scattered hits after one system call (as the UDP server meets them), answered with and
// without Engine::prefetch first; time per answered query.
void batch_run(benchmark::State& state, std::size_t batch, bool prefetch) {
    constexpr int kDistinct = 1 << 16;
    std::vector<std::vector<std::uint8_t>> queries;
    for (int i = 0; i < kDistinct; ++i)
        queries.push_back(
            query("host" + std::to_string(i * 7919 % kNames) + ".example.", dns::RRType::A, false));
    const auth::Engine engine{auth::Settings{}};
    const auto& table = zones();
    auth::ClientInfo client;
    client.address = {127, 0, 0, 1};
    client.now = 1700000000;
    std::vector<std::uint8_t> out(4096 * batch);
    std::vector<std::span<const std::uint8_t>> spans(batch);
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        ::syscall(SYS_getppid);
        for (std::size_t k = 0; k < batch; ++k)
            spans[k] = queries[(i + k) & (kDistinct - 1)];
        if (prefetch) engine.prefetch(table, spans);
        for (std::size_t k = 0; k < batch; ++k)
            bytes += engine.answer(table, spans[k], client, {out.data() + 4096 * k, 4096}).size;
        i += batch;
        benchmark::DoNotOptimize(out.data());
    }
    if (bytes == 0) state.SkipWithError("no responses");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
void BM_Batch8(benchmark::State& s) {
    batch_run(s, 8, false);
}
void BM_Batch8Prefetch(benchmark::State& s) {
    batch_run(s, 8, true);
}

void BM_Hit(benchmark::State& s) {
    run(s, [](int i) { return "host" + std::to_string(i * 24 % kNames) + ".example."; });
}
void BM_HitCookie(benchmark::State& s) {
    run(
        s, [](int i) { return "host" + std::to_string(i * 24 % kNames) + ".example."; }, dns::RRType::A,
        true);
}
void BM_Nodata(benchmark::State& s) {
    run(
        s, [](int i) { return "host" + std::to_string(i * 24 % kNames) + ".example."; }, dns::RRType::AAAA);
}
// Every name of the zone in a scattered order: lookups miss the caches as they do in the server.
void BM_HitCold(benchmark::State& s) {
    run(s, [](int i) { return "host" + std::to_string(i * 7919 % kNames) + ".example."; }, dns::RRType::A,
        false, {1 << 16, false});
}
void BM_HitColdAfterSyscall(benchmark::State& s) {
    run(s, [](int i) { return "host" + std::to_string(i * 7919 % kNames) + ".example."; }, dns::RRType::A,
        false, {1 << 16, true});
}
void BM_Nxdomain(benchmark::State& s) {
    run(s, [](int i) { return "nohost" + std::to_string(i) + ".example."; });
}
void BM_Referral(benchmark::State& s) {
    run(s, [](int i) { return "www.sub" + std::to_string(i % kDelegations) + ".example."; });
}
void BM_Wildcard(benchmark::State& s) {
    run(s, [](int i) { return "w" + std::to_string(i) + ".wild.example."; });
}
void BM_Cname(benchmark::State& s) {
    run(s, [](int) { return std::string("alias.example."); });
}
void BM_Refused(benchmark::State& s) {
    run(s, [](int i) { return "host" + std::to_string(i) + ".example.org."; });
}

}  // namespace

BENCHMARK(BM_Hit);
BENCHMARK(BM_Batch8);
BENCHMARK(BM_Batch8Prefetch);
BENCHMARK(BM_HitCookie);
BENCHMARK(BM_HitCold);
BENCHMARK(BM_HitColdAfterSyscall);
BENCHMARK(BM_Nodata);
BENCHMARK(BM_Nxdomain);
BENCHMARK(BM_Referral);
BENCHMARK(BM_Wildcard);
BENCHMARK(BM_Cname);
BENCHMARK(BM_Refused);
