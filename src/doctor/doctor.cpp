#include "doctor/doctor.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dns/rdata.hpp"
#include "doctor/delegation_walk.hpp"
#include "doctor/dnssec_chain.hpp"
#include "doctor/probe.hpp"
#include "doctor/resolv_conf.hpp"
#include "net/fd.hpp"
#include "resolver/root_hints.hpp"
#include "resolver/trust_anchors.hpp"
#include "zonefile/record_file.hpp"

namespace cairn::doctor {

namespace {

constexpr auto kMaxPerQuery = std::chrono::milliseconds(2000);
constexpr auto kMinPerQuery = std::chrono::milliseconds(300);
constexpr std::size_t kMaxAuthorityAddresses = 16;

// A --from address must be one of this host's: the queries are sent from it.
void check_source(const dns::IpAddress& source) {
    net::Fd fd(::socket(source.is_v6() ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_storage address;
    const socklen_t length = net::Endpoint{source, 0}.to_sockaddr(address);
    if (!fd || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0)
        throw std::runtime_error("--from " + source.to_string() + ": cannot send from it (" +
                                 std::strerror(errno) + "): not an address of this host?");
}

std::vector<resolver::RootHint> load_hints(const std::string& path) {
    if (path.empty()) return resolver::builtin_root_hints();
    auto hints = resolver::root_hints_from_records(zonefile::read_record_file(path));
    if (hints.empty()) throw std::runtime_error(path + ": no NS records for the root");
    return hints;
}

// The first authoritative (AA) answer of a batch, if any.
std::optional<dns::Message> first_authoritative(const std::vector<QueryResult>& results) {
    for (const auto& r : results)
        if (r.answered() && r.message->header.aa) return r.message;
    return std::nullopt;
}

struct Run {
    const DoctorOptions& options;
    Prober& prober;
    Observations o;
    std::vector<ZoneServers> cuts;

    void read_resolv_conf() {
        const bool read = !options.resolv_conf.empty() || options.resolvers.empty();
        if (!read) return;
        o.resolv_conf_path = options.resolv_conf.empty() ? "/etc/resolv.conf" : options.resolv_conf;
        std::ifstream in(o.resolv_conf_path);
        if (!in) {
            o.resolv_conf_error = "cannot read " + o.resolv_conf_path;
            return;
        }
        std::stringstream text;
        text << in.rdbuf();
        o.resolv_conf = parse_resolv_conf(text.str());
    }

    void check_resolvers() {
        if (o.resolv_conf)
            for (std::size_t i = 0; i < o.resolv_conf->nameservers.size(); ++i) {
                ResolverObservation r;
                r.server = {o.resolv_conf->nameservers[i], 53};
                r.from_resolv_conf = true;
                r.position = i;
                o.resolvers.push_back(r);
            }
        for (const auto& server : options.resolvers) {
            const bool listed = std::any_of(o.resolvers.begin(), o.resolvers.end(),
                                            [&](const auto& r) { return r.server == server; });
            if (!listed) o.resolvers.push_back(ResolverObservation{server, false, 0, {}, {}, {}});
        }
        std::vector<Prober::Request> requests;
        for (const auto& r : o.resolvers) {
            requests.push_back({r.server, o.name, o.type, QueryFlags{true, true, false, false, false}, {}});
            requests.push_back({r.server, o.name, o.type, QueryFlags{true, true, false, false, true}, {}});
            requests.push_back({r.server, o.name, o.type, QueryFlags{true, true, true, false, false}, {}});
        }
        const auto results = prober.run(requests);
        for (std::size_t i = 0; i < o.resolvers.size(); ++i) {
            o.resolvers[i].udp = results[3 * i];
            o.resolvers[i].tcp = results[3 * i + 1];
            o.resolvers[i].checking_disabled = results[3 * i + 2];
        }
    }

    void find_delegation(const std::vector<resolver::RootHint>& hints) {
        DelegationWalk walk = walk_delegation(prober, hints, o.name, o.type);
        o.delegation.trail = std::move(walk.trail);
        o.delegation.error = walk.error;
        cuts = std::move(walk.cuts);
        if (cuts.empty()) return;
        const ZoneServers& zone = cuts.back();
        o.delegation.zone = zone.zone;
        o.delegation.servers = zone.servers;
        o.delegation.ns_ttl = zone.ns_ttl;
    }

    void check_authorities() {
        if (cuts.empty() || !o.delegation.error.empty()) return;
        const ZoneServers& zone = cuts.back();
        std::vector<Prober::Request> requests;
        for (const auto& [name, address] : zone.addresses) {
            if (o.authorities.size() == kMaxAuthorityAddresses) break;
            o.authorities.push_back(AuthorityObservation{name, address, {}, {}});
            const net::Endpoint server{address, 53};
            requests.push_back(
                {server, zone.zone, dns::RRType::SOA, QueryFlags{false, false, false, true, false}, {}});
            requests.push_back({server, o.name, o.type, QueryFlags{false, true, false, false, false}, {}});
        }
        const auto results = prober.run(requests);
        for (std::size_t i = 0; i < o.authorities.size(); ++i) {
            o.authorities[i].soa = results[2 * i];
            o.authorities[i].answer = results[2 * i + 1];
        }
    }

    void check_dnssec(const std::vector<dns::ResourceRecord>& anchors) {
        if (cuts.empty() || !o.delegation.error.empty()) return;
        // The deepest anchored zone above NAME, and the cuts from it down.
        std::optional<dns::Name> anchor_zone;
        for (const auto& rr : anchors)
            if (o.name.is_subdomain_of(rr.owner) &&
                (!anchor_zone || rr.owner.label_count() > anchor_zone->label_count()))
                anchor_zone = rr.owner;
        if (!anchor_zone) {
            o.dnssec.lines.push_back("no trust anchor at or above " + o.name.to_text());
            return;
        }
        std::vector<dns::ResourceRecord> used;
        for (const auto& rr : anchors)
            if (rr.owner == *anchor_zone) used.push_back(rr);
        std::vector<std::size_t> path;  // indexes into cuts
        for (std::size_t i = 0; i < cuts.size(); ++i)
            if (cuts[i].zone.is_subdomain_of(*anchor_zone)) path.push_back(i);
        if (path.empty() || !(cuts[path.front()].zone == *anchor_zone)) {
            o.dnssec.lines.push_back("the anchor " + anchor_zone->to_text() +
                                     " is not a zone cut on the way to " + o.name.to_text());
            return;
        }
        // For each zone: DNSKEY from its servers, DS from its parent's, every address at once.
        std::vector<Prober::Request> requests;
        std::vector<std::pair<std::size_t, bool>> owner;  // (link, is DS)
        auto ask_all = [&](const ZoneServers& servers, const dns::Name& qname, dns::RRType type,
                           std::size_t link, bool ds) {
            std::size_t n = 0;
            for (const auto& [name, address] : servers.addresses) {
                if (n++ == 4) break;
                requests.push_back({net::Endpoint{address, 53},
                                    qname,
                                    type,
                                    QueryFlags{false, true, false, false, false},
                                    {}});
                owner.emplace_back(link, ds);
            }
        };
        for (std::size_t k = 0; k < path.size(); ++k) {
            const std::size_t i = path[k];
            ask_all(cuts[i], cuts[i].zone, dns::RRType::DNSKEY, k, false);
            if (k > 0) ask_all(cuts[i - 1], cuts[i].zone, dns::RRType::DS, k, true);
        }
        const auto results = prober.run(requests);
        std::vector<ChainLink> links(path.size());
        for (std::size_t k = 0; k < path.size(); ++k)
            links[k].zone = cuts[path[k]].zone;
        for (std::size_t j = 0; j < results.size(); ++j) {
            const auto& r = results[j];
            if (!r.answered() || !r.message->header.aa) continue;
            auto& link = links[owner[j].first];
            auto& slot = owner[j].second ? link.ds : link.dnskey;
            if (!slot) slot = r.message;
        }
        std::vector<QueryResult> answers;
        for (const auto& a : o.authorities)
            answers.push_back(a.answer);
        o.dnssec = check_chain(used, links, first_authoritative(answers), o.now);
    }

    void compare_sources() {
        if (options.sources.empty()) return;
        std::vector<Prober::Request> requests;
        std::vector<std::string> labels;
        for (const auto& source : options.sources) {
            for (const auto& a : o.authorities) {
                requests.push_back({net::Endpoint{a.address, 53}, o.name, o.type, QueryFlags{}, source});
                labels.push_back(a.name.to_text() + " " + a.address.to_string());
            }
            for (const auto& r : o.resolvers) {
                if (!r.udp.answered()) continue;
                requests.push_back(
                    {r.server, o.name, o.type, QueryFlags{true, false, false, false, false}, source});
                labels.push_back("resolver " + r.server.to_string());
            }
        }
        const auto results = prober.run(requests);
        std::size_t j = 0;
        for (const auto& source : options.sources) {
            const std::size_t per_source = requests.size() / options.sources.size();
            for (std::size_t k = 0; k < per_source; ++k, ++j)
                o.sources.push_back(SourceObservation{source, labels[j], results[j]});
        }
    }
};

}  // namespace

std::vector<dns::ResourceRecord> load_trust_anchors(const std::string& path) {
    std::vector<dns::ResourceRecord> records;
    if (path.empty()) {
        // The root KSKs cairnd's validator has built in (KSK-2017 and KSK-2024).
        for (const auto& anchor : resolver::builtin_root_anchors())
            records.push_back({anchor.zone, anchor.is_ds() ? dns::RRType::DS : dns::RRType::DNSKEY,
                               dns::RRClass::IN, 172800, anchor.rdata});
        return records;
    }
    for (auto& rr : zonefile::read_record_file(path)) {
        if (rr.type != dns::RRType::DS && rr.type != dns::RRType::DNSKEY)
            throw std::runtime_error(path + ": a trust anchor is a DS or DNSKEY record, not " +
                                     dns::type_to_text(rr.type));
        records.push_back(std::move(rr));
    }
    if (records.empty()) throw std::runtime_error(path + ": no DS or DNSKEY record");
    return records;
}

Diagnosis run_doctor(const DoctorOptions& options) {
    const auto started = Prober::Clock::now();
    const auto hints = load_hints(options.root_hints);
    const auto anchors = load_trust_anchors(options.trust_anchor);
    for (const auto& source : options.sources)
        check_source(source);
    const auto per_query =
        std::clamp<std::chrono::milliseconds>(options.timeout / 5, kMinPerQuery, kMaxPerQuery);
    // A little is kept back for judging and printing.
    const auto reserve =
        std::min<std::chrono::milliseconds>(options.timeout / 10, std::chrono::milliseconds(200));
    Prober prober(started + options.timeout - reserve, per_query);
    Run run{options, prober, {}, {}};
    run.o.name = options.name;
    run.o.type = options.type;
    run.o.now = static_cast<std::uint32_t>(std::time(nullptr));
    run.read_resolv_conf();
    run.check_resolvers();
    run.find_delegation(hints);
    run.check_authorities();
    run.check_dnssec(anchors);
    run.compare_sources();
    run.o.out_of_time = prober.out_of_time();
    Diagnosis d = diagnose(run.o);
    d.elapsed_ms = std::chrono::duration<double, std::milli>(Prober::Clock::now() - started).count();
    return d;
}

}  // namespace cairn::doctor
