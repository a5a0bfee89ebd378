// An incoming zone transfer as a primary (or an attacker in its place) sends it: the first octet picks AXFR
// or IXFR and the serial we claim to hold; the rest is the TCP stream, messages framed by their 2-octet
// length as on the wire. The parser takes the messages one by one; a complete transfer is then applied to
// our copy of the zone (serial 10). Errors must be TransferErrors; a zone that comes out must answer a
// lookup of its apex.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../unit/auth/zone_lines.hpp"
#include "fuzz_check.hpp"
#include "xfr/inbound.hpp"
#include "zone/zone.hpp"

using namespace cairn;

namespace {

using cairn::fuzz::check;

const zone::Zone& current() {
    static const auto zone =
        auth::testing::zone_from("example.", {"@ 3600 SOA ns1 hostmaster 10 7200 3600 1209600 300",
                                              "@ 3600 NS ns1", "ns1 3600 A 192.0.2.1", "www 300 A 192.0.2.3",
                                              "www 300 A 192.0.2.4", "old 300 TXT \"gone soon\""});
    return *zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 256 * 1024) return 0;
    xfr::InboundOptions options;
    options.zone = dns::Name::from_text("example.");
    options.type = (data[0] & 1) ? dns::RRType::IXFR : dns::RRType::AXFR;
    options.query_id = 0x4242;
    if (options.type == dns::RRType::IXFR) options.our_serial = (data[0] & 2) ? 10 : data[0] >> 2;
    options.clock = [] { return std::uint64_t{1700000000}; };
    xfr::InboundParser parser(std::move(options));
    try {
        std::size_t at = 1;
        bool complete = false;
        while (at + 2 <= size && !complete) {
            const std::size_t length = (std::size_t{data[at]} << 8) | data[at + 1];
            at += 2;
            if (at + length > size) break;
            complete = parser.feed({data + at, length});
            at += length;
        }
        const xfr::InboundResult result = parser.finish();
        check(complete, "finish() succeeds only after the transfer completed");
        const auto zone = xfr::build_zone(result, &current(), (data[0] & 0x80) != 0);
        if (zone != nullptr) {
            check(zone->origin() == current().origin(), "the zone keeps its origin");
            (void)zone->serial();
        }
    } catch (const xfr::TransferError& e) {
        check(e.what()[0] != '\0', "a transfer error says what");
    }
    return 0;
}
