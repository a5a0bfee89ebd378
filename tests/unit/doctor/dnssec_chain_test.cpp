// The chain check from scripted, really signed responses: secure, an expired RRSIG, a DS that matches no
// key, a missing DS (insecure), a trust anchor that matches nothing; and negative answers whose NSEC or
// NSEC3 proof holds, or does not (named with the records sent).
#include "doctor/dnssec_chain.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "dnssec/ds.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/nsec3.hpp"
#include "dnssec/records.hpp"
#include "dnssec/signature.hpp"
#include "scripted.hpp"

namespace cairn::doctor {
namespace {

using namespace testing;

constexpr std::uint32_t kNow = 1700000000;

struct ZoneKey {
    dns::Name zone;
    dnssec::PrivateKey key = dnssec::PrivateKey::generate(13);
    std::vector<std::uint8_t> dnskey = dnssec::dnskey_rdata(0x0101, 13, key.public_key_field());
    std::uint16_t tag = dnssec::key_tag(dnskey);

    explicit ZoneKey(const std::string& name) : zone(dns::Name::from_text(name, dns::Name())) {}

    dns::ResourceRecord dnskey_rr() const {
        return {zone, dns::RRType::DNSKEY, dns::RRClass::IN, 3600, dnskey};
    }
    dns::ResourceRecord ds_rr() const {
        return {zone, dns::RRType::DS, dns::RRClass::IN, 3600, dnssec::make_ds_rdata(zone.wire(), dnskey, 2)};
    }
    // The RRSIG over `records` (one RRset) with a validity window relative to kNow.
    dns::ResourceRecord sign(const std::vector<dns::ResourceRecord>& records, std::int64_t inception,
                             std::int64_t expiration) const {
        std::vector<dnssec::Bytes> rdatas;
        for (const auto& r : records)
            rdatas.push_back(r.rdata);
        const dnssec::RRsetRef ref{records[0].owner.wire(), records[0].type, dns::RRClass::IN, rdatas};
        dnssec::SignatureFields fields;
        fields.type_covered = records[0].type;
        fields.algorithm = 13;
        fields.labels = dnssec::rrsig_labels(records[0].owner.wire());
        fields.original_ttl = records[0].ttl;
        fields.inception = static_cast<std::uint32_t>(kNow + inception);
        fields.expiration = static_cast<std::uint32_t>(kNow + expiration);
        fields.key_tag = tag;
        fields.signer = zone;
        return {records[0].owner, dns::RRType::RRSIG, dns::RRClass::IN, records[0].ttl,
                dnssec::sign_rrset(ref, fields, key)};
    }
};

dns::Message aa(std::vector<dns::ResourceRecord> answer) {
    dns::Message m;
    m.header.qr = m.header.aa = true;
    m.answer = std::move(answer);
    return m;
}

struct Lab {
    ZoneKey parent{"test."};
    ZoneKey child{"api.test."};
    std::int64_t answer_expiration = 86400;
    bool child_ds_of_other_key = false;

    std::vector<ChainLink> links() const {
        std::vector<ChainLink> l(2);
        l[0].zone = parent.zone;
        l[0].dnskey = aa({parent.dnskey_rr(), parent.sign({parent.dnskey_rr()}, -3600, 86400)});
        l[1].zone = child.zone;
        auto ds = child_ds_of_other_key ? ZoneKey("api.test.").ds_rr() : child.ds_rr();
        l[1].ds = aa({ds, parent.sign({ds}, -3600, 86400)});
        l[1].dnskey = aa({child.dnskey_rr(), child.sign({child.dnskey_rr()}, -3600, 86400)});
        return l;
    }
    dns::Message answer() const {
        const auto a = rr("www.api.test. 300 A 192.0.2.50");
        return aa({a, child.sign({a}, -3600, answer_expiration)});
    }
};

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const auto& l) { return l.find(text) != std::string::npos; });
}

TEST(DnssecChain, SecureFromADnskeyAnchor) {
    Lab lab;
    const auto f = check_chain({lab.parent.dnskey_rr()}, lab.links(), lab.answer(), kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::secure);
    EXPECT_TRUE(f.problems.empty());
    EXPECT_TRUE(mentions(f.lines, "of api.test. matches its DNSKEY " + std::to_string(lab.child.tag)));
    EXPECT_EQ(f.earliest_expiration, kNow + 86400);
}

TEST(DnssecChain, SecureFromADsAnchor) {
    Lab lab;
    EXPECT_EQ(check_chain({lab.parent.ds_rr()}, lab.links(), lab.answer(), kNow).status,
              DnssecFindings::Status::secure);
}

TEST(DnssecChain, AnExpiredRrsigNamesItsWindow) {
    Lab lab;
    lab.answer_expiration = -60;  // expired a minute ago
    const auto f = check_chain({lab.parent.dnskey_rr()}, lab.links(), lab.answer(), kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    ASSERT_EQ(f.problems.size(), 1u);
    EXPECT_TRUE(mentions(f.problems,
                         "RRSIG A www.api.test.: signature expired (key " + std::to_string(lab.child.tag)));
    EXPECT_TRUE(mentions(f.problems, "expiration " + signature_time_text(kNow - 60)));
}

TEST(DnssecChain, ADsThatMatchesNoKey) {
    Lab lab;
    lab.child_ds_of_other_key = true;
    const auto f = check_chain({lab.parent.dnskey_rr()}, lab.links(), lab.answer(), kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    EXPECT_TRUE(mentions(f.problems, "the DS RRset of api.test. matches none of its DNSKEYs (" +
                                         std::to_string(lab.child.tag) + "/13 (KSK))"));
}

TEST(DnssecChain, NoDsIsAnInsecureDelegation) {
    Lab lab;
    auto links = lab.links();
    links[1].ds = aa({});
    const auto f = check_chain({lab.parent.dnskey_rr()}, links, lab.answer(), kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::insecure);
    EXPECT_TRUE(f.problems.empty());
}

TEST(DnssecChain, AnAnchorMatchingNoKey) {
    Lab lab;
    const auto f = check_chain({ZoneKey("test.").dnskey_rr()}, lab.links(), lab.answer(), kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    EXPECT_TRUE(mentions(f.problems, "the trust anchor for test. matches none of its DNSKEYs"));
}

// A negative answer from api.test. to `qname` `qtype`: its signed SOA and each of `proof` (one record per
// RRset), signed.
dns::Message negative(const Lab& lab, dns::Rcode rcode, const std::string& qname, dns::RRType qtype,
                      const std::vector<std::string>& proof) {
    dns::Message m = aa({});
    m.header.rcode = static_cast<std::uint8_t>(rcode);
    m.questions.push_back({dns::Name::from_text(qname), qtype, dns::RRClass::IN});
    const auto soa = rr("api.test. 300 SOA ns1.api.test. h.api.test. 1 3600 600 86400 300");
    m.authority = {soa, lab.child.sign({soa}, -3600, 86400)};
    for (const auto& text : proof) {
        const auto record = rr(text);
        m.authority.push_back(record);
        m.authority.push_back(lab.child.sign({record}, -3600, 86400));
    }
    return m;
}

std::string nsec3_owner(const std::string& name) {
    dnssec::Nsec3Hash hash;
    EXPECT_TRUE(dnssec::nsec3_hash(dns::Name::from_text(name).wire(), {}, 0, hash));
    return dnssec::nsec3_label(hash) + ".api.test.";
}

TEST(DnssecChain, AnNsecProofOfNxdomainHoldsOrIsNamedBroken) {
    Lab lab;
    // api.test. < nope.api.test. < www.api.test.; the wildcard *.api.test. sorts there too.
    const auto good = negative(lab, dns::Rcode::NXDOMAIN, "nope.api.test.", dns::RRType::A,
                               {"api.test. 300 NSEC www.api.test. NS SOA RRSIG NSEC DNSKEY"});
    auto f = check_chain({lab.parent.dnskey_rr()}, lab.links(), good, kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::secure) << (f.problems.empty() ? "" : f.problems[0]);
    EXPECT_TRUE(mentions(f.lines, "NSEC proof of NXDOMAIN for nope.api.test. A: proven"));
    EXPECT_TRUE(mentions(f.lines, "NSEC api.test.: signed by key"));

    // The chain has a gap: the NSEC that covers nope. is missing, the one sent does not cover it.
    const auto broken = negative(lab, dns::Rcode::NXDOMAIN, "nope.api.test.", dns::RRType::A,
                                 {"www.api.test. 300 NSEC api.test. A RRSIG NSEC"});
    f = check_chain({lab.parent.dnskey_rr()}, lab.links(), broken, kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    EXPECT_TRUE(mentions(
        f.problems, "NSEC proof of NXDOMAIN for nope.api.test. A does not hold: no NSEC covers the name"));
    EXPECT_TRUE(mentions(f.problems, "the servers sent: www.api.test. NSEC api.test. A RRSIG NSEC"));

    // No proof at all.
    f = check_chain({lab.parent.dnskey_rr()}, lab.links(),
                    negative(lab, dns::Rcode::NXDOMAIN, "nope.api.test.", dns::RRType::A, {}), kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    EXPECT_TRUE(mentions(f.problems, "carries no NSEC or NSEC3 record"));
}

TEST(DnssecChain, AnNsec3ProofOfNodataHoldsOrIsNamedBroken) {
    Lab lab;
    const std::string www = nsec3_owner("www.api.test.");
    const std::string apex = nsec3_owner("api.test.");
    // www.api.test. exists with an A only: its NSEC3 lists A and RRSIG, not TXT.
    const auto good = negative(lab, dns::Rcode::NOERROR, "www.api.test.", dns::RRType::TXT,
                               {www + " 300 NSEC3 1 0 0 - " + apex.substr(0, 32) + " A RRSIG"});
    auto f = check_chain({lab.parent.dnskey_rr()}, lab.links(), good, kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::secure) << (f.problems.empty() ? "" : f.problems[0]);
    EXPECT_TRUE(mentions(f.lines, "NSEC3 proof of NODATA for www.api.test. TXT: proven"));

    // The servers sent the apex's NSEC3 instead of www's: nothing matches the name.
    const auto broken =
        negative(lab, dns::Rcode::NOERROR, "www.api.test.", dns::RRType::TXT,
                 {apex + " 300 NSEC3 1 0 0 - " + apex.substr(0, 32) + " NS SOA RRSIG DNSKEY NSEC3PARAM"});
    f = check_chain({lab.parent.dnskey_rr()}, lab.links(), broken, kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    EXPECT_TRUE(mentions(f.problems, "NSEC3 proof of NODATA for www.api.test. TXT does not hold: "));
    EXPECT_TRUE(mentions(f.problems, "the servers sent: " + apex + " NSEC3 1 0 0 -"));

    // A proof whose signature does not verify is bogus too, named as the RRSIG.
    auto forged = good;
    forged.authority[3] = lab.parent.sign({forged.authority[2]}, -3600, 86400);
    f = check_chain({lab.parent.dnskey_rr()}, lab.links(), forged, kNow);
    EXPECT_EQ(f.status, DnssecFindings::Status::bogus);
    EXPECT_TRUE(mentions(f.problems, "RRSIG NSEC3 " + www));
}

}  // namespace
}  // namespace cairn::doctor
