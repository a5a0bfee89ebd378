#include "resolver/context.hpp"

#include <random>

#include "resolver/cache.hpp"
#include "resolver/infra_cache.hpp"
#include "resolver/root_hints.hpp"

namespace cairn::resolver {

ResolverContext::ResolverContext(ResolverSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
    if (settings_.root_hints.empty()) settings_.root_hints = builtin_root_hints();
    std::uint64_t seed = settings_.random_seed;
    if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    rng_state_.store(seed);
    cache_ = std::make_unique<Cache>(settings_.cache, settings_.stale, stats_, random());
    infra_ = std::make_unique<InfraCache>(settings_);
    fetch_limiter_ = std::make_unique<FetchLimiter>(settings_.limits);
}

ResolverContext::~ResolverContext() = default;

std::uint64_t ResolverContext::random() {
    // splitmix64 over an atomic counter: thread-safe, and reproducible from a fixed seed.
    std::uint64_t z =
        rng_state_.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace cairn::resolver
