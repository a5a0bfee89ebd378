#include "zone/checks.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "zone/name_checks.hpp"

namespace cairn::zone {
namespace {

using dns::RRType;

// Length of the uncompressed wire name at `offset` of `rdata`, or 0 when malformed.
std::size_t wire_name_length(std::span<const std::uint8_t> rdata, std::size_t offset) {
    std::size_t pos = offset;
    while (pos < rdata.size()) {
        const std::uint8_t len = rdata[pos];
        if (len == 0) return pos + 1 - offset;
        if (len > 63) return 0;
        pos += 1 + len;
    }
    return 0;
}

std::optional<dns::Name> rdata_name(const Record& rec, std::size_t offset) {
    const std::size_t len = wire_name_length(rec.rdata, offset);
    if (len == 0) return std::nullopt;
    return dns::Name::from_validated_wire(std::span<const std::uint8_t>(rec.rdata).subspan(offset, len));
}

// The host name a record points at (NS, MX, SRV, ...), if its type has one.
std::optional<dns::Name> target_of(const Record& rec) {
    switch (rec.type) {
        case RRType::NS:
        case RRType::CNAME:
        case RRType::PTR:
        case RRType::DNAME:
            return rdata_name(rec, 0);
        case RRType::MX:
        case RRType::KX:
        case RRType::AFSDB:
            return rdata_name(rec, 2);
        case RRType::SRV:
            return rdata_name(rec, 6);
        default:
            return std::nullopt;
    }
}

int compare_lowered(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto ca = dns::lower_ascii(a[i]);
        const auto cb = dns::lower_ascii(b[i]);
        if (ca != cb) return ca < cb ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

struct Entry {
    std::uint64_t hash;
    std::uint32_t record;
};

struct NodeSpan {
    std::uint64_t hash;
    std::uint32_t begin;  // into the sorted entries
    std::uint32_t end;
};

class ZoneChecker {
  public:
    ZoneChecker(ParsedZone& zone, const dns::Name& origin, const CheckOptions& options)
        : zone_(zone), records_(zone.records), origin_(origin), options_(options) {}

    void run();

  private:
    const Record& rec(const Entry& e) const { return records_[e.record]; }
    const NodeSpan* find(const dns::Name& name) const;
    bool node_has(const NodeSpan& node, RRType type) const;
    const Record* first_of(const NodeSpan& node, RRType type) const;

    void index();
    void check_node(const NodeSpan& node);
    void check_record(const Record& r, std::uint32_t index);
    void check_target(const Record& r, std::uint32_t index, const dns::Name& target);
    void check_dname_descendants();
    const Record* dname_above(const Record& r) const;

    void report(CheckMode mode, std::uint32_t record, std::string message) {
        if (mode == CheckMode::Ignore) return;
        Diagnostic d{mode == CheckMode::Fail ? Severity::Error : Severity::Warning, zone_.file_of(record),
                     zone_.lines[record].line, std::move(message)};
        zone_.diagnostics.add(std::move(d));
    }
    void error(std::uint32_t record, std::string message) {
        report(CheckMode::Fail, record, std::move(message));
    }
    void warning(std::uint32_t record, std::string message) {
        report(CheckMode::Warn, record, std::move(message));
    }
    std::string where(std::uint32_t record) const {
        return zone_.file_of(record) + ":" + std::to_string(zone_.lines[record].line);
    }

    ParsedZone& zone_;
    std::vector<Record>& records_;
    const dns::Name& origin_;
    const CheckOptions& options_;
    std::vector<Entry> entries_;
    std::vector<NodeSpan> nodes_;
    std::optional<dns::Name> doubled_origin_;
    bool has_dname_ = false;
};

void ZoneChecker::index() {
    entries_.reserve(records_.size());
    for (std::uint32_t i = 0; i < records_.size(); ++i) {
        entries_.push_back({dns::wire_name_hash(records_[i].owner.wire()), i});
        if (records_[i].type == RRType::DNAME) has_dname_ = true;
    }
    std::sort(entries_.begin(), entries_.end(), [this](const Entry& a, const Entry& b) {
        if (a.hash != b.hash) return a.hash < b.hash;
        const Record& ra = rec(a);
        const Record& rb = rec(b);
        if (const int c = compare_lowered(ra.owner.wire(), rb.owner.wire()); c != 0) return c < 0;
        if (ra.type != rb.type) return ra.type < rb.type;
        return a.record < b.record;
    });
    for (std::uint32_t i = 0; i < entries_.size();) {
        std::uint32_t j = i + 1;
        while (j < entries_.size() && entries_[j].hash == entries_[i].hash &&
               dns::wire_names_equal(rec(entries_[j]).owner.wire(), rec(entries_[i]).owner.wire())) {
            ++j;
        }
        nodes_.push_back({entries_[i].hash, i, j});
        i = j;
    }
}

const NodeSpan* ZoneChecker::find(const dns::Name& name) const {
    const std::uint64_t h = dns::wire_name_hash(name.wire());
    auto it = std::lower_bound(nodes_.begin(), nodes_.end(), h,
                               [](const NodeSpan& n, std::uint64_t v) { return n.hash < v; });
    for (; it != nodes_.end() && it->hash == h; ++it) {
        if (dns::wire_names_equal(rec(entries_[it->begin]).owner.wire(), name.wire())) return &*it;
    }
    return nullptr;
}

bool ZoneChecker::node_has(const NodeSpan& node, RRType type) const {
    return first_of(node, type) != nullptr;
}

const Record* ZoneChecker::first_of(const NodeSpan& node, RRType type) const {
    for (std::uint32_t i = node.begin; i < node.end; ++i) {
        if (rec(entries_[i]).type == type) return &rec(entries_[i]);
    }
    return nullptr;
}

void ZoneChecker::run() {
    index();
    const std::size_t doubled_size = origin_.wire_size() * 2 - 1;
    if (!origin_.is_root() && doubled_size <= dns::kMaxNameLength) doubled_origin_ = origin_.concat(origin_);

    for (const NodeSpan& node : nodes_)
        check_node(node);
    for (std::uint32_t i = 0; i < records_.size(); ++i)
        check_record(records_[i], i);
    if (has_dname_) check_dname_descendants();

    const NodeSpan* apex = find(origin_);
    // Zone-wide findings have no single line: they print bare, as named-checkzone prints them.
    if (apex == nullptr || !node_has(*apex, RRType::SOA)) {
        zone_.diagnostics.error({}, 0, "has no SOA record at the zone apex " + origin_.to_text());
    }
    if (apex == nullptr || !node_has(*apex, RRType::NS)) {
        zone_.diagnostics.error({}, 0, "has no NS records at the zone apex " + origin_.to_text());
    }
}

void ZoneChecker::check_node(const NodeSpan& node) {
    const Record& first = rec(entries_[node.begin]);
    const bool at_apex = first.owner == origin_;
    const Entry* cname = nullptr;
    const Entry* other = nullptr;  // first record (in file order) that may not sit beside a CNAME
    for (std::uint32_t i = node.begin; i < node.end;) {
        const RRType type = rec(entries_[i]).type;
        std::uint32_t j = i;
        // One RRset: entries i..j-1, in file order.
        const Entry& head = entries_[i];
        std::uint32_t distinct = 0;
        for (j = i; j < node.end && rec(entries_[j]).type == type; ++j) {
            Record& r = records_[entries_[j].record];
            bool duplicate = false;
            for (std::uint32_t k = i; k < j && !duplicate; ++k)
                duplicate = rec(entries_[k]).rdata == r.rdata;
            if (!duplicate) ++distinct;
            if (j > i && r.ttl != rec(head).ttl) {
                warning(entries_[j].record, "TTL set to prior TTL (" + std::to_string(rec(head).ttl) + ")");
                r.ttl = rec(head).ttl;
            }
            if (distinct == 2 && !duplicate) {
                if (type == RRType::CNAME || type == RRType::SOA || type == RRType::DNAME) {
                    error(entries_[j].record, first.owner.to_text() + ": multiple RRs of singleton type " +
                                                  dns::type_to_text(type) + " (the first is at " +
                                                  where(head.record) + ")");
                }
            }
            if (j - i > 64) break;  // duplicates are only looked for in small RRsets; large ones are rare
        }
        while (j < node.end && rec(entries_[j]).type == type) {
            Record& r = records_[entries_[j].record];
            if (r.ttl != rec(head).ttl) {
                warning(entries_[j].record, "TTL set to prior TTL (" + std::to_string(rec(head).ttl) + ")");
                r.ttl = rec(head).ttl;
            }
            ++j;
        }
        if (type == RRType::CNAME) {
            cname = &head;
        } else if (type != RRType::RRSIG && type != RRType::NSEC && static_cast<std::uint16_t>(type) != 25) {
            if (other == nullptr || head.record < other->record) other = &head;
        }
        if (type == RRType::SOA && !at_apex) {
            error(head.record, "SOA record not at top of zone (" + first.owner.to_text() +
                                   " is not the apex " + origin_.to_text() + ")");
        }
        i = j;
    }
    if (cname != nullptr && other != nullptr) {
        const std::uint32_t later = std::max(cname->record, other->record);
        const std::uint32_t earlier = std::min(cname->record, other->record);
        error(later,
              first.owner.to_text() + ": CNAME and other data (" + dns::type_to_text(rec(*other).type) +
                  "): a name with a CNAME may hold no other records (RFC 1034 section 3.6.2); see also " +
                  where(earlier));
    }
}

void ZoneChecker::check_record(const Record& r, std::uint32_t index) {
    // check-names on owners: hosts that have addresses or receive mail.
    switch (r.type) {
        case RRType::A:
        case RRType::AAAA:
        case RRType::MX:
            if (!is_hostname(r.owner, true)) {
                report(options_.check_names, index,
                       r.owner.to_text() + ": bad owner name (check-names): owners of " +
                           dns::type_to_text(r.type) +
                           " records must be host names (letters, digits and inner hyphens)");
            }
            break;
        default:
            break;
    }
    // check-names on embedded names.
    if (r.type == RRType::SOA) {
        const auto mname = rdata_name(r, 0);
        const std::size_t mlen = wire_name_length(r.rdata, 0);
        const auto rname = mlen ? rdata_name(r, mlen) : std::nullopt;
        if (mname && !is_hostname(*mname, false)) {
            report(options_.check_names, index,
                   r.owner.to_text() + "/SOA: '" + mname->to_text() +
                       "': bad name (check-names): not a host name");
        }
        if (rname && !is_mailbox(*rname)) {
            report(options_.check_names, index,
                   r.owner.to_text() + "/SOA: '" + rname->to_text() +
                       "': bad name (check-names): not a mailbox");
        }
        return;
    }
    if (r.type == RRType::RP) {
        if (const auto mbox = rdata_name(r, 0); mbox && !is_mailbox(*mbox)) {
            report(
                options_.check_names, index,
                r.owner.to_text() + "/RP: '" + mbox->to_text() + "': bad name (check-names): not a mailbox");
        }
        return;
    }
    const auto target = target_of(r);
    if (!target) return;
    check_target(r, index, *target);
}

void ZoneChecker::check_target(const Record& r, std::uint32_t index, const dns::Name& target) {
    const std::string type = dns::type_to_text(r.type);
    const std::string owner_type = r.owner.to_text() + "/" + type;
    if (doubled_origin_ && target.is_subdomain_of(*doubled_origin_)) {
        warning(index, owner_type + ": '" + target.to_text() + "' repeats the zone name " +
                           origin_.to_text() + "; was the trailing dot forgotten?");
    }
    bool host_target = false;
    switch (r.type) {
        case RRType::NS:
        case RRType::MX:
        case RRType::SRV:
        case RRType::KX:
        case RRType::AFSDB:
            host_target = true;
            break;
        case RRType::PTR: {
            static const dns::Name in_addr = dns::Name::from_text("in-addr.arpa.");
            static const dns::Name ip6 = dns::Name::from_text("ip6.arpa.");
            host_target = r.owner.is_subdomain_of(in_addr) || r.owner.is_subdomain_of(ip6);
            break;
        }
        default:
            break;
    }
    if (host_target && !(r.type == RRType::SRV && target.is_root()) && !is_hostname(target, false)) {
        report(options_.check_names, index,
               owner_type + ": '" + target.to_text() + "': bad name (check-names): not a host name");
    }
    if (r.type != RRType::NS && r.type != RRType::MX && r.type != RRType::SRV) return;

    const bool at_apex = r.owner == origin_;
    if (r.type != RRType::SRV && looks_like_address(target)) {
        report(r.type == RRType::NS ? options_.ns_address : options_.mx_address, index,
               owner_type + ": '" + target.to_text() + "' appears to be an address: " + type +
                   " needs a host name (with its own A/AAAA record), not an IP address");
    }
    if (!target.is_subdomain_of(origin_) || (r.type == RRType::SRV && target.is_root())) return;
    const NodeSpan* node = find(target);
    const bool has_address = node && (node_has(*node, RRType::A) || node_has(*node, RRType::AAAA));
    const bool is_cname = node && node_has(*node, RRType::CNAME);
    if (r.type == RRType::NS) {
        if (at_apex) {
            if (is_cname) {
                error(index, "NS '" + target.to_text() + "' is a CNAME (illegal)");
            } else if (!has_address) {
                error(index, "NS '" + target.to_text() + "' has no address records (A or AAAA)");
            }
        } else if (options_.integrity && !has_address) {
            const bool glue = target.is_subdomain_of(r.owner);
            warning(index, owner_type + " '" + target.to_text() + "' has no " +
                               (glue ? "REQUIRED GLUE " : "") + "address records (A or AAAA)");
        }
        return;
    }
    if (is_cname) {
        report(r.type == RRType::MX ? options_.mx_cname : options_.srv_cname, index,
               owner_type + " '" + target.to_text() + "' is a CNAME (illegal)");
    } else if (options_.integrity && !has_address) {
        warning(index, owner_type + " '" + target.to_text() + "' has no address records (A or AAAA)");
    }
}

const Record* ZoneChecker::dname_above(const Record& r) const {
    const std::span<const std::uint8_t> wire = r.owner.wire();
    std::size_t pos = 0;
    while (wire[pos] != 0) {
        pos += 1 + wire[pos];
        const auto suffix = wire.subspan(pos);
        if (suffix.size() < origin_.wire_size()) break;
        const std::uint64_t h = dns::wire_name_hash(suffix);
        auto it = std::lower_bound(nodes_.begin(), nodes_.end(), h,
                                   [](const NodeSpan& n, std::uint64_t v) { return n.hash < v; });
        for (; it != nodes_.end() && it->hash == h; ++it) {
            if (!dns::wire_names_equal(rec(entries_[it->begin]).owner.wire(), suffix)) continue;
            if (const Record* dname = first_of(*it, RRType::DNAME)) return dname;
        }
    }
    return nullptr;
}

void ZoneChecker::check_dname_descendants() {
    // A DNAME redirects everything below its owner (RFC 6672 section 2.3), so data there is never served.
    for (const NodeSpan& node : nodes_) {
        const Record& r = rec(entries_[node.begin]);
        if (const Record* dname = dname_above(r)) {
            warning(entries_[node.begin].record,
                    r.owner.to_text() + " is below the DNAME at " + dname->owner.to_text() +
                        " and will never be served (occluded, RFC 6672 section 2.3)");
        }
    }
}

}  // namespace

void check_zone(ParsedZone& zone, const dns::Name& origin, const CheckOptions& options) {
    ZoneChecker(zone, origin, options).run();
}

std::uint32_t zone_serial(const ParsedZone& zone, const dns::Name& origin) {
    for (const Record& r : zone.records) {
        if (r.type == RRType::SOA && r.owner == origin && r.rdata.size() >= 20) {
            const auto* s = r.rdata.data() + r.rdata.size() - 20;
            return (std::uint32_t{s[0]} << 24) | (std::uint32_t{s[1]} << 16) | (std::uint32_t{s[2]} << 8) |
                   s[3];
        }
    }
    return 0;
}

}  // namespace cairn::zone
