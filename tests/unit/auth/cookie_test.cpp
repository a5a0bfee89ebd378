#include "auth/cookie.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <random>

#include "auth/siphash.hpp"
#include "auth_test_util.hpp"

using namespace cairn;
using namespace cairn::auth;
using namespace cairn::auth::testing;

namespace {

std::vector<std::uint8_t> hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(std::stoi(text.substr(i, 2), nullptr, 16));
    return out;
}

std::uint64_t openssl_siphash(const std::array<std::uint8_t, 16>& key,
                              const std::vector<std::uint8_t>& data) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    std::size_t size = 8;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                           OSSL_PARAM_construct_end()};
    EXPECT_EQ(EVP_MAC_init(ctx, key.data(), key.size(), params), 1);
    EXPECT_EQ(EVP_MAC_update(ctx, data.data(), data.size()), 1);
    std::uint8_t out[8];
    std::size_t out_size = 0;
    EXPECT_EQ(EVP_MAC_final(ctx, out, &out_size, sizeof out), 1);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | out[i];
    return v;
}

const std::array<std::uint8_t, 16> kSecret = {0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
                                              0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};

}  // namespace

TEST(SipHash, MatchesOpenSsl) {
    std::mt19937 rng(7);
    for (std::size_t len = 0; len < 70; ++len) {
        std::array<std::uint8_t, 16> key;
        for (auto& k : key)
            k = static_cast<std::uint8_t>(rng());
        std::vector<std::uint8_t> data(len);
        for (auto& d : data)
            d = static_cast<std::uint8_t>(rng());
        EXPECT_EQ(siphash24(key, data), openssl_siphash(key, data)) << len;
    }
}

// RFC 9018 Appendix A.1: client 198.51.100.100, timestamp 1559731985.
TEST(ServerCookie, MatchesRfc9018TestVector) {
    const auto client_cookie = hex("2464c4abcf10c957");
    const std::array<std::uint8_t, 4> address = {198, 51, 100, 100};
    std::uint8_t server[16];
    make_server_cookie(kSecret, std::span<const std::uint8_t, 8>(client_cookie.data(), 8), address,
                       1559731985, server);
    EXPECT_EQ(std::vector<std::uint8_t>(server, server + 16), hex("010000005cf79f111f8130c3eee29480"));
    EXPECT_TRUE(server_cookie_valid(kSecret, std::span<const std::uint8_t, 8>(client_cookie.data(), 8),
                                    {server, 16}, address, 1559731985 + 100));
    // Too old, from the future, another client address, a flipped bit.
    EXPECT_FALSE(server_cookie_valid(kSecret, std::span<const std::uint8_t, 8>(client_cookie.data(), 8),
                                     {server, 16}, address, 1559731985 + 3601));
    EXPECT_FALSE(server_cookie_valid(kSecret, std::span<const std::uint8_t, 8>(client_cookie.data(), 8),
                                     {server, 16}, address, 1559731985 - 301));
    const std::array<std::uint8_t, 4> other = {198, 51, 100, 101};
    EXPECT_FALSE(server_cookie_valid(kSecret, std::span<const std::uint8_t, 8>(client_cookie.data(), 8),
                                     {server, 16}, other, 1559731985));
    server[15] ^= 1;
    EXPECT_FALSE(server_cookie_valid(kSecret, std::span<const std::uint8_t, 8>(client_cookie.data(), 8),
                                     {server, 16}, address, 1559731985));
}

TEST(ServerCookie, EngineIssuesAndAcceptsCookies) {
    Settings s;
    s.cookie_secret = kSecret;
    const Engine engine(s);
    const zone::ZoneTable zones({zone_from("example.", {"@ 60 SOA ns h 1 2 3 4 5", "www 60 A 192.0.2.1"})});
    QueryOptions o;
    o.cookie = hex("2464c4abcf10c957");
    const auto first = exchange(engine, zones, make_query("www.example.", dns::RRType::A, o));
    EXPECT_EQ(first.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(first.count(dns::Section::Answer), 1u);
    const auto* cookie = first.option(dns::EdnsOptionCode::COOKIE);
    ASSERT_NE(cookie, nullptr);
    ASSERT_EQ(cookie->data.size(), 24u);
    EXPECT_TRUE(std::equal(o.cookie.begin(), o.cookie.end(), cookie->data.begin()));

    // Presenting it again: accepted (and echoed while young).
    QueryOptions again;
    again.cookie = cookie->data;
    const auto second = exchange(engine, zones, make_query("www.example.", dns::RRType::A, again));
    EXPECT_EQ(second.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(second.option(dns::EdnsOptionCode::COOKIE)->data, cookie->data);

    // A cookie-only query (no question) learns the cookie.
    QueryOptions only;
    only.cookie = o.cookie;
    only.question = false;
    const auto learn = exchange(engine, zones, make_query("", dns::RRType::A, only));
    EXPECT_EQ(learn.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(learn.message.questions.size(), 0u);
    ASSERT_NE(learn.option(dns::EdnsOptionCode::COOKIE), nullptr);

    // A wrong server cookie: still answered, with a fresh cookie...
    QueryOptions wrong;
    wrong.cookie = cookie->data;
    wrong.cookie[20] ^= 0xFF;
    const auto bad = exchange(engine, zones, make_query("www.example.", dns::RRType::A, wrong));
    EXPECT_EQ(bad.message.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(bad.option(dns::EdnsOptionCode::COOKIE)->data, cookie->data);
    // ...unless the server requires cookies over UDP: BADCOOKIE with a fresh one.
    Settings strict = s;
    strict.require_cookie_udp = true;
    const auto refused = exchange(Engine(strict), zones, make_query("www.example.", dns::RRType::A, wrong));
    EXPECT_EQ(refused.message.rcode(), dns::Rcode::BADCOOKIE);
    EXPECT_EQ(refused.count(dns::Section::Answer), 0u);
    EXPECT_EQ(refused.option(dns::EdnsOptionCode::COOKIE)->data, cookie->data);
    EXPECT_EQ(
        exchange(Engine(strict), zones, make_query("www.example.", dns::RRType::A, wrong), Transport::tcp)
            .message.rcode(),
        dns::Rcode::NOERROR);

    // A malformed COOKIE (9 octets) is FORMERR.
    QueryOptions malformed;
    malformed.cookie = hex("2464c4abcf10c95700");
    EXPECT_EQ(exchange(engine, zones, make_query("www.example.", dns::RRType::A, malformed)).message.rcode(),
              dns::Rcode::FORMERR);
}
