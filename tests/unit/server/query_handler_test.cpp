#include "server/query_handler.hpp"

#include <gtest/gtest.h>

#include <ctime>

#include "../auth/auth_test_util.hpp"
#include "dns/message.hpp"
#include "server/log_setup.hpp"
#include "test_acl.hpp"

namespace cairn::server {
namespace {

using auth::testing::make_query;
using auth::testing::without_edns;

std::shared_ptr<const zone::Zone> zone_with_www(const std::string& origin, const std::string& address) {
    return auth::testing::zone_from(origin, {"@ 300 SOA ns1 hostmaster 1 3600 600 86400 300", "@ 300 NS ns1",
                                             "ns1 300 A 127.0.0.1", "www 300 A " + address});
}

using testing::acl;

ServedView view_of(std::string name, std::vector<std::shared_ptr<const zone::Zone>> zones) {
    ServedView view;
    view.name = std::move(name);
    view.zones = zone::ZoneTable(std::move(zones));
    return view;
}

net::ClientInfo client_at(const char* source, const char* destination = "127.0.0.1",
                          net::Transport transport = net::Transport::udp) {
    net::ClientInfo client;
    client.source = {*dns::IpAddress::parse(source), 40000};
    client.destination = {*dns::IpAddress::parse(destination), 53};
    client.transport = transport;
    return client;
}

struct Reply {
    dns::Message message;
    std::size_t size = 0;

    dns::Rcode rcode() const { return static_cast<dns::Rcode>(message.header.rcode); }
    std::string first_answer() const {
        const auto& answers = message.section(dns::Section::Answer);
        return answers.empty() ? "" : dns::rdata_to_text(answers[0].type, answers[0].rdata);
    }
};

class QueryHandlerTest : public ::testing::Test {
  protected:
    Reply ask(const std::string& name, const net::ClientInfo& client, bool edns = false) {
        auto query = make_query(name, dns::RRType::A, edns ? auth::testing::QueryOptions{} : without_edns());
        std::vector<std::uint8_t> out(4096);
        handler_.begin_batch(0);
        Reply reply;
        reply.size = handler_.handle(query, out, client);
        handler_.end_batch(0);
        out.resize(reply.size);
        if (reply.size > 0) reply.message = dns::parse_message(out);
        EXPECT_EQ(reply.message.header.id, 0x1234);
        return reply;
    }
    void serve(std::vector<ServedView> views) {
        auto state = std::make_unique<ServingState>();
        state->views = std::move(views);
        published_.publish(std::move(state));
    }

    Published<ServingState> published_{1};
    QueryHandler handler_{published_, auth::Settings{}};
};

TEST_F(QueryHandlerTest, AnswersFromTheZone) {
    serve({view_of("_default", {zone_with_www("example.test.", "192.0.2.1")})});
    const Reply reply = ask("www.example.test.", client_at("127.0.0.1"));
    EXPECT_EQ(reply.rcode(), dns::Rcode::NOERROR);
    EXPECT_EQ(reply.first_answer(), "192.0.2.1");
}

TEST_F(QueryHandlerTest, AllowQueryRefusesOthersAndAnswersTheListed) {
    auto open = zone_with_www("open.test.", "192.0.2.1");
    auto closed = zone_with_www("closed.test.", "192.0.2.2");
    ServedView view = view_of("_default", {open, closed});
    view.allow_query.emplace(closed.get(), QueryAccess{acl({"192.0.2.0/24"}), {}});
    view.restricts_queries = true;
    serve({std::move(view)});

    const Reply refused = ask("www.closed.test.", client_at("127.0.0.1"), true);
    EXPECT_EQ(refused.rcode(), dns::Rcode::REFUSED);
    EXPECT_TRUE(refused.message.section(dns::Section::Answer).empty());
    EXPECT_TRUE(refused.message.edns.has_value());  // EDNS queries get EDNS replies, refusals too
    EXPECT_EQ(refused.message.questions.size(), 1u);

    EXPECT_EQ(ask("www.closed.test.", client_at("192.0.2.9")).first_answer(), "192.0.2.2");
    EXPECT_EQ(ask("www.open.test.", client_at("127.0.0.1")).first_answer(), "192.0.2.1");
}

TEST_F(QueryHandlerTest, AllowQueryOnLooksAtTheQueriedAddress) {
    auto zone = zone_with_www("inside.test.", "192.0.2.3");
    ServedView view = view_of("_default", {zone});
    view.allow_query.emplace(zone.get(), QueryAccess{{}, acl({"127.0.0.2"})});
    view.restricts_queries = true;
    serve({std::move(view)});
    EXPECT_EQ(ask("www.inside.test.", client_at("127.0.0.1", "127.0.0.1")).rcode(), dns::Rcode::REFUSED);
    EXPECT_EQ(ask("www.inside.test.", client_at("127.0.0.1", "127.0.0.2")).first_answer(), "192.0.2.3");
}

TEST_F(QueryHandlerTest, ViewsMatchOnSourceThenDestination) {
    ServedView internal = view_of("internal", {zone_with_www("split.test.", "10.0.0.1")});
    internal.match_clients = acl({"10.0.0.0/8"});
    ServedView second_address = view_of("second", {zone_with_www("split.test.", "192.0.2.2")});
    second_address.match_destinations = acl({"127.0.0.2"});
    ServedView external = view_of("external", {zone_with_www("split.test.", "192.0.2.1")});
    serve({std::move(internal), std::move(second_address), std::move(external)});

    EXPECT_EQ(ask("www.split.test.", client_at("10.1.2.3")).first_answer(), "10.0.0.1");
    EXPECT_EQ(ask("www.split.test.", client_at("127.0.0.1", "127.0.0.2")).first_answer(), "192.0.2.2");
    EXPECT_EQ(ask("www.split.test.", client_at("127.0.0.1")).first_answer(), "192.0.2.1");
}

TEST_F(QueryHandlerTest, NoMatchingViewIsRefused) {
    ServedView only = view_of("internal", {zone_with_www("split.test.", "10.0.0.1")});
    only.match_clients = acl({"10.0.0.0/8"});
    serve({std::move(only)});
    EXPECT_EQ(ask("www.split.test.", client_at("127.0.0.1")).rcode(), dns::Rcode::REFUSED);
}

TEST(WriteRefused, DropsWhatMustNotBeAnsweredAndFormerrsGarbage) {
    std::vector<std::uint8_t> out(512);
    EXPECT_EQ(write_refused(std::vector<std::uint8_t>{1, 2, 3}, out, true), 0u);  // shorter than a header
    auto response = make_query("www.example.test.", dns::RRType::A);
    response[2] |= 0x80;  // QR: a response, never answered
    EXPECT_EQ(write_refused(response, out, true), 0u);
    auto garbage = make_query("www.example.test.", dns::RRType::A, without_edns());
    garbage.push_back(0xff);  // trailing octet
    const std::size_t size = write_refused(garbage, out, true);
    ASSERT_GE(size, 12u);
    EXPECT_EQ(out[3] & 0x0f, static_cast<int>(dns::Rcode::FORMERR));
}

}  // namespace
}  // namespace cairn::server

namespace cairn::server {
namespace {

std::shared_ptr<RateLimit> rate_limit(std::uint32_t per_second, std::optional<AccessList> exempt = {},
                                      bool log_only = false) {
    rrl::Limits limits;
    limits.responses_per_second = limits.nxdomains_per_second = limits.errors_per_second = per_second;
    limits.log_only = log_only;
    return std::make_shared<RateLimit>(limits, std::move(exempt));
}

class RateLimitTest : public QueryHandlerTest {
  protected:
    void serve_limited(std::shared_ptr<RateLimit> limit) {
        ServedView view = view_of("_default", {zone_with_www("example.test.", "192.0.2.1")});
        view.rate_limit = std::move(limit);
        serve({std::move(view)});
        handler_.set_observers(&stats_, nullptr);
        stats_.set_view_names({"_default"});
    }
    struct Tally {
        int answered = 0, truncated = 0, dropped = 0;
    };
    Tally flood(const char* source, int count, net::Transport transport = net::Transport::udp) {
        Tally t;
        const auto query = make_query("www.example.test.", dns::RRType::A, without_edns());
        std::vector<std::uint8_t> out(4096);
        for (int i = 0; i < count; ++i) {
            handler_.begin_batch(0);
            Reply reply;
            reply.size = handler_.handle(query, out, client_at(source, "127.0.0.1", transport));
            handler_.end_batch(0);
            if (reply.size > 0) reply.message = dns::parse_message(std::span(out).first(reply.size));
            if (reply.size == 0) {
                ++t.dropped;
            } else if (reply.message.header.tc) {
                ++t.truncated;
                EXPECT_TRUE(reply.message.section(dns::Section::Answer).empty());
                EXPECT_EQ(reply.message.questions.size(), 1u);
            } else {
                ++t.answered;
            }
        }
        return t;
    }
    stats::Statistics stats_{1};
};

TEST_F(RateLimitTest, OverTheRateEveryOtherResponseSlipsTruncatedAndTheRestAreDropped) {
    serve_limited(rate_limit(5));
    const Tally t = flood("127.58.1.1", 25);
    EXPECT_EQ(t.answered, 5);
    EXPECT_EQ(t.truncated, 10);
    EXPECT_EQ(t.dropped, 10);
    const auto counted = stats_.queries().rate_limited;
    ASSERT_EQ(counted.size(), 1u);
    EXPECT_EQ(counted[0].second[0], 10u);  // slipped
    EXPECT_EQ(counted[0].second[1], 10u);  // dropped
    // Another block, and TCP, are not limited.
    EXPECT_EQ(flood("127.58.2.1", 5).answered, 5);
    EXPECT_EQ(flood("127.58.1.1", 10, net::Transport::tcp).answered, 10);
}

TEST_F(RateLimitTest, ExemptClientsAndLogOnlyAreNeverLimited) {
    serve_limited(rate_limit(2, acl({"127.58.3.0/24"})));
    EXPECT_EQ(flood("127.58.3.1", 20).answered, 20);
    EXPECT_EQ(flood("127.58.4.1", 20).answered, 2);
    serve_limited(rate_limit(2, {}, true));
    EXPECT_EQ(flood("127.58.5.1", 20).answered, 20);
    EXPECT_EQ(stats_.queries().rate_limited[0].second[2], 18u);  // logged: would have limited 18
}

TEST_F(RateLimitTest, AClientWithACookieGetsBadcookieAndThenPassesWithIt) {
    serve_limited(rate_limit(1));
    auth::testing::QueryOptions o;
    o.cookie = {1, 2, 3, 4, 5, 6, 7, 8};
    const auto client = client_at("127.58.6.1");
    std::vector<std::uint8_t> out(4096);
    auto send = [&](const std::vector<std::uint8_t>& query) {
        handler_.begin_batch(0);
        const std::size_t size = handler_.handle(query, out, client);
        handler_.end_batch(0);
        return size == 0 ? dns::Message{} : dns::parse_message(std::span(out).first(size));
    };
    const auto query = make_query("www.example.test.", dns::RRType::A, o);
    EXPECT_EQ(send(query).rcode(), dns::Rcode::NOERROR);  // within the rate
    const dns::Message slipped = send(query);
    EXPECT_EQ(slipped.rcode(), dns::Rcode::BADCOOKIE);
    EXPECT_FALSE(slipped.header.tc);
    const auto* cookie = slipped.edns->find(dns::EdnsOptionCode::COOKIE);
    ASSERT_NE(cookie, nullptr);
    ASSERT_EQ(cookie->data.size(), 24u);
    o.cookie = cookie->data;
    const auto with_cookie = make_query("www.example.test.", dns::RRType::A, o);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(send(with_cookie).answer.size(), 1u);  // a valid server cookie: not a forged source
}

TEST_F(RateLimitTest, StopLimitingIsLoggedOnceTheAccountRecoveredAndEarlyWhenTheLimiterEnds) {
    setup_stderr_log("info", false);
    configure_logging({});
    auto limit = rate_limit(2);
    serve_limited(limit);
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(flood("127.58.7.1", 10).answered, 2);
    const auto now = static_cast<std::uint32_t>(::time(nullptr));
    limit->log_changes(now + 30);  // quiet for 30 s: BIND waits 60
    limit->log_changes(now + 61);
    std::string said = ::testing::internal::GetCapturedStderr();
    const std::string what = "responses to 127.58.7.0/24 for www.example.test IN A";
    EXPECT_NE(said.find("limit " + what), std::string::npos) << said;
    EXPECT_EQ(said.find("*stop limiting"), std::string::npos) << said;
    ASSERT_NE(said.find("stop limiting " + what), std::string::npos) << said;
    EXPECT_EQ(said.find("stop limiting " + what), said.rfind("stop limiting " + what)) << said;  // once

    ::testing::internal::CaptureStderr();
    EXPECT_EQ(flood("127.58.8.1", 10).answered, 2);
    serve_limited(nullptr);  // a reload without rate-limit: the old limiter goes
    published_.reclaim();
    limit.reset();
    said = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(said.find("*stop limiting responses to 127.58.8.0/24"), std::string::npos) << said;
    setup_stderr_log("info", false);
}

TEST_F(RateLimitTest, AnAccountStillLimitedAfterHalfAnHourIsLoggedAgainAsContinueLimiting) {
    setup_stderr_log("info", false);
    configure_logging({});
    serve_limited(nullptr);
    const auto query = make_query("www.example.test.", dns::RRType::A, without_edns());
    std::vector<std::uint8_t> answer(4096);
    handler_.begin_batch(0);
    const std::size_t size = handler_.handle(query, answer, client_at("127.58.9.1"));
    handler_.end_batch(0);
    ASSERT_GT(size, 12u);
    auto limit = rate_limit(2);
    const auto client = client_at("127.58.9.1");
    const auth::Settings engine;
    const auth::Result result;
    ::testing::internal::CaptureStderr();
    const std::uint32_t start = 1'800'000'000;
    // Flooded every 30 s for 31 minutes: the account never recovers.
    for (std::uint32_t now = start; now <= start + 1860; now += 30) {
        for (int i = 0; i < 10; ++i) {
            std::vector<std::uint8_t> response(answer.begin(), answer.begin() + static_cast<long>(size));
            response.resize(4096);
            RateLimit::Outcome outcome{};
            limit->apply(query, response, size, result, client, engine, now, outcome);
        }
    }
    const std::string said = ::testing::internal::GetCapturedStderr();
    const std::string what = "responses to 127.58.9.0/24 for www.example.test IN A  (";
    EXPECT_NE(said.find("limit " + what), std::string::npos) << said;
    const auto again = said.find("continue limiting " + what);
    ASSERT_NE(again, std::string::npos) << said;
    EXPECT_EQ(again, said.rfind("continue limiting " + what)) << said;  // once in 31 minutes
    EXPECT_EQ(said.find("stop limiting"), std::string::npos) << said;
    setup_stderr_log("info", false);
}

TEST_F(RateLimitTest, TheTableGrowsFromMinTableSizeAndSaysSo) {
    setup_stderr_log("info", false);
    configure_logging({});
    rrl::Limits limits;
    limits.responses_per_second = limits.nodata_per_second = 5;  // the answers below are NODATA
    limits.min_table_size = 64;
    limits.max_table_size = 256;
    auto limit = std::make_shared<RateLimit>(limits, std::nullopt);
    serve_limited(limit);
    EXPECT_EQ(limit->limiter().table_slots(), 64u);
    const auto now = static_cast<std::uint32_t>(::time(nullptr));
    for (int name = 0; name < 2000; ++name) {
        const auto query = make_query("n" + std::to_string(name) + ".example.test.", dns::RRType::A);
        const auto answer = dns::to_wire(dns::parse_message(query));
        std::vector<std::uint8_t> response(answer.begin(), answer.end());
        response[2] |= 0x80;
        response[3] = 0;
        auth::Result result;
        result.action = auth::Action::send;
        RateLimit::Outcome outcome;
        limit->apply(query, response, response.size(), result, client_at("127.58.9.1"), auth::Settings{}, now,
                     outcome);
    }
    EXPECT_EQ(limit->limiter().table_slots(), 256u);
    ::testing::internal::CaptureStderr();
    limit->log_changes(now + 1);
    const std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(said.find("to 256 RRL entries with 32 bins"), std::string::npos) << said;
}

TEST(WriteSlipped, KeepsNxdomainAndTheQuestion) {
    const auto query = make_query("nope.example.test.", dns::RRType::MX, without_edns());
    std::vector<std::uint8_t> out(512);
    net::ClientInfo client;
    const std::size_t size = write_slipped(query, out, true, true, auth::Settings{}, client, 0);
    const dns::Message m = dns::parse_message(std::span(out).first(size));
    EXPECT_TRUE(m.header.tc);
    EXPECT_TRUE(m.header.aa);
    EXPECT_EQ(m.rcode(), dns::Rcode::NXDOMAIN);
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_EQ(m.questions[0].type, dns::RRType::MX);
    EXPECT_FALSE(m.edns.has_value());
    EXPECT_EQ(write_slipped(std::vector<std::uint8_t>(5), out, false, false, auth::Settings{}, client, 0),
              0u);
}

}  // namespace
}  // namespace cairn::server
