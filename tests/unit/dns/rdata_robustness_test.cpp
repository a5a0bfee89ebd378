// Mutated wire and text input: never a crash, and whatever wire form is accepted prints to text that reads
// back to the same wire (directly and through the RFC 3597 generic form).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dns/rdata.hpp"

using namespace cairn::dns;

namespace {

const Name kOrigin = Name::from_text("example.com.");

struct Sample {
    RRType type;
    std::string_view text;
};

const Sample kSamples[] = {
    {RRType::A, "192.0.2.1"},
    {RRType::AAAA, "2001:db8::1"},
    {RRType::NS, "ns1"},
    {RRType::SOA, "ns1 host 1 2 3 4 5"},
    {RRType::MX, "10 mail"},
    {RRType::TXT, "abc \"d e\" \"\""},
    {RRType::HINFO, "a b"},
    {RRType::SRV, "1 2 3 t"},
    {RRType::NAPTR, "1 2 S SIP \"!^.*$!x!\" ."},
    {RRType::CAA, "0 issue \"ca.example\""},
    {RRType::DS, "1 8 1 0102030405060708090A0B0C0D0E0F1011121314"},
    {RRType::SSHFP, "1 1 0102030405060708090A0B0C0D0E0F1011121314"},
    {RRType::TLSA, "3 1 1 0102"},
    {RRType::DNSKEY, "257 3 8 AwEAAQ=="},
    {RRType::RRSIG, "A 8 2 3600 20340201000000 20240101000000 1 example.com. AwEAAQ=="},
    {RRType::NSEC, "a.example.com. A NS TYPE1000"},
    {RRType::NSEC3, "1 1 10 AABB 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG"},
    {RRType::NSEC3PARAM, "1 0 1 AB"},
    {RRType::CSYNC, "1 3 A NS"},
    {RRType::ZONEMD,
     "1 1 1 "
     "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F"},
    {RRType::SVCB,
     "1 t alpn=h2,h3 port=443 ipv4hint=192.0.2.1 ech=AAAA ipv6hint=::1 key999=x mandatory=alpn"},
    {RRType::HTTPS, "0 ."},
    {RRType::LOC, "52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m"},
    {RRType::APL, "1:192.168.32.0/21 !2:2001:db8::/32"},
    {RRType::IPSECKEY, "10 3 2 gw AQID"},
    {RRType::HIP, "2 0102 AwEAAQ== rvs"},
    {RRType::URI, "1 2 \"x\""},
    {RRType::CERT, "PGP 1 2 AQID"},
    {RRType::EUI48, "00-00-5e-00-53-2a"},
    {RRType::RP, "a b"},
    {RRType::DNAME, "x"},
    {RRType::OPENPGPKEY, "AQID"},
    {static_cast<RRType>(22), "0x47000580"},                  // NSAP
    {static_cast<RRType>(259), "0 1 2 \"text/plain\" aGk="},  // DOA
    {static_cast<RRType>(260), "10 1 3 relay"},               // AMTRELAY
    {static_cast<RRType>(260), "10 0 2 2001:db8::1"},         // AMTRELAY
    {static_cast<RRType>(25), "256 3 8 AwEAAQ=="},            // KEY
    {static_cast<RRType>(20), "a b"},                         // ISDN
    {static_cast<RRType>(104), "10 1:2:3:4"},                 // NID
};

void check_accepted(RRType type, const std::vector<std::uint8_t>& wire) {
    const std::string text = rdata_to_text(type, wire);
    std::vector<std::uint8_t> back;
    ASSERT_NO_THROW(back = rdata_from_text(type, text, kOrigin)) << type_to_text(type) << " " << text;
    EXPECT_EQ(back, wire) << type_to_text(type) << " " << text;
    EXPECT_EQ(rdata_from_text(type, rdata_to_generic_text(wire), kOrigin), wire);
    EXPECT_NO_THROW(for_each_rdata_name(type, wire, [](std::size_t, std::size_t) {}));
    EXPECT_EQ(rdata_canonical(type, wire).size(), wire.size());
}

TEST(RdataRobustness, MutatedWireRoundTripsOrIsRejected) {
    std::mt19937 rng(12345);
    int accepted = 0;
    for (const auto& sample : kSamples) {
        const auto valid = rdata_from_text(sample.type, sample.text, kOrigin);
        for (int iteration = 0; iteration < 400; ++iteration) {
            auto wire = valid;
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                switch (rng() % 4) {
                    case 0:
                        if (!wire.empty()) wire[rng() % wire.size()] = static_cast<std::uint8_t>(rng());
                        break;
                    case 1:
                        if (!wire.empty()) wire.resize(rng() % wire.size());
                        break;
                    case 2:
                        wire.push_back(static_cast<std::uint8_t>(rng()));
                        break;
                    default:
                        if (!wire.empty())
                            wire[rng() % wire.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                }
            }
            std::vector<std::uint8_t> read;
            try {
                read = rdata_from_wire(sample.type, wire, 0, wire.size());
            } catch (const ParseError&) {
                continue;
            }
            ++accepted;
            EXPECT_EQ(read, wire);
            check_accepted(sample.type, read);
        }
    }
    EXPECT_GT(accepted, 1000);  // the mutations do reach the printers
}

TEST(RdataRobustness, MutatedTextIsParsedOrRejected) {
    std::mt19937 rng(777);
    const std::string_view alphabet = "0123456789abcdefAZ.:-=,\\\"() ;@#$/!";
    for (const auto& sample : kSamples) {
        for (int iteration = 0; iteration < 300; ++iteration) {
            std::string text(sample.text);
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                const std::size_t at = text.empty() ? 0 : rng() % text.size();
                const char c = alphabet[rng() % alphabet.size()];
                if (rng() % 2 && !text.empty()) {
                    text[at] = c;
                } else {
                    text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
                }
            }
            std::vector<std::uint8_t> wire;
            try {
                wire = rdata_from_text(sample.type, text, kOrigin);
            } catch (const ParseError&) {
                continue;
            }
            // Accepted text gives wire the wire reader accepts too.
            EXPECT_NO_THROW(rdata_from_wire(sample.type, wire, 0, wire.size()))
                << type_to_text(sample.type) << " " << text;
            check_accepted(sample.type, wire);
        }
    }
}

}  // namespace
