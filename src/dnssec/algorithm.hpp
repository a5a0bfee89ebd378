// DNSSEC algorithm and digest numbers and what cairn does with each, as RFC 8624 §3.1 and §3.3 recommend
// (BIND 9.18 and Knot agree): which algorithms it signs with, which it validates, which DS digests it makes
// and checks. An algorithm or digest outside these makes a zone insecure to a validator, not bogus
// (RFC 4035 §5.2, RFC 6840 §5.2).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::dnssec {

enum class Algorithm : std::uint8_t {
    RSAMD5 = 1,
    RSASHA1 = 5,
    RSASHA1_NSEC3_SHA1 = 7,
    RSASHA256 = 8,
    RSASHA512 = 10,
    ECDSAP256SHA256 = 13,
    ECDSAP384SHA384 = 14,
    ED25519 = 15,
    ED448 = 16,
};

enum class DigestType : std::uint8_t {
    SHA1 = 1,
    SHA256 = 2,
    GOST = 3,
    SHA384 = 4,
};

constexpr std::uint8_t code(Algorithm a) {
    return static_cast<std::uint8_t>(a);
}
constexpr std::uint8_t code(DigestType d) {
    return static_cast<std::uint8_t>(d);
}

// RFC 8624 §3.1: signing with 8, 13 (MUST), 14, 15, 16 (MAY/RECOMMENDED) and 10 (NOT RECOMMENDED, still
// allowed as BIND allows it); validation of those and of 5 and 7 (MUST: deployed zones still use them).
// RSAMD5, DSA and GOST are neither.
constexpr bool can_sign(std::uint8_t algorithm) {
    return algorithm == 8 || algorithm == 10 || (algorithm >= 13 && algorithm <= 16);
}
constexpr bool can_verify(std::uint8_t algorithm) {
    return algorithm == 5 || algorithm == 7 || can_sign(algorithm);
}
constexpr bool is_rsa(std::uint8_t algorithm) {
    return algorithm == 5 || algorithm == 7 || algorithm == 8 || algorithm == 10;
}

// RFC 8624 §3.3: DS digests SHA-256 (MUST) and SHA-384 (MAY) are made; SHA-1 is only checked (a validator
// uses it where no other digest is present).
constexpr bool can_make_digest(std::uint8_t digest_type) {
    return digest_type == 2 || digest_type == 4;
}
constexpr bool can_check_digest(std::uint8_t digest_type) {
    return digest_type == 1 || can_make_digest(digest_type);
}
// Octets of a digest of that type; 0 for the types cairn does not compute.
constexpr std::size_t digest_size(std::uint8_t digest_type) {
    return digest_type == 1 ? 20 : digest_type == 2 ? 32 : digest_type == 4 ? 48 : 0;
}

// Size of an algorithm's public key in DNSKEY form for the fixed-size ones (ECDSA: the point's x and y;
// EdDSA: the encoded point), 0 for RSA.
constexpr std::size_t public_key_size(std::uint8_t algorithm) {
    switch (algorithm) {
        case 13:
            return 64;
        case 14:
            return 96;
        case 15:
            return 32;
        case 16:
            return 57;
        default:
            return 0;
    }
}

}  // namespace cairn::dnssec
