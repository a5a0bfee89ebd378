#include "resolver/failure_text.hpp"

namespace cairn::resolver {

std::string zone_text(const dns::Name& zone) {
    return zone.to_text_without_dot();
}

DelegationFailure describe_delegation_failure(const Task& t) {
    DelegationFailure f;
    std::string servers;
    bool all_network = true, all_lame = true, all_bad = true, any = false;
    constexpr std::size_t kMaxParts = 6;  // EXTRA-TEXT stays readable (and well within a UDP reply)
    std::size_t parts = 0;
    auto add = [&](const std::string& part) {
        if (++parts > kMaxParts) return;
        if (!servers.empty()) servers += ", ";
        servers += part;
    };
    for (const Target& target : t.targets) {
        if (target.tries == 0 && target.failure == ServerFailure::none) continue;
        any = true;
        std::string who = target.server.address.to_string();
        if (target.server.port != 53) who += "#" + std::to_string(target.server.port);
        std::string what;
        if (target.timeouts > 0) what = "timed out x" + std::to_string(target.timeouts);
        if (!target.outcome.empty()) what += (what.empty() ? "" : ", then ") + target.outcome;
        if (what.empty()) what = "no answer";
        add(who + " " + what);
        all_network = all_network && target.failure == ServerFailure::network;
        all_lame = all_lame && target.failure == ServerFailure::lame;
        all_bad = all_bad && target.failure == ServerFailure::bad;
    }
    for (const auto& ns : t.dp.servers) {
        if (!ns.addresses.empty() || t.dp.kind != Delegation::Kind::iterative) continue;
        add(zone_text(ns.name) +
            " (no address: " + (ns.lookup_failure.empty() ? "not looked up" : ns.lookup_failure) + ")");
        all_network = all_lame = all_bad = false;
    }
    if (parts > kMaxParts) servers += " and " + std::to_string(parts - kMaxParts) + " more";
    if (servers.empty()) servers = "no server to ask";
    const std::string zone = zone_text(t.dp.zone);
    if (any && all_network) {
        f.code = dns::EdeCode::NetworkError;
        f.text = "network error reaching " + zone + ": " + servers;
    } else if (any && all_lame) {
        f.code = dns::EdeCode::NotAuthoritative;
        f.text = "no authoritative server for " + zone + ": " + servers;
    } else if (any && all_bad) {
        f.code = dns::EdeCode::InvalidData;
        f.text = "invalid data from " + zone + ": " + servers;
    } else {
        f.code = dns::EdeCode::NoReachableAuthority;
        const char* what = t.dp.kind == Delegation::Kind::forward ? "no reachable forwarder for "
                           : t.dp.kind == Delegation::Kind::hints ? "no reachable root server (hints) for "
                                                                  : "no reachable authority for ";
        f.text = what + zone + ": " + servers;
    }
    return f;
}

}  // namespace cairn::resolver
