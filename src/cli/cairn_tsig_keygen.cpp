// `cairn tsig-keygen`: a fresh TSIG key as a named.conf `key` block, in BIND tsig-keygen's layout.
#include <openssl/rand.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cairn_commands.hpp"
#include "dns/name.hpp"
#include "dns/text.hpp"
#include "dns/tsig.hpp"

namespace cairn::cli {
namespace {

struct KeygenOptions {
    std::string algorithm = "hmac-sha256";
    std::string name = "tsig-key";  // BIND's default
};

int run_tsig_keygen(const KeygenOptions& options) {
    try {
        const dns::TsigAlgorithmSpec spec = dns::parse_tsig_algorithm(options.algorithm);
        if (spec.mac_length != dns::tsig_digest_length(spec.algorithm)) {
            throw dns::ParseError("truncated algorithms such as '" + options.algorithm +
                                  "' belong in named.conf, not in tsig-keygen");
        }
        const dns::Name root;
        (void)dns::Name::from_text(options.name, root);  // refuse what named.conf would refuse
        if (options.name.find_first_of("\" \t\n;{}") != std::string::npos) {
            throw dns::ParseError("key name '" + options.name + "' has characters named.conf cannot quote");
        }
        // As BIND does: the secret is as long as the digest.
        std::vector<std::uint8_t> secret(dns::tsig_digest_length(spec.algorithm));
        if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
            throw std::runtime_error("the random number generator failed");
        }
        std::string encoded;
        dns::append_base64(encoded, secret);
        std::cout << "key \"" << options.name << "\" {\n"
                  << "\talgorithm " << dns::tsig_algorithm_config_name(spec.algorithm) << ";\n"
                  << "\tsecret \"" << encoded << "\";\n"
                  << "};\n";
        std::cout.flush();
        return std::cout ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "cairn tsig-keygen: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace

void add_tsig_keygen_command(CLI::App& app, int& exit_status) {
    auto options = std::make_shared<KeygenOptions>();
    CLI::App* command = app.add_subcommand(
        "tsig-keygen", "print a new TSIG key as a named.conf key statement (BIND tsig-keygen layout)");
    command
        ->add_option("-a,--algorithm", options->algorithm,
                     "hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512")
        ->capture_default_str();
    command->add_option("name", options->name, "Key name")->capture_default_str();
    command->callback([options, &exit_status] { exit_status = run_tsig_keygen(*options); });
}

}  // namespace cairn::cli
