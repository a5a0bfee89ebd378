// An access list of address prefixes ("192.0.2.0/24"), compiled without named ACLs or host networks, for
// the server's tests and the server request fuzz target. No GoogleTest here.
#pragma once

#include <initializer_list>

#include "config/acl.hpp"
#include "server/access.hpp"

namespace cairn::server::testing {

inline AccessList acl(std::initializer_list<const char*> prefixes) {
    config::AddressMatchList list;
    for (const char* text : prefixes) {
        config::AmlElement element;
        element.kind = config::AmlElement::Kind::Prefix;
        element.prefix = *config::IpPrefix::parse(text);
        list.elements.push_back(element);
    }
    return AccessList(config::CompiledAcl::compile(
        list, [](const std::string&) { return nullptr; }, config::HostNetworks{}));
}

}  // namespace cairn::server::testing
