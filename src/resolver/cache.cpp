#include "resolver/cache.hpp"

namespace cairn::resolver {

struct Cache::Table {};
struct Cache::Shard {};

Cache::Cache(const CacheSettings& settings, const StaleSettings& stale, Stats& stats, std::uint64_t seed)
    : settings_(settings), stale_(stale), stats_(stats), seed_(seed), shard_count_(0), shard_budget_(0) {}
Cache::~Cache() = default;

}  // namespace cairn::resolver
