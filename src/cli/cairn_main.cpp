// cairn: the command-line tools (zone checking and compiling, ...). Logic lives in the libraries.
#include <CLI/CLI.hpp>

#include "cli/cairn_commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"cairn: tools for the cairn DNS server"};
    app.require_subcommand(1);
    int exit_status = 0;
    cairn::cli::add_zone_commands(app, exit_status);
    cairn::cli::add_tsig_keygen_command(app, exit_status);
    cairn::cli::add_checkconf_command(app, exit_status);
    cairn::cli::add_ctl_command(app, exit_status);
    cairn::cli::add_doctor_command(app, exit_status);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return exit_status;
}
