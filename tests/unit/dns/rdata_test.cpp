#include "dns/rdata.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/text.hpp"
#include "rdata_test_util.hpp"

using namespace cairn::dns;

namespace {

const Name& kOrigin = rdata_test::origin();
using rdata_test::hex;
using rdata_test::parse;
using rdata_test::parse_error;

struct RoundTrip {
    std::string_view type;
    std::string_view text;      // as written in a zone file
    std::string_view printed;   // expected rdata_to_text; empty: same as text
    std::string_view wire_hex;  // expected wire form; empty: not checked
};

std::ostream& operator<<(std::ostream& os, const RoundTrip& r) {
    return os << r.type << " " << r.text;
}

class RdataRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(RdataRoundTrip, TextWireTextWire) {
    const auto& p = GetParam();
    const RRType type = *type_from_text(p.type);
    const auto wire = rdata_from_text(type, p.text, kOrigin);
    if (!p.wire_hex.empty()) {
        EXPECT_EQ(wire, hex(p.wire_hex));
    }
    const std::string printed = rdata_to_text(type, wire);
    EXPECT_EQ(printed, p.printed.empty() ? p.text : p.printed);
    EXPECT_EQ(rdata_from_text(type, printed, Name()), wire) << printed;
    // The wire form read back from a message (here: the rdata alone) is unchanged.
    EXPECT_EQ(rdata_from_wire(type, wire, 0, wire.size()), wire);
    // The generic form of the same data parses to the same wire.
    EXPECT_EQ(rdata_from_text(type, rdata_to_generic_text(wire), kOrigin), wire);
}

const RoundTrip kRoundTrips[] = {
    {"A", "192.0.2.1", "", "c0000201"},
    {"A", "0.0.0.0", "", "00000000"},
    {"AAAA", "2001:db8::1", "", "20010db8000000000000000000000001"},
    {"AAAA", "::ffff:1.2.3.4", "", "00000000000000000000ffff01020304"},
    {"AAAA", "2001:DB8:0:0:0:0:0:1", "2001:db8::1", ""},
    {"NS", "ns1", "ns1.example.com.", "036e7331076578616d706c6503636f6d00"},
    {"NS", "NS1.Other.ORG.", "", ""},
    {"NS", "@", "example.com.", ""},
    {"CNAME", "www.example.net.", "", ""},
    {"DNAME", "example.net.", "", ""},
    {"PTR", "host\\.name.example.", "", ""},
    {"MX", "10 mail", "10 mail.example.com.", "000a046d61696c076578616d706c6503636f6d00"},
    {"MX", "0 .", "", "000000"},
    {"SOA", "ns1 hostmaster 2024010101 1h 15m 1w 1d",
     "ns1.example.com. hostmaster.example.com. 2024010101 3600 900 604800 86400", ""},
    {"SOA", "a. b. 4294967295 0 0 0 0", "", ""},
    {"TXT", "\"hello \\\"world\\\"\" abc \"\\001x\"", "\"hello \\\"world\\\"\" \"abc\" \"\\001x\"", ""},
    {"TXT", "\"\"", "", "00"},
    {"TXT", "\"v=spf1 -all\"", "", "0b763d73706631202d616c6c"},
    {"SPF", "\"v=spf1 -all\"", "", ""},
    {"HINFO", "\"PC\" Linux", "\"PC\" \"Linux\"", "025043054c696e7578"},
    {"SRV", "10 20 5060 sip", "10 20 5060 sip.example.com.", ""},
    {"NAPTR", "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.com!\" _sip._udp",
     "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.com!\" _sip._udp.example.com.", ""},
    {"CAA", "0 issue \"ca.example.net; policy=ev\"", "", ""},
    {"CAA", "128 tbs \"\"", "", "8003746273"},
    {"CAA", "0 iodef \"mailto:security@example.com\"", "", ""},
    {"DS", "12345 8 2 2BB183AF5F22588179A53B0A98631FAD1A292118A9B1B9A3B0B0B0B0B0B0B0B0", "", ""},
    {"DS", "12345 RSASHA256 2 2BB183AF5F22588179A53B0A98631FAD 1A292118A9B1B9A3B0B0B0B0B0B0B0B0",
     "12345 8 2 2BB183AF5F22588179A53B0A98631FAD1A292118A9B1B9A3B0B0B0B0B0B0B0B0", ""},
    {"CDS", "0 0 0 00", "", "0000000000"},
    {"SSHFP", "1 1 123456789abcdef67890123456789abcdef67890", "1 1 123456789ABCDEF67890123456789ABCDEF67890",
     ""},
    {"TLSA", "3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
     "3 1 1 0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20", ""},
    {"SMIMEA", "3 1 1 0102", "3 1 1 0102", ""},
    {"DNSKEY",
     "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjF FVQUTf6v58fLjwBd0YI0EzrAcQqB",
     "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqB", ""},
    {"CDNSKEY", "0 3 0 AA==", "", "0000030000"},
    {"OPENPGPKEY", "AAAA", "", "000000"},
    {"DHCID", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=", "", ""},
    {"RRSIG", "SOA 8 2 3600 20340201000000 20240101000000 12345 example.com. AwEAAagAIKlV", "",
     "0006 08 02 00000e10 788ad680 65920080 3039 076578616d706c6503636f6d00 030100 01a8 0020a955"},
    {"RRSIG", "A 13 3 3600 1700000000 1600000000 1 . AAAA",
     "A 13 3 3600 20231114221320 20200913122640 1 . AAAA", ""},
    {"NSEC", "a.example.com. NS SOA MX TXT RRSIG NSEC DNSKEY TYPE65000", "", ""},
    {"NSEC", "a.example.com. A", "",
     "01610765"
     "78616d706c6503636f6d00 000140"},
    {"NSEC3PARAM", "1 0 10 AABBCCDD", "", "0100000a04aabbccdd"},
    {"NSEC3PARAM", "1 0 0 -", "", "0100000000"},
    {"NSEC3", "1 1 10 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA RRSIG",
     "1 1 10 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA RRSIG", ""},
    {"NSEC3", "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR", "", ""},
    {"CSYNC", "66 3 A NS AAAA", "", "00000042 0003 0004 60000008"},
    {"ZONEMD",
     "2024010101 1 1 "
     "2BB183AF5F22588179A53B0A98631FAD1A292118A9B1B9A3B0B0B0B0B0B0B0B02BB183AF5F22588179A53B0A98631FAD",
     "", ""},
    {"URI", "10 1 \"ftp://ftp1.example.com/public\"", "", ""},
    {"RP", "mbox txt", "mbox.example.com. txt.example.com.", ""},
    {"AFSDB", "1 afs", "1 afs.example.com.", ""},
    {"KX", "10 kx", "10 kx.example.com.", ""},
    {"MINFO", "rm em", "rm.example.com. em.example.com.", ""},
    {"CERT", "PGP 0 0 AAAA", "", "0003 0000 00 000000"},
    {"CERT", "1 2 8 AAAA", "PKIX 2 RSASHA256 AAAA", ""},
    {"EUI48", "00-00-5e-00-53-2a", "", "00005e00532a"},
    {"EUI64", "00-00-5E-EF-10-00-00-2A", "00-00-5e-ef-10-00-00-2a", ""},
    {"TYPE1234", "\\# 3 010203", "", "010203"},
    {"TYPE1234", "\\# 0", "", ""},
    {"NULL", "\\# 2 0102", "", "0102"},
    {"A", "\\# 4 0A000001", "10.0.0.1", "0a000001"},
    {"MX", "\\# 3 000A 00", "10 .", ""},
    // Rarer types, printed as BIND 9.18 prints them.
    {"X25", "311061700956", "\"311061700956\"", "0c333131303631373030393536"},
    {"ISDN", "\"150862028003217\"", "", "0f313530383632303238303033323137"},
    {"ISDN", "\"150862028003217\" \"004\"", "", "0f31353038363230323830303332313703303034"},
    {"RT", "10 relay", "10 relay.example.com.", "000a0572656c6179076578616d706c6503636f6d00"},
    {"PX", "10 map822 mapx400", "10 map822.example.com. mapx400.example.com.", ""},
    {"NSAP-PTR", "foo.", "", "03666f6f00"},
    {"SIG", "A 8 2 3600 20340201000000 20240101000000 12345 example.com. AwEAAQ==", "", ""},
    {"KEY", "256 3 8 AwEAAQ==", "", "0100030803010001"},
    {"KEY", "49152 3 8", "", "c0000308"},
    {"GPOS", "-32.6882 116.8652 10.0", "\"-32.6882\" \"116.8652\" \"10.0\"",
     "082d33322e36383832083131362e383635320431302e30"},
    {"EID", "0102", "", "0102"},
    {"NIMLOC", "0102", "", "0102"},
    {"NINFO", "x", "\"x\"", "0178"},
    {"RKEY", "0 3 253 AAAA", "", "000003fd000000"},
    {"TALINK", "a. b.", "", "016100016200"},
    {"NID", "10 0014:4fff:ff20:ee64", "10 14:4fff:ff20:ee64", "000a00144fffff20ee64"},
    {"L32", "10 10.1.2.0", "", "000a0a010200"},
    {"L64", "10 2001:0DB8:1140:1000", "10 2001:db8:1140:1000", "000a20010db811401000"},
    {"LP", "10 l64-subnet1", "10 l64-subnet1.example.com.", ""},
    {"AVC", "\"app-name:WOLFGANG|app-class:OAM\"", "", ""},
    {"RESINFO", "qnamemin exterr=15,16,17", "\"qnamemin\" \"exterr=15,16,17\"", ""},
    {"WALLET", "\"x\" \"y\"", "", "01780179"},
    {"TA", "12345 8 2 2BB183AF5F22588179A53B0A98631FAD1A292118A9B1B9A3B0B0B0B0B0B0B0B0", "", ""},
    {"DLV", "12345 8 2 2BB183AF5F22588179A53B0A98631FAD1A292118A9B1B9A3B0B0B0B0B0B0B0B0", "", ""},
};

INSTANTIATE_TEST_SUITE_P(Types, RdataRoundTrip, ::testing::ValuesIn(kRoundTrips));

TEST(RdataGeneric, ChecksLengthAndHex) {
    EXPECT_NE(parse_error("TYPE1234", "\\# 3 0102").find("length 3 but 2"), std::string::npos);
    EXPECT_NE(parse_error("TYPE1234", "\\# 1 0102").find("length 1 but 2"), std::string::npos);
    EXPECT_NE(parse_error("TYPE1234", "\\# 2 010").find("odd number"), std::string::npos);
    EXPECT_NE(parse_error("TYPE1234", "\\# 1 0g").find("not hexadecimal"), std::string::npos);
    EXPECT_NE(parse_error("TYPE1234", "\\#").find("missing length"), std::string::npos);
    EXPECT_NE(parse_error("TYPE1234", "010203").find("generic form"), std::string::npos);
    EXPECT_NE(parse_error("NULL", "abc").find("generic form"), std::string::npos);
}

TEST(RdataGeneric, KnownTypeMustKeepItsStructure) {
    EXPECT_NE(parse_error("A", "\\# 3 0A0000").find("A address"), std::string::npos);
    EXPECT_NE(parse_error("A", "\\# 5 0A00000101").find("trailing junk"), std::string::npos);
    EXPECT_NE(parse_error("MX", "\\# 3 000A01").find("MX exchange"), std::string::npos);
    // A compression pointer has no meaning in generic data.
    EXPECT_THROW(parse("NS", "\\# 2 C000"), ParseError);
    EXPECT_THROW(parse("DS", "\\# 5 3039080201"), ParseError);  // SHA-256 digest of one octet
}

TEST(RdataErrors, NameTheProblem) {
    EXPECT_NE(parse_error("NID", "10 1:2:3").find("xxxx:xxxx:xxxx:xxxx"), std::string::npos);
    EXPECT_NE(parse_error("NID", "10 1:2:3:12345").find("xxxx:xxxx:xxxx:xxxx"), std::string::npos);
    EXPECT_NE(parse_error("ISDN", "a b c").find("trailing junk"), std::string::npos);
    EXPECT_NE(parse_error("TA", "1 8 2 00").find("TA digest"), std::string::npos);
    EXPECT_NE(parse_error("A", "192.0.2.256").find("A address: '192.0.2.256' is not an IPv4 address"),
              std::string::npos);
    EXPECT_NE(parse_error("A", "1.2.3").find("not an IPv4 address"), std::string::npos);
    EXPECT_NE(parse_error("A", "01.2.3.4").find("not an IPv4 address"), std::string::npos);
    EXPECT_NE(parse_error("A", "1.2.3.4.5").find("not an IPv4 address"), std::string::npos);
    EXPECT_NE(parse_error("AAAA", "2001:db8::1::2").find("not an IPv6 address"), std::string::npos);
    EXPECT_NE(parse_error("AAAA", "192.0.2.1").find("not an IPv6 address"), std::string::npos);
    EXPECT_NE(parse_error("TXT", std::string(256, 'x')).find("longer than 255"), std::string::npos);
    EXPECT_NE(parse_error("NS", std::string(64, 'a') + ".com.").find("label longer than 63"),
              std::string::npos);
    EXPECT_NE(parse_error("MX", "10").find("MX exchange: missing"), std::string::npos);
    EXPECT_NE(parse_error("MX", "").find("MX preference: missing"), std::string::npos);
    EXPECT_NE(parse_error("MX", "mail 10").find("MX preference"), std::string::npos);
    EXPECT_NE(parse_error("MX", "65536 mail").find("MX preference"), std::string::npos);
    EXPECT_NE(parse_error("A", "192.0.2.1 192.0.2.2").find("trailing junk '192.0.2.2'"), std::string::npos);
    EXPECT_NE(parse_error("SOA", "a. b. 1 2 3 4").find("SOA minimum: missing"), std::string::npos);
    EXPECT_NE(parse_error("SOA", "a. b. 1 2 3 4 1x").find("SOA minimum"), std::string::npos);
    EXPECT_NE(parse_error("TXT", "").find("TXT text: missing"), std::string::npos);
    EXPECT_NE(parse_error("CAA", "0 is-sue \"x\"").find("CAA tag"), std::string::npos);
    EXPECT_NE(parse_error("DS", "1 8 2 ABCD").find("DS digest"), std::string::npos);
    EXPECT_NE(parse_error("DS", "1 8 2 ABC").find("odd number"), std::string::npos);
    EXPECT_NE(parse_error("DNSKEY", "257 3 8 AwE").find("4-character"), std::string::npos);
    EXPECT_NE(
        parse_error("RRSIG", "A 8 2 3600 20241301000000 20240101000000 1 . AA==").find("RRSIG expiration"),
        std::string::npos);
    EXPECT_NE(parse_error("NSEC", "a.").find("NSEC type bitmap: lists no types"), std::string::npos);
    EXPECT_NE(parse_error("NSEC", "a. A BOGUS").find("'BOGUS' is not a record type"), std::string::npos);
    EXPECT_THROW(parse("TXT", "\"abc"), ParseError);
}

TEST(RdataErrors, MatchBindStrictness) {
    EXPECT_NE(parse_error("NS", "\"ns.example.\"").find("may not be quoted"), std::string::npos);
    EXPECT_NE(
        parse_error("NSEC3", "1 0 0 - CPNMUOJ1").find("next hashed owner: 5 octets where its type needs 20"),
        std::string::npos);
    EXPECT_NO_THROW(parse("NSEC3", "2 0 0 - CPNMUOJ1"));  // unknown hash algorithm: any length
    EXPECT_NE(parse_error("URI", "1 1 ftp://x").find("quoted"), std::string::npos);
    EXPECT_NE(parse_error("RRSIG", "A 8 2 1h 1 1 1 . AA==").find("RRSIG original TTL"), std::string::npos);
}

// RFC 4034 §3.1.5 serial arithmetic: times are read modulo 2^32 from any year and shown as the date
// nearest to now with that value, as BIND does.
TEST(RdataTime, IsSerialArithmetic) {
    const auto y9999 = parse("RRSIG", "A 8 2 3600 99991231235959 20240101000000 1 . AA==");
    const auto y1969 = parse("RRSIG", "A 8 2 3600 19691223021215 20240101000000 1 . AA==");
    EXPECT_EQ(y9999, y1969);
    EXPECT_EQ(std::vector<std::uint8_t>(y1969.begin() + 8, y1969.begin() + 12), hex("fff4417f"));
    EXPECT_EQ(rdata_to_text(RRType::RRSIG, y1969), "A 8 2 3600 19691223021215 20240101000000 1 . AA==");
    EXPECT_THROW(parse("RRSIG", "A 8 2 3600 20230229000000 20240101000000 1 . AA=="), ParseError);
    EXPECT_THROW(parse("RRSIG", "A 8 2 3600 20240101240000 20240101000000 1 . AA=="), ParseError);
}

TEST(RdataErrors, FailedParseLeavesOutputUntouched) {
    std::vector<std::uint8_t> out = {1, 2};
    const auto tokens = tokenize_rdata("10 mail extra");
    EXPECT_THROW(rdata_from_text(RRType::MX, tokens, kOrigin, out), ParseError);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2}));
}

TEST(RdataTokens, SplitsLikeAZoneFile) {
    const auto tokens = tokenize_rdata("( 1 \"a b\" ; comment\n c\\ d )");
    ASSERT_EQ(tokens.size(), 3u);
    EXPECT_EQ(tokens[0].text, "1");
    EXPECT_FALSE(tokens[0].quoted);
    EXPECT_EQ(tokens[1].text, "a b");
    EXPECT_TRUE(tokens[1].quoted);
    EXPECT_EQ(tokens[2].text, "c\\ d");
}

// A message whose MX, NS and SOA rdata point back to "example.com" at offset 12.
TEST(RdataWire, ExpandsCompressedNames) {
    std::vector<std::uint8_t> msg(12, 0);
    const auto origin = hex("076578616d706c6503636f6d00");  // offset 12
    msg.insert(msg.end(), origin.begin(), origin.end());

    const std::size_t mx_at = msg.size();
    const auto mx = hex("000a046d61696cc00c");  // 10 mail.<ptr 12>
    msg.insert(msg.end(), mx.begin(), mx.end());
    EXPECT_EQ(rdata_from_wire(RRType::MX, msg, mx_at, mx.size()), parse("MX", "10 mail.example.com."));

    const std::size_t soa_at = msg.size();
    const auto soa = hex("026e73c00c c00c 00000001 00000002 00000003 00000004 00000005");
    msg.insert(msg.end(), soa.begin(), soa.end());
    EXPECT_EQ(rdata_from_wire(RRType::SOA, msg, soa_at, soa.size()),
              parse("SOA", "ns.example.com. example.com. 1 2 3 4 5"));

    const std::size_t ns_at = msg.size();
    msg.push_back(0xC0);
    msg.push_back(static_cast<std::uint8_t>(soa_at));  // points at "ns.<ptr>"
    EXPECT_EQ(rdata_from_wire(RRType::NS, msg, ns_at, 2), parse("NS", "ns.example.com."));

    // Types outside RFC 3597 §4's lists must not arrive compressed.
    EXPECT_THROW(rdata_from_wire(RRType::DNAME, msg, ns_at, 2), ParseError);
    EXPECT_THROW(rdata_from_wire(RRType::RRSIG, msg, ns_at, 2), ParseError);
}

TEST(RdataWire, RejectsOverrunsAndTrailingJunk) {
    const auto a = hex("c000020101");
    EXPECT_THROW(rdata_from_wire(RRType::A, a, 0, 3), ParseError);
    EXPECT_THROW(rdata_from_wire(RRType::A, a, 0, 5), ParseError);
    EXPECT_THROW(rdata_from_wire(RRType::A, a, 0, 6), ParseError);  // past the message
    const auto mx = hex("000a046d61696c00ff");
    EXPECT_NO_THROW(rdata_from_wire(RRType::MX, mx, 0, 8));
    EXPECT_THROW(rdata_from_wire(RRType::MX, mx, 0, 7), ParseError);  // name overruns rdlength
    EXPECT_THROW(rdata_from_wire(RRType::MX, mx, 0, 9), ParseError);  // junk after the name
    const auto txt = hex("0361626304");
    EXPECT_THROW(rdata_from_wire(RRType::TXT, txt, 0, 5), ParseError);  // string overruns
    EXPECT_THROW(rdata_from_wire(RRType::TXT, txt, 0, 0), ParseError);  // no string at all
    const auto bitmap = hex("0161000002");                              // NSEC "a." window 0 length 0
    EXPECT_THROW(rdata_from_wire(RRType::NSEC, bitmap, 0, 5), ParseError);
    // Unknown types are taken as they are.
    EXPECT_EQ(rdata_from_wire(static_cast<RRType>(1234), txt, 1, 3), hex("616263"));
}

TEST(RdataText, MalformedWirePrintsGeneric) {
    EXPECT_EQ(rdata_to_text(RRType::A, hex("0102")), "\\# 2 0102");
    EXPECT_EQ(rdata_to_text(RRType::MX, hex("000a0161")), "\\# 4 000A0161");
    EXPECT_EQ(rdata_to_text(RRType::TLSA, hex("030101")), "\\# 3 030101");  // no data to print
    EXPECT_EQ(rdata_to_generic_text({}), "\\# 0");
}

TEST(RdataNames, CompressibleOnlyForRfc1035Types) {
    for (auto t :
         {RRType::NS, RRType::CNAME, RRType::SOA, RRType::PTR, RRType::MX, static_cast<RRType>(14)}) {
        EXPECT_TRUE(rdata_names_compressible(t)) << type_to_text(t);
    }
    for (auto t : {RRType::SRV, RRType::DNAME, RRType::RRSIG, RRType::NSEC, RRType::SVCB, RRType::RP,
                   RRType::NAPTR, RRType::A, static_cast<RRType>(1234)}) {
        EXPECT_FALSE(rdata_names_compressible(t)) << type_to_text(t);
    }
}

std::vector<std::string> names_in(RRType type, std::string_view text) {
    const auto wire = rdata_from_text(type, text, kOrigin);
    std::vector<std::string> names;
    for_each_rdata_name(type, wire, [&](std::size_t offset, std::size_t length) {
        names.push_back(Name::from_validated_wire(std::span(wire).subspan(offset, length)).to_text());
    });
    return names;
}

TEST(RdataNames, VisitsEmbeddedNames) {
    using V = std::vector<std::string>;
    EXPECT_EQ(names_in(RRType::MX, "10 mail"), V{"mail.example.com."});
    EXPECT_EQ(names_in(RRType::SOA, "a b 1 2 3 4 5"), (V{"a.example.com.", "b.example.com."}));
    EXPECT_EQ(names_in(RRType::SRV, "1 2 3 t"), V{"t.example.com."});
    EXPECT_EQ(names_in(RRType::RRSIG, "A 8 2 1 1 1 1 signer AAAA"), V{"signer.example.com."});
    EXPECT_EQ(names_in(RRType::NAPTR, "1 2 \"\" \"\" \"\" ."), V{"."});
    EXPECT_EQ(names_in(RRType::A, "192.0.2.1"), V{});
    EXPECT_EQ(names_in(RRType::TXT, "\"mail.example.com.\""), V{});
}

TEST(RdataCanonical, LowersNamesOnlyForRfc4034Types) {
    auto canonical_text = [](RRType type, std::string_view text) {
        return rdata_to_text(type, rdata_canonical(type, rdata_from_text(type, text, kOrigin)));
    };
    EXPECT_EQ(canonical_text(RRType::NS, "NS1.Example.COM."), "ns1.example.com.");
    EXPECT_EQ(canonical_text(RRType::MX, "10 Mail.EXAMPLE."), "10 mail.example.");
    EXPECT_EQ(canonical_text(RRType::SOA, "A.B. C.D. 1 2 3 4 5"), "a.b. c.d. 1 2 3 4 5");
    EXPECT_EQ(canonical_text(RRType::SRV, "1 2 3 T.X."), "1 2 3 t.x.");
    EXPECT_EQ(canonical_text(RRType::DNAME, "T.X."), "t.x.");
    EXPECT_EQ(canonical_text(RRType::RRSIG, "A 8 2 1 1 1 1 Signer.X. AAAA"),
              "A 8 2 1 19700101000001 19700101000001 1 signer.x. AAAA");
    // RFC 6840 §5.1: not the NSEC next name; RFC 3597 §7: not types defined after it.
    EXPECT_EQ(canonical_text(RRType::NSEC, "A.X. A"), "A.X. A");
    // Character-strings keep their case.
    EXPECT_EQ(canonical_text(RRType::TXT, "ABC"), "\"ABC\"");
}

}  // namespace
