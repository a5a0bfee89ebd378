// SVCB/HTTPS: RFC 9460 Appendix D test vectors, and the other structured kinds (LOC, APL, IPSECKEY, HIP).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "rdata_test_util.hpp"

using namespace cairn::dns;

namespace {

const Name& kOrigin = rdata_test::origin();
using rdata_test::hex;
using rdata_test::parse_error;

struct Vector {
    std::string_view type;
    std::string_view text;
    std::string_view wire_hex;
    std::string_view printed;  // empty: not checked
};

std::ostream& operator<<(std::ostream& os, const Vector& v) {
    return os << v.type << " " << v.text;
}

class StructuredVector : public ::testing::TestWithParam<Vector> {};

TEST_P(StructuredVector, ParsesToWireAndRoundTrips) {
    const auto& v = GetParam();
    const RRType type = *type_from_text(v.type);
    const auto wire = rdata_from_text(type, v.text, kOrigin);
    EXPECT_EQ(wire, hex(v.wire_hex));
    const std::string printed = rdata_to_text(type, wire);
    if (!v.printed.empty()) {
        EXPECT_EQ(printed, v.printed);
    }
    EXPECT_EQ(rdata_from_text(type, printed, kOrigin), wire) << printed;
    EXPECT_EQ(rdata_from_wire(type, wire, 0, wire.size()), wire);
    EXPECT_EQ(rdata_from_text(type, rdata_to_generic_text(wire), kOrigin), wire);
}

const Vector kVectors[] = {
    // RFC 9460 D.1 and D.2.
    {"HTTPS", "0 foo.example.com.", "0000 03666f6f076578616d706c6503636f6d00", "0 foo.example.com."},
    {"SVCB", "1 .", "0001 00", "1 ."},
    {"SVCB", "16 foo.example.com. port=53", "0010 03666f6f076578616d706c6503636f6d00 0003 0002 0035",
     "16 foo.example.com. port=53"},
    {"SVCB", "1 foo.example.com. key667=hello",
     "0001 03666f6f076578616d706c6503636f6d00 029b 0005 68656c6c6f", "1 foo.example.com. key667=\"hello\""},
    {"SVCB", "1 foo.example.com. key667=\"hello\\210qoo\"",
     "0001 03666f6f076578616d706c6503636f6d00 029b 0009 68656c6c6fd2716f6f",
     "1 foo.example.com. key667=\"hello\\210qoo\""},
    {"SVCB", "1 foo.example.com. ( ipv6hint=\"2001:db8::1,2001:db8::53:1\" )",
     "0001 03666f6f076578616d706c6503636f6d00 0006 0020 20010db8000000000000000000000001"
     " 20010db8000000000000000000530001",
     "1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1"},
    {"SVCB", "1 example.com. ( ipv6hint=\"2001:db8:122:344::192.0.2.33\" )",
     "0001 076578616d706c6503636f6d00 0006 0010 20010db8012203440000000 0c0000221",
     "1 example.com. ipv6hint=2001:db8:122:344::c000:221"},
    {"SVCB", "16 foo.example.org. ( alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )",
     "0010 03666f6f076578616d706c65036f726700 0000 0004 00010004 0001 0009 02683205 68332d3139"
     " 0004 0004 c0000201",
     "16 foo.example.org. mandatory=alpn,ipv4hint alpn=\"h2,h3-19\" ipv4hint=192.0.2.1"},
    {"SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"",
     "0010 03666f6f076578616d706c65036f726700 0001 000c 08665c6f6f2c626172 026832",
     "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\""},
    {"SVCB", "16 foo.example.org. alpn=f\\\\\\092oo\\092,bar,h2",
     "0010 03666f6f076578616d706c65036f726700 0001 000c 08665c6f6f2c626172 026832", ""},
    // Other keys, generic spellings of known keys, and BIND's forms.
    {"HTTPS", "1 . alpn=h3 no-default-alpn ech=AAAA", "0001 00 0001 0003 026833 0002 0000 0005 0003 000000",
     "1 . alpn=\"h3\" no-default-alpn ech=AAAA"},
    {"HTTPS", "1 . key1=\\002h2 key3=\\000\\053", "0001 00 0001 0003 026832 0003 0002 0035",
     "1 . alpn=\"h2\" port=53"},
    {"HTTPS", "1 . ech", "0001 00 0005 0000", "1 . ech"},
    {"HTTPS", "1 . dohpath=/q{?dns} key65000 ohttp", "0001 00 0007 0008 2f717b3f646e737d 0008 0000 fde8 0000",
     "1 . key7=\"/q{?dns}\" key8 key65000"},
    {"HTTPS", "1 . mandatory=key123 key123", "0001 00 0000 0002 007b 007b 0000",
     "1 . mandatory=key123 key123"},
    {"HTTPS", "1 . port=\"443\"", "0001 00 0003 0002 01bb", "1 . port=443"},
    // LOC (RFC 1876), as BIND prints it.
    {"LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", "000016138b3cf018810cbce0009895b8",
     "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"},
    {"LOC", "52 N 4 E 2m", "001216138b28720080dbba0000989748",
     "52 0 0.000 N 4 0 0.000 E 2.00m 1m 10000m 10m"},
    {"LOC", "42 21 54.1 S 71 6 18 W -24m 30m", "0033161376e8d1cc70be15f000988d20",
     "42 21 54.100 S 71 6 18.000 W -24.00m 30m 10000m 10m"},
    {"LOC", "90 S 180 W 42849672.95m 90000000m 0.01m 0.1m", "009910116cb0270059604e00ffffffff",
     "90 0 0.000 S 180 0 0.000 W 42849672.95m 90000000m 0.01m 0.10m"},
    // APL (RFC 3123 §4 examples).
    {"APL", "1:192.168.32.0/21 !1:192.168.38.0/28", "0001 15 03 c0a820 0001 1c 83 c0a826",
     "1:192.168.32.0/21 !1:192.168.38.0/28"},
    {"APL", "1:224.0.0.0/4 2:FF00:0:0:0:0:0:0:0/8", "0001 04 01 e0 0002 08 01 ff",
     "1:224.0.0.0/4 2:ff00::/8"},
    {"APL", "1:0.0.0.0/0", "0001 00 00", "1:0.0.0.0/0"},
    {"APL", "", "", ""},
    // IPSECKEY (RFC 4025 §3.3 examples).
    {"IPSECKEY", "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
     "0a 01 02 c0000226 0103 51537986ed35533b6064478eeeb27b5bd74dae14 9b6e81ba3a0521af82ab7801",
     "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="},
    {"IPSECKEY", "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
     "0a 00 02 0103 51537986ed35533b6064478eeeb27b5bd74dae14 9b6e81ba3a0521af82ab7801", ""},
    {"IPSECKEY", "10 3 2 gw AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
     "0a 03 02 026777076578616d706c6503636f6d00 0103 51537986ed35533b6064478eeeb27b5bd74dae14 "
     "9b6e81ba3a0521af82ab7801",
     "10 3 2 gw.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="},
    {"IPSECKEY", "10 2 0 2001:db8::1 AQID", "0a 02 00 20010db8000000000000000000000001 010203",
     "10 2 0 2001:db8::1 AQID"},
    // HIP (RFC 8005 §6).
    {"HIP", "2 200100107B1A74DF365639CC39F1D578 AwEAAQ== rvs.example.com.",
     "10 02 0004 200100107b1a74df365639cc39f1d578 03010001 03727673076578616d706c6503636f6d00",
     "2 200100107B1A74DF365639CC39F1D578 AwEAAQ== rvs.example.com."},
};

INSTANTIATE_TEST_SUITE_P(Rfc, StructuredVector, ::testing::ValuesIn(kVectors));

// RFC 9460 D.3 failure cases, plus BIND's no-default-alpn rule.
TEST(Svcb, RejectsRfc9460FailureCases) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"1 foo.example.com. ( key123=abc key123=def )", "appears more than once"},
        {"1 foo.example.com. mandatory", "missing value"},
        {"1 foo.example.com. alpn", "missing value"},
        {"1 foo.example.com. port", "missing value"},
        {"1 foo.example.com. ipv4hint", "missing value"},
        {"1 foo.example.com. ipv6hint", "missing value"},
        {"1 foo.example.com. no-default-alpn=abc", "takes no value"},
        {"1 foo.example.com. mandatory=key123", "not present"},
        {"1 foo.example.com. mandatory=mandatory", "may not list itself"},
        {"1 foo.example.com. ( mandatory=key123,key123 key123=abc )", "listed twice"},
        {"1 . no-default-alpn", "needs alpn"},
        {"1 . port=65536", "not a port number"},
        {"1 . ipv4hint=192.0.2.1,", "empty address"},
        {"1 . ipv4hint=2001:db8::1", "not an IPv4 address"},
        {"1 . ipv6hint=192.0.2.1", "not an IPv6 address"},
        {"1 . alpn=h2,,h3", "empty protocol id"},
        {"1 . key01=x", "not a parameter key"},
        {"1 . key65536=x", "not a parameter key"},
        {"1 . bogus=1", "not a parameter key"},
        {"1 . ech=AA", "not valid base64"},
        {"1 . key3=\\000", "port must be 2 octets"},
        {"1 . \"alpn=h2\"", "quoted string"},
    };
    for (const auto& [text, problem] : cases) {
        EXPECT_NE(parse_error("SVCB", text).find(problem), std::string::npos)
            << text << " -> " << parse_error("SVCB", text);
    }
}

TEST(Svcb, WireKeysMustBeSortedAndUnique) {
    const auto good = hex("0001 00 0001 0003 026832 0003 0002 0035");
    EXPECT_NO_THROW(rdata_from_wire(RRType::HTTPS, good, 0, good.size()));
    const auto unsorted = hex("0001 00 0003 0002 0035 0001 0003 026832");
    EXPECT_THROW(rdata_from_wire(RRType::HTTPS, unsorted, 0, unsorted.size()), ParseError);
    const auto duplicate = hex("0001 00 0003 0002 0035 0003 0002 0035");
    EXPECT_THROW(rdata_from_wire(RRType::HTTPS, duplicate, 0, duplicate.size()), ParseError);
    const auto overrun = hex("0001 00 0003 0003 0035");
    EXPECT_THROW(rdata_from_wire(RRType::HTTPS, overrun, 0, overrun.size()), ParseError);
    const auto bad_alpn = hex("0001 00 0001 0003 036832");
    EXPECT_THROW(rdata_from_wire(RRType::HTTPS, bad_alpn, 0, bad_alpn.size()), ParseError);
    const auto missing_mandatory = hex("0001 00 0000 0002 0003");
    EXPECT_THROW(rdata_from_wire(RRType::HTTPS, missing_mandatory, 0, missing_mandatory.size()), ParseError);
    EXPECT_THROW(rdata_from_text(RRType::HTTPS, "\\# 7 0001 00 0003 0001 35", kOrigin), ParseError);
    // An unsorted wire form is shown generically rather than printed as if it were valid.
    EXPECT_EQ(rdata_to_text(RRType::HTTPS, unsorted).substr(0, 4), "\\# 1");
}

TEST(Svcb, TargetIsNotCompressedOrLowered) {
    EXPECT_FALSE(rdata_names_compressible(RRType::SVCB));
    const auto wire = rdata_from_text(RRType::HTTPS, "1 Foo.Example. alpn=h2", kOrigin);
    EXPECT_EQ(rdata_canonical(RRType::HTTPS, wire), wire);
    std::vector<std::size_t> offsets;
    for_each_rdata_name(RRType::HTTPS, wire,
                        [&](std::size_t offset, std::size_t) { offsets.push_back(offset); });
    EXPECT_EQ(offsets, std::vector<std::size_t>{2});
}

TEST(Loc, RejectsOutOfRange) {
    EXPECT_NE(parse_error("LOC", "91 N 0 E 0").find("latitude out of range"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "90 1 N 0 E 0").find("latitude out of range"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 60 N 0 E 0").find("out of range"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 N 181 E 0").find("longitude out of range"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 N 0 E").find("altitude missing"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 X 0 E 0").find("not a valid latitude part"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 N 0 E -100000.01m").find("altitude"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 N 0 E 0 90000001m").find("size"), std::string::npos);
    EXPECT_NE(parse_error("LOC", "0 N 0 E 0 1 1 1 1").find("trailing junk"), std::string::npos);
    const auto version1 = hex("01 12 16 13 8b3d1180 80dbba00 00989808");
    EXPECT_THROW(rdata_from_wire(RRType::LOC, version1, 0, version1.size()), ParseError);
    const auto bad_precision = hex("00 1a 16 13 8b3d1180 80dbba00 00989808");
    EXPECT_THROW(rdata_from_wire(RRType::LOC, bad_precision, 0, bad_precision.size()), ParseError);
}

TEST(Apl, RejectsMalformedItems) {
    EXPECT_NE(parse_error("APL", "1:192.0.2.0/33").find("prefix"), std::string::npos);
    EXPECT_NE(parse_error("APL", "3:192.0.2.0/8").find("family 1"), std::string::npos);
    EXPECT_NE(parse_error("APL", "1:2001:db8::/8").find("family 1"), std::string::npos);
    EXPECT_NE(parse_error("APL", "192.0.2.0/8").find("form"), std::string::npos);
    const auto long_address = hex("0001 20 05 c000020100");
    EXPECT_THROW(rdata_from_wire(RRType::APL, long_address, 0, long_address.size()), ParseError);
}

TEST(Ipseckey, GatewayMustMatchItsType) {
    EXPECT_NE(parse_error("IPSECKEY", "10 1 2 2001:db8::1 AQ==").find("not an IPv4"), std::string::npos);
    EXPECT_NE(parse_error("IPSECKEY", "10 0 2 gw AQ==").find("must be '.'"), std::string::npos);
    EXPECT_NE(parse_error("IPSECKEY", "10 4 2 . AQ==").find("gateway type"), std::string::npos);
    EXPECT_NE(parse_error("IPSECKEY", "10 2 0 2001:db8::1").find("public key: missing"), std::string::npos);
    // Without a key there is no text form: the generic one is printed.
    EXPECT_EQ(rdata_to_text(RRType::IPSECKEY, hex("0a 00 02")), "\\# 3 0A0002");
    const auto type4 = hex("0a 04 02 00");
    EXPECT_THROW(rdata_from_wire(RRType::IPSECKEY, type4, 0, type4.size()), ParseError);
    // The gateway name is reported as an embedded name.
    const auto wire = rdata_from_text(RRType::IPSECKEY, "10 3 2 gw AQ==", kOrigin);
    std::vector<std::size_t> offsets;
    for_each_rdata_name(RRType::IPSECKEY, wire,
                        [&](std::size_t offset, std::size_t) { offsets.push_back(offset); });
    EXPECT_EQ(offsets, std::vector<std::size_t>{3});
}

}  // namespace
