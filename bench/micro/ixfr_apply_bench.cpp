// What a secondary spends turning an IXFR into its next zone version: apply_diffs of the xfr benchmark's
// change (10 A records of the 1,000,000-RR zone readdressed, the serial up by one), incrementally
// (Zone::patch) and by the full build it replaced; and 10 new names, which move every node after them. The
// zone file is bench/xfr/run.py's (CAIRN_BENCH_ZONE, default /tmp/cairn-xfr-bench/bench.example.1000000.zone;
// generate it with bench/zone_load/gen_zone.py).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "dns/rdata.hpp"
#include "zone/diff.hpp"
#include "zone/zone.hpp"
#include "zonefile/zone_file.hpp"

namespace {

using namespace cairn;

const dns::Name kOrigin = dns::Name::from_text("bench.example.");

std::shared_ptr<const zone::Zone> bench_zone() {
    static const std::shared_ptr<const zone::Zone> z = []() -> std::shared_ptr<const zone::Zone> {
        const char* env = std::getenv("CAIRN_BENCH_ZONE");
        const std::string path = env ? env : "/tmp/cairn-xfr-bench/bench.example.1000000.zone";
        zonefile::LoadOptions o;
        o.parse.origin = kOrigin;
        auto loaded = zonefile::load_zone_file(path, o);
        if (!loaded.ok) return nullptr;
        return zone::Zone::build(kOrigin, loaded.zone);
    }();
    return z;
}

zone::Record a_record(int host, const std::string& address) {
    return {dns::Name::from_text("host" + std::to_string(host) + ".bench.example."), dns::RRType::A,
            dns::RRClass::IN, 3600, dns::rdata_from_text(dns::RRType::A, address, kOrigin)};
}

// run.py's edit: the first A of host0..host9 (10.0.0.N) moves to 10.250.0.N.
zone::ZoneDiff bench_diff(const zone::Zone& z) {
    zone::ZoneDiff d = zone::next_version(z);
    for (int i = 0; i < 10; ++i) {
        d.removed.push_back(a_record(i, "10.0.0." + std::to_string(i)));
        d.added.push_back(a_record(i, "10.250.0." + std::to_string(i)));
    }
    return d;
}

// 10 new names instead (spread over the zone: every node after the first moves).
zone::ZoneDiff new_names_diff(const zone::Zone& z) {
    zone::ZoneDiff d = bench_diff(z);
    d.removed.clear();
    d.added.clear();
    for (int i = 0; i < 10; ++i) {
        zone::Record r = a_record(0, "10.251.0." + std::to_string(i));
        r.owner = dns::Name::from_text("added" + std::to_string(i * 4999) + ".host" +
                                       std::to_string(i * 4999) + ".bench.example.");
        d.added.push_back(std::move(r));
    }
    return d;
}

void apply(benchmark::State& state, bool allow_patch, bool new_names = false) {
    const auto z = bench_zone();
    if (!z) {
        state.SkipWithError("bench zone not found (CAIRN_BENCH_ZONE)");
        return;
    }
    const std::vector<zone::ZoneDiff> diffs = {new_names ? new_names_diff(*z) : bench_diff(*z)};
    const auto before = zone::apply_counts();
    for (auto _ : state) {
        auto next = zone::apply_diffs(*z, diffs, allow_patch);
        benchmark::DoNotOptimize(next);
    }
    state.counters["patched"] = static_cast<double>(zone::apply_counts().patched - before.patched);
    state.counters["nodes"] = static_cast<double>(z->node_count());
}

void BM_ApplyIxfrIncremental(benchmark::State& state) {
    apply(state, true);
}
void BM_ApplyIxfrFullBuild(benchmark::State& state) {
    apply(state, false);
}

void BM_ApplyIxfrIncrementalNewNames(benchmark::State& state) {
    apply(state, true, true);
}

BENCHMARK(BM_ApplyIxfrIncremental)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_ApplyIxfrIncrementalNewNames)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK(BM_ApplyIxfrFullBuild)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
