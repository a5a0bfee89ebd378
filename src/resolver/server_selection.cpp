#include "resolver/server_selection.hpp"

#include <limits>

#include "resolver/context.hpp"
#include "resolver/infra_cache.hpp"

namespace cairn::resolver {

std::optional<std::size_t> select_target(ResolverContext& ctx, const std::vector<Target>& targets,
                                         Millis now) {
    std::vector<std::size_t> candidates;
    std::uint32_t fewest_tries = std::numeric_limits<std::uint32_t>::max();
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const Target& t = targets[i];
        if (t.done || t.in_flight || t.tries >= kMaxTriesPerServer) continue;
        if (t.retry_now) return i;
        fewest_tries = std::min(fewest_tries, t.tries);
        candidates.push_back(i);
    }
    if (candidates.empty()) return std::nullopt;
    std::erase_if(candidates, [&](std::size_t i) { return targets[i].tries != fewest_tries; });

    // Held-down servers only when nothing else is left.
    std::vector<ServerInfo> infos;
    bool any_up = false;
    for (std::size_t i : candidates) {
        infos.push_back(ctx.infra().get(targets[i].server, now));
        any_up = any_up || infos.back().held_down_until <= now;
    }
    std::vector<std::size_t> pool;
    std::vector<ServerInfo> pool_infos;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        if (any_up && infos[k].held_down_until > now) continue;
        pool.push_back(candidates[k]);
        pool_infos.push_back(infos[k]);
    }
    if (pool.size() > 1 && ctx.random() % 100 < kExplorePercent) return pool[ctx.random() % pool.size()];
    std::size_t best = pool[0];
    std::uint64_t best_rtt = std::numeric_limits<std::uint64_t>::max();
    for (std::size_t k = 0; k < pool.size(); ++k) {
        const std::uint64_t rtt = pool_infos[k].known ? pool_infos[k].srtt_ms : 1 + ctx.random() % 32;
        if (rtt < best_rtt) {
            best_rtt = rtt;
            best = pool[k];
        }
    }
    return best;
}

}  // namespace cairn::resolver
