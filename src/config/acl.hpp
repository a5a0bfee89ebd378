// Address match lists (BIND ARM "Address Match Lists"): the parsed form kept in the configuration, and the
// compiled form the server matches requests against without allocating.
//
// Semantics, as BIND 9 implements them:
//  - elements are tried in order and the first one that matches decides: a plain element allows, a negated
//    one ("!") denies; when nothing matches the request is denied;
//  - `any` matches every address, `none` none, `localhost` the addresses of this host's interfaces,
//    `localnets` the networks of this host's interfaces (both read when the list is compiled);
//  - `key NAME` matches requests signed with that TSIG key;
//  - a nested list `{ ... }` or a named ACL without negated elements is inlined, its elements taking the
//    element's negation (`!{ a; b; }` is `!a; !b;`);
//  - a nested list or named ACL that has negated elements stays one element: it matches only when the
//    inner list *allows* the request, and then allows (or denies when negated); an inner "deny" counts as
//    no match, so that double negation never turns into a surprise allow.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/address.hpp"
#include "config/diagnostic.hpp"
#include "dns/name.hpp"

namespace cairn::config {

struct AmlElement {
    enum class Kind : std::uint8_t { Prefix, Any, None, Localhost, Localnets, AclName, Key, List };
    Kind kind = Kind::Any;
    bool negated = false;
    IpPrefix prefix;               // Prefix
    std::string name;              // AclName: the ACL's name; Key: the key name as written
    dns::Name key;                 // Key
    std::vector<AmlElement> list;  // List
    Location where;
};

struct AddressMatchList {
    std::vector<AmlElement> elements;
    Location where;

    static AddressMatchList any();   // { any; }
    static AddressMatchList none();  // { none; }
    static AddressMatchList localhost();
};

// This host's interface addresses and networks, for `localhost` and `localnets`.
struct HostNetworks {
    std::vector<IpPrefix> addresses;  // host prefixes (/32, /128)
    std::vector<IpPrefix> networks;   // interface address masked to its netmask

    static HostNetworks scan();  // getifaddrs(); loopback included
};

// What a request offers to an ACL.
struct ClientFacts {
    dns::IpAddress address;          // the client's source address
    const dns::Name* key = nullptr;  // the TSIG key that verified the request, if any
    dns::IpAddress destination;      // the local address the request arrived on (match-destinations)
};

enum class AclVerdict : std::int8_t { Deny = -1, NoMatch = 0, Allow = 1 };

class CompiledAcl {
  public:
    CompiledAcl() = default;  // matches nothing: denies every request

    // `resolve` returns the named ACL's list, or nullptr when there is none; loops are reported through
    // ParseFailure ("acl loop detected"), unknown names too ("undefined ACL 'x'"). With `match_mapped`
    // (BIND's match-mapped-addresses), a v4-mapped IPv6 client is matched as its IPv4 address.
    using Resolver = std::function<const AddressMatchList*(const std::string& name)>;
    static CompiledAcl compile(const AddressMatchList& list, const Resolver& resolve,
                               const HostNetworks& host, bool match_mapped = false);

    struct Candidate;
    // First-match evaluation; no allocation.
    AclVerdict evaluate(const dns::IpAddress& address, const dns::Name* key) const;
    // The same, for an address already in the form rules compare against (callers that test one address
    // against several lists convert it once).
    AclVerdict evaluate(const Candidate& candidate, const dns::Name* key) const;
    bool allows(const ClientFacts& client) const {
        return evaluate(client.address, client.key) == AclVerdict::Allow;
    }
    bool allows_destination(const ClientFacts& client) const {
        return evaluate(client.destination, client.key) == AclVerdict::Allow;
    }

    bool matches_nothing() const { return top_end_ == 0; }
    std::size_t rule_count() const { return rules_.size(); }

    struct Rule {
        enum class Op : std::uint8_t { Prefix, AnyAddress, Key, Nested };
        Op op = Op::AnyAddress;
        bool negative = false;
        std::uint8_t family = 0;  // Prefix
        std::uint8_t length = 0;  // Prefix
        std::uint32_t begin = 0;  // Nested: rule range; Key: index into keys_
        std::uint32_t end = 0;
        // Prefix: the address as two big-endian words, and the mask of its length; a candidate matches when
        // (candidate & mask) == address, word by word.
        std::uint64_t address_hi = 0, address_lo = 0;
        std::uint64_t mask_hi = 0, mask_lo = 0;
    };

    // An address in the form rules compare against.
    struct Candidate {
        std::uint8_t family;
        std::uint64_t hi, lo;
    };
    static Candidate candidate_of(const dns::IpAddress& address);

  private:
    AclVerdict evaluate_range(std::uint32_t begin, std::uint32_t end, const Candidate& candidate,
                              const dns::Name* key) const;

    std::vector<Rule> rules_;  // [0, top_end_) is the list itself; nested lists follow
    std::uint32_t top_end_ = 0;
    std::vector<dns::Name> keys_;
    bool match_mapped_ = false;

    friend class AclCompiler;
};

}  // namespace cairn::config
