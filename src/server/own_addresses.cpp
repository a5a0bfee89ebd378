#include "server/own_addresses.hpp"

#include <algorithm>

namespace cairn::server {

std::vector<std::string> own_addresses(const std::vector<net::Endpoint>& listen,
                                       const config::HostNetworks& host) {
    std::vector<std::string> out;
    auto add = [&](std::string text) {
        if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
    };
    for (const net::Endpoint& at : listen) {
        if (!at.address.is_unspecified()) {
            add(at.address.to_string());
            continue;
        }
        for (const config::IpPrefix& prefix : host.addresses) {
            if (prefix.address.family == at.address.family) add(prefix.address.to_string());
        }
    }
    return out;
}

}  // namespace cairn::server
