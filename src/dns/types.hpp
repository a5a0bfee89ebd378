// Numeric codes of the DNS protocol and their mnemonics: record types, classes, opcodes, rcodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::dns {

enum class RRType : std::uint16_t {
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    NULL_ = 10,
    PTR = 12,
    HINFO = 13,
    MX = 15,
    TXT = 16,
    RP = 17,
    AFSDB = 18,
    AAAA = 28,
    LOC = 29,
    SRV = 33,
    NAPTR = 35,
    KX = 36,
    CERT = 37,
    DNAME = 39,
    OPT = 41,
    APL = 42,
    DS = 43,
    SSHFP = 44,
    IPSECKEY = 45,
    RRSIG = 46,
    NSEC = 47,
    DNSKEY = 48,
    DHCID = 49,
    NSEC3 = 50,
    NSEC3PARAM = 51,
    TLSA = 52,
    SMIMEA = 53,
    HIP = 55,
    CDS = 59,
    CDNSKEY = 60,
    OPENPGPKEY = 61,
    CSYNC = 62,
    ZONEMD = 63,
    SVCB = 64,
    HTTPS = 65,
    SPF = 99,
    EUI48 = 108,
    EUI64 = 109,
    TKEY = 249,
    TSIG = 250,
    IXFR = 251,
    AXFR = 252,
    MAILB = 253,
    MAILA = 254,
    ANY = 255,
    URI = 256,
    CAA = 257,
};

enum class RRClass : std::uint16_t {
    IN = 1,
    CH = 3,
    HS = 4,
    NONE = 254,
    ANY = 255,
};

enum class Opcode : std::uint8_t {
    QUERY = 0,
    IQUERY = 1,
    STATUS = 2,
    NOTIFY = 4,
    UPDATE = 5,
};

// Extended rcodes (RFC 6891) use 12 bits: the low 4 go in the header, the high 8 in the OPT record.
enum class Rcode : std::uint16_t {
    NOERROR = 0,
    FORMERR = 1,
    SERVFAIL = 2,
    NXDOMAIN = 3,
    NOTIMP = 4,
    REFUSED = 5,
    YXDOMAIN = 6,
    YXRRSET = 7,
    NXRRSET = 8,
    NOTAUTH = 9,
    NOTZONE = 10,
    BADVERS = 16,  // also BADSIG in TSIG context
    BADKEY = 17,
    BADTIME = 18,
    BADMODE = 19,
    BADNAME = 20,
    BADALG = 21,
    BADTRUNC = 22,
    BADCOOKIE = 23,
};

// The numeric value of a code, for code that compares raw fields of a packet.
constexpr std::uint16_t code(RRType t) {
    return static_cast<std::uint16_t>(t);
}
constexpr std::uint16_t code(RRClass c) {
    return static_cast<std::uint16_t>(c);
}
constexpr std::uint8_t code(Opcode o) {
    return static_cast<std::uint8_t>(o);
}

// Mnemonic, or TYPEnnn (RFC 3597) for types without one.
std::string type_to_text(RRType type);
// Accepts mnemonics (case-insensitive) and TYPEnnn.
std::optional<RRType> type_from_text(std::string_view text);

std::string class_to_text(RRClass cls);
std::optional<RRClass> class_from_text(std::string_view text);  // IN, CH, HS, NONE, ANY, CLASSnnn

std::string rcode_to_text(Rcode rcode);
std::string opcode_to_text(Opcode opcode);

// DNSSEC algorithm numbers (RFC 4034 Appendix A.1 and the IANA registry) and their mnemonics, as BIND
// spells them ("ECDSAP256SHA256"). The mnemonic is empty for numbers without one.
std::string_view dnssec_algorithm_mnemonic(std::uint8_t algorithm);
std::optional<std::uint8_t> dnssec_algorithm_from_text(std::string_view mnemonic);  // case-insensitive

// Meta and question-only types that never appear as zone data.
constexpr bool is_meta_type(RRType t) {
    const auto v = static_cast<std::uint16_t>(t);
    return v == 41 || (v >= 128 && v <= 255);
}

}  // namespace cairn::dns
