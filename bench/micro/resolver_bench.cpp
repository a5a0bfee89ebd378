// The resolver's cache-hit path, ns per answered query (the goal is user CPU per hit at most half of
// Unbound's), and the memory a cached RRset costs (the goal: at most Unbound's). The cache holds 100,000
// names; queries rotate over them as a busy resolver meets them.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "bench_records.hpp"
#include "dns/message_query.hpp"
#include "dns/rdata.hpp"
#include "resolver/cache.hpp"
#include "resolver/context.hpp"
#include "resolver/read_section.hpp"

namespace {

using namespace cairn;
using bench::query;

constexpr int kNames = 100000;

resolver::NewEntry a_record(const std::string& owner, int i) {
    resolver::NewEntry e;
    e.owner = dns::Name::from_text(owner);
    e.type = dns::code(dns::RRType::A);
    e.rank = resolver::Rank::auth_answer;
    e.ttl = 86400;
    e.rdatas.push_back({10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                        static_cast<std::uint8_t>(i)});
    e.source = *dns::IpAddress::parse("192.0.2.53");
    return e;
}

resolver::ResolverContext& context() {
    static resolver::ResolverContext* ctx = [] {
        resolver::ResolverSettings s;
        s.random_seed = 1;
        auto* c = new resolver::ResolverContext(s);
        const auto now = c->clock().now_seconds();
        for (int i = 0; i < kNames; ++i)
            c->cache().store(a_record("host" + std::to_string(i) + ".example.", i), now, 0);
        resolver::NewEntry cname;
        cname.owner = dns::Name::from_text("alias.example.");
        cname.type = dns::code(dns::RRType::CNAME);
        cname.rank = resolver::Rank::auth_answer;
        cname.ttl = 86400;
        cname.rdatas.push_back(dns::rdata_from_text(dns::RRType::CNAME, "host42.example.", dns::Name()));
        c->cache().store(cname, now, 0);
        return c;
    }();
    return *ctx;
}

template <typename MakeName>
void run(benchmark::State& state, MakeName make_name, bool parse_each = false, bool hits = true) {
    constexpr int kQueries = 1 << 16;
    std::vector<std::vector<std::uint8_t>> wires;
    std::vector<dns::ParsedQuery> parsed(kQueries);
    for (int i = 0; i < kQueries; ++i) {
        wires.push_back(query(make_name(i), dns::RRType::A));
        dns::parse_query(wires.back(), parsed[static_cast<std::size_t>(i)]);
    }
    const auto& ctx = context();
    std::vector<std::uint8_t> out(65535);
    std::size_t i = 0, bytes = 0;
    resolver::enter_read_section();  // the worker's batch bracket
    for (auto _ : state) {
        const std::size_t k = i++ & (kQueries - 1);
        const auto r = parse_each ? ctx.answer_from_cache(wires[k], out, false)
                                  : ctx.answer_from_cache(parsed[k], out, false);
        bytes += r.size;
        benchmark::DoNotOptimize(out.data());
    }
    resolver::leave_read_section();
    if (hits && bytes == 0) state.SkipWithError("no responses");
    state.counters["bytes/query"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}

// A hit on one of 100,000 names, the query already parsed (the server parses once for all its steps).
void BM_CacheHit(benchmark::State& s) {
    run(s, [](int i) { return "host" + std::to_string(i * 7919 % kNames) + ".example."; });
}
// The same from the wire (the parse included).
void BM_CacheHitFromWire(benchmark::State& s) {
    run(
        s, [](int i) { return "host" + std::to_string(i * 7919 % kNames) + ".example."; }, true);
}
void BM_CacheHitCname(benchmark::State& s) {
    run(s, [](int) { return std::string("alias.example."); });
}
void BM_CacheMiss(benchmark::State& s) {
    run(
        s, [](int i) { return "nohost" + std::to_string(i) + ".example."; }, false, false);
}

// Batches of `batch` scattered hits (as a UDP worker meets them after one recvmmsg), with and without
// ResolverContext::prefetch first; time per answered query.
void batch_run(benchmark::State& state, std::size_t batch, bool prefetch) {
    constexpr int kDistinct = 1 << 16;
    std::vector<std::vector<std::uint8_t>> wires;
    for (int i = 0; i < kDistinct; ++i)
        wires.push_back(query("host" + std::to_string(i * 7919 % kNames) + ".example.", dns::RRType::A));
    std::vector<dns::ParsedQuery> parsed(batch);
    const auto& ctx = context();
    std::vector<std::uint8_t> out(4096 * batch);
    std::vector<std::span<const std::uint8_t>> spans(batch);
    std::size_t i = 0, bytes = 0;
    resolver::enter_read_section();
    for (auto _ : state) {
        for (std::size_t k = 0; k < batch; ++k)
            spans[k] = wires[(i + k) & (kDistinct - 1)];
        if (prefetch) ctx.prefetch(spans);
        for (std::size_t k = 0; k < batch; ++k) {
            dns::parse_query(spans[k], parsed[k]);
            bytes += ctx.answer_from_cache(parsed[k], {out.data() + 4096 * k, 4096}, false).size;
        }
        i += batch;
        benchmark::DoNotOptimize(out.data());
    }
    resolver::leave_read_section();
    if (bytes == 0) state.SkipWithError("no responses");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
void BM_CacheHitBatch8(benchmark::State& s) {
    batch_run(s, 8, false);
}
void BM_CacheHitBatch8Prefetch(benchmark::State& s) {
    batch_run(s, 8, true);
}

// Memory for 100,000 cached A RRsets (one record each, names like host12345.example.): what the cache
// accounts, and what malloc reports it handed out.
void BM_MemoryPerRRset(benchmark::State& state) {
    double accounted = 0, heap = 0;
    for (auto _ : state) {
        resolver::ResolverSettings s;
        s.random_seed = 1;
        const std::size_t heap_before = mallinfo2().uordblks;
        auto ctx = std::make_unique<resolver::ResolverContext>(s);
        const std::uint64_t empty = ctx->cache().bytes();
        const auto now = ctx->clock().now_seconds();
        for (int i = 0; i < kNames; ++i)
            ctx->cache().store(a_record("host" + std::to_string(i) + ".example.", i), now, 0);
        resolver::reclaim_retired();
        accounted = static_cast<double>(ctx->cache().bytes() - empty) / kNames;
        heap = static_cast<double>(mallinfo2().uordblks - heap_before) / kNames;
    }
    state.counters["cache_bytes/rrset"] = accounted;
    state.counters["heap_bytes/rrset"] = heap;
}

}  // namespace

BENCHMARK(BM_CacheHit);
BENCHMARK(BM_CacheHit)->Threads(2);
BENCHMARK(BM_CacheHitFromWire);
BENCHMARK(BM_CacheHitBatch8);
BENCHMARK(BM_CacheHitBatch8Prefetch);
BENCHMARK(BM_CacheHitCname);
BENCHMARK(BM_CacheMiss);
BENCHMARK(BM_MemoryPerRRset)->Iterations(1)->Unit(benchmark::kMillisecond);
