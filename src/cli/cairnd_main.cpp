// cairnd: the authoritative name server daemon. Runs in the foreground, logging to stderr.
#include <CLI/CLI.hpp>

#include "build_info.hpp"
#include "cli/suggest.hpp"
#include "cli/version.hpp"
#include "resolver/rfc5011.hpp"
#include "server/daemon.hpp"

int main(int argc, char** argv) {
    CLI::App app{"cairnd: authoritative DNS server, DNSSEC signer and recursive resolver"};
    cairn::server::DaemonOptions options;
    options.config_path = cairn::build::kDefaultConfig;
    bool check_only = false;
    bool check_zones = false;
    std::uint16_t port = 0;
    unsigned workers = 0;
    app.add_option("-c,--config", options.config_path, "configuration file (named.conf syntax)");
    app.add_flag("-C,--check", check_only, "check the configuration and exit (like named-checkconf)");
    app.add_flag("-z,--check-zones", check_zones, "with -C: also load every primary zone");
    auto* port_option =
        app.add_option("-p,--port", port, "listen on this port instead of the configured ones");
    auto* workers_option = app.add_option("-n,--workers", workers, "worker threads (default: one per CPU)")
                               ->check(CLI::Range(1u, 1024u));
    unsigned udp_coalesce = 0;
    auto* coalesce_option =
        app.add_option("--udp-coalesce", udp_coalesce,
                       "microseconds a UDP thread pauses between batches while queries stream in, so that "
                       "they gather into fewer system calls (default 10; 0: never)")
            ->check(CLI::Range(0u, 1000u));
    app.add_option(
        "-k,--rndc-key", options.rndc_key,
        "key file of the control channels that name no key (default: rndc.key beside the configuration)");
    std::uint16_t control_port = 0;
    auto* control_port_option =
        app.add_option("--control-port", control_port,
                       "port of the default control channel, opened without `controls` (953)");
    app.add_option("-u,--user", options.user,
                   "once the sockets are bound, run as this user, keeping only CAP_NET_BIND_SERVICE");
    bool foreground = true;
    app.add_flag("-g,-f,--foreground", foreground, "run in the foreground (always the case)");
    app.add_flag("--log-queries-to-stderr", options.log_queries_to_stderr,
                 "also write the query log to stderr (otherwise only a stderr channel of the configuration "
                 "gets it)");
    app.add_option("-d,--debug", options.debug_level,
                   "debug level, as named -d (above 0: debug messages); rndc trace changes it")
        ->check(CLI::Range(0u, 99u));
    app.add_option("--log-level", options.log_level, "trace, debug, info, warning, error or critical")
        ->check(CLI::IsMember({"trace", "debug", "info", "warning", "error", "critical", "off"}));
    std::vector<std::string> test_options;
    app.add_option("-T", test_options,
                   "test option, as named's: mkeytimers=HOUR[/DAY[/MONTH]] shortens the RFC 5011 timers "
                   "(seconds) so that a test rolls a trust anchor in minutes");
    app.set_version_flag("-V,--version", cairn::cli::version_text("cairnd"),
                         "print the version and build and exit");
    if (const int status = cairn::cli::parse_command_line(app, argc, argv); status >= 0) return status;

    if (check_only) return cairn::server::check_configuration(options.config_path, check_zones);
    for (const auto& test_option : test_options) {
        constexpr std::string_view kMkeyTimers = "mkeytimers=";
        if (test_option.rfind(kMkeyTimers, 0) == 0)
            options.mkey_timers =
                cairn::resolver::rfc5011_timers_from_text(test_option.substr(kMkeyTimers.size()));
        if (test_option.rfind(kMkeyTimers, 0) != 0 || !options.mkey_timers) {
            std::fprintf(stderr, "cairnd: unknown or malformed test option -T %s\n", test_option.c_str());
            return 1;
        }
    }
    if (*port_option) options.port = port;
    if (*workers_option) options.workers = workers;
    if (*coalesce_option) options.udp_coalesce_us = udp_coalesce;
    if (*control_port_option) options.control_port = control_port;
    return cairn::server::run_daemon(options);
}
