// Per-type rules on whole rdata, beyond the structure of the individual fields.
#include <string>

#include "dns/rdata_special.hpp"

namespace cairn::dns::rdata_detail {
namespace {

// Expected digest length for a digest type, or 0 when the type is unknown (any length goes).
std::size_t ds_digest_length(std::uint8_t digest_type) {
    switch (digest_type) {
        case 1:
            return 20;  // SHA-1
        case 2:
            return 32;  // SHA-256
        case 3:
            return 32;  // GOST R 34.11-94
        case 4:
            return 48;  // SHA-384
        default:
            return 0;
    }
}

void check_length(RRType type, std::string_view what, std::size_t expected, std::size_t actual) {
    if (expected != 0 && expected != actual) {
        fail(type, what, std::to_string(actual) + " octets where its type needs " + std::to_string(expected));
    }
}

}  // namespace

void check_type_rules(const TypeSpec& spec, std::span<const std::uint8_t> rdata) {
    const auto type = static_cast<RRType>(spec.code);
    switch (spec.code) {
        case 43:     // DS
        case 59:     // CDS
        case 32768:  // TA
        case 32769:  // DLV
            // CDS "0 0 0 00" (RFC 8078 delete) has digest type 0 and passes.
            check_length(type, "digest", ds_digest_length(rdata[3]), rdata.size() - 4);
            return;
        case 44: {  // SSHFP
            const std::size_t expected = rdata[1] == 1 ? 20 : rdata[1] == 2 ? 32 : 0;
            check_length(type, "fingerprint", expected, rdata.size() - 2);
            return;
        }
        case 63: {  // ZONEMD
            // RFC 8976 §2.2.4: a digest shorter than 12 octets is invalid whatever the algorithm.
            const std::size_t digest = rdata.size() - 6;
            if (digest < 12) fail(type, "digest", "shorter than 12 octets");
            if (rdata[4] == 1)
                check_length(type, "digest", rdata[5] == 1 ? 48 : rdata[5] == 2 ? 64 : 0, digest);
            return;
        }
        case 50: {  // NSEC3
            // A SHA-1 hash (algorithm 1, RFC 5155 §5) is 20 octets; BIND enforces it in text and wire.
            const std::size_t hash_at = 5 + rdata[4];
            if (rdata[0] == 1) check_length(type, "next hashed owner", 20, rdata[hash_at]);
            return;
        }
        case 47: {  // NSEC
            // BIND refuses an NSEC without types; every real NSEC at least lists NSEC itself.
            std::size_t pos = 0;
            while (rdata[pos] != 0)
                pos += 1 + rdata[pos];
            if (pos + 1 == rdata.size()) fail(type, "type bitmap", "lists no types");
            return;
        }
        default:
            return;
    }
}

}  // namespace cairn::dns::rdata_detail
