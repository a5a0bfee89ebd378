// `cairn checkconf`: named-checkconf's work-alike. Reads a named.conf with its includes and prints every
// error and warning as FILE:LINE: MESSAGE on standard output (where named-checkconf prints them): the very
// checks `cairnd -C` makes, the server's own included. With -z it also loads every primary zone ("zone
// example.test/IN: loaded serial 1"). Exits 1 when the configuration or a zone is invalid.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "build_info.hpp"
#include "cli/cairn_commands.hpp"
#include "server/daemon.hpp"

namespace cairn::cli {
namespace {

struct CheckconfArgs {
    std::string file = build::kDefaultConfig;
    std::string directory;
    bool quiet = false;
    bool load_zones = false;
};

int run_checkconf(const CheckconfArgs& args) {
    if (!args.directory.empty() && ::chdir(args.directory.c_str()) != 0) {
        if (!args.quiet)
            std::printf("%s: cannot change directory to '%s': %s\n", args.file.c_str(),
                        args.directory.c_str(), std::strerror(errno));
        return 1;
    }
    return server::check_configuration(args.file, args.load_zones, args.quiet ? nullptr : stdout);
}

}  // namespace

void add_checkconf_command(CLI::App& app, int& exit_status) {
    auto args = std::make_shared<CheckconfArgs>();
    CLI::App* cmd =
        app.add_subcommand("checkconf", "check a named.conf as named-checkconf (and cairnd -C) do");
    cmd->add_option("file", args->file, "configuration file")->capture_default_str();
    cmd->add_flag("-z", args->load_zones, "also load every primary zone, as named-checkconf -z");
    cmd->add_option("-t", args->directory, "directory to change to before reading (relative includes)");
    cmd->add_flag("-q", args->quiet, "print nothing; the exit status tells");
    cmd->callback([args, &exit_status] { exit_status = run_checkconf(*args); });
}

}  // namespace cairn::cli
