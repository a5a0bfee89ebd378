// The daemon's part of the control commands that read or write its whole state: `rndc dumpdb` (each view's
// cache and zones in BIND's dump layout), `rndc sync` (the secondary zones' copies written to their files
// now) and `rndc tsig-list`. Called on the main thread, which owns the settings and the serving snapshot.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "lifecycle/zones.hpp"
#include "server/serving_state.hpp"
#include "server/settings.hpp"

namespace cairn::server {

// One view's cache section for the dump (ctl::CacheTarget::cache_dump); nullopt when the view has none.
using CacheDump = std::function<std::optional<std::string>(const std::string& view)>;

// BIND's layout, each view's cache before its zones (`dumpdb -all`):
//   ;
//   ; Start view internal
//   ;
//   ;
//   ; Cache dump of view 'internal' (cache internal)
//   ;
//   ...
//   ;
//   ; Zone dump of 'example.test/IN/internal'
//   ;
//   example.test.  300 IN SOA ...
//   ...
//   ; Dump complete
// `views`: only these (empty: all). `cache` empty: no caches (`dumpdb -zones`); `zones` false: no zones
// (`dumpdb -cache`).
void write_dump(const ServingState& state, const std::vector<std::string>& views, const CacheDump& cache,
                bool zones, std::ostream& out);

// Writes the copy each secondary zone serves to its file (atomically, in its masterfile-format), for one zone
// (`origin` non-empty) or all of them; returns how many were written. Throws std::runtime_error when a file
// cannot be written.
// `zones`: the lifecycle's snapshots, whose copies are written.
std::size_t save_secondary_copies(const Settings& settings, const std::vector<lifecycle::ZoneView>& zones,
                                  const std::string& view, const std::string& origin);

// (view, key name without the final dot) for every key each view knows; cairnd has one keyring for all.
std::vector<std::pair<std::string, std::string>> tsig_key_list(const Settings& settings);

}  // namespace cairn::server
