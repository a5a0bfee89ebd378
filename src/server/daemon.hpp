// cairnd: loads the configuration and zones, serves them, reloads on SIGHUP and stops on SIGTERM/SIGINT.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "resolver/validation_settings.hpp"

namespace cairn::server {

struct DaemonOptions {
    std::string config_path;
    std::optional<std::uint16_t> port;        // overrides every listen-on port
    std::optional<unsigned> workers;          // default: one per CPU
    std::optional<unsigned> udp_coalesce_us;  // UDP coalescing pause (net::ServerOptions); 0: off
    std::string log_level = "info";
    bool log_queries_to_stderr = false;  // the queries category on stderr besides the configured channels
    unsigned debug_level = 0;            // -d, as named's (rndc trace changes it)
    std::string rndc_key;                // for control channels without keys; empty: beside the config
    std::optional<std::uint16_t> control_port;  // of the default control channel (no `controls`): 953
    std::string user;  // -u: run as this user once the sockets are bound (server/privileges.hpp)
    // -T mkeytimers=HOUR/DAY/MONTH, BIND's test option: RFC 5011 timers in seconds (rfc5011.hpp).
    std::optional<resolver::Rfc5011Timers> mkey_timers;
};

// Runs in the foreground until SIGTERM or SIGINT; returns the process exit status (non-zero when start-up
// failed, after logging why).
int run_daemon(const DaemonOptions& options);

// named-checkconf: reads the configuration (and with `load_zones`, every primary zone) and prints what is
// wrong to `messages`, the zones' "loaded serial" lines to standard output (`messages` null: nothing at all).
// Returns 0 when everything loads, 1 otherwise. `cairnd -C` and `cairn checkconf` both run it.
int check_configuration(const std::string& config_path, bool load_zones, std::FILE* messages = stderr);

}  // namespace cairn::server
