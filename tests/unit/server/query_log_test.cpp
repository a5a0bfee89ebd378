#include "server/query_log.hpp"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

QueryLogEntry entry() {
    QueryLogEntry e;
    e.client_id = reinterpret_cast<const void*>(0x7f43516e8098);
    e.client = "127.0.0.1#52298";
    e.qname = "www.example.test.";
    e.qclass = "IN";
    e.qtype = "A";
    e.destination = "127.0.0.1";
    return e;
}

// The lines below are BIND 9.18's own, from its query log for the same queries.
TEST(QueryLog, WritesBindsLayout) {
    QueryLogEntry e = entry();
    e.view = "external";
    e.edns_version = 0;
    e.cookie = true;
    EXPECT_EQ(format_query_log(e),
              "client @0x7f43516e8098 127.0.0.1#52298 (www.example.test): view external: query: "
              "www.example.test IN A -E(0)K (127.0.0.1)");

    e = entry();
    e.recursion_desired = true;
    e.qtype = "AAAA";
    EXPECT_EQ(format_query_log(e),
              "client @0x7f43516e8098 127.0.0.1#52298 (www.example.test): query: www.example.test IN AAAA + "
              "(127.0.0.1)");

    e = entry();
    e.recursion_desired = e.tcp = e.dnssec_ok = e.checking_disabled = e.cookie = true;
    e.edns_version = 0;
    EXPECT_EQ(format_query_log(e),
              "client @0x7f43516e8098 127.0.0.1#52298 (www.example.test): query: www.example.test IN A "
              "+E(0)TDCK (127.0.0.1)");

    e = entry();
    e.recursion_desired = e.cookie = true;
    e.edns_version = 0;
    e.key = "tk.";
    e.view = "internal";
    EXPECT_EQ(format_query_log(e),
              "client @0x7f43516e8098 127.0.0.1#52298/key tk (www.example.test): view internal: query: "
              "www.example.test IN A +SE(0)K (127.0.0.1)");

    e = entry();
    e.recursion_desired = e.cookie = e.valid_server_cookie = true;
    e.edns_version = 0;
    e.view = "_default";
    EXPECT_EQ(format_query_log(e),
              "client @0x7f43516e8098 127.0.0.1#52298 (www.example.test): query: www.example.test IN A "
              "+E(0)V (127.0.0.1)");
}

TEST(QueryLog, TheRootIsADot) {
    QueryLogEntry e = entry();
    e.qname = ".";
    e.qtype = "NS";
    EXPECT_EQ(format_query_log(e),
              "client @0x7f43516e8098 127.0.0.1#52298 (.): query: . IN NS - (127.0.0.1)");
}

}  // namespace
}  // namespace cairn::server
