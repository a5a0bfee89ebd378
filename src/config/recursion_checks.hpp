// The checks named-checkconf makes on the recursive resolver's clauses (ranges, `forward only` without
// forwarders), for load.cpp's checker; the settings themselves are resolved by Config::resolve_recursion.
#pragma once

#include <vector>

#include "config/config.hpp"

namespace cairn::config {

void check_recursion(const Config& config, std::vector<Diagnostic>& errors);

}  // namespace cairn::config
