// View selection is on the query path: with three views whose match-clients lists are compiled from a real
// configuration, a query that only the last view takes walks all three lists, is answered from that view,
// and allocates nothing. This file counts allocations with ../allocation_counter.hpp (no other file of
// unit_server may include it).
#include <gtest/gtest.h>

#include "../allocation_counter.hpp"
#include "../auth/auth_test_util.hpp"
#include "dns/message.hpp"
#include "server/query_handler.hpp"

namespace cairn::server {
namespace {

constexpr const char* kViews = R"(
key "partner-key" { algorithm hmac-sha256; secret "cGFydG5lcg=="; };
acl internal_clients { 10.0.0.0/8; 172.16.0.0/12; 192.168.0.0/16; };
view "internal" { match-clients { internal_clients; }; };
view "partners" { match-clients { !192.0.2.66; 192.0.2.0/24; key partner-key; }; };
view "external" { match-clients { !127.0.0.9; any; }; };
)";

net::ClientInfo client_at(const char* source) {
    net::ClientInfo client;
    client.source = {*dns::IpAddress::parse(source), 40000};
    client.destination = {*dns::IpAddress::parse("127.0.0.1"), 53};
    client.transport = net::Transport::udp;
    return client;
}

TEST(ViewSelection, TheLastOfThreeViewsAnswersWithoutAllocating) {
    const config::Config config = config::load_text("views.conf", kViews).config;
    const config::HostNetworks host;
    auto state = std::make_unique<ServingState>();
    int number = 0;
    for (const config::View& view : config.views) {
        ServedView served;
        served.name = view.name;
        served.match_clients = AccessList::from(*view.match_clients, config, host);
        const std::string address = "192.0.2." + std::to_string(++number);
        served.zones = zone::ZoneTable({auth::testing::zone_from(
            "example.", {"@ 300 SOA ns1 hostmaster 1 3600 600 86400 300", "@ 300 NS ns1",
                         "ns1 300 A 127.0.0.1", "www 300 A " + address})});
        state->views.push_back(std::move(served));
    }
    Published<ServingState> published(1);
    published.publish(std::move(state));
    QueryHandler handler(published, auth::Settings{});

    const auto query = auth::testing::make_query("www.example.", dns::RRType::A);
    std::vector<std::uint8_t> out(4096);
    const net::ClientInfo client = client_at("127.0.0.1");
    std::size_t size = 0;
    handler.begin_batch(0);
    const long before = allocation_counter::allocations();
    for (int i = 0; i < 1000; ++i)
        size = handler.handle(query, out, client);
    const long allocations = allocation_counter::allocations() - before;
    handler.end_batch(0);
    EXPECT_EQ(allocations, 0);

    out.resize(size);
    const dns::Message reply = dns::parse_message(out);
    const auto& answers = reply.section(dns::Section::Answer);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(dns::rdata_to_text(answers[0].type, answers[0].rdata), "192.0.2.3");  // the external view

    // The two other views still take their own clients, and 127.0.0.9 none.
    auto answered_by = [&](const char* source) {
        std::vector<std::uint8_t> reply_buffer(4096);
        handler.begin_batch(0);
        reply_buffer.resize(handler.handle(query, reply_buffer, client_at(source)));
        handler.end_batch(0);
        const dns::Message message = dns::parse_message(reply_buffer);
        const auto& records = message.section(dns::Section::Answer);
        return records.empty() ? std::string("refused")
                               : dns::rdata_to_text(records[0].type, records[0].rdata);
    };
    EXPECT_EQ(answered_by("10.1.2.3"), "192.0.2.1");
    EXPECT_EQ(answered_by("192.0.2.7"), "192.0.2.2");
    EXPECT_EQ(answered_by("192.0.2.66"),
              "192.0.2.3");  // denied by partners' first element, taken by external
    EXPECT_EQ(answered_by("127.0.0.9"), "refused");
}

}  // namespace
}  // namespace cairn::server
