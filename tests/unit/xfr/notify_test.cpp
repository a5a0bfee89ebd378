#include "xfr/notify.hpp"

#include <gtest/gtest.h>

#include "dns/message.hpp"
#include "xfr_test_util.hpp"

namespace cairn::xfr {
namespace {

using testing::kOrigin;
using testing::make_zone;

TEST(Notify, RequestRoundTripsWithTheSerialHint) {
    const auto zone = make_zone(testing::zone_text(77, 1));
    const zone::Record soa = zone::soa_record(*zone);
    const auto wire = build_notify(kOrigin, &soa, 321);
    const dns::Message m = dns::parse_message(wire);
    EXPECT_EQ(m.header.opcode, dns::Opcode::NOTIFY);
    EXPECT_TRUE(m.header.aa);
    EXPECT_FALSE(m.header.qr);
    const NotifyRequest r = read_notify(wire);
    EXPECT_EQ(r.id, 321);
    EXPECT_EQ(r.zone, kOrigin);
    EXPECT_EQ(r.serial, 77u);
    EXPECT_FALSE(read_notify(build_notify(kOrigin, nullptr, 1)).serial.has_value());
}

TEST(Notify, RejectsWhatIsNotANotify) {
    auto wire = build_notify(kOrigin, nullptr, 1);
    wire[2] |= 0x80;  // a response
    EXPECT_THROW(read_notify(wire), dns::ParseError);
    wire = build_notify(kOrigin, nullptr, 1);
    wire[2] &= static_cast<std::uint8_t>(~0x78);  // opcode QUERY
    EXPECT_THROW(read_notify(wire), dns::ParseError);
    EXPECT_THROW(read_notify(std::vector<std::uint8_t>(4)), dns::ParseError);
}

TEST(Notify, ResponseEchoesTheQuestion) {
    const auto request = build_notify(kOrigin, nullptr, 99);
    std::vector<std::uint8_t> out(512);
    std::size_t n = write_notify_response(request, out);
    dns::Message m = dns::parse_message(std::span(out).first(n));
    EXPECT_TRUE(m.header.qr);
    EXPECT_TRUE(m.header.aa);
    EXPECT_EQ(m.header.id, 99);
    EXPECT_EQ(m.header.opcode, dns::Opcode::NOTIFY);
    EXPECT_EQ(m.rcode(), dns::Rcode::NOERROR);
    ASSERT_EQ(m.questions.size(), 1u);
    EXPECT_EQ(m.questions[0].type, dns::RRType::SOA);
    n = write_notify_response(request, out, dns::Rcode::REFUSED);
    m = dns::parse_message(std::span(out).first(n));
    EXPECT_EQ(m.rcode(), dns::Rcode::REFUSED);
    EXPECT_FALSE(m.header.aa);
}

TEST(Notify, TargetsAreNsAddressesFromTheZoneMinusThePrimaryAndOurselves) {
    // ns1 is the SOA MNAME (the primary): not notified. ns2 and ns3 have addresses in the zone; the
    // out-of-zone ns4 has none and is reported.
    const auto zone = make_zone(
        "$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 604800 300\n"
        "  NS ns1\n  NS ns2\n  NS ns3\n  NS ns4.example.net.\n"
        "ns1 A 192.0.2.1\nns2 A 192.0.2.2\nns2 AAAA 2001:db8::2\nns3 A 192.0.2.3\n"
        "sub NS ns.sub\nns.sub A 192.0.2.50\n");  // a delegation's NS is not the zone's
    NotifyTargets t = notify_targets(*zone, NotifyMode::Yes, {"198.51.100.9", "192.0.2.2"}, {"192.0.2.3"});
    EXPECT_EQ(t.addresses, (std::vector<std::string>{"192.0.2.2", "2001:db8::2", "198.51.100.9"}));
    EXPECT_EQ(t.ourselves, (std::vector<std::string>{"192.0.2.3"}));
    ASSERT_EQ(t.unresolved.size(), 1u);
    EXPECT_EQ(t.unresolved[0], dns::Name::from_text("ns4.example.net."));

    t = notify_targets(*zone, NotifyMode::Explicit, {"198.51.100.9"}, {});
    EXPECT_EQ(t.addresses, (std::vector<std::string>{"198.51.100.9"}));
    EXPECT_TRUE(notify_targets(*zone, NotifyMode::No, {"198.51.100.9"}, {}).addresses.empty());
}

TEST(NotifyRound, RetriesWithBackoffUntilAnsweredOrGivenUp) {
    NotifyRound round({"a", "b"}, 100, 2, 3);
    EXPECT_EQ(round.due(100), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(round.due(101).empty());
    EXPECT_EQ(round.next_event(), 102);
    round.answered("a");
    EXPECT_EQ(round.due(102), (std::vector<std::string>{"b"}));  // second send after 2 s
    EXPECT_TRUE(round.due(105).empty());
    EXPECT_EQ(round.due(106), (std::vector<std::string>{"b"}));  // third after 4 more
    EXPECT_FALSE(round.finished());
    EXPECT_TRUE(round.due(113).empty());  // 8 s for the last one to be answered
    EXPECT_FALSE(round.finished());
    EXPECT_TRUE(round.due(114).empty());
    EXPECT_TRUE(round.finished());
    EXPECT_EQ(round.given_up(), (std::vector<std::string>{"b"}));
}

TEST(NotifyRound, AnsweredTargetsFinishTheRound) {
    NotifyRound round({"a"}, 0);
    round.due(0);
    round.answered("a");
    EXPECT_TRUE(round.finished());
    EXPECT_TRUE(round.given_up().empty());
}

}  // namespace
}  // namespace cairn::xfr
