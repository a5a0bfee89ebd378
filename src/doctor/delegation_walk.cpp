#include "doctor/delegation_walk.hpp"

#include <algorithm>

#include "dns/rdata.hpp"

namespace cairn::doctor {

namespace {

constexpr unsigned kMaxLevels = 16;        // referrals followed for one name
constexpr unsigned kMaxGluelessDepth = 2;  // nested lookups of name server addresses
constexpr std::size_t kMaxAddressesPerLevel = 8;

std::string zone_label(const dns::Name& zone) {
    return zone.is_root() ? "the root" : zone.to_text();
}

std::optional<dns::IpAddress> address_of(const dns::ResourceRecord& rr) {
    if (rr.type == dns::RRType::A && rr.rdata.size() == 4)
        return dns::IpAddress::from_octets(AF_INET, rr.rdata.data());
    if (rr.type == dns::RRType::AAAA && rr.rdata.size() == 16)
        return dns::IpAddress::from_octets(AF_INET6, rr.rdata.data());
    return std::nullopt;
}

}  // namespace

std::optional<ZoneServers> referral_in(const dns::Message& m, const dns::Name& current,
                                       const dns::Name& qname) {
    if (m.header.aa || m.rcode() != dns::Rcode::NOERROR || !m.answer.empty()) return std::nullopt;
    ZoneServers cut;
    for (const auto& rr : m.authority) {
        if (rr.type != dns::RRType::NS || rr.owner == current || !rr.owner.is_subdomain_of(current) ||
            !qname.is_subdomain_of(rr.owner))
            continue;
        if (cut.servers.empty()) {
            cut.zone = rr.owner;
            cut.ns_ttl = rr.ttl;
        }
        if (!(rr.owner == cut.zone)) continue;
        std::size_t offset = 0;
        cut.servers.push_back(dns::Name::from_wire(rr.rdata, offset));
    }
    if (cut.servers.empty()) return std::nullopt;
    for (const auto& rr : m.additional) {
        const auto address = address_of(rr);
        if (!address) continue;
        if (std::find(cut.servers.begin(), cut.servers.end(), rr.owner) != cut.servers.end())
            cut.addresses.emplace_back(rr.owner, *address);
    }
    return cut;
}

DelegationWalk walk_delegation(Prober& prober, const std::vector<resolver::RootHint>& hints,
                               const dns::Name& name, dns::RRType type, unsigned depth) {
    DelegationWalk walk;
    ZoneServers cut;
    cut.zone = dns::Name();
    for (const auto& hint : hints) {
        cut.servers.push_back(hint.name);
        for (const auto& address : hint.addresses)
            cut.addresses.emplace_back(hint.name, address);
    }
    for (unsigned level = 0; level < kMaxLevels; ++level) {
        walk.cuts.push_back(cut);
        std::vector<Prober::Request> requests;
        for (const auto& [server, address] : cut.addresses) {
            if (requests.size() == kMaxAddressesPerLevel) break;
            requests.push_back({net::Endpoint{address, 53}, name, type, QueryFlags{}, std::nullopt});
        }
        if (requests.empty()) {
            walk.trail.push_back(zone_label(cut.zone) + ": no address for any of its name servers");
            if (level == 0) walk.error = "no root hint has an address";
            return walk;
        }
        const auto results = prober.run(requests);
        const QueryResult* usable = nullptr;
        std::size_t used = 0;
        std::vector<std::string> failures;
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            const std::string who = requests[i].server.to_string();
            if (!r.answered()) {
                failures.push_back(who + " " + r.describe());
                continue;
            }
            const auto rcode = r.message->rcode();
            if (rcode == dns::Rcode::REFUSED || rcode == dns::Rcode::SERVFAIL ||
                rcode == dns::Rcode::NOTAUTH) {
                failures.push_back(who + " " + dns::rcode_to_text(rcode));
                continue;
            }
            if (usable == nullptr) {
                usable = &r;
                used = i;
            }
        }
        if (usable == nullptr) {
            std::string line = zone_label(cut.zone) + ": no server answers";
            for (const auto& f : failures)
                line += "; " + f;
            walk.trail.push_back(line);
            if (level == 0) walk.error = line;
            return walk;  // the last cut is the zone whose servers fail
        }
        const dns::Message& m = *usable->message;
        const std::string asked = zone_label(cut.zone) + " (" + requests[used].server.to_string() + ")";
        auto next = referral_in(m, cut.zone, name);
        if (!next) {
            walk.trail.push_back(asked + ": " + dns::rcode_to_text(m.rcode()) + (m.header.aa ? " aa" : "") +
                                 ", " + std::to_string(m.answer.size()) + " answer records");
            walk.final_answer = m;
            return walk;
        }
        std::string line = asked + ": referral to " + next->zone.to_text() + " NS";
        for (const auto& s : next->servers)
            line += " " + s.to_text();
        for (const auto& server : next->servers) {
            const bool has_glue = std::any_of(next->addresses.begin(), next->addresses.end(),
                                              [&](const auto& a) { return a.first == server; });
            if (has_glue || depth >= kMaxGluelessDepth) continue;
            const auto sub = walk_delegation(prober, hints, server, dns::RRType::A, depth + 1);
            if (sub.final_answer)
                for (const auto& rr : sub.final_answer->answer)
                    if (const auto address = address_of(rr); address && rr.owner == server)
                        next->addresses.emplace_back(server, *address);
            line += " (" + server.to_text() + " glueless: " +
                    std::to_string(std::count_if(next->addresses.begin(), next->addresses.end(),
                                                 [&](const auto& a) { return a.first == server; })) +
                    " address(es) found)";
        }
        walk.trail.push_back(line);
        cut = std::move(*next);
    }
    walk.trail.push_back("more than " + std::to_string(kMaxLevels) + " referrals: stopped");
    return walk;
}

}  // namespace cairn::doctor
