#include "server/builtin_zones.hpp"

#include <algorithm>
#include <stdexcept>

#include "zonefile/master_parser.hpp"

namespace cairn::server {

const std::vector<std::string>& empty_zone_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out = {
            // RFC 1918
            "10.in-addr.arpa.",
        };
        for (int i = 16; i <= 31; ++i)
            out.push_back(std::to_string(i) + ".172.in-addr.arpa.");
        out.push_back("168.192.in-addr.arpa.");
        // RFC 6598 (shared address space)
        for (int i = 64; i <= 127; ++i)
            out.push_back(std::to_string(i) + ".100.in-addr.arpa.");
        // RFC 5735 and RFC 5737: this network, loopback, link local, the three test nets, broadcast
        for (const char* name :
             {"0.in-addr.arpa.", "127.in-addr.arpa.", "254.169.in-addr.arpa.", "2.0.192.in-addr.arpa.",
              "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.", "255.255.255.255.in-addr.arpa."})
            out.push_back(name);
        // IPv6: unspecified and loopback, unique local, link local, documentation (RFC 3849)
        const std::string zeros = "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.";
        out.push_back("0." + zeros + "ip6.arpa.");
        out.push_back("1." + zeros + "ip6.arpa.");
        for (const char* name : {"d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.",
                                 "b.e.f.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa."})
            out.push_back(name);
        // RFC 7534 (AS112 redirection) and RFC 8375 (home.arpa)
        out.push_back("empty.as112.arpa.");
        out.push_back("home.arpa.");
        return out;
    }();
    return names;
}

namespace {

bool at_or_below_any(const dns::Name& name, const std::vector<dns::Name>& zones) {
    return std::any_of(zones.begin(), zones.end(),
                       [&](const dns::Name& zone) { return name.is_subdomain_of(zone); });
}

// Parsed, not checked: BIND's empty zones name themselves as their name server, which has no address (fine
// for a zone that only ever answers NXDOMAIN; named-checkzone would refuse the file).
std::shared_ptr<const zone::Zone> zone_from_text(const dns::Name& origin, const std::string& text) {
    zonefile::ParseOptions options;
    options.origin = origin;
    options.allow_include = false;
    const zone::ParsedZone parsed =
        zonefile::parse_zone_text(text, "built-in zone " + origin.to_text(), options);
    if (parsed.diagnostics.error_count() != 0)
        throw std::logic_error("built-in zone " + origin.to_text() + " does not parse");
    return zone::Zone::build(origin, parsed);
}

std::string empty_zone_text(const dns::Name& origin, const config::ResolvedRecursion& recursion) {
    const std::string server = recursion.empty_server.empty() ? origin.to_text() : recursion.empty_server;
    const std::string contact = recursion.empty_contact.empty() ? "." : recursion.empty_contact;
    return "@ 86400 IN SOA " + server + " " + contact + " 0 28800 7200 604800 86400\n" + "@ 86400 IN NS " +
           server + "\n";
}

const char* const kLocalhostZone =
    "@ 10800 IN SOA localhost. nobody.invalid. 1 3600 1200 604800 10800\n"
    "@ 10800 IN NS localhost.\n"
    "@ 10800 IN A 127.0.0.1\n"
    "@ 10800 IN AAAA ::1\n"
    "* 10800 IN A 127.0.0.1\n"
    "* 10800 IN AAAA ::1\n";

}  // namespace

std::vector<std::shared_ptr<const zone::Zone>> builtin_zones(const config::ResolvedRecursion& recursion,
                                                             const BuiltinZoneExclusions& exclusions) {
    std::vector<std::shared_ptr<const zone::Zone>> zones;
    if (!recursion.recursion) return zones;
    // Not where the configuration decides otherwise: a zone served at or above the name, a static-stub or
    // forward-only zone at or above it.
    const auto handled_elsewhere = [&](const dns::Name& name) {
        return at_or_below_any(name, exclusions.served) || at_or_below_any(name, exclusions.stubs) ||
               at_or_below_any(name, exclusions.forward_only);
    };
    const dns::Name localhost = dns::Name::from_text("localhost.");
    if (!handled_elsewhere(localhost)) zones.push_back(zone_from_text(localhost, kLocalhostZone));
    if (!recursion.empty_zones_enable) return zones;
    for (const std::string& text : empty_zone_names()) {
        const dns::Name name = dns::Name::from_text(text);
        if (handled_elsewhere(name)) continue;
        if (std::find(recursion.disable_empty_zone.begin(), recursion.disable_empty_zone.end(), name) !=
            recursion.disable_empty_zone.end())
            continue;
        zones.push_back(zone_from_text(name, empty_zone_text(name, recursion)));
    }
    return zones;
}

}  // namespace cairn::server
