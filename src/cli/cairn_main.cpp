// cairn: the command-line tools (zone checking and compiling, ...). Logic lives in the libraries.
#include <CLI/CLI.hpp>

#include "cli/cairn_commands.hpp"
#include "cli/suggest.hpp"
#include "cli/version.hpp"

int main(int argc, char** argv) {
    CLI::App app{"cairn: tools for the cairn DNS server"};
    app.require_subcommand(1);
    app.set_version_flag("-V,--version", cairn::cli::version_text("cairn"),
                         "print the version and build and exit");
    int exit_status = 0;
    cairn::cli::add_zone_commands(app, exit_status);
    cairn::cli::add_tsig_keygen_command(app, exit_status);
    cairn::cli::add_checkconf_command(app, exit_status);
    cairn::cli::add_ctl_command(app, exit_status);
    cairn::cli::add_signzone_command(app, exit_status);
    cairn::cli::add_doctor_command(app, exit_status);
    const int parse_status = cairn::cli::parse_command_line(app, argc, argv);
    return parse_status >= 0 ? parse_status : exit_status;
}
