// Feeds arbitrary rdata to the codec, as wire data (first octet even) or presentation text (odd), for the
// record type in the next two octets. Whatever is accepted must print to text that reads back to the same
// wire, directly and in RFC 3597 generic form, and must survive name walking and canonical form.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "dns/rdata.hpp"
#include "fuzz_check.hpp"

using namespace cairn::dns;

namespace {

using cairn::fuzz::check;

void check_round_trip(RRType type, const std::vector<std::uint8_t>& wire) {
    const Name origin = Name::from_text("example.");
    const std::string text = rdata_to_text(type, wire);
    std::vector<std::uint8_t> back;
    try {
        back = rdata_from_text(type, text, origin);
    } catch (const ParseError& e) {
        std::fprintf(stderr, "%s %s: %s\n", type_to_text(type).c_str(), text.c_str(), e.what());
        check(false, "printed rdata reads back");
    }
    check(back == wire, "printed rdata reads back to the same wire");
    check(rdata_from_text(type, rdata_to_generic_text(wire), origin) == wire, "generic form reads back");
    std::size_t names_end = 0;
    for_each_rdata_name(type, wire, [&](std::size_t offset, std::size_t length) {
        check(offset >= names_end && offset + length <= wire.size(), "names in order and inside the rdata");
        names_end = offset + length;
    });
    check(rdata_canonical(type, wire).size() == wire.size(), "canonical form keeps the length");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const bool as_text = data[0] & 1;
    // Keep most inputs on the types the codec knows: low codes, plus the high ones by their low octet.
    std::uint16_t code = static_cast<std::uint16_t>((data[1] << 8) | data[2]);
    if (code > 300 && code < 32768) code %= 300;
    const auto type = static_cast<RRType>(code);
    const std::span<const std::uint8_t> body(data + 3, size - 3);
    std::vector<std::uint8_t> wire;
    try {
        if (as_text) {
            const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
            wire = rdata_from_text(type, text, Name::from_text("example."));
            check(rdata_from_wire(type, wire, 0, wire.size()) == wire, "parsed text is valid wire");
        } else {
            wire = rdata_from_wire(type, body, 0, body.size());
        }
    } catch (const ParseError&) {
        return 0;
    }
    check_round_trip(type, wire);
    return 0;
}
