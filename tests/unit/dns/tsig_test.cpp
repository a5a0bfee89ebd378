#include "dns/tsig.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/text.hpp"
#include "dns/types.hpp"
#include "dns/wire.hpp"
#include "test_packets.hpp"

using namespace cairn::dns;

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t kNow = 1700000000;

using test::from_hex;

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    append_hex(out, bytes, false);
    return out;
}

// A query or answer with one question and `answers` A records for the same name.
Bytes make_message(std::uint16_t id, bool response, std::string_view qname = "example.", int answers = 0) {
    Bytes out;
    WireWriter w(out);
    w.u16(id);
    w.u16(response ? 0x8400 : 0x0000);
    w.u16(1);
    w.u16(static_cast<std::uint16_t>(answers));
    w.u16(0);
    w.u16(0);
    w.name(Name::from_text(qname));
    w.u16(static_cast<std::uint16_t>(RRType::A));
    w.u16(1);
    for (int i = 0; i < answers; ++i) {
        w.u16(0xC00C);
        w.u16(static_cast<std::uint16_t>(RRType::A));
        w.u16(1);
        w.u32(3600);
        w.u16(4);
        w.u32(0xC0000200u + static_cast<std::uint32_t>(i));
    }
    return out;
}

Bytes secret_bytes(std::size_t n) {
    Bytes s(n);
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<std::uint8_t>(i);
    return s;
}

TsigKey make_key(std::string_view name, TsigAlgorithm algorithm, std::size_t mac_length = 0) {
    TsigKey key;
    key.name = Name::from_text(name);
    key.algorithm = algorithm;
    key.secret = secret_bytes(32);
    key.mac_length = mac_length;
    return key;
}

Bytes signed_query(const TsigKey& key, std::uint64_t time, std::uint16_t id = 0x1234) {
    Bytes m = make_message(id, false);
    TsigSignOptions options;
    options.time_signed = time;
    tsig_sign(m, key, options);
    return m;
}

// A TSIG record with whatever MAC the test wants, for lengths tsig_sign never produces.
void append_raw_tsig(Bytes& message, const TsigKey& key, const Bytes& mac) {
    WireWriter w(message);
    w.name(key.name);
    w.u16(static_cast<std::uint16_t>(RRType::TSIG));
    w.u16(static_cast<std::uint16_t>(RRClass::ANY));
    w.u32(0);
    w.u16(static_cast<std::uint16_t>(tsig_algorithm_name(key.algorithm).wire_size() + 16 + mac.size()));
    w.name(tsig_algorithm_name(key.algorithm));
    w.u16(0);
    w.u32(static_cast<std::uint32_t>(kNow));
    w.u16(300);
    w.u16(static_cast<std::uint16_t>(mac.size()));
    w.bytes(mac);
    w.u16(0x1234);
    w.u16(0);
    w.u16(0);
    w.patch_u16(10, static_cast<std::uint16_t>(((message[10] << 8) | message[11]) + 1));
}

TsigSignOptions sign_at(std::uint64_t time) {
    TsigSignOptions options;
    options.time_signed = time;
    return options;
}

TsigKeyring ring_of(const TsigKey& key) {
    TsigKeyring ring;
    ring.add(key);
    return ring;
}

constexpr TsigAlgorithm kAll[] = {TsigAlgorithm::HmacMd5,    TsigAlgorithm::HmacSha1,
                                  TsigAlgorithm::HmacSha224, TsigAlgorithm::HmacSha256,
                                  TsigAlgorithm::HmacSha384, TsigAlgorithm::HmacSha512};

}  // namespace

TEST(TsigAlgorithm, ParsesBindAndRfcSpellings) {
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha256").algorithm, TsigAlgorithm::HmacSha256);
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha256").mac_length, 32u);
    EXPECT_EQ(parse_tsig_algorithm("HMAC-SHA512.").algorithm, TsigAlgorithm::HmacSha512);
    EXPECT_EQ(parse_tsig_algorithm("hmac-md5").algorithm, TsigAlgorithm::HmacMd5);
    EXPECT_EQ(parse_tsig_algorithm("HMAC-MD5.SIG-ALG.REG.INT.").algorithm, TsigAlgorithm::HmacMd5);
    EXPECT_EQ(parse_tsig_algorithm("hmac-md5.sig-alg.reg.int").algorithm, TsigAlgorithm::HmacMd5);
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha1").algorithm, TsigAlgorithm::HmacSha1);
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha224").algorithm, TsigAlgorithm::HmacSha224);
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha384").algorithm, TsigAlgorithm::HmacSha384);
    EXPECT_THROW(parse_tsig_algorithm("hmac-sha3"), ParseError);
    EXPECT_THROW(parse_tsig_algorithm("gss-tsig"), ParseError);
    EXPECT_THROW(parse_tsig_algorithm(""), ParseError);
    EXPECT_EQ(tsig_algorithm_name(TsigAlgorithm::HmacMd5).to_text(), "HMAC-MD5.SIG-ALG.REG.INT.");
    EXPECT_EQ(tsig_algorithm_name(TsigAlgorithm::HmacSha224).to_text(), "hmac-sha224.");
    EXPECT_EQ(tsig_algorithm_from_name(Name::from_text("HMAC-SHA1.")), TsigAlgorithm::HmacSha1);
    EXPECT_FALSE(tsig_algorithm_from_name(Name::from_text("hmac-sha256-128.")).has_value());
}

TEST(TsigAlgorithm, TruncationFollowsRfc8945Minimums) {
    const auto t = parse_tsig_algorithm("hmac-sha256-128");
    EXPECT_EQ(t.algorithm, TsigAlgorithm::HmacSha256);
    EXPECT_EQ(t.mac_length, 16u);
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha1-80").mac_length, 10u);
    EXPECT_EQ(parse_tsig_algorithm("hmac-md5-80").mac_length, 10u);
    EXPECT_EQ(parse_tsig_algorithm("hmac-sha512-256").mac_length, 32u);
    EXPECT_THROW(parse_tsig_algorithm("hmac-sha256-120"), ParseError);  // below half of 256 bits
    EXPECT_THROW(parse_tsig_algorithm("hmac-md5-72"), ParseError);      // below 10 octets
    EXPECT_THROW(parse_tsig_algorithm("hmac-sha256-129"), ParseError);  // not whole octets
    EXPECT_THROW(parse_tsig_algorithm("hmac-sha256-264"), ParseError);  // longer than the hash
    EXPECT_THROW(parse_tsig_algorithm("hmac-sha256-"), ParseError);
    EXPECT_THROW(parse_tsig_algorithm("hmac-sha256-x"), ParseError);
    EXPECT_EQ(tsig_min_mac_length(TsigAlgorithm::HmacMd5), 10u);
    EXPECT_EQ(tsig_min_mac_length(TsigAlgorithm::HmacSha224), 14u);
    EXPECT_EQ(tsig_min_mac_length(TsigAlgorithm::HmacSha512), 32u);
}

TEST(TsigKey, FromConfigStatement) {
    const TsigKey key =
        TsigKey::from_config("Group19.tsig", "hmac-sha256", "10Hj+sO9GpvdxaiI7KoqlxrLXRwPsPiuMzIssuMwXx4=");
    EXPECT_EQ(key.name, Name::from_text("group19.tsig."));
    EXPECT_EQ(key.secret.size(), 32u);
    EXPECT_FALSE(key.truncated());
    const TsigKey cut = TsigKey::from_config("k.", "hmac-sha384-192", "AAEC AwQF\nBgc=");
    EXPECT_EQ(cut.secret, secret_bytes(8));
    EXPECT_EQ(cut.sent_mac_length(), 24u);
    EXPECT_TRUE(cut.truncated());
    EXPECT_THROW(TsigKey::from_config("k.", "hmac-sha256", "not*base64"), ParseError);
    EXPECT_THROW(TsigKey::from_config("k.", "hmac-sha256", ""), ParseError);
    EXPECT_THROW(TsigKey::from_config("k.", "hmac-whirlpool", "AAAA"), ParseError);
    EXPECT_THROW(TsigKey::from_config("a..b", "hmac-sha256", "AAAA"), ParseError);
}

TEST(TsigKeyring, FindsByNameAndAlgorithm) {
    TsigKeyring ring;
    EXPECT_TRUE(ring.add(make_key("a.example.", TsigAlgorithm::HmacSha256)));
    EXPECT_FALSE(ring.add(make_key("A.EXAMPLE.", TsigAlgorithm::HmacSha1)));
    EXPECT_NE(ring.find(Name::from_text("A.Example."), Name::from_text("HMAC-SHA256.")), nullptr);
    EXPECT_EQ(ring.find(Name::from_text("a.example."), Name::from_text("hmac-sha1.")), nullptr);
    EXPECT_EQ(ring.find(Name::from_text("b.example."), Name::from_text("hmac-sha256.")), nullptr);
}

// Vectors computed by dnspython 2.3 (dns.tsig.sign), an independent implementation.
TEST(TsigVector, MatchesDnspythonBytes) {
    const TsigKey key = make_key("test.key.", TsigAlgorithm::HmacSha256);
    const Bytes plain = from_hex("123400000001000000000000076578616d706c650000060001");
    TsigSignOptions options;
    options.time_signed = kNow;
    Bytes wire = plain;
    const Bytes mac = tsig_sign(wire, key, options);
    EXPECT_EQ(to_hex(mac), "fd6567b1c92134c92ea4023472eb52e569c97829c01e54ce8986cb93b5852d8f");
    EXPECT_EQ(
        to_hex(wire),
        "123400000001000000000001076578616d706c6500000600010474657374036b65790000fa00ff00000000003d0b686d61"
        "632d7368613235360000006553f100012c0020fd6567b1c92134c92ea4023472eb52e569c97829c01e54ce8986cb93b585"
        "2d8f123400000000");

    Bytes answer = from_hex("123480000001000000000000076578616d706c650000060001");
    options.time_signed = kNow + 1;
    options.request_mac = mac;
    EXPECT_EQ(to_hex(tsig_sign(answer, key, options)),
              "60f910c1f1ce593e9df8764a49b5059b459c174cc5d33ee59ec83d15ebd05e2c");
    EXPECT_EQ(tsig_verify_response(answer, key, mac, kNow).status, TsigStatus::Ok);

    const TsigKey md5 = make_key("test.key.", TsigAlgorithm::HmacMd5);
    wire = plain;
    options = {};
    options.time_signed = kNow;
    const Bytes md5_mac = tsig_sign(wire, md5, options);
    EXPECT_EQ(to_hex(md5_mac), "6877dd44a6f06f0acdc1d4cb2f8c47cc");
    answer = from_hex("123480000001000000000000076578616d706c650000060001");
    options.time_signed = kNow + 1;
    options.request_mac = md5_mac;
    EXPECT_EQ(to_hex(tsig_sign(answer, md5, options)), "c3738ffe41f37a4f80411ff8d237e970");
}

TEST(TsigSign, EveryAlgorithmVerifiesBothWays) {
    for (const auto algorithm : kAll) {
        SCOPED_TRACE(std::string(tsig_algorithm_config_name(algorithm)));
        const TsigKey key = make_key("Key.Example.", algorithm);
        const TsigKeyring ring = ring_of(key);
        const Bytes query = signed_query(key, kNow);
        const TsigVerification request = tsig_verify_request(query, ring, kNow + 10);
        ASSERT_EQ(request.status, TsigStatus::Ok);
        EXPECT_EQ(request.key, ring.find(key.name));
        EXPECT_EQ(request.record.mac.size(), tsig_digest_length(algorithm));
        EXPECT_EQ(request.tsig_offset, make_message(0x1234, false).size());

        Bytes answer = make_message(0x1234, true, "example.", 3);
        const Bytes answer_mac = tsig_sign_response(answer, request, kNow + 11);
        EXPECT_EQ(answer_mac.size(), tsig_digest_length(algorithm));
        const TsigVerification checked = tsig_verify_response(answer, key, request.record.mac, kNow + 12);
        EXPECT_EQ(checked.status, TsigStatus::Ok);
        EXPECT_EQ(checked.record.error, 0);
        // Without the request MAC the answer's MAC cannot match.
        EXPECT_EQ(tsig_verify_response(answer, key, {}, kNow + 12).status, TsigStatus::BadSig);
    }
}

TEST(TsigVerify, AnyFlippedByteIsBadSig) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKeyring ring = ring_of(key);
    const Bytes query = signed_query(key, kNow);
    const std::size_t tsig_at = make_message(0x1234, false).size();
    // Every octet before the TSIG except the ID (replaced by Original ID), the section counts and the
    // qname's first length octet and root label (changing those breaks the layout: FORMERR).
    for (std::size_t i = 2; i < tsig_at; ++i) {
        if ((i >= 4 && i < 12) || i == 12 || i == 20) continue;
        Bytes bad = query;
        bad[i] ^= 0x01;
        EXPECT_EQ(tsig_verify_request(bad, ring, kNow).status, TsigStatus::BadSig) << i;
    }
    for (const std::size_t i : {4, 5, 6, 7, 8, 9, 10, 11, 12, 20}) {
        Bytes bad = query;
        bad[i] ^= 0x01;
        EXPECT_NE(tsig_verify_request(bad, ring, kNow).status, TsigStatus::Ok) << i;
    }
    Bytes bad_mac = query;
    bad_mac[bad_mac.size() - 7] ^= 0x80;  // last MAC octet
    EXPECT_EQ(tsig_verify_request(bad_mac, ring, kNow).status, TsigStatus::BadSig);
    TsigKey wrong = key;
    wrong.secret[0] ^= 1;
    EXPECT_EQ(tsig_verify_request(query, ring_of(wrong), kNow).status, TsigStatus::BadSig);
}

TEST(TsigVerify, ForwardedWithNewIdStillVerifies) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha1);
    Bytes query = signed_query(key, kNow, 0x1111);
    query[0] = 0xAB;  // a forwarder gave it a new ID; Original ID keeps the signed one
    const auto result = tsig_verify_request(query, ring_of(key), kNow);
    EXPECT_EQ(result.status, TsigStatus::Ok);
    EXPECT_EQ(result.record.original_id, 0x1111);
}

TEST(TsigVerify, UnknownKeyOrAlgorithmIsBadKey) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    const Bytes query = signed_query(key, kNow);
    EXPECT_EQ(tsig_verify_request(query, ring_of(make_key("other.", TsigAlgorithm::HmacSha256)), kNow).status,
              TsigStatus::BadKey);
    const auto mismatch =
        tsig_verify_request(query, ring_of(make_key("k.", TsigAlgorithm::HmacSha512)), kNow);
    EXPECT_EQ(mismatch.status, TsigStatus::BadKey);
    EXPECT_EQ(mismatch.key, nullptr);
    EXPECT_EQ(tsig_verify_request(query, TsigKeyring{}, kNow).status, TsigStatus::BadKey);
    // Key check comes before the MAC check: a bad MAC with an unknown key is still BADKEY.
    Bytes bad = query;
    bad[bad.size() - 7] ^= 1;
    EXPECT_EQ(tsig_verify_request(bad, TsigKeyring{}, kNow).status, TsigStatus::BadKey);
}

TEST(TsigVerify, TimeOutsideFudgeIsBadTime) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKeyring ring = ring_of(key);
    const Bytes query = signed_query(key, kNow);
    EXPECT_EQ(tsig_verify_request(query, ring, kNow + 300).status, TsigStatus::Ok);
    EXPECT_EQ(tsig_verify_request(query, ring, kNow - 300).status, TsigStatus::Ok);
    EXPECT_EQ(tsig_verify_request(query, ring, kNow + 301).status, TsigStatus::BadTime);
    EXPECT_EQ(tsig_verify_request(query, ring, kNow - 301).status, TsigStatus::BadTime);
    // MAC before time: a forged message outside the window is BADSIG, not BADTIME.
    Bytes bad = query;
    bad[bad.size() - 7] ^= 1;
    EXPECT_EQ(tsig_verify_request(bad, ring, kNow + 1000).status, TsigStatus::BadSig);
}

TEST(TsigVerify, TruncationRules) {
    const TsigKey full = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKey cut = make_key("k.", TsigAlgorithm::HmacSha256, 16);
    const Bytes truncated = signed_query(cut, kNow);
    // Allowed by the RFC, but our full-length key's policy wants 32 octets: BADTRUNC (after MAC and time).
    EXPECT_EQ(tsig_verify_request(truncated, ring_of(full), kNow).status, TsigStatus::BadTrunc);
    EXPECT_EQ(tsig_verify_request(truncated, ring_of(full), kNow + 1000).status, TsigStatus::BadTime);
    EXPECT_EQ(tsig_verify_request(truncated, ring_of(cut), kNow).status, TsigStatus::Ok);
    // A longer MAC than policy asks for is fine.
    EXPECT_EQ(tsig_verify_request(signed_query(full, kNow), ring_of(cut), kNow).status, TsigStatus::Ok);
    const TsigKey cut20 = make_key("k.", TsigAlgorithm::HmacSha256, 20);
    EXPECT_EQ(tsig_verify_request(truncated, ring_of(cut20), kNow).status, TsigStatus::BadTrunc);

    // Below max(10, half the hash) or above the hash: FORMERR, checked before the MAC.
    const TsigKey too_short = make_key("k.", TsigAlgorithm::HmacSha256, 15);
    EXPECT_EQ(tsig_verify_request(signed_query(too_short, kNow), ring_of(full), kNow).status,
              TsigStatus::FormErr);
    const TsigKey md5_9 = make_key("k.", TsigAlgorithm::HmacMd5, 9);
    const TsigKey md5 = make_key("k.", TsigAlgorithm::HmacMd5);
    EXPECT_EQ(tsig_verify_request(signed_query(md5_9, kNow), ring_of(md5), kNow).status, TsigStatus::FormErr);
    const TsigKey md5_10 = make_key("k.", TsigAlgorithm::HmacMd5, 10);
    EXPECT_EQ(tsig_verify_request(signed_query(md5_10, kNow), ring_of(md5_10), kNow).status, TsigStatus::Ok);
    Bytes too_long = make_message(0x1234, false);
    append_raw_tsig(too_long, full, Bytes(33, 0xAA));
    EXPECT_EQ(tsig_verify_request(too_long, ring_of(full), kNow).status, TsigStatus::FormErr);
    // A request with an empty MAC is malformed: build one the way an unsigned error answer is built.
    TsigVerification unsigned_error;
    unsigned_error.status = TsigStatus::BadKey;
    unsigned_error.record.key_name = full.name;
    unsigned_error.record.algorithm_name = tsig_algorithm_name(full.algorithm);
    Bytes empty_mac = make_message(0x1234, false);
    tsig_sign_response(empty_mac, unsigned_error, kNow);
    EXPECT_EQ(tsig_verify_request(empty_mac, ring_of(full), kNow).status, TsigStatus::FormErr);
}

TEST(TsigFind, PlacementAndFormat) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKeyring ring = ring_of(key);
    EXPECT_EQ(find_tsig(make_message(1, false)).status, TsigStatus::NotSigned);
    EXPECT_EQ(tsig_verify_request(make_message(1, false), ring, kNow).status, TsigStatus::NotSigned);

    // Twice signed: the first TSIG is no longer last.
    Bytes twice = signed_query(key, kNow);
    tsig_sign(twice, key, sign_at(kNow));
    EXPECT_EQ(find_tsig(twice).status, TsigStatus::FormErr);

    // A TSIG followed by another additional record.
    Bytes not_last = signed_query(key, kNow);
    WireWriter w(not_last);
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(RRType::A));
    w.u16(1);
    w.u32(0);
    w.u16(4);
    w.u32(0x7F000001);
    not_last[11] += 1;
    EXPECT_EQ(tsig_verify_request(not_last, ring, kNow).status, TsigStatus::FormErr);

    // A TSIG in the answer section (ANCOUNT 1, ARCOUNT 0).
    Bytes in_answer = signed_query(key, kNow);
    in_answer[7] = 1;
    in_answer[11] = 0;
    EXPECT_EQ(find_tsig(in_answer).status, TsigStatus::FormErr);

    Bytes trailing = signed_query(key, kNow);
    trailing.push_back(0);
    EXPECT_EQ(find_tsig(trailing).status, TsigStatus::FormErr);

    Bytes truncated = signed_query(key, kNow);
    truncated.resize(truncated.size() - 3);
    EXPECT_EQ(find_tsig(truncated).status, TsigStatus::FormErr);

    Bytes wrong_class = signed_query(key, kNow);
    const std::size_t class_at = make_message(0x1234, false).size() + key.name.wire_size() + 2;
    wrong_class[class_at + 1] = 1;  // IN instead of ANY
    EXPECT_EQ(find_tsig(wrong_class).status, TsigStatus::FormErr);

    Bytes bad_rdlength = signed_query(key, kNow);
    bad_rdlength[class_at + 7] += 1;  // rdlength one more than the fields
    bad_rdlength.push_back(0);
    EXPECT_EQ(find_tsig(bad_rdlength).status, TsigStatus::FormErr);

    const auto found = find_tsig(signed_query(key, kNow));
    ASSERT_EQ(found.status, TsigStatus::Ok);
    EXPECT_EQ(found.record.key_name, key.name);
    EXPECT_EQ(found.record.time_signed, kNow);
    EXPECT_EQ(found.record.fudge, 300);
    EXPECT_EQ(found.record.original_id, 0x1234);
}

TEST(TsigSign, TruncatingKeyAnswersWithAtLeastTheRequestMacLength) {
    const TsigKey full = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKey cut = make_key("k.", TsigAlgorithm::HmacSha256, 16);
    const TsigKeyring ring = ring_of(cut);
    const TsigVerification request = tsig_verify_request(signed_query(full, kNow), ring, kNow);
    ASSERT_EQ(request.status, TsigStatus::Ok);
    Bytes answer = make_message(0x1234, true);
    EXPECT_EQ(tsig_sign_response(answer, request, kNow).size(), 32u);
    EXPECT_EQ(tsig_verify_response(answer, full, request.record.mac, kNow).status, TsigStatus::Ok);
    // A stream keeps the first message's length.
    TsigStreamSigner signer(cut, request.record.mac);
    Bytes first = make_message(1, true);
    Bytes second = make_message(1, true);
    EXPECT_EQ(signer.sign(first, kNow).size(), 32u);
    EXPECT_EQ(signer.sign(second, kNow).size(), 32u);
    TsigStreamVerifier verifier(full, request.record.mac);
    EXPECT_EQ(verifier.verify(first, kNow).status, TsigStatus::Ok);
    EXPECT_EQ(verifier.verify(second, kNow).status, TsigStatus::Ok);
}

TEST(TsigErrors, BadKeyAndBadSigAnswersAreUnsigned) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    const Bytes query = signed_query(key, kNow);
    for (const bool unknown_key : {true, false}) {
        TsigKey wrong = key;
        wrong.secret[3] ^= 1;
        const TsigKeyring ring = unknown_key ? TsigKeyring{} : ring_of(wrong);
        const TsigVerification request = tsig_verify_request(query, ring, kNow);
        ASSERT_EQ(request.status, unknown_key ? TsigStatus::BadKey : TsigStatus::BadSig);
        Bytes answer = make_message(0x1234, true);
        EXPECT_TRUE(tsig_sign_response(answer, request, kNow).empty());
        EXPECT_EQ(answer[3] & 0x0F, static_cast<int>(Rcode::NOTAUTH));
        const auto found = find_tsig(answer);
        ASSERT_EQ(found.status, TsigStatus::Ok);
        EXPECT_TRUE(found.record.mac.empty());
        EXPECT_EQ(found.record.error, static_cast<std::uint16_t>(request.status));
        EXPECT_EQ(found.record.key_name, key.name);
        // The client cannot authenticate it.
        const auto client = tsig_verify_response(answer, key, request.record.mac, kNow);
        EXPECT_EQ(client.status, TsigStatus::BadSig);
        EXPECT_EQ(client.record.error, static_cast<std::uint16_t>(request.status));
    }
}

TEST(TsigErrors, BadTimeAnswerIsSignedWithServerTime) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha384);
    const TsigKeyring ring = ring_of(key);
    const Bytes query = signed_query(key, kNow);
    const std::uint64_t server_now = kNow + 7200;
    const TsigVerification request = tsig_verify_request(query, ring, server_now);
    ASSERT_EQ(request.status, TsigStatus::BadTime);
    EXPECT_EQ(request.now, server_now);
    Bytes answer = make_message(0x1234, true);
    EXPECT_EQ(tsig_sign_response(answer, request, server_now).size(), 48u);
    EXPECT_EQ(answer[3] & 0x0F, static_cast<int>(Rcode::NOTAUTH));
    // The client, whose clock says kNow, authenticates it and reads the server's time.
    const auto client = tsig_verify_response(answer, key, request.record.mac, kNow + 1);
    ASSERT_EQ(client.status, TsigStatus::Ok);
    EXPECT_EQ(client.record.error, static_cast<std::uint16_t>(TsigStatus::BadTime));
    EXPECT_EQ(client.record.time_signed, kNow);
    EXPECT_EQ(to_hex(client.record.other_data), "000065540d20");  // 1700007200
}

TEST(TsigErrors, BadTruncAnswerIsSigned) {
    const TsigKey cut = make_key("k.", TsigAlgorithm::HmacSha256, 16);
    const TsigKey full = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKeyring ring = ring_of(full);
    const TsigVerification request = tsig_verify_request(signed_query(cut, kNow), ring, kNow);
    ASSERT_EQ(request.status, TsigStatus::BadTrunc);
    Bytes answer = make_message(0x1234, true);
    tsig_sign_response(answer, request, kNow);
    const auto client = tsig_verify_response(answer, cut, request.record.mac, kNow);
    EXPECT_EQ(client.status, TsigStatus::Ok);
    EXPECT_EQ(client.record.error, static_cast<std::uint16_t>(TsigStatus::BadTrunc));
}

TEST(TsigVerify, ResponseFromAnotherKeyIsBadKey) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    const TsigKey other = make_key("other.", TsigAlgorithm::HmacSha256);
    Bytes answer = make_message(1, true);
    tsig_sign(answer, other, sign_at(kNow));
    EXPECT_EQ(tsig_verify_response(answer, key, {}, kNow).status, TsigStatus::BadKey);
    EXPECT_EQ(tsig_verify_response(make_message(1, true), key, {}, kNow).status, TsigStatus::NotSigned);
}

namespace {

struct Stream {
    std::vector<Bytes> messages;
    Bytes request_mac;
};

// Answers a signed AXFR-like request with `count` messages; message i is signed when `signed_at(i)`.
template <typename SignedAt>
Stream make_stream(const TsigKey& key, std::size_t count, SignedAt signed_at) {
    Stream s;
    Bytes query = signed_query(key, kNow);
    s.request_mac = find_tsig(query).record.mac;
    TsigStreamSigner signer(key, s.request_mac);
    for (std::size_t i = 0; i < count; ++i) {
        Bytes m = make_message(0x1234, true, "example.", static_cast<int>(i % 5 + 1));
        if (signed_at(i)) {
            signer.sign(m, kNow + i);
        } else {
            signer.skip(m);
        }
        s.messages.push_back(std::move(m));
    }
    return s;
}

}  // namespace

TEST(TsigStream, ChainedMacsVerify) {
    for (const auto algorithm : kAll) {
        const TsigKey key = make_key("xfr.key.", algorithm);
        const Stream s = make_stream(key, 7, [](std::size_t i) { return i != 2 && i != 3 && i != 5; });
        TsigStreamVerifier verifier(key, s.request_mac);
        for (std::size_t i = 0; i < s.messages.size(); ++i) {
            const auto status = verifier.verify(s.messages[i], kNow + i).status;
            EXPECT_EQ(status, (i == 2 || i == 3 || i == 5) ? TsigStatus::NotSigned : TsigStatus::Ok) << i;
        }
        EXPECT_TRUE(verifier.complete());
    }
}

TEST(TsigStream, LaterMessagesUseTimersOnly) {
    // The second message's MAC is HMAC(prior MAC || message || timers), nothing else.
    const TsigKey key = make_key("xfr.key.", TsigAlgorithm::HmacSha256);
    const Stream s = make_stream(key, 2, [](std::size_t) { return true; });
    const auto first = find_tsig(s.messages[0]);
    const auto second = find_tsig(s.messages[1]);
    ASSERT_EQ(second.status, TsigStatus::Ok);
    TsigHmac hmac(key);
    hmac.update_u16(static_cast<std::uint16_t>(first.record.mac.size()));
    hmac.update(first.record.mac);
    Bytes unsigned_second(s.messages[1].begin(), s.messages[1].begin() + static_cast<long>(second.offset));
    unsigned_second[11] -= 1;
    hmac.update(unsigned_second);
    const std::uint8_t timers[8] = {0, 0, 0x65, 0x53, 0xF1, 0x01, 0x01, 0x2C};  // kNow + 1, fudge 300
    hmac.update(timers);
    EXPECT_EQ(hmac.finish(), second.record.mac);
}

TEST(TsigStream, TamperedOrReorderedMessagesFail) {
    const TsigKey key = make_key("xfr.key.", TsigAlgorithm::HmacSha256);
    Stream s = make_stream(key, 5, [](std::size_t i) { return i != 2; });
    s.messages[2][s.messages[2].size() - 1] ^= 1;  // an unsigned message changed in flight
    TsigStreamVerifier verifier(key, s.request_mac);
    EXPECT_EQ(verifier.verify(s.messages[0], kNow).status, TsigStatus::Ok);
    EXPECT_EQ(verifier.verify(s.messages[1], kNow).status, TsigStatus::Ok);
    EXPECT_EQ(verifier.verify(s.messages[2], kNow).status, TsigStatus::NotSigned);
    EXPECT_EQ(verifier.verify(s.messages[3], kNow).status, TsigStatus::BadSig);
    EXPECT_EQ(verifier.verify(s.messages[4], kNow).status, TsigStatus::BadSig);  // stays failed
    EXPECT_FALSE(verifier.complete());

    const Stream good = make_stream(key, 3, [](std::size_t) { return true; });
    TsigStreamVerifier reordered(key, good.request_mac);
    EXPECT_EQ(reordered.verify(good.messages[0], kNow).status, TsigStatus::Ok);
    EXPECT_EQ(reordered.verify(good.messages[2], kNow).status, TsigStatus::BadSig);

    TsigStreamVerifier wrong_request(key, Bytes(32, 0));
    EXPECT_EQ(wrong_request.verify(good.messages[0], kNow).status, TsigStatus::BadSig);
}

TEST(TsigStream, FirstAndLastMustBeSignedAndRunsAreLimited) {
    const TsigKey key = make_key("xfr.key.", TsigAlgorithm::HmacSha1);
    TsigStreamVerifier unsigned_first(key, {});
    EXPECT_EQ(unsigned_first.verify(make_message(1, true), kNow).status, TsigStatus::FormErr);

    const Stream ends_unsigned = make_stream(key, 3, [](std::size_t i) { return i == 0; });
    TsigStreamVerifier open(key, ends_unsigned.request_mac);
    for (const auto& m : ends_unsigned.messages)
        open.verify(m, kNow);
    EXPECT_FALSE(open.complete());

    // 99 unsigned in a row are accepted, 100 are not.
    const Stream ok = make_stream(key, 101, [](std::size_t i) { return i == 0 || i == 100; });
    TsigStreamVerifier accepts(key, ok.request_mac);
    for (std::size_t i = 0; i < ok.messages.size(); ++i) {
        const auto status = accepts.verify(ok.messages[i], kNow + i).status;
        ASSERT_EQ(status, (i == 0 || i == 100) ? TsigStatus::Ok : TsigStatus::NotSigned) << i;
    }
    EXPECT_TRUE(accepts.complete());
    const Stream too_many = make_stream(key, 102, [](std::size_t i) { return i == 0 || i == 101; });
    TsigStreamVerifier refuses(key, too_many.request_mac);
    TsigStatus last = TsigStatus::Ok;
    for (std::size_t i = 0; i <= 100; ++i)
        last = refuses.verify(too_many.messages[i], kNow + i).status;
    EXPECT_EQ(last, TsigStatus::BadSig);
    EXPECT_EQ(refuses.verify(too_many.messages[101], kNow + 101).status, TsigStatus::BadSig);
    EXPECT_FALSE(refuses.complete());
}

TEST(TsigStream, TruncatedKeyChains) {
    const TsigKey cut = make_key("xfr.key.", TsigAlgorithm::HmacSha512, 32);
    const Stream s = make_stream(cut, 4, [](std::size_t i) { return i != 1; });
    TsigStreamVerifier verifier(cut, s.request_mac);
    for (std::size_t i = 0; i < s.messages.size(); ++i)
        verifier.verify(s.messages[i], kNow + i);
    EXPECT_TRUE(verifier.complete());
    EXPECT_EQ(find_tsig(s.messages[3]).record.mac.size(), 32u);
}

TEST(TsigPresent, SeesTheLastRecordOnly) {
    const TsigKey key = make_key("k.", TsigAlgorithm::HmacSha256);
    EXPECT_FALSE(tsig_present(make_message(1, false)));
    EXPECT_FALSE(tsig_present(make_message(1, true, "example.", 3)));
    EXPECT_TRUE(tsig_present(signed_query(key, kNow)));
    // An OPT record (EDNS) as the only additional record: not signed.
    Bytes edns = make_message(1, false);
    WireWriter w(edns);
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(RRType::OPT));
    w.u16(1232);
    w.u32(0);
    w.u16(0);
    edns[11] = 1;
    EXPECT_FALSE(tsig_present(edns));
    // EDNS then TSIG: signed.
    tsig_sign(edns, key, sign_at(kNow));
    EXPECT_TRUE(tsig_present(edns));
    // Cut short, or counts that promise more than is there: not signed (the parser answers FORMERR).
    Bytes truncated = signed_query(key, kNow);
    truncated.resize(truncated.size() - 3);
    EXPECT_FALSE(tsig_present(truncated));
    Bytes overcounted = signed_query(key, kNow);
    overcounted[11] = 9;
    EXPECT_FALSE(tsig_present(overcounted));
    EXPECT_FALSE(tsig_present(Bytes{0, 1, 2}));
}

TEST(TsigPresent, ReserveCoversTheSignedAnswer) {
    for (const TsigAlgorithm algorithm : kAll) {
        const TsigKey key = make_key("a-rather-long-key-name.example.", algorithm);
        const TsigKeyring ring = ring_of(key);
        const TsigVerification verified = tsig_verify_request(signed_query(key, kNow), ring, kNow);
        ASSERT_EQ(verified.status, TsigStatus::Ok);
        Bytes answer = make_message(0x1234, true, "example.", 2);
        const std::size_t before = answer.size();
        tsig_sign_response(answer, verified, kNow);
        EXPECT_LE(answer.size() - before, tsig_response_reserve(verified));
    }
}
