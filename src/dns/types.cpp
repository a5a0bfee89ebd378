#include "dns/types.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "dns/name.hpp"

namespace cairn::dns {
namespace {

constexpr std::array<std::pair<RRType, std::string_view>, 82> kTypeNames{{
    {RRType::A, "A"},
    {RRType::NS, "NS"},
    {RRType::CNAME, "CNAME"},
    {RRType::SOA, "SOA"},
    {RRType::NULL_, "NULL"},
    {RRType::PTR, "PTR"},
    {RRType::HINFO, "HINFO"},
    {RRType::MX, "MX"},
    {RRType::TXT, "TXT"},
    {RRType::RP, "RP"},
    {RRType::AFSDB, "AFSDB"},
    {RRType::AAAA, "AAAA"},
    {RRType::LOC, "LOC"},
    {RRType::SRV, "SRV"},
    {RRType::NAPTR, "NAPTR"},
    {RRType::KX, "KX"},
    {RRType::CERT, "CERT"},
    {RRType::DNAME, "DNAME"},
    {RRType::OPT, "OPT"},
    {RRType::APL, "APL"},
    {RRType::DS, "DS"},
    {RRType::SSHFP, "SSHFP"},
    {RRType::IPSECKEY, "IPSECKEY"},
    {RRType::RRSIG, "RRSIG"},
    {RRType::NSEC, "NSEC"},
    {RRType::DNSKEY, "DNSKEY"},
    {RRType::DHCID, "DHCID"},
    {RRType::NSEC3, "NSEC3"},
    {RRType::NSEC3PARAM, "NSEC3PARAM"},
    {RRType::TLSA, "TLSA"},
    {RRType::SMIMEA, "SMIMEA"},
    {RRType::HIP, "HIP"},
    {RRType::CDS, "CDS"},
    {RRType::CDNSKEY, "CDNSKEY"},
    {RRType::OPENPGPKEY, "OPENPGPKEY"},
    {RRType::CSYNC, "CSYNC"},
    {RRType::ZONEMD, "ZONEMD"},
    {RRType::SVCB, "SVCB"},
    {RRType::HTTPS, "HTTPS"},
    {RRType::SPF, "SPF"},
    {RRType::EUI48, "EUI48"},
    {RRType::EUI64, "EUI64"},
    {RRType::TKEY, "TKEY"},
    {RRType::TSIG, "TSIG"},
    {RRType::IXFR, "IXFR"},
    {RRType::AXFR, "AXFR"},
    {RRType::MAILB, "MAILB"},
    {RRType::MAILA, "MAILA"},
    {RRType::ANY, "ANY"},
    {RRType::URI, "URI"},
    {RRType::CAA, "CAA"},
    {static_cast<RRType>(3), "MD"},
    {static_cast<RRType>(4), "MF"},
    {static_cast<RRType>(7), "MB"},
    {static_cast<RRType>(8), "MG"},
    {static_cast<RRType>(9), "MR"},
    {static_cast<RRType>(14), "MINFO"},
    // Rarer types the rdata codec reads and BIND prints by name.
    {static_cast<RRType>(19), "X25"},
    {static_cast<RRType>(20), "ISDN"},
    {static_cast<RRType>(21), "RT"},
    {static_cast<RRType>(22), "NSAP"},
    {static_cast<RRType>(23), "NSAP-PTR"},
    {static_cast<RRType>(24), "SIG"},
    {static_cast<RRType>(25), "KEY"},
    {static_cast<RRType>(26), "PX"},
    {static_cast<RRType>(27), "GPOS"},
    {static_cast<RRType>(31), "EID"},
    {static_cast<RRType>(32), "NIMLOC"},
    {static_cast<RRType>(56), "NINFO"},
    {static_cast<RRType>(57), "RKEY"},
    {static_cast<RRType>(58), "TALINK"},
    {static_cast<RRType>(104), "NID"},
    {static_cast<RRType>(105), "L32"},
    {static_cast<RRType>(106), "L64"},
    {static_cast<RRType>(107), "LP"},
    {static_cast<RRType>(258), "AVC"},
    {static_cast<RRType>(259), "DOA"},
    {static_cast<RRType>(260), "AMTRELAY"},
    {static_cast<RRType>(261), "RESINFO"},
    {static_cast<RRType>(262), "WALLET"},
    {static_cast<RRType>(32768), "TA"},
    {static_cast<RRType>(32769), "DLV"},
}};

// Parses PREFIXnnn (e.g. TYPE65280, CLASS3) as a 16-bit number.
std::optional<std::uint16_t> generic_number(std::string_view text, std::string_view prefix) {
    if (text.size() <= prefix.size() || !equal_ignoring_ascii_case(text.substr(0, prefix.size()), prefix))
        return std::nullopt;
    const auto digits = text.substr(prefix.size());
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string type_to_text(RRType type) {
    for (const auto& [t, name] : kTypeNames) {
        if (t == type) return std::string(name);
    }
    return "TYPE" + std::to_string(static_cast<unsigned>(type));
}

std::optional<RRType> type_from_text(std::string_view text) {
    for (const auto& [t, name] : kTypeNames) {
        if (equal_ignoring_ascii_case(text, name)) return t;
    }
    if (auto n = generic_number(text, "TYPE")) return static_cast<RRType>(*n);
    return std::nullopt;
}

std::string class_to_text(RRClass cls) {
    switch (cls) {
        case RRClass::IN:
            return "IN";
        case RRClass::CH:
            return "CH";
        case RRClass::HS:
            return "HS";
        case RRClass::NONE:
            return "NONE";
        case RRClass::ANY:
            return "ANY";
    }
    return "CLASS" + std::to_string(static_cast<unsigned>(cls));
}

std::optional<RRClass> class_from_text(std::string_view text) {
    if (equal_ignoring_ascii_case(text, "IN")) return RRClass::IN;
    if (equal_ignoring_ascii_case(text, "CH") || equal_ignoring_ascii_case(text, "CHAOS")) return RRClass::CH;
    if (equal_ignoring_ascii_case(text, "HS")) return RRClass::HS;
    if (equal_ignoring_ascii_case(text, "NONE")) return RRClass::NONE;
    if (equal_ignoring_ascii_case(text, "ANY")) return RRClass::ANY;
    if (auto n = generic_number(text, "CLASS")) return static_cast<RRClass>(*n);
    return std::nullopt;
}

namespace {

constexpr std::pair<std::uint8_t, std::string_view> kDnssecAlgorithms[] = {
    {1, "RSAMD5"},
    {2, "DH"},
    {3, "DSA"},
    {5, "RSASHA1"},
    {6, "DSA-NSEC3-SHA1"},
    {7, "RSASHA1-NSEC3-SHA1"},
    {8, "RSASHA256"},
    {10, "RSASHA512"},
    {12, "ECC-GOST"},
    {13, "ECDSAP256SHA256"},
    {14, "ECDSAP384SHA384"},
    {15, "ED25519"},
    {16, "ED448"},
    {252, "INDIRECT"},
    {253, "PRIVATEDNS"},
    {254, "PRIVATEOID"},
};

}  // namespace

std::string_view dnssec_algorithm_mnemonic(std::uint8_t algorithm) {
    for (const auto& [number, text] : kDnssecAlgorithms) {
        if (number == algorithm) return text;
    }
    return {};
}

std::optional<std::uint8_t> dnssec_algorithm_from_text(std::string_view mnemonic) {
    for (const auto& [number, text] : kDnssecAlgorithms) {
        if (equal_ignoring_ascii_case(mnemonic, text)) return number;
    }
    return std::nullopt;
}

std::string rcode_to_text(Rcode rcode) {
    switch (rcode) {
        case Rcode::NOERROR:
            return "NOERROR";
        case Rcode::FORMERR:
            return "FORMERR";
        case Rcode::SERVFAIL:
            return "SERVFAIL";
        case Rcode::NXDOMAIN:
            return "NXDOMAIN";
        case Rcode::NOTIMP:
            return "NOTIMP";
        case Rcode::REFUSED:
            return "REFUSED";
        case Rcode::YXDOMAIN:
            return "YXDOMAIN";
        case Rcode::YXRRSET:
            return "YXRRSET";
        case Rcode::NXRRSET:
            return "NXRRSET";
        case Rcode::NOTAUTH:
            return "NOTAUTH";
        case Rcode::NOTZONE:
            return "NOTZONE";
        case Rcode::BADVERS:
            return "BADVERS";
        case Rcode::BADKEY:
            return "BADKEY";
        case Rcode::BADTIME:
            return "BADTIME";
        case Rcode::BADMODE:
            return "BADMODE";
        case Rcode::BADNAME:
            return "BADNAME";
        case Rcode::BADALG:
            return "BADALG";
        case Rcode::BADTRUNC:
            return "BADTRUNC";
        case Rcode::BADCOOKIE:
            return "BADCOOKIE";
    }
    return "RCODE" + std::to_string(static_cast<unsigned>(rcode));
}

std::string opcode_to_text(Opcode opcode) {
    switch (opcode) {
        case Opcode::QUERY:
            return "QUERY";
        case Opcode::IQUERY:
            return "IQUERY";
        case Opcode::STATUS:
            return "STATUS";
        case Opcode::NOTIFY:
            return "NOTIFY";
        case Opcode::UPDATE:
            return "UPDATE";
    }
    return "OPCODE" + std::to_string(static_cast<unsigned>(opcode));
}

}  // namespace cairn::dns
