// `cairn ctl`: drives a running cairnd (or BIND's named) over the control channel, as BIND's rndc does.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "build_info.hpp"
#include "cli/cairn_commands.hpp"
#include "config/config.hpp"
#include "ctl/client.hpp"
#include "ctl/control_key.hpp"

namespace cairn::cli {
namespace {

constexpr const char* kDefaultConfig = build::kDefaultConfig;  // cairnd's

struct CtlOptions {
    std::string server;
    std::optional<std::uint16_t> port;
    std::string key_file;
    std::string key_name;
    std::string config_file;
    unsigned timeout_seconds = 10;
    std::vector<std::string> words;
};

// Where to connect and with which key: -c's controls statement first, then -k, -s and -p on top.
int run_ctl(const CtlOptions& options) {
    try {
        ctl::ClientOptions client;
        std::optional<ctl::ControlKey> key;
        if (!options.config_file.empty()) {
            const config::Config config = config::load(options.config_file).config;
            for (const auto& channel : config.controls) {
                if (channel.kind == config::ControlChannel::Kind::Unix) {
                    client.server = channel.path;
                } else {
                    client.server = channel.address ? channel.address->to_string() : "127.0.0.1";
                    client.port = channel.port.value_or(953);
                }
                if (!channel.keys.empty()) {
                    const config::Key* found = config.find_key(channel.keys.front());
                    if (found == nullptr)
                        throw std::runtime_error("key '" + channel.keys.front() + "' is not defined");
                    key = ctl::control_key_from_config(*found);
                }
                break;
            }
            if (!key && !config.keys.empty()) key = ctl::control_key_from_config(config.keys.front());
        }
        if (!options.key_file.empty()) {
            const std::vector<ctl::ControlKey> keys = ctl::load_key_file(options.key_file);
            key = keys.front();
            if (!options.key_name.empty()) {
                key.reset();
                for (const auto& k : keys) {
                    if (k.name == options.key_name) key = k;
                }
                if (!key)
                    throw std::runtime_error("no key '" + options.key_name + "' in " + options.key_file);
            }
        }
        if (!key && options.key_file.empty()) {
            // As rndc: the rndc.key cairnd's default control channel uses, beside the configuration.
            const std::filesystem::path beside =
                std::filesystem::path(options.config_file.empty() ? kDefaultConfig : options.config_file)
                    .parent_path() /
                "rndc.key";
            if (std::filesystem::exists(beside)) key = ctl::load_key_file(beside.string()).front();
        }
        if (!key) throw std::runtime_error("no key: give -k KEYFILE (rndc.key format) or -c CONFIG");
        if (!options.server.empty()) client.server = options.server;
        if (options.port) client.port = *options.port;
        client.timeout = std::chrono::seconds(options.timeout_seconds);

        std::string command;
        for (const auto& word : options.words)
            command += (command.empty() ? "" : " ") + word;
        const ctl::CommandResult result = ctl::run_command(client, *key, command);
        if (result.ok()) {
            if (!result.text.empty()) std::cout << result.text << '\n';
            return 0;
        }
        std::cerr << "cairn ctl: '" << options.words.front() << "' failed: " << result.error << '\n';
        if (!result.text.empty()) std::cerr << result.text << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "cairn ctl: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace

void add_ctl_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<CtlOptions>();
    CLI::App* command = app.add_subcommand(
        "ctl",
        "control a running server over its control channel (BIND rndc protocol): cairn ctl [OPTIONS] COMMAND "
        "[ARGUMENTS...], the COMMAND one of status, reload [ZONE], "
        "reconfig, zonestatus ZONE, refresh ZONE, retransfer ZONE, notify ZONE, querylog [on|off], "
        "dumpdb [-cache|-zones|-all] [VIEW...], stop; the resolver's caches: flush [VIEW], flushname NAME "
        "[VIEW], flushtree NAME [VIEW], serve-stale on|off|reset|status, cache NAME [TYPE] [VIEW]");
    command->add_option("-s,--server", options->server, "server address, host name or unix socket path");
    command->add_option("-p,--port", options->port, "control channel port (default 953)");
    command->add_option(
        "-k,--key-file", options->key_file,
        "key file (a named.conf key statement, as rndc.key; default: the configuration's key, "
        "else rndc.key beside it)");
    command->add_option("-y,--key", options->key_name, "which key of the key file to use");
    command->add_option("-c,--config", options->config_file,
                        "read the server address, port and key from this named.conf's controls statement");
    command->add_option("-t,--timeout", options->timeout_seconds, "seconds to wait for an answer");
    // The command and its arguments are everything from the first word that is not one of the options above,
    // passed on as they are, so that rndc's dashed arguments (`dumpdb -all`, `sync -clean`, `nta -dump`) are
    // not taken for options of cairn ctl's own.
    command->prefix_command();
    command->callback([options, command, &exit_status] {
        options->words = command->remaining();
        // A word before the command that looks like an option is one cairn ctl does not know: the parse
        // error names it and the nearest option (suggest.cpp).
        if (!options->words.empty() && options->words.front().size() > 1 && options->words.front()[0] == '-')
            throw CLI::ExtrasError(command->get_name(), options->words);
        if (options->words.empty()) throw CLI::RequiredError("COMMAND");
        exit_status = run_ctl(*options);
    });
}

}  // namespace cairn::cli
