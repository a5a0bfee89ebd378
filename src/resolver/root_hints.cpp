#include "resolver/root_hints.hpp"

#include <string_view>

namespace cairn::resolver {
namespace {

struct BuiltinRoot {
    std::string_view name, v4, v6;
};

// IANA's named.root (last change: b.root-servers.net's addresses, 2023-11-27).
constexpr BuiltinRoot kRoots[] = {
    {"a.root-servers.net.", "198.41.0.4", "2001:503:ba3e::2:30"},
    {"b.root-servers.net.", "170.247.170.2", "2801:1b8:10::b"},
    {"c.root-servers.net.", "192.33.4.12", "2001:500:2::c"},
    {"d.root-servers.net.", "199.7.91.13", "2001:500:2d::d"},
    {"e.root-servers.net.", "192.203.230.10", "2001:500:a8::e"},
    {"f.root-servers.net.", "192.5.5.241", "2001:500:2f::f"},
    {"g.root-servers.net.", "192.112.36.4", "2001:500:12::d0d"},
    {"h.root-servers.net.", "198.97.190.53", "2001:500:1::53"},
    {"i.root-servers.net.", "192.36.148.17", "2001:7fe::53"},
    {"j.root-servers.net.", "192.58.128.30", "2001:503:c27::2:30"},
    {"k.root-servers.net.", "193.0.14.129", "2001:7fd::1"},
    {"l.root-servers.net.", "199.7.83.42", "2001:500:9f::42"},
    {"m.root-servers.net.", "202.12.27.33", "2001:dc3::35"},
};

}  // namespace

std::vector<RootHint> builtin_root_hints() {
    std::vector<RootHint> hints;
    for (const auto& root : kRoots) {
        RootHint hint;
        hint.name = dns::Name::from_text(root.name);
        hint.addresses.push_back(*dns::IpAddress::parse(root.v4));
        hint.addresses.push_back(*dns::IpAddress::parse(root.v6));
        hints.push_back(std::move(hint));
    }
    return hints;
}

std::vector<RootHint> root_hints_from_records(const std::vector<dns::ResourceRecord>& records) {
    std::vector<RootHint> hints;
    for (const auto& rr : records) {
        if (rr.type != dns::RRType::NS || !rr.owner.is_root()) continue;
        std::size_t offset = 0;
        RootHint hint;
        hint.name = dns::Name::from_wire(rr.rdata, offset);
        bool duplicate = false;
        for (const auto& h : hints)
            duplicate = duplicate || h.name == hint.name;
        if (!duplicate) hints.push_back(std::move(hint));
    }
    for (const auto& rr : records) {
        const bool a = rr.type == dns::RRType::A && rr.rdata.size() == 4;
        const bool aaaa = rr.type == dns::RRType::AAAA && rr.rdata.size() == 16;
        if (!a && !aaaa) continue;
        for (auto& hint : hints) {
            if (hint.name == rr.owner)
                hint.addresses.push_back(
                    dns::IpAddress::from_octets(a ? AF_INET : AF_INET6, rr.rdata.data()));
        }
    }
    return hints;
}

}  // namespace cairn::resolver
