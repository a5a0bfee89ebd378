// The field kinds record types are built from, and the per-type declarations (rdata_types.cpp). Internal to
// the rdata codec: other modules use dns/rdata.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "dns/types.hpp"

namespace cairn::dns::rdata_detail {

enum class Field : std::uint8_t {
    U8,
    U16,
    U32,
    Period,         // u32 read with TTL units (SOA timers, RRSIG original TTL)
    Name,           // a domain name
    Ipv4,           // 4 octets
    Ipv6,           // 16 octets
    String,         // one character-string
    Strings,        // one or more character-strings, to the end
    Text,           // the remaining octets as one quoted string, no length octet (CAA value, URI target)
    CaaTag,         // 1-255 letters and digits with a length octet
    Hex,            // the remaining octets in hex, possibly split over tokens
    Base64,         // the remaining octets in base64, possibly split over tokens
    OptBase64,      // as Base64, but may be absent (KEY with the no-key flags)
    OptString,      // one character-string or nothing, last field only (ISDN subaddress)
    Ilnp64,         // 8 octets as four 16-bit hex groups "xxxx:xxxx:xxxx:xxxx" (RFC 6742 NID, L64)
    Nsap,           // the remaining octets as "0x" and hex, dots allowed in between (RFC 1706)
    Base64Dash,     // the remaining octets as one base64 token, "-" when empty (DOA data)
    Amtrelay,       // RFC 8777 discovery-optional bit, relay type and relay: all after the precedence
    HexSalt,        // length octet + octets in hex, "-" when empty (NSEC3, NSEC3PARAM)
    Base32Hash,     // length octet + octets in base32hex (NSEC3 next hashed owner)
    TypeCode,       // u16 RR type mnemonic (RRSIG type covered)
    Time,           // u32 YYYYMMDDHHmmSS or seconds (RRSIG)
    Bitmap,         // RFC 4034 §4.1.2 type bitmap, to the end
    Algorithm,      // u8 DNSSEC algorithm, number or mnemonic; printed as a number (DNSKEY, DS, RRSIG)
    CertAlgorithm,  // the same, printed as a mnemonic when there is one (BIND does so for CERT)
    CertType,       // u16 CERT type, number or mnemonic
    SvcParams,      // RFC 9460 SvcParams, to the end
    Loc,            // the whole RFC 1876 LOC rdata
    Apl,            // RFC 3123 APL items, to the end
    Eui48,          // 6 octets as xx-xx-xx-xx-xx-xx
    Eui64,          // 8 octets
    Ipseckey,       // RFC 4025 gateway type, algorithm, gateway and key: everything after the precedence
    Hip,            // RFC 8005: everything of HIP
};

enum TypeFlags : std::uint8_t {
    kCompress = 1,     // RFC 1035 types: names may be compressed on output (RFC 3597 §4)
    kDecompress = 2,   // names may arrive compressed (RFC 3597 §4 "SHOULD decompress" list)
    kLowercase = 4,    // RFC 4034 §6.2 (as amended by RFC 6840 §5.1): names lowered in canonical form
    kGenericOnly = 8,  // no presentation form besides RFC 3597 (NULL)
};

inline constexpr std::size_t kMaxFields = 9;

struct FieldSpec {
    Field kind;
    std::string_view label;  // for error messages
};

struct TypeSpec {
    std::uint16_t code = 0;
    std::uint8_t flags = 0;
    std::uint8_t field_count = 0;
    std::array<FieldSpec, kMaxFields> fields{};
};

// The declaration for `type`, or nullptr when the type is unknown to the codec.
const TypeSpec* find_type_spec(RRType type);

}  // namespace cairn::dns::rdata_detail
