#include "config/acl.hpp"

#include <endian.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace cairn::config {

AddressMatchList AddressMatchList::any() {
    AddressMatchList list;
    list.elements.push_back(AmlElement{});
    return list;
}

AddressMatchList AddressMatchList::none() {
    AddressMatchList list;
    AmlElement element;
    element.kind = AmlElement::Kind::None;
    list.elements.push_back(element);
    return list;
}

AddressMatchList AddressMatchList::localhost() {
    AddressMatchList list;
    AmlElement element;
    element.kind = AmlElement::Kind::Localhost;
    list.elements.push_back(element);
    return list;
}

namespace {

IpPrefix masked(const dns::IpAddress& address, const dns::IpAddress* mask) {
    IpPrefix prefix;
    prefix.address = address;
    const unsigned width = address.bit_width();
    unsigned length = width;
    if (mask != nullptr && mask->family == address.family) {
        length = 0;
        while (length < width && (mask->bytes[length / 8] & (0x80 >> (length % 8))))
            ++length;
        for (unsigned bit = length; bit < width; ++bit) {
            prefix.address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
        }
    }
    prefix.length = static_cast<std::uint8_t>(length);
    return prefix;
}

}  // namespace

HostNetworks HostNetworks::scan() {
    HostNetworks host;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return host;
    for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr) continue;
        const dns::IpAddress address = dns::IpAddress::from_sockaddr(entry->ifa_addr);
        if (address.family != AF_INET && address.family != AF_INET6) continue;
        const dns::IpAddress mask = dns::IpAddress::from_sockaddr(entry->ifa_netmask);
        IpPrefix self;
        self.address = address;
        self.length = static_cast<std::uint8_t>(address.bit_width());
        if (std::find(host.addresses.begin(), host.addresses.end(), self) == host.addresses.end()) {
            host.addresses.push_back(self);
        }
        const IpPrefix network = masked(address, entry->ifa_netmask ? &mask : nullptr);
        if (std::find(host.networks.begin(), host.networks.end(), network) == host.networks.end()) {
            host.networks.push_back(network);
        }
    }
    freeifaddrs(list);
    return host;
}

// Builds the rule tree the way BIND's cfg_acl_fromconfig() does (see acl.hpp), then lays it out flat.
class AclCompiler {
  public:
    AclCompiler(const CompiledAcl::Resolver& resolve, const HostNetworks& host, CompiledAcl& out)
        : resolve_(resolve), host_(host), out_(out) {}

    struct Item {
        CompiledAcl::Rule rule;
        std::vector<Item> nested;  // rule.op == Nested
    };
    struct Program {
        std::vector<Item> items;
        bool has_negatives = false;
    };

    Program build(const std::vector<AmlElement>& elements) {
        Program program;
        for (const AmlElement& element : elements) {
            const bool neg = element.negated;
            if (neg) program.has_negatives = true;
            switch (element.kind) {
                case AmlElement::Kind::Prefix:
                    add_prefix(program, element.prefix, neg);
                    break;
                case AmlElement::Kind::Any:
                    add_any(program, neg);
                    break;
                case AmlElement::Kind::None:
                    // none is "!any"; a plain `none` makes the list one with negatives, `!none` is any.
                    add_any(program, !neg);
                    if (!neg) program.has_negatives = true;
                    break;
                case AmlElement::Kind::Localhost:
                    for (const IpPrefix& p : host_.addresses)
                        add_prefix(program, p, neg);
                    break;
                case AmlElement::Kind::Localnets:
                    for (const IpPrefix& p : host_.networks)
                        add_prefix(program, p, neg);
                    break;
                case AmlElement::Kind::Key: {
                    Item item;
                    item.rule.op = CompiledAcl::Rule::Op::Key;
                    item.rule.negative = neg;
                    item.rule.begin = key_index(element.key);
                    program.items.push_back(std::move(item));
                    break;
                }
                case AmlElement::Kind::List:
                    add_inner(program, build(element.list), neg);
                    break;
                case AmlElement::Kind::AclName: {
                    if (std::find(stack_.begin(), stack_.end(), element.name) != stack_.end()) {
                        fail_at(element.where, "acl loop detected: " + element.name);
                    }
                    const AddressMatchList* named = resolve_ ? resolve_(element.name) : nullptr;
                    if (named == nullptr) fail_at(element.where, "undefined ACL '" + element.name + "'");
                    if (stack_.size() >= 64)
                        fail_at(element.where, "named ACLs nested too deeply at " + element.name);
                    stack_.push_back(element.name);
                    Program inner = build(named->elements);
                    stack_.pop_back();
                    add_inner(program, std::move(inner), neg);
                    break;
                }
            }
        }
        return program;
    }

    void lay_out(const Program& program) {
        const auto [begin, end] = place(program.items);
        (void)begin;
        out_.top_end_ = end;
    }

  private:
    void add_prefix(Program& program, const IpPrefix& prefix, bool neg) {
        Item item;
        item.rule.op = CompiledAcl::Rule::Op::Prefix;
        item.rule.negative = neg;
        item.rule.family = static_cast<std::uint8_t>(prefix.address.family);
        item.rule.length = prefix.length;
        const CompiledAcl::Candidate words = CompiledAcl::candidate_of(prefix.address);
        const unsigned length = prefix.length;
        item.rule.mask_hi = length == 0 ? 0 : length >= 64 ? ~0ull : ~0ull << (64 - length);
        item.rule.mask_lo = length <= 64 ? 0 : length >= 128 ? ~0ull : ~0ull << (128 - length);
        item.rule.address_hi = words.hi & item.rule.mask_hi;
        item.rule.address_lo = words.lo & item.rule.mask_lo;
        program.items.push_back(std::move(item));
    }
    void add_any(Program& program, bool neg) {
        Item item;
        item.rule.op = CompiledAcl::Rule::Op::AnyAddress;
        item.rule.negative = neg;
        program.items.push_back(std::move(item));
    }
    void add_inner(Program& program, Program inner, bool neg) {
        if (inner.has_negatives) {
            Item item;
            item.rule.op = CompiledAcl::Rule::Op::Nested;
            item.rule.negative = neg;
            item.nested = std::move(inner.items);
            program.items.push_back(std::move(item));
            return;
        }
        // Inlined: a negated list turns its allows into denies and leaves its denies alone.
        for (Item& item : inner.items) {
            item.rule.negative = item.rule.negative || neg;
            program.items.push_back(std::move(item));
        }
    }
    std::uint32_t key_index(const dns::Name& key) {
        for (std::size_t i = 0; i < out_.keys_.size(); ++i) {
            if (out_.keys_[i] == key) return static_cast<std::uint32_t>(i);
        }
        out_.keys_.push_back(key);
        return static_cast<std::uint32_t>(out_.keys_.size() - 1);
    }
    std::pair<std::uint32_t, std::uint32_t> place(const std::vector<Item>& items) {
        const auto begin = static_cast<std::uint32_t>(out_.rules_.size());
        for (const Item& item : items)
            out_.rules_.push_back(item.rule);
        const auto end = static_cast<std::uint32_t>(out_.rules_.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (items[i].rule.op != CompiledAcl::Rule::Op::Nested) continue;
            const auto [nested_begin, nested_end] = place(items[i].nested);
            out_.rules_[begin + i].begin = nested_begin;
            out_.rules_[begin + i].end = nested_end;
        }
        return {begin, end};
    }

    const CompiledAcl::Resolver& resolve_;
    const HostNetworks& host_;
    CompiledAcl& out_;
    std::vector<std::string> stack_;
};

CompiledAcl CompiledAcl::compile(const AddressMatchList& list, const Resolver& resolve,
                                 const HostNetworks& host, bool match_mapped) {
    CompiledAcl acl;
    acl.match_mapped_ = match_mapped;
    AclCompiler compiler(resolve, host, acl);
    const AclCompiler::Program program = compiler.build(list.elements);
    compiler.lay_out(program);
    return acl;
}

namespace {}  // namespace

CompiledAcl::Candidate CompiledAcl::candidate_of(const dns::IpAddress& address) {
    // Two big-endian words: a load and a byte swap each (the query path takes one per view).
    std::uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, address.bytes.data(), 8);
    std::memcpy(&lo, address.bytes.data() + 8, 8);
    return Candidate{static_cast<std::uint8_t>(address.family), be64toh(hi), be64toh(lo)};
}

AclVerdict CompiledAcl::evaluate(const dns::IpAddress& address, const dns::Name* key) const {
    return evaluate(candidate_of(address), key);
}

AclVerdict CompiledAcl::evaluate(const Candidate& candidate, const dns::Name* key) const {
    // ::ffff:a.b.c.d is zero in its first 80 bits and ones in the next 16.
    if (match_mapped_ && candidate.family == AF_INET6 && candidate.hi == 0 &&
        (candidate.lo >> 32) == 0xffff) {
        const Candidate v4{static_cast<std::uint8_t>(AF_INET), (candidate.lo & 0xffffffffull) << 32, 0};
        return evaluate_range(0, top_end_, v4, key);
    }
    return evaluate_range(0, top_end_, candidate, key);
}

AclVerdict CompiledAcl::evaluate_range(std::uint32_t begin, std::uint32_t end, const Candidate& candidate,
                                       const dns::Name* key) const {
    for (std::uint32_t i = begin; i < end; ++i) {
        const Rule& rule = rules_[i];
        bool matched;
        if (rule.op == Rule::Op::Prefix) [[likely]] {
            // Branch-free: ACLs are mostly long runs of prefixes.
            matched = (rule.family == candidate.family) & ((candidate.hi & rule.mask_hi) == rule.address_hi) &
                      ((candidate.lo & rule.mask_lo) == rule.address_lo);
        } else if (rule.op == Rule::Op::AnyAddress) {
            matched = true;
        } else if (rule.op == Rule::Op::Key) {
            matched = key != nullptr && *key == keys_[rule.begin];
        } else {
            matched = evaluate_range(rule.begin, rule.end, candidate, key) == AclVerdict::Allow;
        }
        if (matched) return rule.negative ? AclVerdict::Deny : AclVerdict::Allow;
    }
    return AclVerdict::NoMatch;
}

}  // namespace cairn::config
