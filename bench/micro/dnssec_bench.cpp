// DNSSEC micro-benchmarks: RRSIG verification and signing per algorithm (an A RRset of two records, the
// signed data built each time as a validator builds it; the public key parsed once, as a validator caches
// it), NSEC3 hashing by iteration count, and signed answers (DO) against the same zone unsigned, for an
// NSEC and an opt-out NSEC3 chain.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "../../tests/unit/test_zone_signer.hpp"
#include "auth/engine.hpp"
#include "bench_records.hpp"
#include "dnssec/nsec3.hpp"
#include "dnssec/signature.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"

namespace {

using namespace cairn;
using bench::name_wire;
using bench::put16;
using bench::record;

struct SignedRRset {
    std::vector<std::uint8_t> owner = name_wire("www.example.");
    std::vector<std::uint8_t> a1 = {192, 0, 2, 1}, a2 = {192, 0, 2, 2};
    std::vector<dnssec::Bytes> rdatas{a1, a2};
    std::vector<std::uint8_t> dnskey, rrsig;
    dnssec::PrivateKey key;
    dnssec::RRsetRef ref() const { return {owner, dns::RRType::A, dns::RRClass::IN, rdatas}; }

    explicit SignedRRset(std::uint8_t algorithm)
        : key(dnssec::PrivateKey::generate(algorithm, algorithm == 8 || algorithm == 10 ? 2048 : 0)) {
        dnskey = dnssec::dnskey_rdata(256, algorithm, key.public_key_field());
        const dnssec::SignatureFields f{dns::RRType::A,
                                        algorithm,
                                        2,
                                        300,
                                        2000000000,
                                        1700000000,
                                        dnssec::key_tag(dnskey),
                                        dns::Name::from_text("example.")};
        rrsig = dnssec::sign_rrset(ref(), f, key);
    }
};

void BM_Verify(benchmark::State& state) {
    const SignedRRset s(static_cast<std::uint8_t>(state.range(0)));
    const auto pub = dnssec::PublicKey::from_dnskey_rdata(s.dnskey);
    for (auto _ : state) {
        const auto result = dnssec::verify_rrsig(s.ref(), s.rrsig, s.dnskey, *pub);
        if (result != dnssec::SignatureFailure::none) state.SkipWithError("did not verify");
        benchmark::DoNotOptimize(result);
    }
    state.SetLabel(std::string(dns::dnssec_algorithm_mnemonic(static_cast<std::uint8_t>(state.range(0)))));
}
BENCHMARK(BM_Verify)->Arg(8)->Arg(10)->Arg(13)->Arg(14)->Arg(15)->Arg(16);

void BM_Sign(benchmark::State& state) {
    const auto algorithm = static_cast<std::uint8_t>(state.range(0));
    const SignedRRset s(algorithm);
    const dnssec::SignatureFields f{dns::RRType::A,
                                    algorithm,
                                    2,
                                    300,
                                    2000000000,
                                    1700000000,
                                    dnssec::key_tag(s.dnskey),
                                    dns::Name::from_text("example.")};
    for (auto _ : state)
        benchmark::DoNotOptimize(dnssec::sign_rrset(s.ref(), f, s.key));
    state.SetLabel(std::string(dns::dnssec_algorithm_mnemonic(algorithm)));
}
BENCHMARK(BM_Sign)->Arg(8)->Arg(13)->Arg(14)->Arg(15)->Arg(16);

void BM_Nsec3Hash(benchmark::State& state) {
    const auto name = name_wire("host12345.example.com.");
    const std::vector<std::uint8_t> salt = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11};
    dnssec::Nsec3Hash h;
    for (auto _ : state) {
        dnssec::nsec3_hash(name, salt, static_cast<std::uint16_t>(state.range(0)), h);
        benchmark::DoNotOptimize(h);
    }
}
BENCHMARK(BM_Nsec3Hash)->Arg(0)->Arg(1)->Arg(10)->Arg(50)->Arg(150);

// A 20,000-host zone, unsigned and signed (NSEC; NSEC3 opt-out), with delegations and a wildcard.
constexpr int kHosts = 20000;
constexpr int kQueries = 4096;

std::vector<zone::Record> bench_records() {
    std::vector<zone::Record> records;
    auto soa = name_wire("ns1.example.");
    const auto rname = name_wire("hostmaster.example.");
    soa.insert(soa.end(), rname.begin(), rname.end());
    for (int i = 0; i < 5; ++i)
        put16(soa, 0), put16(soa, 3600);
    records.push_back(record("example.", dns::RRType::SOA, soa));
    records.push_back(record("example.", dns::RRType::NS, name_wire("ns1.example.")));
    records.push_back(record("ns1.example.", dns::RRType::A, {192, 0, 2, 1}));
    for (int i = 0; i < kHosts; ++i) {
        records.push_back(record("host" + std::to_string(i) + ".example.", dns::RRType::A,
                                 {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                                  static_cast<std::uint8_t>(i)}));
    }
    for (int i = 0; i < 1000; ++i) {
        const std::string sub = "sub" + std::to_string(i) + ".example.";
        records.push_back(record(sub, dns::RRType::NS, name_wire("ns1." + sub)));
        records.push_back(record("ns1." + sub, dns::RRType::A, {192, 0, 2, 9}));
    }
    records.push_back(record("*.wild.example.", dns::RRType::A, {192, 0, 2, 7}));
    return records;
}

const zone::ZoneTable& table(int kind) {  // 0 unsigned, 1 NSEC, 2 NSEC3 opt-out
    static const auto key = dnssec::PrivateKey::generate(13);
    static const zone::ZoneTable tables[3] = {
        zone::ZoneTable({zone::Zone::build(dns::Name::from_text("example."), bench_records())}),
        zone::ZoneTable(
            {zone::Zone::build(dns::Name::from_text("example."),
                               testing::sign_zone(dns::Name::from_text("example."), bench_records(), key))}),
        zone::ZoneTable({zone::Zone::build(dns::Name::from_text("example."),
                                           testing::sign_zone(dns::Name::from_text("example."),
                                                              bench_records(), key, {true, true, 0, {}}))}),
    };
    return tables[kind];
}

std::vector<std::uint8_t> query(const std::string& name, dns::RRType type, bool dnssec_ok) {
    std::vector<std::uint8_t> q = {0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    const auto n = name_wire(name);
    q.insert(q.end(), n.begin(), n.end());
    put16(q, static_cast<unsigned>(type));
    put16(q, 1);
    q.insert(q.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, static_cast<std::uint8_t>(dnssec_ok ? 0x80 : 0), 0, 0, 0});
    return q;
}

// state.range(0): 0 unsigned zone, 1 NSEC, 2 NSEC3; range(1): DO.
template <typename MakeName>
void answer(benchmark::State& state, MakeName make_name, dns::RRType type = dns::RRType::A) {
    const bool dnssec_ok = state.range(1) != 0;
    std::vector<std::vector<std::uint8_t>> queries;
    for (int i = 0; i < kQueries; ++i)
        queries.push_back(query(make_name(i), type, dnssec_ok));
    const auth::Engine engine{auth::Settings{}};
    const auto& zones = table(static_cast<int>(state.range(0)));
    auth::ClientInfo client;
    client.now = 1700000000;
    std::vector<std::uint8_t> out(65535);
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        bytes += engine.answer(zones, queries[i++ & (kQueries - 1)], client, out).size;
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["bytes/query"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
    const char* zone_kind[] = {"unsigned", "NSEC", "NSEC3"};
    state.SetLabel(std::string(zone_kind[state.range(0)]) + (dnssec_ok ? " DO" : ""));
}

void Variants(benchmark::internal::Benchmark* b) {
    b->Args({0, 0})->Args({1, 0})->Args({1, 1})->Args({2, 0})->Args({2, 1});
}

void BM_SignedHit(benchmark::State& s) {
    answer(s, [](int i) { return "host" + std::to_string(i * 7 % kHosts) + ".example."; });
}
void BM_SignedNodata(benchmark::State& s) {
    answer(
        s, [](int i) { return "host" + std::to_string(i * 7 % kHosts) + ".example."; }, dns::RRType::AAAA);
}
void BM_SignedNxdomain(benchmark::State& s) {
    answer(s, [](int i) { return "nohost" + std::to_string(i) + ".example."; });
}
void BM_SignedWildcard(benchmark::State& s) {
    answer(s, [](int i) { return "w" + std::to_string(i) + ".wild.example."; });
}
void BM_SignedReferral(benchmark::State& s) {
    answer(s, [](int i) { return "www.sub" + std::to_string(i % 1000) + ".example."; });
}
BENCHMARK(BM_SignedHit)->Apply(Variants);
BENCHMARK(BM_SignedNodata)->Apply(Variants);
BENCHMARK(BM_SignedNxdomain)->Apply(Variants);
BENCHMARK(BM_SignedWildcard)->Apply(Variants);
BENCHMARK(BM_SignedReferral)->Apply(Variants);

}  // namespace
