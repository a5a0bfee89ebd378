#include "resolver/stats.hpp"

#include "resolver/cache_entry.hpp"

namespace cairn::resolver {

void Stats::rtt(std::uint32_t ms) {
    std::size_t bucket = 0;
    while (bucket < kRttBucketBoundsMs.size() && ms > kRttBucketBoundsMs[bucket])
        ++bucket;
    bump(shard().rtt[bucket], 1);
}

void Stats::servfail(std::uint16_t ede_code) {
    add(Counter::servfail);
    bump(shard().servfail[ede_code < kEdeCodes ? ede_code : 0], 1);
}

void Stats::servfail_without_ede() {
    add(Counter::servfail);
    bump(shard().servfail[kEdeCodes], 1);
}

void Stats::validation(std::uint8_t security, std::uint16_t ede_code) {
    const auto s = static_cast<Security>(security);
    switch (s) {
        case Security::secure:
            add(Counter::answers_secure);
            return;
        case Security::insecure:
        case Security::unchecked:
            add(Counter::answers_insecure);
            return;
        case Security::bogus:
        case Security::indeterminate:
            add(s == Security::bogus ? Counter::answers_bogus : Counter::answers_indeterminate);
            bump(shard().bogus[ede_code < kEdeCodes ? ede_code : 0], 1);
            return;
    }
}

StatsSnapshot Stats::snapshot() const {
    StatsSnapshot s;
    for (const Shard& shard : shards_) {
        for (std::size_t i = 0; i < s.counters.size(); ++i)
            s.counters[i] += shard.counters[i].load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < kRttBuckets; ++i)
            s.rtt_histogram[i] += shard.rtt[i].load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < kEdeCodes; ++i)
            s.servfail_by_ede[i] += shard.servfail[i].load(std::memory_order_relaxed);
        s.servfail_without_ede += shard.servfail[kEdeCodes].load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < kEdeCodes; ++i)
            s.bogus_by_ede[i] += shard.bogus[i].load(std::memory_order_relaxed);
    }
    return s;
}

}  // namespace cairn::resolver
