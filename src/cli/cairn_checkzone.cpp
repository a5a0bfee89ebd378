// `cairn checkzone` and `cairn compilezone`: named-checkzone / named-compilezone work-alikes.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "cli/cairn_commands.hpp"
#include "dns/name.hpp"
#include "zone/printer.hpp"
#include "zone/zone_file.hpp"

namespace cairn::cli {
namespace {

struct ZoneArgs {
    std::string zone;
    std::string file;
    std::string check_names = "fail";
    std::string integrity = "full";
    std::string ns_address = "fail";
    std::string mx_address = "warn";
    std::string mx_cname = "warn";
    std::string srv_cname = "warn";
    std::string input_format = "text";
    std::string output_format = "text";
    std::string output;
    bool quiet = false;
};

const std::map<std::string, zone::CheckMode> kModes{
    {"fail", zone::CheckMode::Fail}, {"warn", zone::CheckMode::Warn}, {"ignore", zone::CheckMode::Ignore}};

void add_check_options(CLI::App& cmd, ZoneArgs& a) {
    auto modes = CLI::IsMember({"fail", "warn", "ignore"});
    cmd.add_option("-k", a.check_names,
                   "check-names: host name syntax of A/AAAA/MX owners and of NS/MX/SRV/SOA targets")
        ->check(modes)
        ->capture_default_str();
    cmd.add_option("-n", a.ns_address, "an NS target that is an IP address written as a name")
        ->check(modes)
        ->capture_default_str();
    cmd.add_option("-m", a.mx_address, "an MX target that is an IP address written as a name")
        ->check(modes)
        ->capture_default_str();
    cmd.add_option("-M", a.mx_cname, "an MX target that is a CNAME")->check(modes)->capture_default_str();
    cmd.add_option("-S", a.srv_cname, "an SRV target that is a CNAME")->check(modes)->capture_default_str();
    cmd.add_option("-i", a.integrity,
                   "post-load integrity checks (in-zone MX/SRV/delegation targets need addresses); "
                   "the sibling and local variants are accepted and act as full")
        ->check(CLI::IsMember({"full", "full-sibling", "local", "local-sibling", "none"}))
        ->capture_default_str();
    cmd.add_option("-f", a.input_format, "input format")
        ->check(CLI::IsMember({"text"}))
        ->capture_default_str();
    cmd.add_flag("-q", a.quiet, "print nothing; the exit status tells");
    cmd.add_option("zone", a.zone, "zone name")->required();
    cmd.add_option("file", a.file, "zone file")->required();
}

struct Loaded {
    zone::LoadedZone zone;
    std::string label;  // "zone NAME/IN"
};

// Loads and checks the zone, printing diagnostics to stderr. nullopt-like: zone.ok tells.
std::unique_ptr<Loaded> load(const ZoneArgs& a) {
    auto result = std::make_unique<Loaded>();
    zone::LoadOptions options;
    try {
        options.parse.origin =
            dns::Name::from_text(a.zone == "." || a.zone.ends_with('.') ? a.zone : a.zone + ".");
    } catch (const dns::ParseError& e) {
        if (!a.quiet) std::fprintf(stderr, "cairn: bad zone name '%s': %s\n", a.zone.c_str(), e.what());
        return nullptr;
    }
    options.checks.check_names = kModes.at(a.check_names);
    options.checks.ns_address = kModes.at(a.ns_address);
    options.checks.mx_address = kModes.at(a.mx_address);
    options.checks.mx_cname = kModes.at(a.mx_cname);
    options.checks.srv_cname = kModes.at(a.srv_cname);
    options.checks.integrity = a.integrity != "none";
    std::string shown = options.parse.origin.to_text();
    if (shown.size() > 1) shown.pop_back();
    result->label = "zone " + shown + "/IN";
    result->zone = zone::load_zone_file(a.file, options);
    if (!a.quiet) {
        for (const zone::Diagnostic& d : result->zone.zone.diagnostics.all()) {
            const std::string text = d.to_text();
            if (d.file.empty() || d.line == 0) {
                std::fprintf(stderr, "%s: %s\n", result->label.c_str(), text.c_str());
            } else {
                std::fprintf(stderr, "%s\n", text.c_str());
            }
        }
        if (!result->zone.ok) {
            std::fprintf(stderr, "%s: loading from master file %s failed: %s\n", result->label.c_str(),
                         a.file.c_str(), result->zone.zone.diagnostics.first_error().c_str());
            std::fprintf(stderr, "%s: not loaded due to errors.\n", result->label.c_str());
        }
    }
    return result;
}

int run_checkzone(const ZoneArgs& a) {
    const auto loaded = load(a);
    if (!loaded || !loaded->zone.ok) return 1;
    if (!a.quiet) std::printf("%s: loaded serial %u\nOK\n", loaded->label.c_str(), loaded->zone.serial);
    return 0;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

int run_compilezone(const ZoneArgs& a) {
    const auto loaded = load(a);
    if (!loaded || !loaded->zone.ok) return 1;
    std::vector<zone::Record> records = loaded->zone.zone.to_records();
    zone::sort_canonical(records);
    const bool to_stdout = a.output == "-";
    const std::string tmp = a.output + ".cairn-tmp";
    const int fd =
        to_stdout ? STDOUT_FILENO : ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "cairn: %s: %s\n", tmp.c_str(), std::strerror(errno));
        return 1;
    }
    bool ok = true;
    zone::write_zone_text(records, [&](std::string_view chunk) { ok = ok && write_all(fd, chunk); });
    if (!to_stdout) {
        ok = ok && ::fsync(fd) == 0;
        ok = (::close(fd) == 0) && ok;
        ok = ok && std::rename(tmp.c_str(), a.output.c_str()) == 0;
        if (!ok) ::unlink(tmp.c_str());
    }
    if (!ok) {
        std::fprintf(stderr, "cairn: writing %s: %s\n", a.output.c_str(), std::strerror(errno));
        return 1;
    }
    if (!a.quiet) {
        std::fprintf(stderr, "%s: loaded serial %u\n", loaded->label.c_str(), loaded->zone.serial);
        if (!to_stdout) std::fprintf(stderr, "dump zone to %s...done\n", a.output.c_str());
        std::fprintf(stderr, "OK\n");
    }
    return 0;
}

}  // namespace

void add_zone_commands(CLI::App& app, int& exit_status) {
    auto check_args = std::make_shared<ZoneArgs>();
    CLI::App* check = app.add_subcommand("checkzone", "check a zone file as named-checkzone does");
    add_check_options(*check, *check_args);
    check->callback([check_args, &exit_status] { exit_status = run_checkzone(*check_args); });

    auto compile_args = std::make_shared<ZoneArgs>();
    CLI::App* compile = app.add_subcommand(
        "compilezone", "check a zone file and write it in canonical form (named-compilezone)");
    add_check_options(*compile, *compile_args);
    compile->add_option("-F", compile_args->output_format, "output format")
        ->check(CLI::IsMember({"text"}))
        ->capture_default_str();
    compile->add_option("-o", compile_args->output, "output file ('-' for standard output)")->required();
    compile->callback([compile_args, &exit_status] { exit_status = run_compilezone(*compile_args); });
}

}  // namespace cairn::cli
