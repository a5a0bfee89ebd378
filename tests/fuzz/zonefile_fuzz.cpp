// Feeds arbitrary bytes to the zone file reader as a zone "example.com." held in memory ($INCLUDE is off),
// runs the zone checks, and prints every record it kept. Invariants: nothing crashes; every error names a
// line inside the input; every kept record lies in the zone and its rdata prints and parses back.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "dns/rdata.hpp"
#include "fuzz_check.hpp"
#include "zonefile/checks.hpp"
#include "zonefile/master_parser.hpp"
#include "zonefile/printer.hpp"

using namespace cairn;

namespace {

using cairn::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const dns::Name origin = dns::Name::from_text("example.com.");
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    zonefile::ParseOptions options;
    options.origin = origin;
    options.allow_include = false;
    options.max_generate = 1000;
    zone::ParsedZone parsed = zonefile::parse_zone_text(text, "fuzz", options);
    std::size_t lines = 1;
    for (const char c : text)
        lines += c == '\n';
    for (const zone::Diagnostic& d : parsed.diagnostics.all()) {
        check(d.line <= lines + 1, "diagnostic line inside the input");
    }
    zonefile::check_zone(parsed, origin, {});
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        const zone::Record r = parsed.record(i);
        check(r.owner.is_subdomain_of(origin), "kept records lie in the zone");
        const std::string line = zonefile::record_to_text(r);
        check(!line.empty(), "record prints");
        const std::string rdata = dns::rdata_to_text(r.type, r.rdata);
        try {
            check(dns::rdata_from_text(r.type, rdata, dns::Name()) == r.rdata, "rdata text round-trips");
        } catch (const dns::ParseError&) {
            check(false, "printed rdata parses back");
        }
    }
    return 0;
}
