// DS digests and RRSIG signatures: the RFC vectors, sign-then-verify for every algorithm, the signed data's
// canonical form, and the rejection of tampered data.
#include "dnssec/signature.hpp"

#include <gtest/gtest.h>

#include "dns/wire.hpp"
#include "dnssec/algorithm.hpp"
#include "dnssec/ds.hpp"
#include "dnssec_test_util.hpp"

namespace cairn::dnssec {
namespace {

using testing::from_base64;
using testing::from_hex;
using testing::rdata;
using testing::wire;

const char* const kRfc4034Key =
    "256 3 5 "
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/"
    "M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";

struct DsVector {
    const char* owner;
    const char* dnskey;
    std::uint8_t digest_type;
    const char* digest;
};

// RFC 4034 §5.4, RFC 4509 §2.3, RFC 6605 §6.1 and §6.2, RFC 8080 §6.
const DsVector kDsVectors[] = {
    {"dskey.example.com.", kRfc4034Key, 1, "2BB183AF5F22588179A53B0A98631FAD1A292118"},
    {"dskey.example.com.", kRfc4034Key, 2,
     "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"},
    {"example.net.",
     "257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==", 2,
     "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17"},
    {"example.net.",
     "257 3 14 "
     "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp"
     "65F6Glur8I/mlVNgF6W/qTI37m40",
     4, "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6"},
    {"example.com.", "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 2,
     "3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b"},
    {"example.com.", "257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA",
     2, "6ccf18d5bc5d7fc2fceb1d59d17321402f2aa8d368048db93dd811f5cb2b19c7"},
};

TEST(Ds, DigestsMatchTheRfcExamples) {
    for (const auto& v : kDsVectors) {
        const auto key = rdata(dns::RRType::DNSKEY, v.dnskey);
        const auto owner = wire(v.owner);
        const auto digest = ds_digest(owner, key, v.digest_type);
        ASSERT_TRUE(digest) << v.owner;
        EXPECT_EQ(*digest, from_hex(v.digest)) << v.owner << " " << int{v.digest_type};
        // The owner's case does not matter (canonical form).
        auto upper = dns::Name::from_text(v.owner).to_text();
        for (auto& c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        EXPECT_EQ(ds_digest(wire(upper), key, v.digest_type), digest);
        // The DS record names the key; another key or a changed digest does not match.
        std::vector<std::uint8_t> ds;
        ds.reserve(4 + digest->size());
        dns::WireWriter w(ds);
        w.u16(key_tag(key));
        w.u8(key[3]);
        w.u8(v.digest_type);
        w.bytes(*digest);
        EXPECT_TRUE(ds_matches(owner, ds, key));
        if (can_make_digest(v.digest_type)) {
            EXPECT_EQ(make_ds_rdata(owner, key, v.digest_type), ds);
        }
        ds.back() ^= 1;
        EXPECT_FALSE(ds_matches(owner, ds, key));
        EXPECT_FALSE(ds_matches(wire("other.example."), ds, key));
    }
    EXPECT_FALSE(ds_digest(wire("example."), rdata(dns::RRType::DNSKEY, kRfc4034Key), 3));
    EXPECT_THROW(make_ds_rdata(wire("example."), rdata(dns::RRType::DNSKEY, kRfc4034Key), 1), KeyError);
}

struct SignatureVector {
    const char* dnskey;
    const char* owner;
    dns::RRType type;
    const char* record;
    const char* rrsig;
};

// RFC 5702 §6.1 and §6.2, RFC 6605 §6.1 and §6.2, RFC 8080 §6.1 (errata 4935).
const SignatureVector kSignatureVectors[] = {
    {"256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=",
     "www.example.net.", dns::RRType::A, "192.0.2.91",
     "A 8 3 3600 20300101000000 20000101000000 9033 example.net. "
     "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg=="},
    {"256 3 10 "
     "AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/"
     "1kTg7cV6rklMrZDtJ"
     "CQ5PCl/D7QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL",
     "www.example.net.", dns::RRType::A, "192.0.2.91",
     "A 10 3 3600 20300101000000 20000101000000 3740 example.net. "
     "tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/"
     "zpq+9fOuagYJRfDqfReKBz"
     "MweOLDiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw="},
    {"257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
     "www.example.net.", dns::RRType::A, "192.0.2.1",
     "A 13 3 3600 20100909100439 20100812100439 55648 example.net. "
     "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw=="},
    {"257 3 14 "
     "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp"
     "65F6Glur8I/mlVNgF6W/qTI37m40",
     "www.example.net.", dns::RRType::A, "192.0.2.1",
     "A 14 3 3600 20100909102025 20100812102025 10771 example.net. "
     "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5b"
     "dcJzusdnI0RS"
     "MROxxwGipWcJm"},
    {"257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", "example.com.", dns::RRType::MX,
     "10 mail.example.com.",
     "MX 15 2 3600 1440021600 1438207200 3613 example.com. "
     "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg=="},
};

TEST(Signature, RfcExamplesVerify) {
    for (const auto& v : kSignatureVectors) {
        const auto key = rdata(dns::RRType::DNSKEY, v.dnskey);
        const auto record = rdata(v.type, v.record);
        const auto sig = rdata(dns::RRType::RRSIG, v.rrsig);
        const auto owner = wire(v.owner);
        const Bytes rdatas[] = {record};
        const RRsetRef rrset{owner, v.type, dns::RRClass::IN, rdatas};
        EXPECT_EQ(verify_rrsig(rrset, sig, key), SignatureFailure::none) << v.rrsig;

        // Tampered: the record, the owner, the signature, the original TTL, the key.
        auto changed = record;
        changed[1] ^= 1;
        const Bytes changed_rdatas[] = {changed};
        EXPECT_EQ(verify_rrsig({owner, v.type, dns::RRClass::IN, changed_rdatas}, sig, key),
                  SignatureFailure::bad_signature);
        std::vector<std::uint8_t> other_owner = {3, 'x', 'y', 'z'};  // the same label count
        other_owner.insert(other_owner.end(), owner.begin() + 1 + owner[0], owner.end());
        EXPECT_EQ(verify_rrsig({other_owner, v.type, dns::RRClass::IN, rdatas}, sig, key),
                  SignatureFailure::bad_signature);
        auto bad_sig = sig;
        bad_sig[bad_sig.size() - 5] ^= 0x10;
        EXPECT_EQ(verify_rrsig(rrset, bad_sig, key), SignatureFailure::bad_signature);
        auto bad_ttl = sig;
        bad_ttl[7] ^= 1;
        EXPECT_EQ(verify_rrsig(rrset, bad_ttl, key), SignatureFailure::bad_signature);
        auto bad_key = key;
        bad_key[10] ^= 1;  // the tag changes too
        EXPECT_EQ(verify_rrsig(rrset, sig, bad_key), SignatureFailure::wrong_key);
        EXPECT_EQ(verify_rrsig({owner, dns::RRType::TXT, dns::RRClass::IN, rdatas}, sig, key),
                  SignatureFailure::wrong_type);
        if (v.type == dns::RRType::MX) {  // a name that runs past its rdata: refused, not thrown
            auto broken = record;
            broken.back() = 7;
            const Bytes broken_rdatas[] = {broken};
            EXPECT_EQ(verify_rrsig({owner, v.type, dns::RRClass::IN, broken_rdatas}, sig, key),
                      SignatureFailure::malformed);
        }
        // The signature holds for the owner spelled in another case (canonical form lowers it).
        auto upper_owner = owner;
        for (auto& c : upper_owner)
            c = static_cast<std::uint8_t>(std::toupper(c));
        EXPECT_EQ(verify_rrsig({upper_owner, v.type, dns::RRClass::IN, rdatas}, sig, key),
                  SignatureFailure::none);
    }
}

TEST(Signature, Ed25519SignaturesAreTheRfcsBitForBit) {
    // EdDSA is deterministic: signing the RFC 8080 §6.1 RRset with its private key gives its RRSIG exactly.
    PrivateFields fields;
    fields.private_key = from_base64("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=");
    const auto key = PrivateKey::from_fields(15, fields);
    EXPECT_EQ(key.public_key_field(), from_base64("l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="));
    const auto mx = rdata(dns::RRType::MX, "10 mail.example.com.");
    const Bytes rdatas[] = {mx};
    const auto owner = wire("example.com.");
    const SignatureFields f{dns::RRType::MX, 15,         2,    3600,
                            1440021600,      1438207200, 3613, dns::Name::from_text("example.com.")};
    EXPECT_EQ(sign_rrset({owner, dns::RRType::MX, dns::RRClass::IN, rdatas}, f, key),
              rdata(dns::RRType::RRSIG, kSignatureVectors[4].rrsig));
    // Ed448 (RFC 8080 §6.2's key): the public key follows from the private one.
    PrivateFields ed448;
    ed448.private_key =
        from_base64("xZ+5Cgm463xugtkY5B0Jx6erFTXp13rYegst0qRtNsOYnaVpMx0Z/c5EiA9x8wWbDDct/U3FhYWA");
    EXPECT_EQ(PrivateKey::from_fields(16, ed448).public_key_field(),
              from_base64("3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA"));
}

class EveryAlgorithm : public ::testing::TestWithParam<std::uint8_t> {};

TEST_P(EveryAlgorithm, SignThenVerifyRoundTrips) {
    const std::uint8_t algorithm = GetParam();
    const auto key = PrivateKey::generate(algorithm, algorithm == 8 || algorithm == 10 ? 1024 : 0);
    const auto dnskey = dnskey_rdata(257, algorithm, key.public_key_field());
    EXPECT_EQ(key.algorithm(), algorithm);
    // The RRset: names in mixed case and in a non-canonical order, one duplicate.
    const auto ns1 = rdata(dns::RRType::NS, "NS1.Example.");
    const auto ns2 = rdata(dns::RRType::NS, "ns0.example.");
    const auto ns1_lower = rdata(dns::RRType::NS, "ns1.example.");
    const Bytes rdatas[] = {ns1, ns2, ns1_lower};
    const auto owner = wire("Sub.Example.");
    const RRsetRef rrset{owner, dns::RRType::NS, dns::RRClass::IN, rdatas};
    const SignatureFields f{dns::RRType::NS,
                            algorithm,
                            2,
                            300,
                            2000000000,
                            1700000000,
                            key_tag(dnskey),
                            dns::Name::from_text("Example.")};
    const auto sig = sign_rrset(rrset, f, key);
    EXPECT_EQ(verify_rrsig(rrset, sig, dnskey), SignatureFailure::none);
    // The same RRset in another order and case verifies: canonical form and order.
    const Bytes reordered[] = {ns1_lower, ns2};
    const auto lower_owner = wire("sub.example.");
    EXPECT_EQ(verify_rrsig({lower_owner, dns::RRType::NS, dns::RRClass::IN, reordered}, sig, dnskey),
              SignatureFailure::none);
    // A missing record, an extra one, another class: rejected.
    const Bytes fewer[] = {ns2};
    EXPECT_EQ(verify_rrsig({owner, dns::RRType::NS, dns::RRClass::IN, fewer}, sig, dnskey),
              SignatureFailure::bad_signature);
    const auto ns3 = rdata(dns::RRType::NS, "ns3.example.");
    const Bytes more[] = {ns1, ns2, ns3};
    EXPECT_EQ(verify_rrsig({owner, dns::RRType::NS, dns::RRClass::IN, more}, sig, dnskey),
              SignatureFailure::bad_signature);
    EXPECT_EQ(verify_rrsig({owner, dns::RRType::NS, dns::RRClass::CH, rdatas}, sig, dnskey),
              SignatureFailure::bad_signature);
    // Another key of the same algorithm: the tag differs, and forcing the tag fails the signature.
    const auto other = PrivateKey::generate(algorithm, algorithm == 8 || algorithm == 10 ? 1024 : 0);
    const auto other_key = dnskey_rdata(257, algorithm, other.public_key_field());
    EXPECT_EQ(verify_rrsig(rrset, sig, other_key), SignatureFailure::wrong_key);
    const auto pub = PublicKey::from_dnskey_rdata(other_key);
    ASSERT_TRUE(pub);
    std::vector<std::uint8_t> data;
    const auto view = RrsigView::parse(sig);
    ASSERT_TRUE(append_signed_data(data, view->fields, rrset, view->labels, view->original_ttl));
    EXPECT_TRUE(key.public_key().verify(data, view->signature));
    EXPECT_FALSE(pub->verify(data, view->signature));
    // Fields round-trip through the .private representation.
    const auto again = PrivateKey::from_fields(algorithm, key.fields());
    EXPECT_EQ(again.public_key_field(), key.public_key_field());
    EXPECT_EQ(verify_rrsig(rrset, sign_rrset(rrset, f, again), dnskey), SignatureFailure::none);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, EveryAlgorithm, ::testing::Values(8, 10, 13, 14, 15, 16));

TEST(Signature, WildcardExpansionSignsTheWildcardOwner) {
    const auto key = PrivateKey::generate(13);
    const auto dnskey = dnskey_rdata(256, 13, key.public_key_field());
    const auto a = rdata(dns::RRType::A, "192.0.2.7");
    const Bytes rdatas[] = {a};
    const auto wildcard = wire("*.w.example.");
    EXPECT_EQ(rrsig_labels(wildcard), 2);
    EXPECT_EQ(rrsig_labels(wire("x.w.example.")), 3);
    const SignatureFields f{
        dns::RRType::A, 13,         rrsig_labels(wildcard), 60,
        2000000000,     1700000000, key_tag(dnskey),        dns::Name::from_text("example.")};
    const auto sig = sign_rrset({wildcard, dns::RRType::A, dns::RRClass::IN, rdatas}, f, key);
    // The expansion to any name below w.example. verifies; a name elsewhere or the label count forged
    // higher than the name's does not.
    const auto expanded = wire("a.b.w.example.");
    EXPECT_EQ(verify_rrsig({expanded, dns::RRType::A, dns::RRClass::IN, rdatas}, sig, dnskey),
              SignatureFailure::none);
    const auto elsewhere = wire("a.v.example.");
    EXPECT_EQ(verify_rrsig({elsewhere, dns::RRType::A, dns::RRClass::IN, rdatas}, sig, dnskey),
              SignatureFailure::bad_signature);
    const auto shallow = wire("example.");
    EXPECT_EQ(verify_rrsig({shallow, dns::RRType::A, dns::RRClass::IN, rdatas}, sig, dnskey),
              SignatureFailure::wrong_labels);
}

TEST(Signature, TimesCompareInSerialArithmetic) {
    RrsigView v;
    v.inception = 1000;
    v.expiration = 2000;
    EXPECT_TRUE(signature_time_valid(v, 1500));
    EXPECT_TRUE(signature_time_valid(v, 1000));
    EXPECT_TRUE(signature_time_valid(v, 2000));
    EXPECT_FALSE(signature_time_valid(v, 999));
    EXPECT_FALSE(signature_time_valid(v, 2001));
    // Across the 2^32 wrap (year 2106).
    v.inception = 0xFFFFFF00u;
    v.expiration = 0x100;
    EXPECT_TRUE(signature_time_valid(v, 0x10));
    EXPECT_FALSE(signature_time_valid(v, 0x200));
}

TEST(Keys, UnsupportedAndMalformedKeysAreRefused) {
    EXPECT_FALSE(PublicKey::from_dnskey(1, from_base64("AQOeiiR0GOMYkDshWoSKz9Xz")));
    EXPECT_FALSE(PublicKey::from_dnskey(3, from_base64("AQOeiiR0GOMYkDshWoSKz9Xz")));
    EXPECT_FALSE(PublicKey::from_dnskey(13, from_base64("AQOeiiR0GOMYkDshWoSKz9Xz")));  // wrong size
    EXPECT_FALSE(PublicKey::from_dnskey(15, std::vector<std::uint8_t>(31, 1)));
    EXPECT_FALSE(PublicKey::from_dnskey(8, std::vector<std::uint8_t>{3, 1, 0, 1}));  // no modulus
    std::vector<std::uint8_t> not_on_curve(64, 0x11);
    EXPECT_FALSE(PublicKey::from_dnskey(13, not_on_curve));
    EXPECT_THROW(PrivateKey::generate(5), KeyError);
    EXPECT_THROW(PrivateKey::generate(8, 512), KeyError);
    // Algorithm 5 verifies (RFC 8624: MUST validate).
    EXPECT_TRUE(PublicKey::from_dnskey_rdata(rdata(dns::RRType::DNSKEY, kRfc4034Key)));
    // An RSA private key whose fields do not make one key.
    auto fields = PrivateKey::generate(8, 1024).fields();
    fields.prime1.back() ^= 2;
    EXPECT_THROW(PrivateKey::from_fields(8, fields), KeyError);
}

}  // namespace
}  // namespace cairn::dnssec
