// Master files that hold records rather than a zone: root hints (`zone "." { type hint; }`) and trust
// anchors in presentation format (`cairn doctor --trust-anchor`). Read with the root as origin, so any
// owner is accepted, and returned as plain resource records.
#pragma once

#include <string>
#include <vector>

#include "dns/message.hpp"

namespace cairn::zonefile {

// Throws std::runtime_error ("PATH: the first error") when the file cannot be read or has an error.
std::vector<dns::ResourceRecord> read_record_file(const std::string& path);

}  // namespace cairn::zonefile
