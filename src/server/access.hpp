// An access list as the query path applies it: a compiled address match list from the configuration, or
// nothing at all for "any" so that the common case costs one pointer test.
#pragma once

#include <memory>

#include "config/acl.hpp"
#include "config/config.hpp"
#include "net/handler.hpp"

namespace cairn::server {

class AccessList {
  public:
    AccessList() = default;  // everyone
    explicit AccessList(config::CompiledAcl acl)
        : acl_(std::make_shared<const config::CompiledAcl>(std::move(acl))) {}
    // `{ any; }` gives an unrestricted list; anything else is compiled against the configuration.
    static AccessList from(const config::AddressMatchList& list, const config::Config& config,
                           const config::HostNetworks& host);

    bool allows_everyone() const { return acl_ == nullptr; }
    bool allows_source(const net::ClientInfo& client) const {
        return acl_ == nullptr || acl_->evaluate(client.source.address, nullptr) == config::AclVerdict::Allow;
    }
    // For requests verified with TSIG key `key` (`key NAME` elements match it).
    bool allows_source(const net::ClientInfo& client, const dns::Name* key) const {
        return acl_ == nullptr || acl_->evaluate(client.source.address, key) == config::AclVerdict::Allow;
    }
    // An address prepared once (by candidate()) for several lists, as view selection does.
    using Candidate = config::CompiledAcl::Candidate;
    static Candidate candidate(const dns::IpAddress& address) {
        return config::CompiledAcl::candidate_of(address);
    }
    bool allows(const Candidate& address, const dns::Name* key) const {
        return acl_ == nullptr || acl_->evaluate(address, key) == config::AclVerdict::Allow;
    }
    bool allows_destination(const net::ClientInfo& client, const dns::Name* key = nullptr) const {
        return acl_ == nullptr ||
               acl_->evaluate(client.destination.address, key) == config::AclVerdict::Allow;
    }

  private:
    std::shared_ptr<const config::CompiledAcl> acl_;
};

// allow-query (on the client's address) and allow-query-on (on the address it asked).
struct QueryAccess {
    AccessList clients;
    AccessList destinations;

    bool allows_everyone() const { return clients.allows_everyone() && destinations.allows_everyone(); }
    // `key`: the TSIG key that verified the request, or nullptr.
    bool allows(const net::ClientInfo& client, const dns::Name* key = nullptr) const {
        return clients.allows_source(client, key) && destinations.allows_destination(client, key);
    }
};

// True for `{ any; }`: a single, plain `any`.
bool matches_everyone(const config::AddressMatchList& list);

}  // namespace cairn::server
