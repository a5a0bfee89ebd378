// `cairn signzone`: signs a zone file once with cairnd's signer, as `dnssec-signzone -S` would with a
// dnssec-policy's keys: the keys of the zone in the key directory are used (made there when missing) and
// the signed zone is written as text. For operators who sign offline, and for the signing benchmark.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

#include "cli/cairn_commands.hpp"
#include "config/config.hpp"
#include "dns/types.hpp"
#include "signer/sign_zone.hpp"
#include "signer/zone_keys.hpp"
#include "zone/diff.hpp"
#include "zonefile/printer.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::cli {

namespace {

struct SignArgs {
    std::string zone, file, output, key_directory = ".", algorithm = "ecdsap256sha256";
    int nsec3_salt_length = -1;  // -1: NSEC
    unsigned iterations = 0;
    bool optout = false;
};

int sign_file(const SignArgs& a) {
    const dns::Name origin = dns::Name::from_text(a.zone.ends_with('.') ? a.zone : a.zone + ".");
    zonefile::LoadOptions options;
    options.parse.origin = origin;
    zonefile::LoadedZone loaded = zonefile::load_zone_file(a.file, options);
    if (!loaded.ok) {
        std::fprintf(stderr, "cairn signzone: %s: %s\n", a.file.c_str(),
                     loaded.zone.diagnostics.first_error().c_str());
        return 1;
    }
    config::DnssecPolicy policy = *config::builtin_dnssec_policy("default");
    const auto algorithm = dns::dnssec_algorithm_from_text(a.algorithm);
    if (!algorithm) {
        std::fprintf(stderr, "cairn signzone: unknown algorithm '%s'\n", a.algorithm.c_str());
        return 1;
    }
    policy.keys[0].algorithm = *algorithm;
    if (a.nsec3_salt_length >= 0)
        policy.nsec3 = config::Nsec3Policy{static_cast<std::uint16_t>(a.iterations), a.optout,
                                           static_cast<std::uint8_t>(a.nsec3_salt_length)};
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    try {
        const signer::ZoneKeys keys = signer::ensure_zone_keys(policy, origin, a.key_directory, now);
        for (const std::string& note : keys.notes)
            std::fprintf(stderr, "cairn signzone: %s\n", note.c_str());
        const auto records = loaded.zone.to_records();
        std::uint32_t serial = 0;
        for (const auto& r : records) {
            if (r.type == dns::RRType::SOA) serial = zone::soa_serial(r.rdata);
        }
        const signer::SignedZone signed_zone =
            signer::sign_zone(origin, records, keys.keys, policy, {now, serial, now});
        const std::string output = a.output.empty() ? a.file + ".signed" : a.output;
        std::ofstream out(output);
        const auto signed_records = signed_zone.zone->records();
        zonefile::write_zone_text(signed_records, [&](std::string_view text) { out << text; });
        out.close();
        if (!out) {
            std::fprintf(stderr, "cairn signzone: cannot write %s\n", output.c_str());
            return 1;
        }
        std::printf("%s\n", output.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cairn signzone: %s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace

void add_signzone_command(CLI::App& app, int& exit_status) {
    auto args = std::make_shared<SignArgs>();
    CLI::App* cmd = app.add_subcommand("signzone", "sign a zone file with the keys of its key directory");
    cmd->add_option("-K", args->key_directory, "key directory (keys missing there are made)")
        ->capture_default_str();
    cmd->add_option("-a", args->algorithm, "algorithm of the CSK")->capture_default_str();
    cmd->add_option("-3", args->nsec3_salt_length, "NSEC3 with a salt of this many octets (default: NSEC)");
    cmd->add_option("-H", args->iterations, "NSEC3 iterations")->capture_default_str();
    cmd->add_flag("-A", args->optout, "NSEC3 opt-out");
    cmd->add_option("-f", args->output, "output file (default: FILE.signed)");
    cmd->add_option("zone", args->zone, "zone name")->required();
    cmd->add_option("file", args->file, "zone file")->required();
    cmd->callback([args, &exit_status] { exit_status = sign_file(*args); });
}

}  // namespace cairn::cli
