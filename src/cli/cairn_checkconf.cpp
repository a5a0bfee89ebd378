// `cairn checkconf`: named-checkconf's work-alike. Reads a named.conf with its includes, prints every error
// and warning as FILE:LINE: MESSAGE on standard output (where named-checkconf prints them) and exits 1 when
// the configuration is invalid.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/cairn_commands.hpp"
#include "config/config.hpp"

namespace cairn::cli {
namespace {

struct CheckconfArgs {
    std::string file = "/etc/bind/named.conf";
    std::string directory;
    bool quiet = false;
};

int run_checkconf(const CheckconfArgs& args) {
    if (!args.directory.empty() && ::chdir(args.directory.c_str()) != 0) {
        std::printf("%s: cannot change directory to '%s'\n", args.file.c_str(), args.directory.c_str());
        return 1;
    }
    try {
        const config::LoadResult result = config::load(args.file);
        if (!args.quiet) {
            for (const config::Diagnostic& warning : result.warnings)
                std::printf("%s\n", warning.to_string().c_str());
        }
        return 0;
    } catch (const config::ConfigError& e) {
        if (!args.quiet) {
            for (const config::Diagnostic& warning : e.warnings())
                std::printf("%s\n", warning.to_string().c_str());
            for (const config::Diagnostic& error : e.errors())
                std::printf("%s\n", error.to_string().c_str());
        }
        return 1;
    }
}

}  // namespace

void add_checkconf_command(CLI::App& app, int& exit_status) {
    auto args = std::make_shared<CheckconfArgs>();
    CLI::App* cmd = app.add_subcommand("checkconf", "check a named.conf as named-checkconf does");
    cmd->add_option("file", args->file, "configuration file")->capture_default_str();
    cmd->add_option("-t", args->directory, "directory to change to before reading (relative includes)");
    cmd->add_flag("-q", args->quiet, "print nothing; the exit status tells");
    cmd->callback([args, &exit_status] { exit_status = run_checkconf(*args); });
}

}  // namespace cairn::cli
