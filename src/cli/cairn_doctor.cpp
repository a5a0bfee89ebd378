// `cairn doctor NAME [TYPE]`: the article's DNS failure diagnosis, from the client inward, ending in one
// named verdict (src/doctor/, docs/doctor.md). Exit status 0 for healthy, 1 for a failure found, 2 for
// unusable input.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cairn_commands.hpp"
#include "dns/text.hpp"
#include "doctor/doctor.hpp"
#include "doctor/report.hpp"

namespace cairn::cli {
namespace {

struct DoctorArguments {
    std::string name;
    std::string type = "A";
    std::vector<std::string> resolvers;
    std::string resolv_conf;
    std::string root_hints;
    std::string trust_anchor;
    std::vector<std::string> sources;
    double timeout = 10;
    bool json = false;
};

// "ADDR" or "ADDR#PORT" (BIND's notation; port 53 by default).
net::Endpoint parse_server(const std::string& text) {
    const auto hash = text.find('#');
    const auto address = dns::IpAddress::parse(text.substr(0, hash));
    if (!address) throw std::runtime_error("not an address: " + text);
    net::Endpoint server{*address, 53};
    if (hash != std::string::npos) {
        const std::string port = text.substr(hash + 1);
        std::size_t used = 0;
        const unsigned long value = std::stoul(port, &used);
        if (used != port.size() || value == 0 || value > 65535)
            throw std::runtime_error("not a port: " + text);
        server.port = static_cast<std::uint16_t>(value);
    }
    return server;
}

int run(const DoctorArguments& a) {
    try {
        doctor::DoctorOptions options;
        options.name = dns::Name::from_text(a.name, dns::Name());
        const auto type = dns::type_from_text(a.type);
        if (!type) throw std::runtime_error("unknown type: " + a.type);
        options.type = *type;
        for (const auto& r : a.resolvers)
            options.resolvers.push_back(parse_server(r));
        options.resolv_conf = a.resolv_conf;
        options.root_hints = a.root_hints;
        options.trust_anchor = a.trust_anchor;
        for (const auto& s : a.sources) {
            const auto address = dns::IpAddress::parse(s);
            if (!address) throw std::runtime_error("not an address: " + s);
            options.sources.push_back(*address);
        }
        if (!(a.timeout > 0 && a.timeout <= 3600))
            throw std::runtime_error("--timeout must be 0-3600 seconds");
        options.timeout = std::chrono::milliseconds(static_cast<long long>(a.timeout * 1000));
        const doctor::Diagnosis d = doctor::run_doctor(options);
        std::cout << (a.json ? doctor::report_json(d) : doctor::report_text(d));
        std::cout.flush();
        return d.verdict == "healthy" ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "cairn doctor: " << e.what() << '\n';
        return 2;
    }
}

}  // namespace

void add_doctor_command(CLI::App& app, int& exit_status) {
    auto a = std::make_shared<DoctorArguments>();
    CLI::App* command = app.add_subcommand(
        "doctor",
        "diagnose why NAME fails to resolve, from the client's resolvers inward, and name the failure");
    command->add_option("name", a->name, "the name clients fail to resolve")->required();
    command->add_option("type", a->type, "the record type")->capture_default_str();
    command->add_option("--resolver", a->resolvers, "a resolver to check, ADDR[#PORT] (repeatable)");
    command->add_option("--resolv-conf", a->resolv_conf,
                        "the stub resolver configuration (default /etc/resolv.conf)");
    command->add_option("--root-hints", a->root_hints,
                        "a root hints file (default: the built-in root servers)");
    command->add_option("--trust-anchor", a->trust_anchor,
                        "DS or DNSKEY records in presentation format (default: the root's KSKs)");
    command->add_option("--from", a->sources, "also ask from this source address (repeatable)");
    command->add_option("--timeout", a->timeout, "bound on the whole run, seconds")->capture_default_str();
    command->add_flag("--json", a->json, "print the diagnosis as JSON (docs/doctor.md)");
    command->callback([a, &exit_status] { exit_status = run(*a); });
}

}  // namespace cairn::cli
