// The pure parts of the doctor's I/O: reading a referral (NS set and glue) and the queries it sends.
#include "doctor/delegation_walk.hpp"

#include <gtest/gtest.h>

#include "doctor/probe.hpp"
#include "scripted.hpp"

namespace cairn::doctor {
namespace {

using namespace testing;

dns::Name name(const char* text) {
    return dns::Name::from_text(text, dns::Name());
}

TEST(Referral, NsSetAndGlueBelowTheCurrentZone) {
    auto r = answer(dns::Rcode::NOERROR, false, {},
                    {"api.test. 86400 NS ns1.api.test.", "api.test. 86400 NS ns.elsewhere.example."});
    r.message->additional = {rr("ns1.api.test. 86400 A 10.0.9.1"), rr("ns1.api.test. 86400 AAAA 2001:db8::1"),
                             rr("unrelated.test. 86400 A 10.0.9.9")};
    const auto cut = referral_in(*r.message, name("test."), name("www.api.test."));
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->zone, name("api.test."));
    EXPECT_EQ(cut->ns_ttl, 86400u);
    ASSERT_EQ(cut->servers.size(), 2u);
    ASSERT_EQ(cut->addresses.size(), 2u);  // the glueless server has none; unrelated records are not glue
    EXPECT_EQ(cut->addresses[0].second.to_string(), "10.0.9.1");
    EXPECT_EQ(cut->addresses[1].second.to_string(), "2001:db8::1");
}

TEST(Referral, AnswersAndUpwardReferralsAreNotReferrals) {
    const auto aa = answer(dns::Rcode::NOERROR, true, {"www.api.test. 60 A 192.0.2.1"});
    EXPECT_FALSE(referral_in(*aa.message, name("api.test."), name("www.api.test.")));
    // An NS set at or above the zone asked (a lame server pointing back up) is no way down.
    const auto up = answer(dns::Rcode::NOERROR, false, {}, {"test. 86400 NS ns1.test."});
    EXPECT_FALSE(referral_in(*up.message, name("test."), name("www.api.test.")));
    const auto nx = answer(dns::Rcode::NXDOMAIN, false, {}, {"api.test. 86400 NS ns1.api.test."});
    EXPECT_FALSE(referral_in(*nx.message, name("test."), name("www.api.test.")));
}

TEST(Query, ExpireOptionAndFlags) {
    const auto wire =
        make_query(name("api.test."), dns::RRType::SOA, QueryFlags{false, true, true, true, false});
    const auto m = dns::parse_message(wire);
    EXPECT_FALSE(m.header.rd);
    EXPECT_TRUE(m.header.cd);
    ASSERT_TRUE(m.edns);
    EXPECT_TRUE(m.edns->dnssec_ok);
    const auto* expire = m.edns->find(dns::EdnsOptionCode::EXPIRE);
    ASSERT_NE(expire, nullptr);
    EXPECT_TRUE(expire->data.empty());  // RFC 7314 §2: the query carries an empty option
    const auto plain =
        dns::parse_message(make_query(name("www.api.test."), dns::RRType::A, QueryFlags{true}));
    EXPECT_TRUE(plain.header.rd);
    ASSERT_TRUE(plain.edns);
    EXPECT_EQ(plain.edns->find(dns::EdnsOptionCode::EXPIRE), nullptr);
}

}  // namespace
}  // namespace cairn::doctor
