#include "server/access.hpp"

namespace cairn::server {

bool matches_everyone(const config::AddressMatchList& list) {
    return list.elements.size() == 1 && list.elements[0].kind == config::AmlElement::Kind::Any &&
           !list.elements[0].negated;
}

AccessList AccessList::from(const config::AddressMatchList& list, const config::Config& config,
                            const config::HostNetworks& host) {
    AccessList access;
    if (!matches_everyone(list))
        access.acl_ = std::make_shared<const config::CompiledAcl>(config.compile(list, host));
    return access;
}

}  // namespace cairn::server
