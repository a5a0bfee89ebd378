#include "zonefile/checks.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "zonefile/name_checks.hpp"

namespace cairn::zonefile {

using zone::LargeVector;
using zone::ParsedZone;
using zone::Severity;
namespace {

using dns::RRType;

// Length of the uncompressed wire name at `offset` of `data`, or 0 when malformed.
std::size_t wire_name_length(WireName data, std::size_t offset) {
    std::size_t pos = offset;
    while (pos < data.size()) {
        const std::uint8_t len = data[pos];
        if (len == 0) return pos + 1 - offset;
        if (len > 63) return 0;
        pos += 1 + len;
    }
    return 0;
}

WireName name_at(WireName rdata, std::size_t offset) {
    if (offset >= rdata.size()) return {};
    return rdata.subspan(offset, wire_name_length(rdata, offset));
}

std::string text_of(WireName wire) {
    return wire.empty() ? "?" : dns::Name::from_validated_wire(wire).to_text();
}

// Where a record's rdata names a host (NS, MX, SRV, ...); npos for types that name none.
std::size_t target_offset(RRType type) {
    switch (type) {
        case RRType::NS:
        case RRType::CNAME:
        case RRType::PTR:
        case RRType::DNAME:
            return 0;
        case RRType::MX:
        case RRType::KX:
        case RRType::AFSDB:
            return 2;
        case RRType::SRV:
            return 6;
        default:
            return std::string::npos;
    }
}

struct Entry {
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
        : zone_(zone), origin_(origin), options_(options) {}

    void run();

  private:
    RRType type_of(std::uint32_t i) const { return zone_.rrs[i].type; }
    // The first RRSIG record of entries [from, to) that covers the same type as entry `to`'s.
    std::uint32_t first_covering(std::uint32_t from, std::uint32_t to) const {
        const std::uint32_t r = entries_[to].record;
        for (std::uint32_t k = from; k < to; ++k) {
            const std::uint32_t e = entries_[k].record;
            const auto a = zone_.rdata(e), b = zone_.rdata(r);
            if (a.size() >= 2 && b.size() >= 2 && a[0] == b[0] && a[1] == b[1]) return e;
        }
        return r;
    }
    WireName owner_of(std::uint32_t i) const { return zone_.owner_wire(i); }
    const NodeSpan* find(WireName name) const;
    std::uint32_t first_of(const NodeSpan& node, RRType type) const;  // record index or kNone
    bool node_has(const NodeSpan& node, RRType type) const { return first_of(node, type) != kNone; }

    void index();
    void check_node(const NodeSpan& node);
    void check_record(std::uint32_t i);
    void check_target(std::uint32_t i, WireName target);
    void check_dname_descendants();
    std::uint32_t dname_above(WireName owner) const;

    void report(CheckMode mode, std::uint32_t record, std::string message) {
        if (mode == CheckMode::Ignore) return;
        zone_.diagnostics.add({mode == CheckMode::Fail ? Severity::Error : Severity::Warning,
                               zone_.file_of(record), zone_.line_of(record), std::move(message)});
    }
    void error(std::uint32_t record, std::string message) {
        report(CheckMode::Fail, record, std::move(message));
    }
    void warning(std::uint32_t record, std::string message) {
        report(CheckMode::Warn, record, std::move(message));
    }
    std::string where(std::uint32_t record) const {
        return zone_.file_of(record) + ":" + std::to_string(zone_.line_of(record));
    }

    static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

    ParsedZone& zone_;
    const dns::Name& origin_;
    const CheckOptions& options_;
    LargeVector<Entry> entries_;        // one per record, grouped by owner name
    LargeVector<NodeSpan> nodes_;       // one per owner name
    LargeVector<std::uint32_t> table_;  // open-addressing hash of nodes_ (index + 1; 0 is empty)
    std::uint64_t mask_ = 0;
    // FNV's low bits mix poorly for names that differ in one digit: spread with a multiplicative hash.
    std::uint64_t slot_of(std::uint64_t h) const { return ((h * 0x9E3779B97F4A7C15ull) >> 20) & mask_; }
    std::string doubled_origin_;  // wire form of origin under origin, when it fits
    bool has_dname_ = false;
};

void ZoneChecker::index() {
    // Group records by owner name without sorting the zone: a hash table maps each name to its node, then
    // a counting pass lays the records out node by node, in file order within each node.
    const auto count = static_cast<std::uint32_t>(zone_.size());
    std::size_t slots = 16;
    while (slots < std::size_t{count} * 2)
        slots *= 2;
    table_.assign(slots, 0);
    mask_ = slots - 1;
    LargeVector<std::uint32_t> node_of(count);
    nodes_.reserve(count);  // address space only: pages are touched as nodes are added
    std::uint32_t node = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (type_of(i) == RRType::DNAME) has_dname_ = true;
        // Consecutive records usually share one stored owner.
        if (i > 0 && zone_.rrs[i].owner == zone_.rrs[i - 1].owner) {
            node_of[i] = node;
            ++nodes_[node].end;
            continue;
        }
        const WireName owner = owner_of(i);
        const std::uint64_t h = dns::wire_name_hash(owner);
        std::uint64_t slot = slot_of(h);
        for (; table_[slot] != 0; slot = (slot + 1) & mask_) {
            const NodeSpan& n = nodes_[table_[slot] - 1];
            if (n.hash == h && dns::wire_names_equal(owner_of(n.begin), owner)) break;
        }
        if (table_[slot] == 0) {
            nodes_.push_back({h, i, 0});  // begin: a record of the node (for its name) until laid out
            table_[slot] = static_cast<std::uint32_t>(nodes_.size());
        }
        node = table_[slot] - 1;
        node_of[i] = node;
        ++nodes_[node].end;  // a count until laid out
    }
    std::uint32_t offset = 0;
    for (NodeSpan& n : nodes_) {
        const std::uint32_t size = n.end;
        n.begin = offset;
        n.end = offset;  // grows back to begin + size as records are placed
        offset += size;
    }
    entries_.resize(count);
    for (std::uint32_t i = 0; i < count; ++i)
        entries_[nodes_[node_of[i]].end++] = {i};
    // Within a node, RRsets together (by type), file order inside each: nodes are small, insertion sort.
    for (const NodeSpan& n : nodes_) {
        for (std::uint32_t i = n.begin + 1; i < n.end; ++i) {
            const Entry e = entries_[i];
            std::uint32_t j = i;
            for (; j > n.begin && type_of(entries_[j - 1].record) > type_of(e.record); --j) {
                entries_[j] = entries_[j - 1];
            }
            entries_[j] = e;
        }
    }
}

const NodeSpan* ZoneChecker::find(WireName name) const {
    const std::uint64_t h = dns::wire_name_hash(name);
    for (std::uint64_t slot = slot_of(h); table_[slot] != 0; slot = (slot + 1) & mask_) {
        const NodeSpan& node = nodes_[table_[slot] - 1];
        if (node.hash == h && dns::wire_names_equal(owner_of(entries_[node.begin].record), name))
            return &node;
    }
    return nullptr;
}

std::uint32_t ZoneChecker::first_of(const NodeSpan& node, RRType type) const {
    for (std::uint32_t i = node.begin; i < node.end; ++i) {
        if (type_of(entries_[i].record) == type) return entries_[i].record;
    }
    return kNone;
}

void ZoneChecker::run() {
    index();
    if (!origin_.is_root() && origin_.wire_size() * 2 - 1 <= dns::kMaxNameLength) {
        const auto w = origin_.wire();
        doubled_origin_.assign(w.begin(), w.end() - 1);
        doubled_origin_.append(w.begin(), w.end());
    }
    for (const NodeSpan& node : nodes_)
        check_node(node);
    for (std::uint32_t i = 0; i < zone_.size(); ++i)
        check_record(i);
    if (has_dname_) check_dname_descendants();

    // Zone-wide findings have no single line: they print bare, as named-checkzone prints them.
    const NodeSpan* apex = find(origin_.wire());
    if (apex == nullptr || !node_has(*apex, RRType::SOA)) {
        zone_.diagnostics.error({}, 0, "has no SOA record at the zone apex " + origin_.to_text());
    }
    if (apex == nullptr || !node_has(*apex, RRType::NS)) {
        zone_.diagnostics.error({}, 0, "has no NS records at the zone apex " + origin_.to_text());
    }
}

void ZoneChecker::check_node(const NodeSpan& node) {
    const std::uint32_t first = entries_[node.begin].record;
    const bool at_apex = dns::wire_names_equal(owner_of(first), origin_.wire());
    std::uint32_t cname = kNone;
    std::uint32_t other = kNone;  // first record (in file order) that may not sit beside a CNAME
    for (std::uint32_t i = node.begin; i < node.end;) {
        const RRType type = type_of(entries_[i].record);
        const std::uint32_t head = entries_[i].record;
        const std::uint32_t head_ttl = zone_.rrs[head].ttl;
        std::uint32_t j = i;
        std::uint32_t distinct = 0;
        for (; j < node.end && type_of(entries_[j].record) == type; ++j) {
            const std::uint32_t r = entries_[j].record;
            // RRSIGs form one set per type covered, each with its own TTL (RFC 4034 §3: the RRset's).
            const std::uint32_t prior =
                type == RRType::RRSIG ? zone_.rrs[first_covering(i, j)].ttl : head_ttl;
            if (zone_.rrs[r].ttl != prior) {
                warning(r, "TTL set to prior TTL (" + std::to_string(prior) + ")");
                zone_.rrs[r].ttl = prior;
            }
            // Identical RRs merge silently (as in BIND); only singletons need the count, and only its first
            // two.
            if (distinct < 2 && (type == RRType::CNAME || type == RRType::SOA || type == RRType::DNAME)) {
                bool duplicate = false;
                for (std::uint32_t k = i; k < j && !duplicate; ++k) {
                    // One record under DNSSEC's canonical form ("CNAME a" and "CNAME A"), as BIND merges
                    // them.
                    duplicate = dns::rdata_canonical_compare(type, zone_.rdata(entries_[k].record),
                                                             zone_.rdata(r)) == std::strong_ordering::equal;
                }
                if (!duplicate && ++distinct == 2) {
                    error(r, text_of(owner_of(r)) + ": multiple RRs of singleton type " +
                                 dns::type_to_text(type) + " (the first is at " + where(head) + ")");
                }
            }
        }
        if (type == RRType::CNAME) {
            cname = head;
        } else if (type != RRType::RRSIG && type != RRType::NSEC && static_cast<std::uint16_t>(type) != 25) {
            if (other == kNone || head < other) other = head;  // 25: KEY (RFC 2535 allowed it beside CNAME)
        }
        if (type == RRType::SOA && !at_apex) {
            error(head, "SOA record not at top of zone (" + text_of(owner_of(head)) + " is not the apex " +
                            origin_.to_text() + ")");
        }
        i = j;
    }
    if (cname != kNone && other != kNone) {
        error(std::max(cname, other), text_of(owner_of(first)) + ": CNAME and other data (" +
                                          dns::type_to_text(type_of(other)) +
                                          "): a name with a CNAME may hold no other records (RFC 1034 "
                                          "section 3.6.2); see also " +
                                          where(std::min(cname, other)));
    }
}

void ZoneChecker::check_record(std::uint32_t i) {
    const RRType type = type_of(i);
    const WireName owner = owner_of(i);
    // check-names on owners: hosts that have addresses or receive mail.
    if ((type == RRType::A || type == RRType::AAAA || type == RRType::MX) && !is_hostname(owner, true)) {
        report(options_.check_names, i,
               text_of(owner) + ": bad owner name (check-names): owners of " + dns::type_to_text(type) +
                   " records must be host names (letters, digits and inner hyphens)");
    }
    const WireName rdata = zone_.rdata(i);
    if (type == RRType::SOA) {
        const WireName mname = name_at(rdata, 0);
        const WireName rname = name_at(rdata, mname.size());
        if (!mname.empty() && !is_hostname(mname, false)) {
            report(
                options_.check_names, i,
                text_of(owner) + "/SOA: '" + text_of(mname) + "': bad name (check-names): not a host name");
        }
        if (!rname.empty() && !is_mailbox(rname)) {
            report(options_.check_names, i,
                   text_of(owner) + "/SOA: '" + text_of(rname) + "': bad name (check-names): not a mailbox");
        }
        return;
    }
    if (type == RRType::RP) {
        const WireName mbox = name_at(rdata, 0);
        if (!mbox.empty() && !is_mailbox(mbox)) {
            report(options_.check_names, i,
                   text_of(owner) + "/RP: '" + text_of(mbox) + "': bad name (check-names): not a mailbox");
        }
        return;
    }
    const std::size_t offset = target_offset(type);
    if (offset == std::string::npos) return;
    const WireName target = name_at(rdata, offset);
    if (!target.empty()) check_target(i, target);
}

void ZoneChecker::check_target(std::uint32_t i, WireName target) {
    const RRType rtype = type_of(i);
    const WireName owner = owner_of(i);
    auto owner_type = [&] { return text_of(owner) + "/" + dns::type_to_text(rtype); };
    if (!doubled_origin_.empty() &&
        wire_is_subdomain(target, {reinterpret_cast<const std::uint8_t*>(doubled_origin_.data()),
                                   doubled_origin_.size()})) {
        warning(i, owner_type() + ": '" + text_of(target) + "' repeats the zone name " + origin_.to_text() +
                       "; was the trailing dot forgotten?");
    }
    bool host_target = false;
    switch (rtype) {
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
            host_target = wire_is_subdomain(owner, in_addr.wire()) || wire_is_subdomain(owner, ip6.wire());
            break;
        }
        default:
            break;
    }
    const bool root = target.size() == 1;
    if (host_target && !(rtype == RRType::SRV && root) && !is_hostname(target, false)) {
        report(options_.check_names, i,
               owner_type() + ": '" + text_of(target) + "': bad name (check-names): not a host name");
    }
    if (rtype != RRType::NS && rtype != RRType::MX && rtype != RRType::SRV) return;

    if (rtype != RRType::SRV && looks_like_address(target)) {
        report(rtype == RRType::NS ? options_.ns_address : options_.mx_address, i,
               owner_type() + ": '" + text_of(target) +
                   "' appears to be an address: " + dns::type_to_text(rtype) +
                   " needs a host name (with its own A/AAAA record), not an IP address");
    }
    if (root || !wire_is_subdomain(target, origin_.wire())) return;
    const NodeSpan* node = find(target);
    const bool has_address = node && (node_has(*node, RRType::A) || node_has(*node, RRType::AAAA));
    const bool is_cname = node && node_has(*node, RRType::CNAME);
    if (rtype == RRType::NS) {
        if (dns::wire_names_equal(owner, origin_.wire())) {
            if (is_cname) {
                error(i, "NS '" + text_of(target) + "' is a CNAME (illegal)");
            } else if (!has_address) {
                error(i, "NS '" + text_of(target) + "' has no address records (A or AAAA)");
            }
        } else if (options_.integrity && !has_address) {
            const bool glue = wire_is_subdomain(target, owner);
            warning(i, owner_type() + " '" + text_of(target) + "' has no " + (glue ? "REQUIRED GLUE " : "") +
                           "address records (A or AAAA)");
        }
        return;
    }
    if (is_cname) {
        report(rtype == RRType::MX ? options_.mx_cname : options_.srv_cname, i,
               owner_type() + " '" + text_of(target) + "' is a CNAME (illegal)");
    } else if (options_.integrity && !has_address) {
        warning(i, owner_type() + " '" + text_of(target) + "' has no address records (A or AAAA)");
    }
}

std::uint32_t ZoneChecker::dname_above(WireName owner) const {
    std::size_t pos = 0;
    while (owner[pos] != 0) {
        pos += 1 + owner[pos];
        const WireName suffix = owner.subspan(pos);
        if (suffix.size() < origin_.wire_size()) break;
        if (const NodeSpan* node = find(suffix)) {
            if (const std::uint32_t d = first_of(*node, RRType::DNAME); d != kNone) return d;
        }
    }
    return kNone;
}

void ZoneChecker::check_dname_descendants() {
    // A DNAME redirects everything below its owner (RFC 6672 section 2.3), so data there is never served.
    for (const NodeSpan& node : nodes_) {
        const std::uint32_t r = entries_[node.begin].record;
        if (const std::uint32_t d = dname_above(owner_of(r)); d != kNone) {
            warning(r, text_of(owner_of(r)) + " is below the DNAME at " + text_of(owner_of(d)) +
                           " and will never be served (occluded, RFC 6672 section 2.3)");
        }
    }
}

}  // namespace

void check_zone(ParsedZone& zone, const dns::Name& origin, const CheckOptions& options) {
    ZoneChecker(zone, origin, options).run();
}

std::uint32_t zone_serial(const ParsedZone& zone, const dns::Name& origin) {
    for (std::size_t i = 0; i < zone.size(); ++i) {
        const WireName rdata = zone.rdata(i);
        if (zone.rrs[i].type == RRType::SOA && rdata.size() >= 20 &&
            dns::wire_names_equal(zone.owner_wire(i), origin.wire())) {
            const auto* s = rdata.data() + rdata.size() - 20;
            return (std::uint32_t{s[0]} << 24) | (std::uint32_t{s[1]} << 16) | (std::uint32_t{s[2]} << 8) |
                   s[3];
        }
    }
    return 0;
}

}  // namespace cairn::zonefile
