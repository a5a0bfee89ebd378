// Matching a compiled ACL is on the query path: it must not allocate. This file counts allocations around
// evaluate() with ../allocation_counter.hpp (the only file of unit_config that may include it).
#include <gtest/gtest.h>

#include "../allocation_counter.hpp"
#include "config/config.hpp"

namespace cairn::config {
namespace {

TEST(AclAllocation, EvaluateAllocatesNothing) {
    const LoadResult r = load_text("alloc.conf", R"(
acl inner { !10.0.0.1; 10.0.0.0/8; key "k."; };
options { allow-query { !{ !192.0.2.1; 192.0.2.0/24; }; inner; 2001:db8::/32; localhost; key "x."; !any; }; };
)");
    HostNetworks host;
    host.addresses = {*IpPrefix::parse("127.0.0.1")};
    const CompiledAcl acl = r.config.compile(*r.config.options.settings.allow_query, host);
    const dns::Name key = dns::Name::from_text("x.");
    const dns::IpAddress clients[] = {
        *dns::IpAddress::parse("192.0.2.1"),    *dns::IpAddress::parse("10.0.0.1"),
        *dns::IpAddress::parse("10.9.9.9"),     *dns::IpAddress::parse("2001:db8::1"),
        *dns::IpAddress::parse("198.51.100.1"), *dns::IpAddress::parse("127.0.0.1")};
    int allowed = 0;
    const long before = allocation_counter::allocations();
    for (int round = 0; round < 100; ++round) {
        for (const dns::IpAddress& client : clients) {
            allowed += acl.evaluate(client, nullptr) == AclVerdict::Allow;
            allowed += acl.evaluate(client, &key) == AclVerdict::Allow;
        }
    }
    EXPECT_EQ(allocation_counter::allocations() - before, 0);
    // Per round: 192.0.2.1, 10.0.0.1 and 198.51.100.1 only with key x. (their inner lists deny, which is no
    // match, and `!any` ends the list); 10.9.9.9, 2001:db8::1 and 127.0.0.1 with or without it.
    EXPECT_EQ(allowed, 900);
}

}  // namespace
}  // namespace cairn::config
