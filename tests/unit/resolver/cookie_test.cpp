// DNS Cookies towards upstream servers (RFC 7873, RFC 9018) on the replay harness: a client cookie to each
// server, its server cookie remembered and sent back, one retry after BADCOOKIE (then TCP), and a reply
// whose client cookie is not ours dropped as spoofed. The fake authorities are cairn's own engine, which
// answers cookies as the authoritative server does.
#include <gtest/gtest.h>

#include <algorithm>

#include "hierarchy.hpp"

namespace cairn::resolver::testing {
namespace {

using dns::RRType;

std::vector<std::uint8_t> cookie_of(const dns::Message& m) {
    if (!m.edns) return {};
    const auto* o = m.edns->find(dns::EdnsOptionCode::COOKIE);
    return o == nullptr ? std::vector<std::uint8_t>{} : o->data;
}

dns::Message badcookie(const dns::Message& query) {
    dns::Message m = reply_to(query, dns::Rcode::NOERROR, false);
    const auto code = static_cast<std::uint16_t>(dns::Rcode::BADCOOKIE);  // 23: needs OPT's extended rcode
    m.header.rcode = static_cast<std::uint8_t>(code & 0xF);
    if (!m.edns) m.edns = dns::Edns{};
    m.edns->extended_rcode = static_cast<std::uint8_t>(code >> 4);
    return m;
}

void set_cookie(dns::Message& m, std::vector<std::uint8_t> cookie) {
    if (!m.edns) m.edns = dns::Edns{};
    m.edns->options.push_back({static_cast<std::uint16_t>(dns::EdnsOptionCode::COOKIE), std::move(cookie)});
}

class Cookies : public ::testing::Test {
  protected:
    void SetUp() override { build_hierarchy(net); }
    Network net;
};

TEST_F(Cookies, EachServerGetsOurClientCookieThenItsOwnServerCookieBack) {
    ResolverContext ctx(test_settings(), net.clock);
    ASSERT_EQ(net.resolve(ctx, "www.example.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    ASSERT_FALSE(net.sent().empty());
    const SentQuery first_to_root = net.sent()[0];
    ASSERT_EQ(first_to_root.cookie.size(), 8u);  // nothing learnt yet: the client cookie alone
    // Another server gets another client cookie.
    const auto com = std::find_if(net.sent().begin(), net.sent().end(),
                                  [](const SentQuery& q) { return q.server == "10.0.1.1"; });
    ASSERT_NE(com, net.sent().end());
    const std::vector<std::uint8_t> com_cookie = com->cookie;
    ASSERT_EQ(com_cookie.size(), 8u);
    EXPECT_NE(com_cookie, first_to_root.cookie);

    net.clear_log();
    ASSERT_EQ(net.resolve(ctx, "www.other.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    const auto again = std::find_if(net.sent().begin(), net.sent().end(),
                                    [](const SentQuery& q) { return q.server == "10.0.1.1"; });
    ASSERT_NE(again, net.sent().end()) << net.log_text();
    // The same client cookie, now with the 16-octet RFC 9018 server cookie com.'s server gave.
    ASSERT_EQ(again->cookie.size(), 24u);
    EXPECT_TRUE(std::equal(com_cookie.begin(), com_cookie.end(), again->cookie.begin()));
    EXPECT_EQ(again->cookie[8], 1);  // version 1
    const StatsSnapshot stats = ctx.stats();
    EXPECT_GE(stats.value(Counter::upstream_cookies_out), 1u);
    EXPECT_GE(stats.value(Counter::upstream_cookies_in), 3u);
}

TEST_F(Cookies, SendCookieNoSendsNone) {
    ResolverSettings s = test_settings();
    s.send_cookie = false;
    ResolverContext ctx(s, net.clock);
    ASSERT_EQ(net.resolve(ctx, "www.example.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    for (const SentQuery& q : net.sent())
        EXPECT_TRUE(q.cookie.empty()) << q.text();
}

TEST_F(Cookies, BadCookieIsRetriedOnceWithTheNewServerCookie) {
    const std::vector<std::uint8_t> fresh = {1, 0, 0, 0, 0x65, 0x92, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9};
    int badcookies = 0;
    net.server("10.1.0.1").script = [&](const dns::Message& query,
                                        const UpstreamQuery&) -> std::optional<ScriptReply> {
        const auto sent = cookie_of(query);
        if (sent.size() == 24 && std::equal(fresh.begin(), fresh.end(), sent.begin() + 8))
            return std::nullopt;
        ++badcookies;
        dns::Message m = badcookie(query);
        std::vector<std::uint8_t> cookie(sent.begin(), sent.begin() + 8);
        cookie.insert(cookie.end(), fresh.begin(), fresh.end());
        set_cookie(m, cookie);
        return ScriptReply::of(m);
    };
    net.server("10.1.0.2").down = true;
    ResolverContext ctx(test_settings(), net.clock);
    const Outcome r = net.resolve(ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << net.log_text();
    EXPECT_EQ(badcookies, 1);
    EXPECT_EQ(ctx.stats().value(Counter::upstream_bad_cookies), 1u);
    const auto n = net.count_sent([](const SentQuery& q) { return q.server == "10.1.0.1"; });
    EXPECT_EQ(n, 2u) << net.log_text();
}

TEST_F(Cookies, ABadCookieServerGetsTcpAfterTheRetry) {
    net.server("10.1.0.1").script = [&](const dns::Message& query,
                                        const UpstreamQuery& upstream) -> std::optional<ScriptReply> {
        if (upstream.transport == UpstreamTransport::tcp) return std::nullopt;
        dns::Message m = badcookie(query);
        auto cookie = cookie_of(query);
        cookie.resize(8);
        cookie.insert(cookie.end(), 16, 7);
        set_cookie(m, cookie);
        return ScriptReply::of(m);
    };
    net.server("10.1.0.2").down = true;
    ResolverContext ctx(test_settings(), net.clock);
    const Outcome r = net.resolve(ctx, "www.example.com.", RRType::A);
    EXPECT_EQ(r.message.rcode(), dns::Rcode::NOERROR) << net.log_text();
    EXPECT_EQ(net.count_sent([](const SentQuery& q) { return q.server == "10.1.0.1" && q.tcp; }), 1u)
        << net.log_text();
}

TEST_F(Cookies, AReplyWithAnotherClientCookieIsDroppedAsSpoofed) {
    net.server("10.1.0.1").script = [&](const dns::Message& query,
                                        const UpstreamQuery&) -> std::optional<ScriptReply> {
        dns::Message forged = reply_to(query);
        forged.answer.push_back(rr("www.example.com. 300 A 6.6.6.6"));
        std::vector<std::uint8_t> cookie = cookie_of(query);
        cookie.resize(8);
        cookie[0] ^= 0xFF;  // not the client cookie we sent
        set_cookie(forged, cookie);
        return ScriptReply::forged_then_real(forged);
    };
    net.server("10.1.0.2").down = true;
    ResolverContext ctx(test_settings(), net.clock);
    const Outcome r = net.resolve(ctx, "www.example.com.", RRType::A);
    auto answer = r.answer();
    std::sort(answer.begin(), answer.end());
    EXPECT_EQ(answer, (std::vector<std::string>{"www.example.com. 300 A 192.0.2.1",
                                                "www.example.com. 300 A 192.0.2.3"}));
    EXPECT_EQ(net.ignored_replies(), 1u);
    EXPECT_EQ(ctx.stats().value(Counter::upstream_cookie_mismatches), 1u);
}

TEST_F(Cookies, AnswersGiveTheClientTheCookieTheServerMade) {
    ResolverContext ctx(test_settings(), net.clock);
    std::vector<std::uint8_t> cookie(24);
    for (std::size_t i = 0; i < cookie.size(); ++i)
        cookie[i] = static_cast<std::uint8_t>(i + 1);
    // A resolution's answer, a SERVFAIL and a cache hit all carry it.
    const auto query = make_query("www.example.com.", RRType::A);
    dns::ParsedQuery parsed;
    ASSERT_EQ(dns::parse_query(query, parsed), dns::QueryStatus::Ok);
    std::vector<std::uint8_t> out(65535);
    const std::size_t hit = ctx.answer_from_cache(parsed, out, false, cookie).size;
    EXPECT_EQ(hit, 0u);  // a miss writes nothing
    ASSERT_EQ(net.resolve(ctx, "www.example.com.", RRType::A).message.rcode(), dns::Rcode::NOERROR);
    const CacheAnswer cached = ctx.answer_from_cache(parsed, out, false, cookie);
    ASSERT_EQ(cached.kind, CacheAnswer::Kind::answer);
    const dns::Message m = dns::parse_message(std::span(out.data(), cached.size));
    EXPECT_EQ(cookie_of(m), cookie);
    EXPECT_EQ(m.answer.size(), 2u);
    // Without a cookie, none.
    const CacheAnswer plain = ctx.answer_from_cache(parsed, out, false);
    EXPECT_TRUE(cookie_of(dns::parse_message(std::span(out.data(), plain.size))).empty());

    net.server("10.1.1.1").down = true;
    ResolverSettings quick = test_settings();
    quick.resolver_query_timeout_ms = 2000;
    ResolverContext other(quick, net.clock);
    const auto failing = make_query("www.other.com.", RRType::A);
    dns::ParsedQuery failing_parsed;
    ASSERT_EQ(dns::parse_query(failing, failing_parsed), dns::QueryStatus::Ok);
    net.resolve(other, "www.other.com.", RRType::A);  // fills the cache with the delegation, then fails
    Resolution again(other, ClientQuestion::from_query(failing_parsed));
    ASSERT_TRUE(again.done());  // the cached failure (servfail-ttl)
    const std::size_t size = again.finish(failing_parsed, out, false, cookie);
    ASSERT_GT(size, 0u);
    const dns::Message failed = dns::parse_message(std::span(out.data(), size));
    EXPECT_EQ(failed.rcode(), dns::Rcode::SERVFAIL);
    EXPECT_EQ(cookie_of(failed), cookie);
}

}  // namespace
}  // namespace cairn::resolver::testing
