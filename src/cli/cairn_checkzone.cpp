// `cairn checkzone` and `cairn compilezone`: named-checkzone / named-compilezone work-alikes.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cli/cairn_commands.hpp"
#include "dns/name.hpp"
#include "zone/zone.hpp"
#include "zonefile/printer.hpp"
#include "zonefile/raw.hpp"
#include "zonefile/zone_file.hpp"

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
    bool build_database = false;
};

const std::map<std::string, zonefile::CheckMode> kModes{{"fail", zonefile::CheckMode::Fail},
                                                        {"warn", zonefile::CheckMode::Warn},
                                                        {"ignore", zonefile::CheckMode::Ignore}};

void add_check_options(CLI::App& cmd, ZoneArgs& a) {
    auto modes = CLI::IsMember({"fail", "warn", "ignore"});
    cmd.add_option("-k", a.check_names,
                   "check-names: host name syntax of A/AAAA/MX owners and of NS/MX/SRV/SOA/PTR targets")
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
                   "the sibling and local variants act as full")
        ->check(CLI::IsMember({"full", "full-sibling", "local", "local-sibling", "none"}))
        ->capture_default_str();
    cmd.add_option("-f", a.input_format, "input format")
        ->check(CLI::IsMember({"text", "raw"}))
        ->capture_default_str();
    cmd.add_flag("-q", a.quiet, "print nothing; the exit status tells");
    cmd.add_option("zone", a.zone, "zone name")->required();
    cmd.add_option("file", a.file, "zone file")->required();
}

std::optional<dns::Name> zone_name(const ZoneArgs& a) {
    try {
        return dns::Name::from_text(a.zone == "." || a.zone.ends_with('.') ? a.zone : a.zone + ".");
    } catch (const dns::ParseError& e) {
        if (!a.quiet) std::fprintf(stderr, "cairn: bad zone name '%s': %s\n", a.zone.c_str(), e.what());
        return std::nullopt;
    }
}

std::string zone_label(const dns::Name& origin) {
    std::string shown = origin.to_text();
    if (shown.size() > 1) shown.pop_back();
    return "zone " + shown + "/IN";
}

// Loads and checks a text zone, printing its diagnostics to stderr as named-checkzone does.
std::optional<zonefile::LoadedZone> load_text(const ZoneArgs& a, const dns::Name& origin) {
    zonefile::LoadOptions options;
    options.parse.origin = origin;
    options.checks.check_names = kModes.at(a.check_names);
    options.checks.ns_address = kModes.at(a.ns_address);
    options.checks.mx_address = kModes.at(a.mx_address);
    options.checks.mx_cname = kModes.at(a.mx_cname);
    options.checks.srv_cname = kModes.at(a.srv_cname);
    options.checks.integrity = a.integrity != "none";
    zonefile::LoadedZone loaded = zonefile::load_zone_file(a.file, options);
    if (!a.quiet) {
        const std::string label = zone_label(origin);
        for (const zone::Diagnostic& d : loaded.zone.diagnostics.all()) {
            if (d.file.empty() || d.line == 0) {
                std::fprintf(stderr, "%s: %s\n", label.c_str(), d.to_text().c_str());
            } else {
                std::fprintf(stderr, "%s\n", d.to_text().c_str());
            }
        }
        if (!loaded.ok) {
            std::fprintf(stderr, "%s: loading from master file %s failed: %s\n", label.c_str(),
                         a.file.c_str(), loaded.zone.diagnostics.first_error().c_str());
            std::fprintf(stderr, "%s: not loaded due to errors.\n", label.c_str());
        }
    }
    if (!loaded.ok) return std::nullopt;
    return loaded;
}

// A raw file is written from a zone that passed every check; reading it validates its structure.
std::shared_ptr<const zone::Zone> load_raw(const ZoneArgs& a, const dns::Name& origin) {
    try {
        auto z = zonefile::read_raw(a.file);
        if (!(z->origin() == origin)) {
            throw zone::ZoneError("the file holds zone " + z->origin().to_text() + ", not " +
                                  origin.to_text());
        }
        return z;
    } catch (const std::exception& e) {
        if (!a.quiet) {
            std::fprintf(stderr, "%s: loading from raw file %s failed: %s\n", zone_label(origin).c_str(),
                         a.file.c_str(), e.what());
        }
        return nullptr;
    }
}

int run_checkzone(const ZoneArgs& a) {
    const auto origin = zone_name(a);
    if (!origin) return 1;
    std::uint32_t serial = 0;
    if (a.input_format == "raw") {
        const auto z = load_raw(a, *origin);
        if (!z) return 1;
        serial = z->serial();
    } else {
        const auto loaded = load_text(a, *origin);
        if (!loaded) return 1;
        serial = loaded->serial;
        if (a.build_database) {
            try {
                serial = zone::Zone::build(*origin, loaded->zone)->serial();
            } catch (const std::exception& e) {
                if (!a.quiet) std::fprintf(stderr, "%s: %s\n", zone_label(*origin).c_str(), e.what());
                return 1;
            }
        }
    }
    if (!a.quiet) std::printf("%s: loaded serial %u\nOK\n", zone_label(*origin).c_str(), serial);
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

using Writer = std::function<void(std::string_view)>;

// Hands `produce` a writer to standard output ("-") or to a file written atomically (temporary, fsync,
// rename), so a crash never leaves half a zone behind.
bool write_output(const std::string& output, const std::function<void(const Writer&)>& produce) {
    const bool to_stdout = output == "-";
    const std::string tmp = output + ".cairn-tmp";
    const int fd =
        to_stdout ? STDOUT_FILENO : ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "cairn: %s: %s\n", tmp.c_str(), std::strerror(errno));
        return false;
    }
    bool ok = true;
    produce([&](std::string_view chunk) { ok = ok && write_all(fd, chunk); });
    if (!to_stdout) {
        ok = ok && ::fsync(fd) == 0;
        ok = (::close(fd) == 0) && ok;
        ok = ok && std::rename(tmp.c_str(), output.c_str()) == 0;
        if (!ok) ::unlink(tmp.c_str());
    }
    if (!ok) std::fprintf(stderr, "cairn: writing %s: %s\n", output.c_str(), std::strerror(errno));
    return ok;
}

int run_compilezone(const ZoneArgs& a) {
    const auto origin = zone_name(a);
    if (!origin) return 1;
    std::vector<zone::Record> records;
    std::shared_ptr<const zone::Zone> db;
    std::uint32_t serial = 0;
    if (a.input_format == "raw") {
        db = load_raw(a, *origin);
        if (!db) return 1;
        serial = db->serial();
        if (a.output_format == "text") records = db->records();
    } else {
        const auto loaded = load_text(a, *origin);
        if (!loaded) return 1;
        serial = loaded->serial;
        records = loaded->zone.to_records();
        if (a.output_format == "raw") {
            try {
                db = zone::Zone::build(*origin, std::move(records));
            } catch (const std::exception& e) {
                std::fprintf(stderr, "%s: %s\n", zone_label(*origin).c_str(), e.what());
                return 1;
            }
        }
    }
    bool ok = false;
    if (a.output_format == "raw") {
        ok = write_output(a.output, [&](const Writer& write) {
            const std::vector<std::uint8_t> bytes = zonefile::encode_raw(*db);
            write({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
        });
    } else {
        zonefile::sort_canonical(records);
        ok = write_output(a.output, [&](const Writer& write) { zonefile::write_zone_text(records, write); });
    }
    if (!ok) return 1;
    if (!a.quiet) {
        std::fprintf(stderr, "%s: loaded serial %u\n", zone_label(*origin).c_str(), serial);
        if (a.output != "-") std::fprintf(stderr, "dump zone to %s...done\n", a.output.c_str());
        std::fprintf(stderr, "OK\n");
    }
    return 0;
}

}  // namespace

void add_zone_commands(CLI::App& app, int& exit_status) {
    auto check_args = std::make_shared<ZoneArgs>();
    CLI::App* check = app.add_subcommand("checkzone", "check a zone file as named-checkzone does");
    add_check_options(*check, *check_args);
    check->add_flag("-D,--database", check_args->build_database,
                    "also build the query database from a text zone, as cairnd does at start and reload "
                    "(a raw zone is always read into it)");
    check->callback([check_args, &exit_status] { exit_status = run_checkzone(*check_args); });

    auto compile_args = std::make_shared<ZoneArgs>();
    CLI::App* compile = app.add_subcommand(
        "compilezone", "check a zone file and write it in canonical form (named-compilezone)");
    add_check_options(*compile, *compile_args);
    compile->add_option("-F", compile_args->output_format, "output format")
        ->check(CLI::IsMember({"text", "raw"}))
        ->capture_default_str();
    compile->add_option("-o", compile_args->output, "output file ('-' for standard output)")->required();
    compile->callback([compile_args, &exit_status] { exit_status = run_compilezone(*compile_args); });
}

}  // namespace cairn::cli
