// The addresses this server answers on, as text, so that a primary does not NOTIFY itself when one of its
// zone's NS targets is this host (RFC 1996 §3.6: the primary leaves itself out).
#pragma once

#include <string>
#include <vector>

#include "config/acl.hpp"
#include "net/endpoint.hpp"

namespace cairn::server {

// Each listen address; a wildcard listener (0.0.0.0, ::) stands for every address of `host` in its family.
std::vector<std::string> own_addresses(const std::vector<net::Endpoint>& listen,
                                       const config::HostNetworks& host);

}  // namespace cairn::server
