// The chain check from scripted, really signed responses: secure, an expired RRSIG, a DS that matches no
// key, a missing DS (insecure), and a trust anchor that matches nothing.
#include "doctor/dnssec_chain.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "dnssec/ds.hpp"
#include "dnssec/keys.hpp"
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

}  // namespace
}  // namespace cairn::doctor
