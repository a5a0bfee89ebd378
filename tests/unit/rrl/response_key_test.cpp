#include "rrl/response_key.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "dns/message_builder.hpp"
#include "dns/name.hpp"

namespace cairn::rrl {
namespace {

using dns::Name;
using dns::RRClass;
using dns::RRType;
using dns::Section;

// A response as the server writes it: question, then the records given, names compressed.
struct Response {
    std::array<std::uint8_t, 512> buffer{};
    dns::MessageBuilder b{buffer};
    Response(const char* qname, RRType qtype, dns::Rcode rcode, bool aa) {
        b.reset();
        b.header().qr = true;
        b.header().aa = aa;
        b.set_rcode(rcode);
        b.add_question(Name::from_text(qname), qtype, RRClass::IN);
    }
    Response& rr(Section section, const char* owner, RRType type, std::vector<std::uint8_t> rdata) {
        b.start_section(section);
        b.add_rr(Name::from_text(owner), type, RRClass::IN, 300, rdata);
        return *this;
    }
    std::span<const std::uint8_t> wire() { return b.finish(); }
};

const std::vector<std::uint8_t> kAddress = {192, 0, 2, 1};
const std::vector<std::uint8_t> kSoa(22, 0);  // two root names and five numbers: shape only

std::vector<std::uint8_t> name_bytes(const char* text) {
    const Name name = Name::from_text(text);
    return {name.wire().begin(), name.wire().end()};
}

std::uint64_t hash_of(const char* name) {
    return dns::wire_name_hash(Name::from_text(name).wire());
}

ResponseKey answer_to(const char* qname) {
    Response r(qname, RRType::A, dns::Rcode::NOERROR, true);
    r.rr(Section::Answer, qname, RRType::A, kAddress);
    return describe_response(r.wire(), {});
}

TEST(ResponseKey, AnswersCountPerNameAndType) {
    const ResponseKey key = answer_to("WWW.example.");
    EXPECT_EQ(key.kind, ResponseKind::answer);
    EXPECT_EQ(key.qtype, 1);
    EXPECT_EQ(key.qclass, 1);
    EXPECT_EQ(key.name_hash, answer_to("www.EXAMPLE.").name_hash);  // case folded
    EXPECT_NE(key.name_hash, answer_to("www2.example.").name_hash);
    EXPECT_NE(key.name_hash, answer_to("a-much-longer-name-than-eight.example.").name_hash);
    EXPECT_NE(answer_to("a-much-longer-name-than-eight.example.").name_hash,
              answer_to("a-much-longer-name-than-eight.example.net.").name_hash);
}

TEST(ResponseKey, WildcardAnswersCountAsTheZonesStar) {
    const Name zone = Name::from_text("example.");
    Response a("random1.example.", RRType::A, dns::Rcode::NOERROR, true);
    a.rr(Section::Answer, "random1.example.", RRType::A, kAddress);
    Response b("random2.example.", RRType::A, dns::Rcode::NOERROR, true);
    b.rr(Section::Answer, "random2.example.", RRType::A, kAddress);
    const ResponseFacts wild{dns::Rcode::NOERROR, true, zone.wire()};
    const ResponseKey ka = describe_response(a.wire(), wild);
    const ResponseKey kb = describe_response(b.wire(), wild);
    EXPECT_EQ(ka.name_hash, kb.name_hash);
    EXPECT_EQ(ka.name_hash, hash_of("*.example."));
}

TEST(ResponseKey, ReferralsCountPerDelegationPoint) {
    Response a("a.sub.example.", RRType::A, dns::Rcode::NOERROR, false);
    a.rr(Section::Authority, "sub.example.", RRType::NS, name_bytes("ns.sub.example."));
    Response b("b.c.sub.example.", RRType::MX, dns::Rcode::NOERROR, false);
    b.rr(Section::Authority, "sub.example.", RRType::NS, name_bytes("ns.sub.example."));
    const ResponseKey ka = describe_response(a.wire(), {});
    const ResponseKey kb = describe_response(b.wire(), {});
    EXPECT_EQ(ka.kind, ResponseKind::referral);
    EXPECT_EQ(ka.name_hash, hash_of("sub.example."));
    EXPECT_EQ(kb.name_hash, ka.name_hash);
    EXPECT_EQ(ka.qtype, 0);  // no qtype in an empty answer
}

TEST(ResponseKey, NodataCountsPerNameWhateverTheType) {
    Response a("www.example.", RRType::MX, dns::Rcode::NOERROR, true);
    a.rr(Section::Authority, "example.", RRType::SOA, kSoa);
    const ResponseKey key = describe_response(a.wire(), {});
    EXPECT_EQ(key.kind, ResponseKind::nodata);
    EXPECT_EQ(key.name_hash, answer_to("www.example.").name_hash);
    EXPECT_EQ(key.qtype, 0);
}

TEST(ResponseKey, NxdomainCountsPerZone) {
    Response a("nope1.example.", RRType::A, dns::Rcode::NXDOMAIN, true);
    a.rr(Section::Authority, "example.", RRType::SOA, kSoa);
    Response b("nope2.deep.example.", RRType::TXT, dns::Rcode::NXDOMAIN, true);
    b.rr(Section::Authority, "example.", RRType::SOA, kSoa);
    const ResponseFacts nxdomain{dns::Rcode::NXDOMAIN, false, {}};
    const ResponseKey ka = describe_response(a.wire(), nxdomain);
    EXPECT_EQ(ka.kind, ResponseKind::nxdomain);
    EXPECT_EQ(ka.name_hash, hash_of("example."));
    EXPECT_EQ(describe_response(b.wire(), nxdomain).name_hash, ka.name_hash);
    // Without an SOA (it did not fit) the zone the engine names stands in.
    Response c("nope3.example.", RRType::A, dns::Rcode::NXDOMAIN, true);
    const Name zone = Name::from_text("example.");
    EXPECT_EQ(describe_response(c.wire(), {dns::Rcode::NXDOMAIN, false, zone.wire()}).name_hash,
              ka.name_hash);
}

TEST(ResponseKey, EveryOtherRcodeIsOneError) {
    Response a("www.example.", RRType::A, dns::Rcode::REFUSED, false);
    Response b("other.test.", RRType::MX, dns::Rcode::SERVFAIL, false);
    const ResponseKey ka = describe_response(a.wire(), {dns::Rcode::REFUSED, false, {}});
    const ResponseKey kb = describe_response(b.wire(), {dns::Rcode::SERVFAIL, false, {}});
    EXPECT_EQ(ka.kind, ResponseKind::error);
    EXPECT_EQ(kb.kind, ResponseKind::error);
    EXPECT_EQ(ka.name_hash, kb.name_hash);
    EXPECT_EQ(ka.qtype, kb.qtype);
}

TEST(ResponseKey, MalformedOrQuestionlessResponsesAreErrors) {
    const std::vector<std::uint8_t> header_only = {0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(describe_response(header_only, {}).kind, ResponseKind::error);
    std::vector<std::uint8_t> loop = {0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
    EXPECT_EQ(describe_response(loop, {}).kind, ResponseKind::error);
    std::uint64_t h = 0;
    EXPECT_FALSE(hash_message_name(loop, 12, h));
}

}  // namespace
}  // namespace cairn::rrl
