#include "doctor/dnssec_chain.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "dns/rdata.hpp"
#include "dns/types.hpp"
#include "dnssec/budget.hpp"
#include "dnssec/denial.hpp"
#include "dnssec/ds.hpp"
#include "dnssec/records.hpp"
#include "dnssec/signature.hpp"
#include "dnssec/verify.hpp"

namespace cairn::doctor {

namespace {

using Bytes = dnssec::Bytes;

// An RRset of a response section with the RRSIGs that cover it.
struct SignedRRset {
    dns::Name owner;
    dns::RRType type = dns::RRType::A;
    std::vector<Bytes> rdatas;
    std::vector<Bytes> rrsigs;
};

std::vector<SignedRRset> rrsets_of(const std::vector<dns::ResourceRecord>& section) {
    std::vector<SignedRRset> sets;
    auto find = [&](const dns::Name& owner, dns::RRType type) -> SignedRRset& {
        for (auto& s : sets)
            if (s.owner == owner && s.type == type) return s;
        sets.push_back({owner, type, {}, {}});
        return sets.back();
    };
    for (const auto& rr : section) {
        if (rr.type == dns::RRType::RRSIG) continue;
        find(rr.owner, rr.type).rdatas.push_back(rr.rdata);
    }
    for (const auto& rr : section) {
        if (rr.type != dns::RRType::RRSIG) continue;
        const auto view = dnssec::RrsigView::parse(rr.rdata);
        if (!view) continue;
        for (auto& s : sets)
            if (s.owner == rr.owner && dns::code(s.type) == view->type_covered) s.rrsigs.push_back(rr.rdata);
    }
    return sets;
}

const SignedRRset* find_rrset(const std::vector<SignedRRset>& sets, const dns::Name& owner,
                              dns::RRType type) {
    for (const auto& s : sets)
        if (s.owner == owner && s.type == type) return &s;
    return nullptr;
}

std::string tag_list(const std::vector<Bytes>& dnskeys) {
    std::string out;
    for (const auto& k : dnskeys) {
        const auto view = dnssec::DnskeyView::parse(k);
        out += (out.empty() ? "" : ", ") + std::to_string(dnssec::key_tag(k)) +
               (view ? "/" + std::to_string(view->algorithm) + (view->sep() ? " (KSK)" : "") : "");
    }
    return out.empty() ? "none" : out;
}

struct ChainJudge {
    std::uint32_t now;
    DnssecFindings out;
    dnssec::WorkBudget budget{dnssec::WorkLimits{256, 8, 32, 50}};

    void note_windows(const SignedRRset& set) {
        for (const auto& sig : set.rrsigs)
            if (const auto view = dnssec::RrsigView::parse(sig))
                out.earliest_expiration =
                    std::min(out.earliest_expiration.value_or(view->expiration), view->expiration);
    }

    // Verifies `set` with `keys` of `signer`; on failure adds a problem saying which signature and why.
    bool verify(const SignedRRset& set, const dns::Name& signer, const std::vector<Bytes>& keys) {
        note_windows(set);
        const std::string what = dns::type_to_text(set.type) + " " + set.owner.to_text();
        dnssec::RRsetRef ref{set.owner.wire(), set.type, dns::RRClass::IN, set.rdatas};
        const auto outcome = dnssec::verify_rrset(ref, set.rrsigs, signer.wire(), keys, now, budget);
        if (outcome.status == dnssec::VerifyStatus::secure) {
            const auto view = dnssec::RrsigView::parse(set.rrsigs[outcome.rrsig]);
            out.lines.push_back(what + ": signed by key " + std::to_string(view->key_tag) + ", valid until " +
                                signature_time_text(view->expiration));
            return true;
        }
        std::string problem = "RRSIG " + what + ": " + dnssec::to_text(outcome.status);
        if (outcome.rrsig != dnssec::VerifyOutcome::kNone) {
            const auto view = dnssec::RrsigView::parse(set.rrsigs[outcome.rrsig]);
            problem += " (key " + std::to_string(view->key_tag) + ", inception " +
                       signature_time_text(view->inception) + ", expiration " +
                       signature_time_text(view->expiration) + ", now " + signature_time_text(now) + ")";
        } else if (set.rrsigs.empty()) {
            problem = "RRSIG " + what + ": none (the RRset is unsigned in a signed zone)";
        }
        if (outcome.status == dnssec::VerifyStatus::no_matching_key || set.rrsigs.empty())
            problem += "; the keys of " + signer.to_text() + ": " + tag_list(keys);
        out.problems.push_back(problem);
        return false;
    }

    void bogus() { out.status = DnssecFindings::Status::bogus; }

    // A negative answer's NSEC or NSEC3 records, their signatures, and whether they prove it (RFC 4035
    // §5.4, RFC 5155 §8, with dnssec/denial's rules: the validator's own). A proof that does not hold is a
    // problem naming the proof, the reason, and the records the servers sent.
    void check_denial(const dns::Message& answer, const dns::Name& signer, const std::vector<Bytes>& keys);
};

std::string denial_kind(dns::Rcode rcode) {
    return rcode == dns::Rcode::NXDOMAIN ? "NXDOMAIN" : "NODATA";
}

void ChainJudge::check_denial(const dns::Message& answer, const dns::Name& signer,
                              const std::vector<Bytes>& keys) {
    if (answer.questions.empty()) return;
    const dns::Question& question = answer.questions.front();
    const dns::Rcode rcode = answer.rcode();
    if (rcode != dns::Rcode::NXDOMAIN && rcode != dns::Rcode::NOERROR) return;
    const std::string what =
        denial_kind(rcode) + " for " + question.name.to_text() + " " + dns::type_to_text(question.type);
    std::vector<dnssec::DenialRecord> nsecs, nsec3s;
    std::vector<std::string> shown;  // the records, as evidence
    const std::vector<SignedRRset> authority =
        rrsets_of(answer.authority);  // the records below point into it
    for (const auto& set : authority) {
        if (set.type != dns::RRType::NSEC && set.type != dns::RRType::NSEC3) continue;
        if (!set.owner.is_subdomain_of(signer)) continue;
        if (!verify(set, signer, keys)) bogus();
        for (const auto& rdata : set.rdatas) {
            (set.type == dns::RRType::NSEC ? nsecs : nsec3s).push_back({set.owner.wire(), rdata});
            shown.push_back(set.owner.to_text() + " " + dns::type_to_text(set.type) + " " +
                            dns::rdata_to_text(set.type, rdata));
        }
    }
    if (nsecs.empty() && nsec3s.empty()) {
        out.problems.push_back("the " + what + " carries no NSEC or NSEC3 record: the denial is not proven");
        bogus();
        return;
    }
    const Bytes qname = question.name.wire();
    const std::uint16_t qtype = dns::code(question.type);
    const bool nsec3 = nsecs.empty();
    dnssec::Denial denial;
    if (!nsec3) {
        denial = rcode == dns::Rcode::NXDOMAIN ? dnssec::nsec_nxdomain(qname, nsecs)
                                               : dnssec::nsec_nodata(qname, qtype, nsecs);
        if (rcode == dns::Rcode::NOERROR && !denial.proven()) {
            const dnssec::Denial wildcard = dnssec::nsec_wildcard_nodata(qname, qtype, nsecs);
            if (wildcard.proven()) denial = wildcard;
        }
    } else {
        const Bytes zone = signer.wire();
        denial = rcode == dns::Rcode::NXDOMAIN ? dnssec::nsec3_nxdomain(qname, zone, nsec3s, budget)
                                               : dnssec::nsec3_nodata(qname, qtype, zone, nsec3s, budget);
        if (rcode == dns::Rcode::NOERROR && !denial.proven() &&
            denial.status != dnssec::DenialStatus::opt_out) {
            const dnssec::Denial wildcard = dnssec::nsec3_wildcard_nodata(qname, qtype, zone, nsec3s, budget);
            if (wildcard.proven()) denial = wildcard;
        }
    }
    const std::string proof = std::string(nsec3 ? "NSEC3" : "NSEC") + " proof of " + what;
    switch (denial.status) {
        case dnssec::DenialStatus::proven:
            out.lines.push_back(proof + ": proven");
            return;
        case dnssec::DenialStatus::opt_out:
            out.lines.push_back(proof + ": proven up to an opt-out span (insecure below it)");
            return;
        case dnssec::DenialStatus::too_many_iterations:
            out.lines.push_back(proof +
                                ": NSEC3 iterations over the limit (RFC 9276): validators treat it as "
                                "insecure");
            return;
        case dnssec::DenialStatus::budget_exhausted:
            out.lines.push_back(proof + ": not checked (too many NSEC3 hashes)");
            return;
        case dnssec::DenialStatus::not_proven:
            break;
    }
    out.problems.push_back(proof + " does not hold: " + denial.reason);
    for (const auto& record : shown)
        out.problems.push_back("  the servers sent: " + record);
    bogus();
}

}  // namespace

std::string signature_time_text(std::uint32_t t) {
    const std::time_t time = t;
    std::tm tm{};
    gmtime_r(&time, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &tm);
    return buffer;
}

DnssecFindings check_chain(const std::vector<dns::ResourceRecord>& anchors,
                           const std::vector<ChainLink>& links, const std::optional<dns::Message>& answer,
                           std::uint32_t now) {
    ChainJudge judge{now, {}};
    DnssecFindings& out = judge.out;
    if (links.empty() || anchors.empty()) {
        out.lines.push_back("no trust anchor covers the name");
        return out;
    }
    std::vector<Bytes> zone_keys;  // the DNSKEYs of the last zone proven secure
    for (std::size_t i = 0; i < links.size(); ++i) {
        const ChainLink& link = links[i];
        const std::string zone = link.zone.to_text();
        // The DS set that must name a key of this zone: the anchors, or the parent's signed DS RRset.
        std::vector<Bytes> ds_rdatas, anchor_keys;
        if (i == 0) {
            for (const auto& rr : anchors) {
                if (rr.type == dns::RRType::DS) ds_rdatas.push_back(rr.rdata);
                if (rr.type == dns::RRType::DNSKEY) anchor_keys.push_back(rr.rdata);
            }
        } else {
            if (!link.ds) {
                out.lines.push_back(zone + ": the parent's DS could not be fetched");
                return out;
            }
            const auto sets = rrsets_of(link.ds->answer);
            const SignedRRset* ds = find_rrset(sets, link.zone, dns::RRType::DS);
            if (ds == nullptr) {
                out.lines.push_back(zone + ": no DS at the parent (" + dns::rcode_to_text(link.ds->rcode()) +
                                    "): an insecure delegation");
                if (out.status != DnssecFindings::Status::bogus)
                    out.status = DnssecFindings::Status::insecure;
                return out;
            }
            if (!judge.verify(*ds, links[i - 1].zone, zone_keys)) judge.bogus();
            ds_rdatas = ds->rdatas;
        }
        if (!link.dnskey) {
            out.problems.push_back(zone + ": its DNSKEY RRset could not be fetched from its name servers");
            judge.bogus();
            return out;
        }
        const auto sets = rrsets_of(link.dnskey->answer);
        const SignedRRset* dnskeys = find_rrset(sets, link.zone, dns::RRType::DNSKEY);
        if (dnskeys == nullptr) {
            out.problems.push_back(zone + ": no DNSKEY RRset (" + dns::rcode_to_text(link.dnskey->rcode()) +
                                   ") although " + (i == 0 ? "the trust anchor" : "the parent's DS") +
                                   " names one");
            judge.bogus();
            return out;
        }
        // The keys the DS (or anchor) set names.
        std::vector<Bytes> entry_keys;
        for (const auto& key : dnskeys->rdatas) {
            const bool anchored = std::any_of(anchor_keys.begin(), anchor_keys.end(), [&](Bytes a) {
                return std::equal(a.begin(), a.end(), key.begin(), key.end());
            });
            const bool by_ds = std::any_of(ds_rdatas.begin(), ds_rdatas.end(), [&](Bytes ds) {
                return dnssec::ds_matches(link.zone.wire(), ds, key);
            });
            if (anchored || by_ds) entry_keys.push_back(key);
        }
        for (const auto& ds : ds_rdatas) {
            const auto view = dnssec::DsView::parse(ds);
            if (!view) continue;
            const bool matched = std::any_of(dnskeys->rdatas.begin(), dnskeys->rdatas.end(), [&](Bytes key) {
                return dnssec::ds_matches(link.zone.wire(), ds, key);
            });
            const std::string text = "DS " + std::to_string(view->key_tag) + " (algorithm " +
                                     std::to_string(view->algorithm) + ", digest type " +
                                     std::to_string(view->digest_type) + ") of " + zone;
            if (matched)
                out.lines.push_back(text + " matches its DNSKEY " + std::to_string(view->key_tag));
            else
                out.lines.push_back(text + " matches none of its DNSKEYs (" + tag_list(dnskeys->rdatas) +
                                    ")");
        }
        if (entry_keys.empty()) {
            out.problems.push_back((i == 0 ? "the trust anchor for " : "the DS RRset of ") + zone +
                                   " matches none of its DNSKEYs (" + tag_list(dnskeys->rdatas) + ")");
            judge.bogus();
            return out;
        }
        if (!judge.verify(*dnskeys, link.zone, entry_keys)) {
            judge.bogus();
            return out;
        }
        zone_keys = dnskeys->rdatas;
    }
    if (!answer) {
        out.lines.push_back("no authoritative answer to check");
    } else {
        const auto& signer = links.back().zone;
        auto sets = rrsets_of(answer->answer);
        const bool negative = sets.empty();
        if (negative) {  // its SOA, then the NSEC or NSEC3 records that prove it
            for (auto& s : rrsets_of(answer->authority))
                if (s.type == dns::RRType::SOA) sets.push_back(s);
        }
        for (const auto& set : sets) {
            if (!set.owner.is_subdomain_of(signer)) continue;
            if (!judge.verify(set, signer, zone_keys)) judge.bogus();
        }
        if (negative) judge.check_denial(*answer, signer, zone_keys);
    }
    if (out.status == DnssecFindings::Status::not_checked) out.status = DnssecFindings::Status::secure;
    return out;
}

}  // namespace cairn::doctor
