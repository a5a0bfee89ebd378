// The incremental build behind IXFR (Zone::patch, through apply_diffs) against the full build of the same
// change. The input is a list of edits of two octets: the first picks an addition from a fixed vocabulary
// (names at and around wildcards, a delegation and its glue, a DNAME, empty non-terminals, NS/MX/SRV
// targets gaining and losing addresses, names in other cases) or the removal of a record the zone holds; the
// second varies the added record's TTL. An octet 0xFF ends the first difference: the rest is applied to its
// result, so that patched zones are patched again as a secondary does. Each result must equal the full
// build array for array and find every name alike, or both must refuse the difference.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "zone/diff.hpp"
#include "zone/zone.hpp"
#include "zonefile/master_parser.hpp"

using namespace cairn;

namespace {

const dns::Name& origin() {
    static const dns::Name name = dns::Name::from_text("example.com.");
    return name;
}

std::vector<zone::Record> parse(const char* text) {
    zonefile::ParseOptions options;
    options.origin = origin();
    options.allow_include = false;
    return zonefile::parse_zone_text(text, "fuzz", options).to_records();
}

const std::vector<zone::Record>& base_records() {
    static const std::vector<zone::Record> records = parse(R"(
$TTL 300
@            SOA   ns1 hostmaster 1 7200 3600 604800 300
@            NS    ns1
@            NS    ns.other.net.
@            MX    10 mail
ns1          A     192.0.2.1
Mail         A     192.0.2.2
mail         AAAA  2001:db8::2
www          A     192.0.2.10
www          TXT   "web"
alias        CNAME www
*            A     192.0.2.99
*.wild       MX    5 mail
a.b.c        A     192.0.2.20
sub          NS    ns.sub
sub          NS    ns2.sub
ns.sub       A     198.51.100.1
dn           DNAME target.example.net.
x.dn         A     192.0.2.30
_sip._tcp    SRV   10 60 5060 www
mx2          MX    20 later
)");
    return records;
}

const std::vector<zone::Record>& vocabulary() {
    static const std::vector<zone::Record> records = parse(R"(
$TTL 60
www          A     192.0.2.11
WWW          AAAA  2001:db8::10
later        A     192.0.2.40
LATER        AAAA  2001:db8::40
new1         TXT   "n"
p.q.r        A     192.0.2.50
*.new3       A     192.0.2.51
a.new3       MX    1 later
*.b.c        TXT   "w"
X.B.C        A     192.0.2.21
b.c          A     192.0.2.22
deleg        NS    ns.deleg
deleg        NS    www
ns.deleg     A     203.0.113.1
z.sub        A     198.51.100.9
ns2.sub      A     198.51.100.2
y.dn         A     192.0.2.31
dn           A     192.0.2.32
deep         DNAME elsewhere.example.net.
k.deep       A     192.0.2.60
alias        CNAME mail
wild         NS    ns1
host9        SRV   1 2 3 host9
host9        A     192.0.2.9
mail         A     192.0.2.3
@            NS    later
@            MX    20 new1
x.dn         TXT   "occluded"
)");
    return records;
}

void check(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "incremental and full build differ: %s\n", what);
        std::abort();
    }
}

void check_same_zone(const zone::Zone& patched, const zone::Zone& built) {
    const char* differing = zone::first_differing_array(patched, built);
    check(differing == nullptr, differing);
    check(patched.serial() == built.serial() && patched.rr_count() == built.rr_count(), "SOA facts");
    for (std::uint32_t i = 0; i < built.node_count(); ++i) {
        zone::LookupName name;
        check(name.assign(built.name(built.node(i))), "stored name");
        check(patched.find(name) == i, "find");
    }
}

// The next difference from `edits` against `zone`: SOA serial one up.
zone::ZoneDiff next_diff(const zone::Zone& zone, std::span<const std::uint8_t> edits) {
    zone::ZoneDiff d = zone::next_version(zone);
    std::vector<zone::Record> held;
    for (zone::Record& r : zone.records())
        if (r.type != dns::RRType::SOA) held.push_back(std::move(r));
    for (std::size_t i = 0; i + 1 < edits.size(); i += 2) {
        const std::uint8_t pick = edits[i], variant = edits[i + 1];
        if ((pick & 0x80) != 0 && !held.empty()) {
            const zone::Record& victim = held[(pick & 0x7F) % held.size()];
            if (std::find(d.removed.begin(), d.removed.end(), victim) == d.removed.end())
                d.removed.push_back(victim);
        } else {
            zone::Record r = vocabulary()[pick % vocabulary().size()];
            r.ttl = 60 + variant % 3;
            d.added.push_back(std::move(r));
        }
    }
    return d;
}

enum class Outcome { built, diff_refused, zone_refused };

Outcome apply(const zone::Zone& base, const zone::ZoneDiff& d, bool allow_patch,
              std::shared_ptr<const zone::Zone>& out) {
    try {
        out = zone::apply_diffs(base, std::span(&d, 1), allow_patch);
        return Outcome::built;
    } catch (const zone::DiffError&) {
        return Outcome::diff_refused;
    } catch (const zone::ZoneError&) {
        return Outcome::zone_refused;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256) return 0;  // a small change is what takes the incremental path
    static const std::shared_ptr<const zone::Zone> base = zone::Zone::build(origin(), base_records());
    const std::span<const std::uint8_t> input(data, size);
    const auto cut = std::find(input.begin(), input.end(), std::uint8_t{0xFF});
    const std::span<const std::uint8_t> parts[] = {
        {input.begin(), cut},
        cut == input.end() ? std::span<const std::uint8_t>{} : std::span(cut + 1, input.end())};
    std::shared_ptr<const zone::Zone> current = base;
    for (const auto edits : parts) {
        if (edits.empty()) break;
        const zone::ZoneDiff d = next_diff(*current, edits);
        std::shared_ptr<const zone::Zone> patched, built;
        const Outcome p = apply(*current, d, true, patched);
        const Outcome b = apply(*current, d, false, built);
        check(p == b, "one accepted the difference and the other refused it");
        if (p != Outcome::built) break;
        check_same_zone(*patched, *built);
        current = patched;
    }
    return 0;
}
