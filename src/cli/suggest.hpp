// Unknown subcommands and options are named, with the nearest known one, instead of CLI11's "the following
// argument was not expected": `cairn: unknown subcommand 'checkzon'; did you mean 'checkzone'?`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::cli {

// The candidates closest to `word` in edit distance (insertions, deletions, substitutions, transpositions of
// neighbours), ties kept in the order given; empty when none is close enough to be a likely typo.
std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);

// Parses the command line into `app`. Returns -1 when the program should go on, else the exit status after
// printing what went wrong (help and version requests included, with status 0) to the right stream.
int parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace cairn::cli
