// Which server of a delegation to ask next. Rounds: every server is tried once before any is tried again,
// up to kMaxTriesPerServer each. Within a round, servers the infrastructure cache holds down (repeated
// timeouts) come last; among the rest the lowest smoothed RTT wins, with a server never measured counted
// at a small random RTT so that it gets tried (as BIND does), and 5% of picks go to a random candidate to
// keep measuring the others (Knot Resolver's epsilon-greedy exploration).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "resolver/clock.hpp"
#include "resolver/iterator.hpp"

namespace cairn::resolver {

class ResolverContext;

inline constexpr std::uint32_t kMaxTriesPerServer = 3;
inline constexpr std::uint32_t kExplorePercent = 5;

std::optional<std::size_t> select_target(ResolverContext& ctx, const std::vector<Target>& targets,
                                         Millis now);

}  // namespace cairn::resolver
