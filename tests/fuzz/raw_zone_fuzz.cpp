// Arbitrary bytes as a raw zone file whose checksum is made to match (as a crafted file's would), so the
// fuzzer reaches the structural validation: decode_raw must reject or accept, never crash, and an accepted
// zone must iterate, re-encode and answer lookups.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "zone/lookup_name.hpp"
#include "zone/zone.hpp"
#include "zonefile/raw.hpp"

using namespace cairn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> bytes(data, data + size);
    if (bytes.size() >= 8) {
        const auto sum = zonefile::raw_checksum(std::span<const std::uint8_t>(bytes).first(bytes.size() - 8));
        for (int i = 0; i < 8; ++i)
            bytes[bytes.size() - 8 + i] = static_cast<std::uint8_t>(sum >> (8 * i));
    }
    std::shared_ptr<const zone::Zone> z;
    try {
        z = zonefile::decode_raw(bytes);
    } catch (const zone::ZoneError&) {
        return 0;
    }
    if (zonefile::encode_raw(*z) != bytes) {
        std::fprintf(stderr, "an accepted raw file does not re-encode to itself\n");
        std::abort();
    }
    std::size_t rrs = 0;
    z->for_each_rr([&](auto, auto, auto, auto, auto) { ++rrs; });
    if (rrs != z->rr_count()) std::abort();
    for (std::uint32_t i = 0; i < z->node_count(); ++i) {
        zone::LookupName name;
        if (!name.assign(z->name(z->node(i))) || z->find(name) != i) std::abort();
        (void)z->lookup(name);
    }
    return 0;
}
