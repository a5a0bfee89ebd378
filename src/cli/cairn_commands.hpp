// Subcommands of the `cairn` tool. Each cairn_*.cpp adds its own; main only dispatches. A command's
// callback stores its exit status in `exit_status`.
#pragma once

#include <CLI/CLI.hpp>

namespace cairn::cli {

void add_zone_commands(CLI::App& app, int& exit_status);  // checkzone, compilezone
void add_tsig_keygen_command(CLI::App& app, int& exit_status);
void add_checkconf_command(CLI::App& app, int& exit_status);  // cairn_checkconf.cpp
void add_ctl_command(CLI::App& app, int& exit_status);        // cairn_ctl.cpp
void add_signzone_command(CLI::App& app, int& exit_status);   // cairn_signzone.cpp
void add_doctor_command(CLI::App& app, int& exit_status);     // cairn_doctor.cpp

}  // namespace cairn::cli
