#include "resolver/introspection.hpp"

#include <ctime>

#include "dns/rdata.hpp"
#include "resolver/cache_entry.hpp"
#include "resolver/entry_text.hpp"

namespace cairn::resolver {
namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string kind_text(CacheReportEntry::Kind k) {
    switch (k) {
        case CacheReportEntry::Kind::rrset:
            return "RRset";
        case CacheReportEntry::Kind::nxdomain:
            return "NXDOMAIN";
        case CacheReportEntry::Kind::nodata:
            return "NODATA";
        case CacheReportEntry::Kind::failure:
            return "failure";
        case CacheReportEntry::Kind::stale_hold:
            return "stale-refresh hold";
    }
    return "?";
}

std::uint16_t read16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

}  // namespace

std::string to_text(const FlushCounts& c) {
    std::string out = "removed " + plural(c.positive, "RRset", "RRsets") + ", " +
                      plural(c.negative, "negative entry", "negative entries") + ", " +
                      plural(c.failures, "failure", "failures");
    if (c.servers != 0) out += ", " + plural(c.servers, "server", "servers");
    return out;
}

std::string format_utc(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

void for_each_rendered(
    std::span<const std::uint8_t> block,
    const std::function<void(std::uint16_t type, std::span<const std::uint8_t> rdata)>& visit) {
    std::size_t pos = 0;
    while (pos + kRenderedRrHeader <= block.size()) {
        const std::uint16_t type = read16(block.data() + pos + 2);
        const std::size_t rdlength = read16(block.data() + pos + 10);
        if (pos + kRenderedRrHeader + rdlength > block.size()) break;
        visit(type, block.subspan(pos + kRenderedRrHeader, rdlength));
        pos += kRenderedRrHeader + rdlength;
    }
}

void for_each_owned(std::span<const std::uint8_t> block,
                    const std::function<void(std::span<const std::uint8_t> owner, std::uint16_t type,
                                             std::span<const std::uint8_t> rdata)>& visit) {
    std::size_t pos = 0;
    while (pos < block.size()) {
        std::size_t end = pos;
        while (end < block.size() && block[end] != 0)
            end += std::size_t{block[end]} + 1;
        if (end >= block.size()) break;
        const auto owner = block.subspan(pos, end + 1 - pos);
        pos = end + 1;
        if (pos + kRenderedRrHeader > block.size()) break;
        const std::uint16_t type = read16(block.data() + pos + 2);
        const std::size_t rdlength = read16(block.data() + pos + 10);
        if (pos + kRenderedRrHeader + rdlength > block.size()) break;
        visit(owner, type, block.subspan(pos + kRenderedRrHeader, rdlength));
        pos += kRenderedRrHeader + rdlength;
    }
}

CacheReportEntry describe_entry(const CacheEntry& e, std::uint32_t now) {
    CacheReportEntry r;
    switch (e.kind) {
        case EntryKind::rrset:
            r.kind = CacheReportEntry::Kind::rrset;
            break;
        case EntryKind::nxdomain:
            r.kind = CacheReportEntry::Kind::nxdomain;
            break;
        case EntryKind::nodata:
            r.kind = CacheReportEntry::Kind::nodata;
            break;
        case EntryKind::failure:
            r.kind = CacheReportEntry::Kind::failure;
            break;
        case EntryKind::stale_hold:
            r.kind = CacheReportEntry::Kind::stale_hold;
            break;
    }
    r.owner = dns::Name::from_validated_wire(e.owner());
    r.type = static_cast<dns::RRType>(e.type);
    r.ttl_left = static_cast<std::int64_t>(e.expire) - static_cast<std::int64_t>(now);
    r.stale = !e.fresh(now) && e.kept(now) && e.stale_until > e.expire;
    r.original_ttl = e.original_ttl;
    r.rank = std::string(to_string(e.rank));
    r.security = std::string(to_string(e.security));
    if (e.source.family != AF_UNSPEC) r.source = e.source;
    r.cached_at = e.stored_wall;
    const std::string owner = r.owner.to_text();
    const std::int64_t shown_ttl = r.ttl_left > 0 ? r.ttl_left : 0;
    auto record_text = [&](const std::string& name, std::uint16_t type, std::span<const std::uint8_t> rdata) {
        const auto t = static_cast<dns::RRType>(type);
        return name + " " + std::to_string(shown_ttl) + " IN " + dns::type_to_text(t) + " " +
               dns::rdata_to_text(t, rdata);
    };
    for_each_rendered(e.records(), [&](std::uint16_t type, std::span<const std::uint8_t> rdata) {
        r.records.push_back(record_text(owner, type, rdata));
    });
    for_each_rendered(e.sigs(), [&](std::uint16_t type, std::span<const std::uint8_t> rdata) {
        r.records.push_back(record_text(owner, type, rdata));
    });
    if (e.kind == EntryKind::nxdomain || e.kind == EntryKind::nodata) {
        const auto extra = e.extra();
        std::size_t pos = 0;
        while (pos < extra.size() && extra[pos] != 0)
            pos += std::size_t{extra[pos]} + 1;
        const dns::Name soa_owner = dns::Name::from_validated_wire(extra.subspan(0, pos + 1));
        for_each_rendered(extra.subspan(pos + 1),
                          [&](std::uint16_t type, std::span<const std::uint8_t> rdata) {
                              r.soa = record_text(soa_owner.to_text(), type, rdata);
                          });
    } else if (e.kind == EntryKind::failure || e.kind == EntryKind::stale_hold) {
        r.cause.assign(reinterpret_cast<const char*>(e.extra().data()), e.extra_size);
        r.ede_code = e.ede_code;
    } else if (e.extra_size != 0) {
        r.cause = "synthesised from the DNAME at " + dns::Name::from_validated_wire(e.extra()).to_text();
    }
    for_each_owned(e.proof(), [&](std::span<const std::uint8_t> proof_owner, std::uint16_t type,
                                  std::span<const std::uint8_t> rdata) {
        r.proof.push_back(record_text(dns::Name::from_validated_wire(proof_owner).to_text(), type, rdata));
    });
    if (e.kind != EntryKind::failure && e.kind != EntryKind::stale_hold) r.ede_code = e.ede_code;
    return r;
}

std::string CacheReportEntry::to_text() const {
    std::string out =
        owner.to_text() + " " + (kind == Kind::rrset ? dns::type_to_text(type) : kind_text(kind));
    if (kind == Kind::nodata || kind == Kind::failure || kind == Kind::stale_hold)
        out += " (" + dns::type_to_text(type) + ")";
    out += ": ";
    if (ttl_left > 0)
        out += std::to_string(ttl_left) + " s left of " + std::to_string(original_ttl);
    else if (stale)
        out += "stale, expired " + std::to_string(-ttl_left) + " s ago";
    else
        out += "expired " + std::to_string(-ttl_left) + " s ago";
    out += "; cached " + format_utc(cached_at);
    if (kind != Kind::failure && kind != Kind::stale_hold) {
        out += "; rank " + rank + "; " + security;
        if (ede_code != 0) out += " (EDE " + std::to_string(ede_code) + ")";
    }
    if (source) out += "; from " + source->to_string();
    out += "\n";
    for (const auto& r : records)
        out += "  " + r + "\n";
    if (!soa.empty()) out += "  " + soa + "\n";
    for (const auto& r : proof)
        out += "  " + r + "\n";
    if (!cause.empty()) {
        out += "  cause: " + cause;
        if (ede_code != 0 && (kind == Kind::failure || kind == Kind::stale_hold))
            out += " (EDE " + std::to_string(ede_code) + ")";
        out += "\n";
    }
    return out;
}

std::string CacheReport::to_text() const {
    if (entries.empty()) return name.to_text() + ": nothing cached\n";
    std::string out;
    for (const auto& e : entries)
        out += e.to_text();
    return out;
}

}  // namespace cairn::resolver
