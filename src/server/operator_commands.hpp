// The daemon's part of the control commands that read or write its whole state: `rndc dumpdb -zones` (the
// zones of each view in BIND's dump layout), `rndc sync` (the secondary zones' copies written to their files
// now) and `rndc tsig-list`. Called on the main thread, which owns the settings and the serving snapshot.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "lifecycle/zones.hpp"
#include "server/serving_state.hpp"
#include "server/settings.hpp"

namespace cairn::server {

// BIND's layout:
//   ;
//   ; Start view internal
//   ;
//   ;
//   ; Zone dump of 'example.test/IN/internal'
//   ;
//   example.test.  300 IN SOA ...
//   ...
//   ; Dump complete
// `views`: only these (empty: all). `zones`: false for `dumpdb -cache`, which has no cache to show here.
void write_zone_dump(const ServingState& state, const std::vector<std::string>& views, bool zones,
                     std::ostream& out);

// Writes the copy each secondary zone serves to its file (atomically, in its masterfile-format), for one zone
// (`origin` non-empty) or all of them; returns how many were written. Throws std::runtime_error when a file
// cannot be written.
// `zones`: the lifecycle's snapshots, whose copies are written.
std::size_t save_secondary_copies(const Settings& settings, const std::vector<lifecycle::ZoneView>& zones,
                                  const std::string& view, const std::string& origin);

// (view, key name without the final dot) for every key each view knows; cairnd has one keyring for all.
std::vector<std::pair<std::string, std::string>> tsig_key_list(const Settings& settings);

}  // namespace cairn::server
