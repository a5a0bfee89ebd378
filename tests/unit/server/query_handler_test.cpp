#include "server/query_handler.hpp"

#include <gtest/gtest.h>

#include "../auth/auth_test_util.hpp"
#include "dns/message.hpp"

namespace cairn::server {
namespace {

using auth::testing::make_query;
using auth::testing::without_edns;

std::shared_ptr<const zone::Zone> zone_with_www(const std::string& origin, const std::string& address) {
    return auth::testing::zone_from(origin, {"@ 300 SOA ns1 hostmaster 1 3600 600 86400 300", "@ 300 NS ns1",
                                             "ns1 300 A 127.0.0.1", "www 300 A " + address});
}

AccessList acl(std::initializer_list<const char*> prefixes) {
    config::AddressMatchList list;
    for (const char* text : prefixes) {
        config::AmlElement element;
        element.kind = config::AmlElement::Kind::Prefix;
        element.prefix = *config::IpPrefix::parse(text);
        list.elements.push_back(element);
    }
    return AccessList(config::CompiledAcl::compile(
        list, [](const std::string&) { return nullptr; }, config::HostNetworks{}));
}

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
