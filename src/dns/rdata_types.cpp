// Every record type the codec knows, declared once as its list of fields.
#include <array>
#include <initializer_list>

#include "dns/rdata_fields.hpp"

namespace cairn::dns::rdata_detail {
namespace {

using enum Field;

constexpr TypeSpec spec(std::uint16_t code, std::uint8_t flags, const FieldSpec* first,
                        const FieldSpec* last) {
    TypeSpec s;
    s.code = code;
    s.flags = flags;
    for (; first != last; ++first)
        s.fields[s.field_count++] = *first;
    return s;
}

constexpr TypeSpec spec(std::uint16_t code, std::uint8_t flags, std::initializer_list<FieldSpec> fields) {
    return spec(code, flags, fields.begin(), fields.end());
}

template <std::size_t N>
constexpr TypeSpec spec(std::uint16_t code, std::uint8_t flags, const std::array<FieldSpec, N>& fields) {
    return spec(code, flags, fields.data(), fields.data() + N);
}

constexpr std::uint8_t kRfc1035 = kCompress | kDecompress | kLowercase;
constexpr std::uint8_t kRfc3597Decompress = kDecompress | kLowercase;

// RRSIG keeps the rdata of SIG (RFC 4034 §3).
constexpr std::array<FieldSpec, 9> kSignatureFields = {{
    {TypeCode, "type covered"},
    {Algorithm, "algorithm"},
    {U8, "labels"},
    {U32, "original TTL"},
    {Time, "expiration"},
    {Time, "inception"},
    {U16, "key tag"},
    {Name, "signer"},
    {Base64, "signature"},
}};

constexpr TypeSpec kSpecs[] = {
    spec(1, 0, {{Ipv4, "address"}}),                  // A
    spec(2, kRfc1035, {{Name, "name server"}}),       // NS
    spec(3, kRfc1035, {{Name, "mail destination"}}),  // MD
    spec(4, kRfc1035, {{Name, "mail forwarder"}}),    // MF
    spec(5, kRfc1035, {{Name, "target"}}),            // CNAME
    spec(6, kRfc1035,                                 // SOA
         {{Name, "primary server"},
          {Name, "responsible mailbox"},
          {U32, "serial"},
          {Period, "refresh"},
          {Period, "retry"},
          {Period, "expire"},
          {Period, "minimum"}}),
    spec(7, kRfc1035, {{Name, "mailbox host"}}),                                       // MB
    spec(8, kRfc1035, {{Name, "mail group member"}}),                                  // MG
    spec(9, kRfc1035, {{Name, "renamed mailbox"}}),                                    // MR
    spec(10, kGenericOnly, {}),                                                        // NULL
    spec(12, kRfc1035, {{Name, "target"}}),                                            // PTR
    spec(13, 0, {{String, "cpu"}, {String, "os"}}),                                    // HINFO
    spec(14, kRfc1035, {{Name, "responsible mailbox"}, {Name, "error mailbox"}}),      // MINFO
    spec(15, kRfc1035, {{U16, "preference"}, {Name, "exchange"}}),                     // MX
    spec(16, 0, {{Strings, "text"}}),                                                  // TXT
    spec(17, kRfc3597Decompress, {{Name, "mailbox"}, {Name, "text domain"}}),          // RP
    spec(18, kRfc3597Decompress, {{U16, "subtype"}, {Name, "hostname"}}),              // AFSDB
    spec(19, 0, {{String, "PSDN address"}}),                                           // X25
    spec(20, 0, {{String, "ISDN address"}, {OptString, "subaddress"}}),                // ISDN
    spec(21, kRfc3597Decompress, {{U16, "preference"}, {Name, "intermediate host"}}),  // RT
    spec(24, kRfc3597Decompress, kSignatureFields),                                    // SIG
    spec(22, 0, {{Nsap, "address"}}),                                                  // NSAP
    spec(23, 0, {{Name, "owner"}}),                                                    // NSAP-PTR
    spec(25, 0,
         {{U16, "flags"}, {U8, "protocol"}, {Algorithm, "algorithm"}, {OptBase64, "public key"}}),  // KEY
    spec(26, kRfc3597Decompress, {{U16, "preference"}, {Name, "map822"}, {Name, "mapx400"}}),       // PX
    spec(28, 0, {{Ipv6, "address"}}),                                                               // AAAA
    spec(27, 0, {{String, "longitude"}, {String, "latitude"}, {String, "altitude"}}),               // GPOS
    spec(29, 0, {{Loc, "location"}}),                                                               // LOC
    spec(31, 0, {{Hex, "endpoint identifier"}}),                                                    // EID
    spec(32, 0, {{Hex, "locator"}}),                                                                // NIMLOC
    spec(33, kRfc3597Decompress,                                                                    // SRV
         {{U16, "priority"}, {U16, "weight"}, {U16, "port"}, {Name, "target"}}),
    spec(35, kRfc3597Decompress,  // NAPTR
         {{U16, "order"},
          {U16, "preference"},
          {String, "flags"},
          {String, "services"},
          {String, "regexp"},
          {Name, "replacement"}}),
    spec(36, kLowercase, {{U16, "preference"}, {Name, "exchanger"}}),  // KX
    spec(37, 0,
         {{CertType, "type"},
          {U16, "key tag"},
          {CertAlgorithm, "algorithm"},
          {Base64, "certificate"}}),                                                                  // CERT
    spec(39, kLowercase, {{Name, "target"}}),                                                         // DNAME
    spec(42, 0, {{Apl, "address prefix list"}}),                                                      // APL
    spec(43, 0, {{U16, "key tag"}, {Algorithm, "algorithm"}, {U8, "digest type"}, {Hex, "digest"}}),  // DS
    spec(44, 0, {{U8, "algorithm"}, {U8, "fingerprint type"}, {Hex, "fingerprint"}}),                 // SSHFP
    spec(45, 0, {{U8, "precedence"}, {Ipseckey, "gateway and key"}}),  // IPSECKEY
    spec(46, kLowercase, kSignatureFields),                            // RRSIG
    spec(47, 0, {{Name, "next domain"}, {Bitmap, "type bitmap"}}),     // NSEC (not lowered: RFC 6840 §5.1)
    spec(48, 0,
         {{U16, "flags"}, {U8, "protocol"}, {Algorithm, "algorithm"}, {Base64, "public key"}}),  // DNSKEY
    spec(49, 0, {{Base64, "data"}}),                                                             // DHCID
    spec(50, 0,                                                                                  // NSEC3
         {{U8, "hash algorithm"},
          {U8, "flags"},
          {U16, "iterations"},
          {HexSalt, "salt"},
          {Base32Hash, "next hashed owner"},
          {Bitmap, "type bitmap"}}),
    spec(51, 0,
         {{U8, "hash algorithm"}, {U8, "flags"}, {U16, "iterations"}, {HexSalt, "salt"}}),  // NSEC3PARAM
    spec(52, 0, {{U8, "usage"}, {U8, "selector"}, {U8, "matching type"}, {Hex, "certificate data"}}),  // TLSA
    spec(53, 0,
         {{U8, "usage"}, {U8, "selector"}, {U8, "matching type"}, {Hex, "certificate data"}}),  // SMIMEA
    spec(55, 0, {{Hip, "host identity"}}),                                                      // HIP
    spec(56, 0, {{Strings, "text"}}),                                                           // NINFO
    spec(57, 0,
         {{U16, "flags"}, {U8, "protocol"}, {Algorithm, "algorithm"}, {Base64, "public key"}}),  // RKEY
    spec(58, 0, {{Name, "previous"}, {Name, "next"}}),                                           // TALINK
    spec(59, 0, {{U16, "key tag"}, {Algorithm, "algorithm"}, {U8, "digest type"}, {Hex, "digest"}}),  // CDS
    spec(60, 0,
         {{U16, "flags"}, {U8, "protocol"}, {Algorithm, "algorithm"}, {Base64, "public key"}}),  // CDNSKEY
    spec(61, 0, {{Base64, "public key"}}),                                                       // OPENPGPKEY
    spec(62, 0, {{U32, "serial"}, {U16, "flags"}, {Bitmap, "type bitmap"}}),                     // CSYNC
    spec(63, 0, {{U32, "serial"}, {U8, "scheme"}, {U8, "hash algorithm"}, {Hex, "digest"}}),     // ZONEMD
    spec(64, 0, {{U16, "priority"}, {Name, "target"}, {SvcParams, "parameters"}}),               // SVCB
    spec(65, 0, {{U16, "priority"}, {Name, "target"}, {SvcParams, "parameters"}}),               // HTTPS
    spec(99, 0, {{Strings, "text"}}),                                                            // SPF
    spec(104, 0, {{U16, "preference"}, {Ilnp64, "node id"}}),                                    // NID
    spec(105, 0, {{U16, "preference"}, {Ipv4, "locator"}}),                                      // L32
    spec(106, 0, {{U16, "preference"}, {Ilnp64, "locator"}}),                                    // L64
    spec(107, 0, {{U16, "preference"}, {Name, "pointer"}}),                                      // LP
    spec(108, 0, {{Eui48, "address"}}),                                                          // EUI48
    spec(109, 0, {{Eui64, "address"}}),                                                          // EUI64
    spec(256, 0, {{U16, "priority"}, {U16, "weight"}, {Text, "target"}}),                        // URI
    spec(257, 0, {{U8, "flags"}, {CaaTag, "tag"}, {Text, "value"}}),                             // CAA
    spec(258, 0, {{Strings, "text"}}),                                                           // AVC
    spec(
        259, 0,  // DOA
        {{U32, "enterprise"}, {U32, "type"}, {U8, "location"}, {String, "media type"}, {Base64Dash, "data"}}),
    spec(260, 0, {{U8, "precedence"}, {Amtrelay, "relay"}}),  // AMTRELAY
    spec(261, 0, {{Strings, "text"}}),                        // RESINFO
    spec(262, 0, {{Strings, "text"}}),                        // WALLET
    spec(32768, 0, {{U16, "key tag"}, {Algorithm, "algorithm"}, {U8, "digest type"}, {Hex, "digest"}}),  // TA
    spec(32769, 0,
         {{U16, "key tag"}, {Algorithm, "algorithm"}, {U8, "digest type"}, {Hex, "digest"}}),  // DLV
};

// Type codes up to 260 are looked up directly; the handful above go through a scan.
constexpr std::size_t kDirect = 260;

struct SpecIndex {
    std::array<const TypeSpec*, kDirect> direct{};
    constexpr SpecIndex() {
        for (const auto& s : kSpecs) {
            if (s.code < kDirect) direct[s.code] = &s;
        }
    }
};

constexpr SpecIndex kIndex;

}  // namespace

const TypeSpec* find_type_spec(RRType type) {
    const auto code = static_cast<std::uint16_t>(type);
    if (code < kDirect) return kIndex.direct[code];
    for (const auto& s : kSpecs) {
        if (s.code == code) return &s;
    }
    return nullptr;
}

}  // namespace cairn::dns::rdata_detail
