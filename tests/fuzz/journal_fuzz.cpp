// The journal's on-disk forms read back from a damaged or hostile store. The input is taken as records to
// put in the store before reading it: each is a kind octet (0 bookkeeping, 1 an entry, 2 the zone's timers),
// a 4-octet sequence, a 2-octet length and that many octets of value. Then the zone's journal is read
// (info, every chain, the RR counts) and its timers loaded: failures must be StoreErrors. The whole input
// is also decoded as one difference; one that decodes must encode and decode back to itself.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "fuzz_check.hpp"
#include "store/diff_codec.hpp"
#include "store/environment.hpp"
#include "store/journal.hpp"
#include "store/zone_timers.hpp"

using namespace cairn;
using namespace cairn::store;

namespace {

using cairn::fuzz::check;

Environment& environment() {
    static const std::string directory =
        (std::filesystem::temp_directory_path() / ("cairn-journal-fuzz-" + std::to_string(::getpid())))
            .string();
    static Environment env = [] {
        std::atexit([] { std::filesystem::remove_all(directory); });
        EnvironmentOptions options;
        options.map_size = std::size_t{64} << 20;
        options.sync = false;
        return Environment(directory, options);
    }();
    return env;
}

const dns::Name& zone_name() {
    static const dns::Name name = dns::Name::from_text("example.");
    return name;
}

std::vector<std::uint8_t> key(std::uint8_t kind, std::uint32_t sequence) {
    std::vector<std::uint8_t> k(zone_name().wire().begin(), zone_name().wire().end());
    k.push_back(kind);
    if (kind == 1) {
        for (int shift = 24; shift >= 0; shift -= 8)
            k.push_back(static_cast<std::uint8_t>(sequence >> shift));
    }
    return k;
}

void fill_store(std::span<const std::uint8_t> input) {
    environment().write([&](Environment::Txn& txn) {
        // A clean slate: the previous input's records go.
        std::vector<std::vector<std::uint8_t>> old;
        txn.scan(Table::Journal, zone_name().wire(), [&](auto k, auto) {
            old.emplace_back(k.begin(), k.end());
            return true;
        });
        for (const auto& k : old)
            txn.erase(Table::Journal, k);
        txn.erase(Table::Timers, zone_name().wire());
        std::size_t at = 0;
        while (at + 7 <= input.size()) {
            const std::uint8_t kind = input[at] % 3;
            const std::uint32_t sequence = (std::uint32_t{input[at + 1]} << 24) |
                                           (std::uint32_t{input[at + 2]} << 16) |
                                           (std::uint32_t{input[at + 3]} << 8) | input[at + 4];
            const std::size_t length = (std::size_t{input[at + 5]} << 8) | input[at + 6];
            at += 7;
            const auto value = input.subspan(at, std::min(length, input.size() - at));
            at += value.size();
            if (kind == 2) {
                txn.put(Table::Timers, zone_name().wire(), value);
            } else {
                txn.put(Table::Journal, key(kind, sequence), value);
            }
        }
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    const std::span<const std::uint8_t> input(data, size);
    try {
        const zone::ZoneDiff diff = decode_diff(input);
        const std::vector<std::uint8_t> encoded = encode_diff(diff);
        check(decode_diff(encoded) == diff, "a decoded difference encodes and decodes to itself");
        std::uint32_t from = 0, to = 0;
        decode_diff_serials(encoded, from, to);
        check(from == diff.from_serial() && to == diff.to_serial(), "the serials read alone agree");
    } catch (const StoreError&) {
    }

    fill_store(input);
    Journal journal(environment(), zone_name());
    try {
        const JournalInfo info = journal.info();
        for (const std::uint32_t serial : {info.first_serial, info.last_serial, 0u, 1u}) {
            if (const auto chain = journal.chain_from(serial)) {
                std::size_t rrs = 0;
                for (const auto& step : *chain)
                    rrs += step.rr_count();
                (void)rrs;
            }
            (void)journal.chain_rr_count(serial);
        }
    } catch (const StoreError&) {
    }
    try {
        (void)load_timers(environment(), zone_name());
    } catch (const StoreError&) {
    }
    return 0;
}
