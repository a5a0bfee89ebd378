// cairnd's log: stderr always, plus the file and syslog channels named.conf's logging {} block uses.
#pragma once

#include <string>
#include <vector>

#include "server/settings.hpp"

namespace cairn::server {

// Makes the stderr logger the default one; idempotent.
void setup_stderr_log(const std::string& level);

// Adds a sink per channel to the default logger. Throws std::runtime_error when a log file cannot be
// opened.
void add_log_channels(const std::vector<LogChannel>& channels);

}  // namespace cairn::server
