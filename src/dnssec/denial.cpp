#include "dnssec/denial.hpp"

#include <cstring>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "dnssec/records.hpp"

namespace cairn::dnssec {
namespace {

constexpr std::uint16_t kNs = dns::code(dns::RRType::NS), kSoa = dns::code(dns::RRType::SOA),
                        kCname = dns::code(dns::RRType::CNAME), kDs = dns::code(dns::RRType::DS),
                        kDname = dns::code(dns::RRType::DNAME);

// Label offsets of a wire name; the count excludes the root. 0 labels for the root or a malformed name.
struct Labels {
    std::uint8_t offsets[128];
    std::size_t count = 0;
    explicit Labels(Bytes name) {
        std::size_t pos = 0;
        while (pos < name.size() && name[pos] != 0 && count < 128) {
            offsets[count++] = static_cast<std::uint8_t>(pos);
            pos += 1 + name[pos];
        }
    }
};

std::size_t label_count(Bytes name) {
    return Labels(name).count;
}

// The rightmost `n` labels of `name`.
Bytes suffix(Bytes name, std::size_t n) {
    const Labels l(name);
    if (n >= l.count) return name;
    return name.subspan(l.offsets[l.count - n]);
}

std::size_t common_labels(Bytes a, Bytes b) {
    const Labels la(a), lb(b);
    std::size_t n = 0;
    while (n < la.count && n < lb.count) {
        const auto x = a.subspan(la.offsets[la.count - 1 - n]);
        const auto y = b.subspan(lb.offsets[lb.count - 1 - n]);
        if (x[0] != y[0] ||
            !dns::equal_ignoring_ascii_case({reinterpret_cast<const char*>(x.data() + 1), x[0]},
                                            {reinterpret_cast<const char*>(y.data() + 1), y[0]})) {
            break;
        }
        ++n;
    }
    return n;
}

bool equal(Bytes a, Bytes b) {
    return dns::wire_names_equal(a, b);
}

bool below(Bytes name, Bytes ancestor) {  // a proper descendant
    const std::size_t n = label_count(ancestor);
    return label_count(name) > n && common_labels(name, ancestor) == n;
}

// "*." + name, in `buffer`; empty when too long.
Bytes wildcard_of(Bytes name, std::uint8_t (&buffer)[255]) {
    if (name.size() + 2 > sizeof buffer) return {};
    buffer[0] = 1;
    buffer[1] = '*';
    std::memcpy(buffer + 2, name.data(), name.size());
    return {buffer, name.size() + 2};
}

Denial fail(const char* reason) {
    return {DenialStatus::not_proven, reason, 0};
}
Denial ok(std::size_t closest_encloser_labels, DenialStatus status = DenialStatus::proven) {
    return {status, status == DenialStatus::opt_out ? "opt-out" : "proven",
            static_cast<std::uint8_t>(closest_encloser_labels)};
}

// --- NSEC

struct ParsedNsec {
    Bytes owner;
    NsecView view;
};

std::vector<ParsedNsec> parse_nsecs(std::span<const DenialRecord> records) {
    std::vector<ParsedNsec> out;
    for (const auto& r : records) {
        if (const auto v = NsecView::parse(r.rdata)) out.push_back({r.owner, *v});
    }
    return out;
}

// RFC 6840 §4.1: an NSEC at a delegation (NS without SOA) or a DNAME says nothing about names below it.
bool may_deny_below(const ParsedNsec& n, Bytes name) {
    if (!below(name, n.owner)) return true;
    return !(n.view.types.contains(kDname) || (n.view.types.contains(kNs) && !n.view.types.contains(kSoa)));
}

// An NSEC that proves `name` does not exist: it covers the name, may speak for names below its owner, and
// its next name is not below `name` (which would make `name` an empty non-terminal).
const ParsedNsec* covering(const std::vector<ParsedNsec>& nsecs, Bytes name) {
    for (const auto& n : nsecs) {
        if (nsec_covers(n.owner, n.view.next, name) && may_deny_below(n, name) && !below(n.view.next, name))
            return &n;
    }
    return nullptr;
}

const ParsedNsec* matching(const std::vector<ParsedNsec>& nsecs, Bytes name) {
    for (const auto& n : nsecs) {
        if (equal(n.owner, name)) return &n;
    }
    return nullptr;
}

// The closest encloser a covering NSEC implies: the longer common ancestor with its owner or its next.
std::size_t implied_encloser(const ParsedNsec& n, Bytes name) {
    return std::max(common_labels(name, n.owner), common_labels(name, n.view.next));
}

// NODATA from a matching NSEC (RFC 4035 §5.4, RFC 6840 §4.3, §4.4).
Denial nodata_bitmap(const TypeBitmap& types, std::uint16_t qtype, bool is_root, std::size_t labels) {
    if (types.contains(qtype)) return fail("the denial record lists the type");
    if (types.contains(kCname)) return fail("the denial record lists CNAME");
    if (qtype == kDs) {
        if (types.contains(kSoa) && !is_root)
            return fail("the denial record is the child zone's, not the parent's");
    } else if (types.contains(kNs) && !types.contains(kSoa)) {
        return fail("the denial record is the parent side of a delegation");
    }
    return ok(labels);
}

}  // namespace

bool nsec_covers(Bytes owner, Bytes next, Bytes name) {
    if (dns::canonical_compare(owner, name) != std::strong_ordering::less) return false;
    if (dns::canonical_compare(owner, next) == std::strong_ordering::less)
        return dns::canonical_compare(name, next) == std::strong_ordering::less;
    // The last NSEC: its next name is the apex; it covers the rest of the zone.
    return common_labels(name, next) == label_count(next);
}

Denial nsec_nxdomain(Bytes qname, std::span<const DenialRecord> records) {
    const auto nsecs = parse_nsecs(records);
    if (matching(nsecs, qname)) return fail("an NSEC shows that the name exists");
    const ParsedNsec* cover = covering(nsecs, qname);
    if (cover == nullptr) return fail("no NSEC covers the name");
    const std::size_t ce = implied_encloser(*cover, qname);
    std::uint8_t buffer[255];
    const Bytes wildcard = wildcard_of(suffix(qname, ce), buffer);
    if (wildcard.empty()) return fail("malformed name");
    if (matching(nsecs, wildcard)) return fail("an NSEC shows that the wildcard exists");
    if (!covering(nsecs, wildcard)) return fail("no NSEC covers the wildcard at the closest encloser");
    return ok(ce);
}

Denial nsec_nodata(Bytes qname, std::uint16_t qtype, std::span<const DenialRecord> records) {
    const auto nsecs = parse_nsecs(records);
    const std::size_t labels = label_count(qname);
    if (const ParsedNsec* m = matching(nsecs, qname))
        return nodata_bitmap(m->view.types, qtype, labels == 0, labels);
    // An empty non-terminal has no NSEC: the one before it covers it, with a next name below it.
    for (const auto& n : nsecs) {
        if (nsec_covers(n.owner, n.view.next, qname) && below(n.view.next, qname)) return ok(labels);
    }
    return fail("no NSEC matches the name");
}

Denial nsec_wildcard_answer(Bytes qname, std::uint8_t rrsig_labels, std::span<const DenialRecord> records) {
    if (label_count(qname) <= rrsig_labels) return fail("the RRSIG label count is not below the name's");
    const auto nsecs = parse_nsecs(records);
    const Bytes next_closer = suffix(qname, rrsig_labels + 1u);
    if (!covering(nsecs, next_closer)) return fail("no NSEC shows that no closer name exists");
    return ok(rrsig_labels);
}

Denial nsec_wildcard_nodata(Bytes qname, std::uint16_t qtype, std::span<const DenialRecord> records) {
    const auto nsecs = parse_nsecs(records);
    const ParsedNsec* cover = covering(nsecs, qname);
    if (cover == nullptr) return fail("no NSEC covers the name");
    const std::size_t ce = implied_encloser(*cover, qname);
    std::uint8_t buffer[255];
    const Bytes wildcard = wildcard_of(suffix(qname, ce), buffer);
    const ParsedNsec* m = wildcard.empty() ? nullptr : matching(nsecs, wildcard);
    if (m == nullptr) return fail("no NSEC matches the wildcard at the closest encloser");
    const Denial d = nodata_bitmap(m->view.types, qtype, false, ce);
    return d;
}

Denial nsec_insecure_delegation(Bytes delegation, std::span<const DenialRecord> records) {
    const auto nsecs = parse_nsecs(records);
    const ParsedNsec* m = matching(nsecs, delegation);
    if (m == nullptr) return fail("no NSEC matches the delegation");
    if (!m->view.types.contains(kNs)) return fail("the NSEC at the delegation lists no NS");
    if (m->view.types.contains(kDs)) return fail("the NSEC at the delegation lists DS");
    if (m->view.types.contains(kSoa)) return fail("the NSEC is the child zone's apex");
    return ok(label_count(delegation));
}

// --- NSEC3

namespace {

struct ParsedNsec3 {
    Nsec3Hash owner;
    Nsec3View view;
};

struct Nsec3Set {
    Nsec3Parameters params;
    std::vector<ParsedNsec3> records;
    Bytes zone;

    const ParsedNsec3* match(const Nsec3Hash& h) const {
        for (const auto& r : records) {
            if (r.owner == h) return &r;
        }
        return nullptr;
    }
    const ParsedNsec3* cover(const Nsec3Hash& h) const {
        for (const auto& r : records) {
            if (nsec3_covers(r.owner, r.view.next_hash, h)) return &r;
        }
        return nullptr;
    }
    bool hash(Bytes name, Nsec3Hash& out, WorkBudget& budget) const {
        return nsec3_hash(name, params.salt, params.iterations, out, &budget);
    }
};

// Usable records (§8.2) sharing the first usable one's parameters. Empty status when usable.
bool collect(Bytes zone, std::span<const DenialRecord> records, Nsec3Set& set) {
    set.zone = zone;
    bool have = false;
    const std::size_t zone_labels = label_count(zone);
    for (const auto& r : records) {
        const auto v = Nsec3View::parse(r.rdata);
        if (!v || v->hash_algorithm != kNsec3Sha1 || (v->flags & ~kNsec3OptOut) != 0) continue;
        if (v->next_hash.size() != kNsec3HashSize) continue;
        if (label_count(r.owner) != zone_labels + 1 || common_labels(r.owner, zone) != zone_labels) continue;
        ParsedNsec3 p;
        if (!nsec3_owner_hash(r.owner, p.owner)) continue;
        p.view = *v;
        if (!have) {
            set.params = {v->hash_algorithm, v->iterations, v->salt};
            have = true;
        } else if (v->iterations != set.params.iterations || v->salt.size() != set.params.salt.size() ||
                   !std::equal(v->salt.begin(), v->salt.end(), set.params.salt.begin())) {
            continue;
        }
        set.records.push_back(p);
    }
    return have;
}

Denial budget_out() {
    return {DenialStatus::budget_exhausted, "NSEC3 hash limit reached", 0};
}

// Checks the preconditions common to every NSEC3 proof; status proven when the work may go on.
Denial prepare(Bytes qname, Bytes zone, std::span<const DenialRecord> records, WorkBudget& budget,
               Nsec3Set& set) {
    if (!collect(zone, records, set)) return fail("no usable NSEC3 record");
    if (set.params.iterations > budget.limits().nsec3_iterations)
        return {DenialStatus::too_many_iterations, "NSEC3 iterations above the limit", 0};
    const std::size_t zl = label_count(zone);
    if (label_count(qname) < zl || common_labels(qname, zone) != zl)
        return fail("the name is not in the zone");
    return ok(0);
}

// §8.3 with the set prepared.
Denial closest_encloser(Bytes qname, const Nsec3Set& set, WorkBudget& budget) {
    const std::size_t qlabels = label_count(qname);
    const std::size_t zlabels = label_count(set.zone);
    Nsec3Hash next_closer_hash{};
    for (std::size_t n = qlabels + 1; n-- > zlabels;) {
        const Bytes candidate = suffix(qname, n);
        Nsec3Hash h;
        if (!set.hash(candidate, h, budget)) return budget_out();
        const ParsedNsec3* m = set.match(h);
        if (m == nullptr) {
            next_closer_hash = h;
            continue;
        }
        if (n == qlabels) return fail("an NSEC3 shows that the name exists");
        if (m->view.types.contains(kDname) || (m->view.types.contains(kNs) && !m->view.types.contains(kSoa)))
            return fail("the closest encloser is a delegation or a DNAME");
        const ParsedNsec3* c = set.cover(next_closer_hash);
        if (c == nullptr) return fail("no NSEC3 covers the next closer name");
        return ok(n, c->view.opt_out() ? DenialStatus::opt_out : DenialStatus::proven);
    }
    return fail("no NSEC3 matches an encloser of the name");
}

}  // namespace

bool nsec3_parameters(Bytes zone, std::span<const DenialRecord> nsec3s, Nsec3Parameters& out) {
    Nsec3Set set;
    if (!collect(zone, nsec3s, set)) return false;
    out = set.params;
    return true;
}

Denial nsec3_closest_encloser(Bytes qname, Bytes zone, std::span<const DenialRecord> records,
                              WorkBudget& budget) {
    Nsec3Set set;
    if (Denial d = prepare(qname, zone, records, budget, set); !d.proven()) return d;
    return closest_encloser(qname, set, budget);
}

Denial nsec3_nxdomain(Bytes qname, Bytes zone, std::span<const DenialRecord> records, WorkBudget& budget) {
    Nsec3Set set;
    if (Denial d = prepare(qname, zone, records, budget, set); !d.proven()) return d;
    const Denial ce = closest_encloser(qname, set, budget);
    if (ce.status != DenialStatus::proven && ce.status != DenialStatus::opt_out) return ce;
    std::uint8_t buffer[255];
    const Bytes wildcard = wildcard_of(suffix(qname, ce.closest_encloser_labels), buffer);
    Nsec3Hash h;
    if (wildcard.empty()) return fail("malformed name");
    if (!set.hash(wildcard, h, budget)) return budget_out();
    if (set.match(h)) return fail("an NSEC3 shows that the wildcard exists");
    if (!set.cover(h)) return fail("no NSEC3 covers the wildcard at the closest encloser");
    return ce;
}

Denial nsec3_nodata(Bytes qname, std::uint16_t qtype, Bytes zone, std::span<const DenialRecord> records,
                    WorkBudget& budget) {
    Nsec3Set set;
    if (Denial d = prepare(qname, zone, records, budget, set); !d.proven()) return d;
    const std::size_t labels = label_count(qname);
    Nsec3Hash h;
    if (!set.hash(qname, h, budget)) return budget_out();
    if (const ParsedNsec3* m = set.match(h)) return nodata_bitmap(m->view.types, qtype, labels == 0, labels);
    // No NSEC3 for the name: only an opt-out span can hide it (§8.6 for DS; erratum 3441 for the empty
    // non-terminals that lead only to insecure delegations, whatever the type).
    const Denial ce = closest_encloser(qname, set, budget);
    if (ce.status == DenialStatus::opt_out) return ce;
    if (ce.status == DenialStatus::proven)
        return fail("no NSEC3 matches the name and its span is not opt-out");
    return ce;
}

Denial nsec3_wildcard_nodata(Bytes qname, std::uint16_t qtype, Bytes zone,
                             std::span<const DenialRecord> records, WorkBudget& budget) {
    Nsec3Set set;
    if (Denial d = prepare(qname, zone, records, budget, set); !d.proven()) return d;
    const Denial ce = closest_encloser(qname, set, budget);
    if (ce.status != DenialStatus::proven && ce.status != DenialStatus::opt_out) return ce;
    std::uint8_t buffer[255];
    const Bytes wildcard = wildcard_of(suffix(qname, ce.closest_encloser_labels), buffer);
    Nsec3Hash h;
    if (wildcard.empty()) return fail("malformed name");
    if (!set.hash(wildcard, h, budget)) return budget_out();
    const ParsedNsec3* m = set.match(h);
    if (m == nullptr) return fail("no NSEC3 matches the wildcard at the closest encloser");
    const Denial d = nodata_bitmap(m->view.types, qtype, false, ce.closest_encloser_labels);
    if (!d.proven()) return d;
    return ce;
}

Denial nsec3_wildcard_answer(Bytes qname, std::uint8_t rrsig_labels, Bytes zone,
                             std::span<const DenialRecord> records, WorkBudget& budget) {
    Nsec3Set set;
    if (Denial d = prepare(qname, zone, records, budget, set); !d.proven()) return d;
    if (label_count(qname) <= rrsig_labels) return fail("the RRSIG label count is not below the name's");
    Nsec3Hash h;
    if (!set.hash(suffix(qname, rrsig_labels + 1u), h, budget)) return budget_out();
    if (!set.cover(h)) return fail("no NSEC3 covers the next closer name");
    return ok(rrsig_labels);
}

Denial nsec3_insecure_delegation(Bytes delegation, Bytes zone, std::span<const DenialRecord> records,
                                 WorkBudget& budget) {
    Nsec3Set set;
    if (Denial d = prepare(delegation, zone, records, budget, set); !d.proven()) return d;
    Nsec3Hash h;
    if (!set.hash(delegation, h, budget)) return budget_out();
    if (const ParsedNsec3* m = set.match(h)) {
        if (!m->view.types.contains(kNs)) return fail("the NSEC3 at the delegation lists no NS");
        if (m->view.types.contains(kDs)) return fail("the NSEC3 at the delegation lists DS");
        if (m->view.types.contains(kSoa)) return fail("the NSEC3 is the child zone's apex");
        return ok(label_count(delegation));
    }
    const Denial ce = closest_encloser(delegation, set, budget);
    if (ce.status == DenialStatus::proven) return fail("the delegation is proven not to exist");
    return ce;
}

}  // namespace cairn::dnssec
