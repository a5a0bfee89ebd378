// `cairn tsig-keygen`: a fresh TSIG key as a named.conf `key` block, in BIND tsig-keygen's layout.
#pragma once

#include <CLI/CLI.hpp>

namespace cairn::cli {

// Adds the `tsig-keygen` subcommand to the cairn tool.
void add_tsig_keygen_command(CLI::App& app);

}  // namespace cairn::cli
