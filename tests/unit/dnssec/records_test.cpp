// Key tags, the DNSSEC rdata views and type bitmaps.
#include "dnssec/records.hpp"

#include <gtest/gtest.h>

#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using testing::rdata;

// RFC 4034 §5.4 (algorithm 5), RFC 5702 §6 (8, 10), RFC 6605 §6 (13, 14), RFC 8080 §6 (15, 16).
TEST(KeyTag, MatchesTheRfcExamples) {
    EXPECT_EQ(key_tag(rdata(dns::RRType::DNSKEY,
                            "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZ"
                            "DRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc"
                            "nOf+EPbtG9DMBmADjFDc2w/rljwvFw==")),
              60485);
    EXPECT_EQ(
        key_tag(rdata(dns::RRType::DNSKEY,
                      "256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8Pk"
                      "xUdp6p/DlUmObdk=")),
        9033);
    EXPECT_EQ(
        key_tag(rdata(dns::RRType::DNSKEY,
                      "256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/Ay"
                      "hqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBl"
                      "Z3PFY12ZTSncorffcGmhOL")),
        3740);
    EXPECT_EQ(
        key_tag(rdata(dns::RRType::DNSKEY,
                      "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9x"
                      "MWyQLc8NAA==")),
        55648);
    EXPECT_EQ(
        key_tag(rdata(dns::RRType::DNSKEY,
                      "257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRS"
                      "EkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40")),
        10771);
    EXPECT_EQ(key_tag(rdata(dns::RRType::DNSKEY, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=")),
              3613);
    EXPECT_EQ(key_tag(rdata(
                  dns::RRType::DNSKEY,
                  "257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA")),
              9713);
}

TEST(KeyTag, AlgorithmOneUsesTheModulusOctets) {
    // RFC 4034 B.1: the most significant 16 of the least significant 24 bits of the modulus.
    const std::vector<std::uint8_t> key = {0x01, 0x00, 0x03, 0x01, 0x01, 0x03,
                                           0xAA, 0xBB, 0xCC, 0x12, 0x34, 0x56};
    EXPECT_EQ(key_tag(key), 0x1234);
}

TEST(Views, ReadTheFieldsOfEachType) {
    const auto k = rdata(dns::RRType::DNSKEY, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
    const auto dnskey = DnskeyView::parse(k);
    ASSERT_TRUE(dnskey);
    EXPECT_TRUE(dnskey->zone_key());
    EXPECT_TRUE(dnskey->sep());
    EXPECT_FALSE(dnskey->revoked());
    EXPECT_EQ(dnskey->algorithm, 15);
    EXPECT_EQ(dnskey->public_key.size(), 32u);

    const auto s =
        rdata(dns::RRType::RRSIG,
              "A 13 3 3600 20100909100439 20100812100439 55648 Example.NET. "
              "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==");
    const auto sig = RrsigView::parse(s);
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->type_covered, 1);
    EXPECT_EQ(sig->labels, 3);
    EXPECT_EQ(sig->original_ttl, 3600u);
    EXPECT_EQ(sig->expiration, 1284026679u);
    EXPECT_EQ(sig->inception, 1281607479u);
    EXPECT_EQ(sig->key_tag, 55648);
    EXPECT_EQ(sig->signature.size(), 64u);
    EXPECT_EQ(sig->fields.size(), 18u + 13u);
    EXPECT_FALSE(RrsigView::parse(std::span(s).first(20)));

    const auto n3 =
        rdata(dns::RRType::NSEC3,
              "1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG");
    const auto nsec3 = Nsec3View::parse(n3);
    ASSERT_TRUE(nsec3);
    EXPECT_TRUE(nsec3->opt_out());
    EXPECT_EQ(nsec3->iterations, 12);
    EXPECT_EQ(nsec3->salt.size(), 4u);
    EXPECT_EQ(nsec3->next_hash.size(), 20u);
    EXPECT_TRUE(nsec3->types.contains(dns::RRType::NSEC3PARAM));
    EXPECT_TRUE(nsec3->types.contains(dns::RRType::MX));
    EXPECT_FALSE(nsec3->types.contains(dns::RRType::A));
    EXPECT_FALSE(nsec3->types.contains(dns::RRType::CAA));

    const auto np = Nsec3ParamView::parse(rdata(dns::RRType::NSEC3PARAM, "1 0 0 -"));
    ASSERT_TRUE(np);
    EXPECT_TRUE(np->salt.empty());

    const auto n = rdata(dns::RRType::NSEC, "host.example.com. A MX RRSIG NSEC TYPE1234");
    const auto nsec = NsecView::parse(n);
    ASSERT_TRUE(nsec);
    std::vector<std::uint16_t> types;
    nsec->types.for_each([&](std::uint16_t t) { types.push_back(t); });
    EXPECT_EQ(types, (std::vector<std::uint16_t>{1, 15, 46, 47, 1234}));

    const auto ds =
        DsView::parse(rdata(dns::RRType::DS, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"));
    ASSERT_TRUE(ds);
    EXPECT_EQ(ds->key_tag, 60485);
    EXPECT_EQ(ds->digest.size(), 20u);
}

TEST(TypeBitmap, BuilderWritesWhatTheCodecWrites) {
    TypeBitmapBuilder b;
    for (const auto t :
         {dns::RRType::RRSIG, dns::RRType::A, dns::RRType::NSEC, dns::RRType::CAA, dns::RRType::A})
        b.add(t);
    std::vector<std::uint8_t> built;
    b.append_to(built);
    const auto parsed = rdata(dns::RRType::NSEC, ". A RRSIG NSEC CAA");
    EXPECT_EQ(built, std::vector<std::uint8_t>(parsed.begin() + 1, parsed.end()));
    EXPECT_TRUE(TypeBitmap::valid(built));
    const std::vector<std::uint8_t> zero_tail = {0, 2, 0x40, 0};
    EXPECT_FALSE(TypeBitmap::valid(zero_tail));
    const std::vector<std::uint8_t> disorder = {1, 1, 0x40, 0, 1, 0x40};
    EXPECT_FALSE(TypeBitmap::valid(disorder));
}

}  // namespace
}  // namespace cairn::dnssec
