#include "resolver/cache_reader.hpp"

#include "resolver/entry_text.hpp"
#include "resolver/read_section.hpp"

namespace cairn::resolver {
namespace {

std::vector<std::vector<std::uint8_t>> rdatas_of(std::span<const std::uint8_t> block) {
    std::vector<std::vector<std::uint8_t>> out;
    for_each_rendered(block, [&](std::uint16_t, std::span<const std::uint8_t> rdata) {
        out.emplace_back(rdata.begin(), rdata.end());
    });
    return out;
}

}  // namespace

std::vector<RRsetData> proof_sets(std::span<const std::uint8_t> block,
                                  std::vector<std::vector<std::uint8_t>>* soa_sigs) {
    std::vector<dns::ResourceRecord> records;
    for_each_owned(block, [&](std::span<const std::uint8_t> owner, std::uint16_t type,
                              std::span<const std::uint8_t> rdata) {
        if (soa_sigs != nullptr && type == dns::code(dns::RRType::RRSIG) && rdata.size() >= 2 &&
            ((rdata[0] << 8) | rdata[1]) == dns::code(dns::RRType::SOA)) {
            soa_sigs->emplace_back(rdata.begin(), rdata.end());
            return;
        }
        records.push_back({dns::Name::from_validated_wire(owner), static_cast<dns::RRType>(type),
                           dns::RRClass::IN, 0, std::vector<std::uint8_t>(rdata.begin(), rdata.end())});
    });
    return group_rrsets(records);
}

std::vector<ProofRecord> proof_records(const std::vector<RRsetData>& sets) {
    std::vector<ProofRecord> out;
    for (const auto& set : sets) {
        for (const auto& rdata : set.rdatas)
            out.push_back({set.owner, dns::code(set.type), rdata});
        for (const auto& sig : set.sigs)
            out.push_back({set.owner, dns::code(dns::RRType::RRSIG), sig});
    }
    return out;
}

std::optional<RRsetData> read_rrset(const Cache& cache, const dns::Name& owner, dns::RRType type,
                                    std::uint32_t now, Rank min_rank) {
    ReadSection section;
    const CacheEntry* e = cache.find(owner, dns::code(type));
    if (e == nullptr || e->kind != EntryKind::rrset || !e->fresh(now) || e->rank < min_rank)
        return std::nullopt;
    e->touch();
    RRsetData set;
    set.owner = owner;
    set.type = type;
    set.ttl = e->ttl_left(now);
    set.rank = e->rank;
    set.rdatas = rdatas_of(e->records());
    set.sigs = rdatas_of(e->sigs());
    set.security = e->security;
    set.insecure_ede = e->ede_code;
    if (e->proof_size != 0) set.proof = proof_sets(e->proof());
    if (e->extra_size != 0) set.dname_owner = dns::Name::from_validated_wire(e->extra());
    return set;
}

std::optional<CachedNegative> read_negative(const Cache& cache, const dns::Name& owner, dns::RRType type,
                                            std::uint32_t now) {
    ReadSection section;
    const CacheEntry* e = cache.find(owner, dns::code(type));
    if (e == nullptr || e->kind != EntryKind::nodata || !e->fresh(now)) {
        e = cache.find(owner, kNxdomainKey);
        if (e == nullptr || e->kind != EntryKind::nxdomain || !e->fresh(now)) return std::nullopt;
    }
    CachedNegative n;
    n.nxdomain = e->kind == EntryKind::nxdomain;
    const auto extra = e->extra();
    std::size_t pos = 0;
    while (pos < extra.size() && extra[pos] != 0)
        pos += std::size_t{extra[pos]} + 1;
    n.soa.owner = dns::Name::from_validated_wire(extra.subspan(0, pos + 1));
    n.soa.type = dns::RRType::SOA;
    n.soa.ttl = e->ttl_left(now);
    n.soa.rank = e->rank;
    n.soa.rdatas = rdatas_of(extra.subspan(pos + 1));
    n.soa.security = e->security;
    n.soa.insecure_ede = e->ede_code;
    n.proof = proof_sets(e->proof(), &n.soa.sigs);
    return n;
}

std::optional<CachedFailure> read_failure(const Cache& cache, const dns::Name& owner, dns::RRType type,
                                          std::uint32_t now) {
    ReadSection section;
    const CacheEntry* e = cache.find(owner, failure_key(dns::code(type)));
    if (e == nullptr || !e->fresh(now)) return std::nullopt;
    return CachedFailure{e->ede_code,
                         std::string(reinterpret_cast<const char*>(e->extra().data()), e->extra_size)};
}

}  // namespace cairn::resolver
