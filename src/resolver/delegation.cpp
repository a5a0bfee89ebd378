#include "resolver/delegation.hpp"

#include "resolver/cache.hpp"
#include "resolver/cache_reader.hpp"
#include "resolver/context.hpp"

namespace cairn::resolver {
namespace {

template <typename Zone>
const Zone* longest_match(const std::vector<Zone>& zones, const dns::Name& name) {
    const Zone* best = nullptr;
    for (const auto& z : zones) {
        if (name.is_subdomain_of(z.zone) &&
            (best == nullptr || z.zone.label_count() > best->zone.label_count()))
            best = &z;
    }
    return best;
}

void add_addresses(std::vector<ServerAddress>& out, const std::optional<RRsetData>& set) {
    if (!set) return;
    for (const auto& rdata : set->rdatas) {
        if (rdata.size() == 4) out.push_back({dns::IpAddress::from_octets(AF_INET, rdata.data()), 53});
        if (rdata.size() == 16) out.push_back({dns::IpAddress::from_octets(AF_INET6, rdata.data()), 53});
    }
}

}  // namespace

std::string_view to_string(Delegation::Kind kind) {
    switch (kind) {
        case Delegation::Kind::hints:
            return "root hints";
        case Delegation::Kind::iterative:
            return "delegation";
        case Delegation::Kind::forward:
            return "forwarders";
        case Delegation::Kind::stub:
            return "static-stub";
    }
    return "?";
}

std::vector<ServerAddress> cached_addresses(const ResolverContext& ctx, const dns::Name& name,
                                            std::uint32_t now) {
    std::vector<ServerAddress> out;
    if (ctx.settings().use_ipv4)
        add_addresses(out, read_rrset(ctx.cache(), name, dns::RRType::A, now, Rank::glue));
    if (ctx.settings().use_ipv6)
        add_addresses(out, read_rrset(ctx.cache(), name, dns::RRType::AAAA, now, Rank::glue));
    return out;
}

Delegation hints_delegation(const ResolverContext& ctx) {
    Delegation d;
    d.kind = Delegation::Kind::hints;
    d.zone = dns::Name();
    for (const auto& hint : ctx.root_hints()) {
        NameServer ns;
        ns.name = hint.name;
        for (const auto& a : hint.addresses) {
            if ((a.is_v4() && ctx.settings().use_ipv4) || (a.is_v6() && ctx.settings().use_ipv6))
                ns.addresses.push_back({a, 53});
        }
        d.servers.push_back(std::move(ns));
    }
    return d;
}

Delegation delegation_from_ns(const ResolverContext& ctx, const dns::Name& zone,
                              const std::vector<dns::Name>& ns_names, std::uint32_t now) {
    Delegation d;
    d.kind = Delegation::Kind::iterative;
    d.zone = zone;
    for (const auto& name : ns_names) {
        if (d.servers.size() >= ctx.settings().limits.max_ns_per_delegation) break;
        NameServer ns;
        ns.name = name;
        ns.addresses = cached_addresses(ctx, name, now);
        d.servers.push_back(std::move(ns));
    }
    return d;
}

Delegation find_delegation(const ResolverContext& ctx, const dns::Name& name, dns::RRType qtype,
                           std::uint32_t now, bool no_forwarding) {
    const ResolverSettings& s = ctx.settings();
    // DS lives on the parent side of a cut.
    const dns::Name start = qtype == dns::RRType::DS && !name.is_root() ? name.parent() : name;
    const ForwardZone* forward = longest_match(s.forward_zones, start);
    const StaticStubZone* stub = longest_match(s.static_stubs, start);

    if (forward != nullptr && !forward->forwarders.empty() && !no_forwarding &&
        (stub == nullptr || forward->zone.label_count() >= stub->zone.label_count())) {
        Delegation d;
        d.kind = Delegation::Kind::forward;
        d.zone = forward->zone;
        d.policy = forward->policy;
        for (const auto& server : forward->forwarders)
            d.servers.push_back({forward->zone, {server}, false, false, {}});
        return d;
    }

    // The deepest cached NS set, skipping sets we could not reach (in-zone names without addresses).
    std::optional<Delegation> cached;
    for (dns::Name cut = start;; cut = cut.parent()) {
        if (stub != nullptr && cut.label_count() < stub->zone.label_count()) break;
        if (auto ns = read_rrset(ctx.cache(), cut, dns::RRType::NS, now, Rank::referral)) {
            std::vector<dns::Name> names;
            for (const auto& rdata : ns->rdatas) {
                std::size_t offset = 0;
                names.push_back(dns::Name::from_wire(rdata, offset));
            }
            Delegation d = delegation_from_ns(ctx, cut, names, now);
            bool reachable = false;
            for (const auto& server : d.servers)
                reachable = reachable || !server.addresses.empty() || !server.name.is_subdomain_of(cut);
            if (reachable) {
                cached = std::move(d);
                break;
            }
        }
        if (cut.is_root()) break;
    }
    if (stub != nullptr && (!cached || cached->zone.label_count() <= stub->zone.label_count())) {
        Delegation d;
        d.kind = Delegation::Kind::stub;
        d.zone = stub->zone;
        for (const auto& server : stub->servers)
            d.servers.push_back({stub->zone, {server}, false, false, {}});
        return d;
    }
    if (cached) return std::move(*cached);
    return hints_delegation(ctx);
}

}  // namespace cairn::resolver
