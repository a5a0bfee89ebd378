// The secondary's checks on what a primary sends: every broken stream is a TransferError of the right kind.
#include "xfr/inbound.hpp"

#include <gtest/gtest.h>

#include "dns/message_builder.hpp"
#include "xfr/outbound.hpp"
#include "xfr/request.hpp"
#include "xfr_test_util.hpp"

namespace cairn::xfr {
namespace {

using testing::kOrigin;
using testing::make_zone;
using testing::zone_text;

// A response message with the given answer records, built by hand so tests can break the rules.
std::vector<std::uint8_t> message(const std::vector<zone::Record>& rrs, std::uint16_t id = 1,
                                  dns::Rcode rcode = dns::Rcode::NOERROR, bool question = true,
                                  dns::RRType qtype = dns::RRType::IXFR) {
    std::vector<std::uint8_t> buffer(65535);
    dns::MessageBuilder b(buffer);
    b.reset();
    b.header().id = id;
    b.header().qr = true;
    b.header().aa = true;
    b.set_rcode(rcode);
    if (question) b.add_question(kOrigin, qtype, dns::RRClass::IN);
    b.start_section(dns::Section::Answer);
    for (const zone::Record& r : rrs)
        EXPECT_TRUE(b.add_rr(r.owner, r.type, r.rclass, r.ttl, r.rdata));
    const auto w = b.finish();
    return {w.begin(), w.end()};
}

zone::Record soa(std::uint32_t serial) {
    return zone::soa_record(*make_zone(zone_text(serial, 0)));
}

zone::Record a(std::string_view owner, std::string_view address = "192.0.2.7") {
    return zone::Record{dns::Name::from_text(owner, kOrigin), dns::RRType::A, dns::RRClass::IN, 60,
                        dns::rdata_from_text(dns::RRType::A, address, kOrigin)};
}

InboundParser parser(dns::RRType type = dns::RRType::IXFR, std::optional<std::uint32_t> ours = 5) {
    InboundOptions o;
    o.zone = kOrigin;
    o.type = type;
    o.query_id = 1;
    o.our_serial = ours;
    return InboundParser(std::move(o));
}

FailureKind failure(const std::vector<std::vector<std::uint8_t>>& messages,
                    dns::RRType type = dns::RRType::IXFR, std::string* what = nullptr) {
    InboundParser p = parser(type);
    try {
        for (const auto& m : messages)
            p.feed(m);
        p.finish();
    } catch (const TransferError& e) {
        if (what) *what = e.what();
        return e.kind();
    }
    ADD_FAILURE() << "no failure";
    return FailureKind::Zone;
}

TEST(Inbound, IncrementalSpreadOverMessages) {
    InboundParser p = parser();
    EXPECT_FALSE(p.feed(message({soa(7), soa(5), a("old")})));
    EXPECT_FALSE(p.feed(message({soa(6), a("new"), soa(6)}, 1, dns::Rcode::NOERROR, false)));
    EXPECT_TRUE(p.feed(message({soa(7), a("newer"), soa(7)}, 1, dns::Rcode::NOERROR, false)));
    const InboundResult r = p.finish();
    EXPECT_EQ(r.kind, InboundKind::Incremental);
    ASSERT_EQ(r.diffs.size(), 2u);
    EXPECT_EQ(r.diffs[0].from_serial(), 5u);
    EXPECT_EQ(r.diffs[1].to_serial(), 7u);
    EXPECT_EQ(r.diffs[1].added.size(), 1u);
}

TEST(Inbound, AxfrStyleAnswerToIxfr) {
    InboundParser p = parser();
    EXPECT_TRUE(p.feed(message({soa(9), a("x"), a("y"), soa(9)})));
    EXPECT_EQ(p.finish().kind, InboundKind::Full);
}

TEST(Inbound, ErrorRcodeIsRefused) {
    std::string what;
    EXPECT_EQ(failure({message({}, 1, dns::Rcode::REFUSED)}, dns::RRType::AXFR, &what), FailureKind::Refused);
    EXPECT_NE(what.find("REFUSED"), std::string::npos) << what;
    EXPECT_EQ(failure({message({}, 1, dns::Rcode::NOTAUTH)}), FailureKind::Refused);
}

TEST(Inbound, BrokenStreamsAreMalformed) {
    // wrong ID
    EXPECT_EQ(failure({message({soa(9), soa(9)}, 2)}), FailureKind::Malformed);
    // does not start with the SOA
    EXPECT_EQ(failure({message({a("x"), soa(9)}, 1, dns::Rcode::NOERROR, true, dns::RRType::AXFR)},
                      dns::RRType::AXFR),
              FailureKind::Malformed);
    // final SOA with another serial
    EXPECT_EQ(failure({message({soa(9), a("x"), soa(10)})}), FailureKind::Malformed);
    // data after the final SOA
    EXPECT_EQ(failure({message({soa(9), a("x"), soa(9), a("y")})}), FailureKind::Malformed);
    // a message after the end
    EXPECT_EQ(failure({message({soa(9), a("x"), soa(9)}), message({a("y")}, 1, dns::Rcode::NOERROR, false)}),
              FailureKind::Malformed);
    // a record outside the zone
    EXPECT_EQ(failure({message({soa(9), a("www.example.org."), soa(9)})}), FailureKind::Malformed);
    // a gap between differences
    EXPECT_EQ(failure({message({soa(7), soa(5), soa(6), soa(4), soa(7), soa(7)})}), FailureKind::Malformed);
    // the question of another type
    EXPECT_EQ(failure({message({soa(9), soa(9)}, 1, dns::Rcode::NOERROR, true, dns::RRType::AXFR)}),
              FailureKind::Malformed);
    // bytes that do not parse
    auto bad = message({soa(9), a("x"), soa(9)});
    bad.resize(bad.size() - 3);
    std::string what;
    EXPECT_EQ(failure({bad}, dns::RRType::IXFR, &what), FailureKind::Malformed);
    EXPECT_NE(what.find("does not parse"), std::string::npos) << what;
}

TEST(Inbound, AStreamCutShortIsANetworkFailure) {
    std::string what;
    EXPECT_EQ(failure({message({soa(9), a("x")}, 1, dns::Rcode::NOERROR, true, dns::RRType::AXFR)},
                      dns::RRType::AXFR, &what),
              FailureKind::Network);
    EXPECT_NE(what.find("ended before"), std::string::npos) << what;
    EXPECT_EQ(failure({}, dns::RRType::AXFR), FailureKind::Network);
}

TEST(Inbound, SerialGoneBackwardsIsRefusedByBuildZone) {
    const auto ours = make_zone(zone_text(10, 3));
    InboundParser p = parser(dns::RRType::AXFR);
    p.feed(message({soa(9), a("x"), soa(9)}, 1, dns::Rcode::NOERROR, true, dns::RRType::AXFR));
    const InboundResult r = p.finish();
    try {
        build_zone(r, ours.get());
        FAIL();
    } catch (const TransferError& e) {
        EXPECT_EQ(e.kind(), FailureKind::Serial);
    }
    EXPECT_EQ(build_zone(r, ours.get(), true)->serial(), 9u);  // a forced retransfer may go back
    // across the wrap: 4294967295 -> 1 is newer
    const auto top = make_zone(zone_text(4294967295u, 3));
    InboundParser q = parser(dns::RRType::AXFR);
    q.feed(message({soa(1), a("x"), soa(1)}, 1, dns::Rcode::NOERROR, true, dns::RRType::AXFR));
    EXPECT_EQ(build_zone(q.finish(), top.get())->serial(), 1u);
}

TEST(Inbound, DifferencesThatDoNotFitOurCopyAreAZoneFailure) {
    const auto ours = make_zone(zone_text(5, 3));
    InboundParser p = parser();
    p.feed(message({soa(6), soa(5), a("not-there"), soa(6), soa(6)}));
    try {
        build_zone(p.finish(), ours.get());
        FAIL();
    } catch (const TransferError& e) {
        EXPECT_EQ(e.kind(), FailureKind::Zone);
        EXPECT_NE(std::string(e.what()).find("not-there"), std::string::npos) << e.what();
    }
}

TEST(Inbound, TheSoaAloneInTheFirstIxfrMessageMeansUpToDate) {
    InboundParser p = parser();
    EXPECT_TRUE(p.feed(message({soa(5)})));
    EXPECT_EQ(p.finish().kind, InboundKind::UpToDate);
}

}  // namespace
}  // namespace cairn::xfr
