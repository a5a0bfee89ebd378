#include "resolver/signature_check.hpp"

#include <algorithm>

#include "dns/types.hpp"
#include "dnssec/algorithm.hpp"
#include "dnssec/ds.hpp"
#include "dnssec/records.hpp"
#include "dnssec/signature.hpp"
#include "resolver/entry_text.hpp"

namespace cairn::resolver {
namespace {

// RRSIG times are 32-bit serial numbers (RFC 4034 §3.1.5): the absolute time nearest `now`.
std::int64_t absolute_time(std::uint32_t serial, std::int64_t now) {
    return now + static_cast<std::int32_t>(serial - static_cast<std::uint32_t>(now));
}

// How bad a failure is for the report: the most specific reason wins over the vaguer ones.
int weight(dns::EdeCode code) {
    switch (code) {
        case dns::EdeCode::SignatureExpired:
        case dns::EdeCode::SignatureNotYetValid:
        case dns::EdeCode::SignatureExpiredBeforeValid:
            return 4;
        case dns::EdeCode::DnssecBogus:
            return 3;
        case dns::EdeCode::DnssecIndeterminate:
            return 2;
        default:
            return 1;
    }
}

std::string sig_text(const RRsetData& set, std::uint16_t tag) {
    return "RRSIG " + rrset_text(set.owner, set.type) + " by key " + std::to_string(tag);
}

}  // namespace

std::string rrset_text(const dns::Name& owner, dns::RRType type) {
    return owner.to_text_without_dot() + "/" + dns::type_to_text(type);
}

std::string budget_text(const dnssec::WorkBudget& budget, const std::string& what) {
    const auto& l = budget.limits();
    switch (budget.exceeded()) {
        case dnssec::WorkLimit::signature_verifications:
            return "gave up on " + what + ": more than " + std::to_string(l.signature_verifications) +
                   " signature verifications (KeyTrap limit)";
        case dnssec::WorkLimit::keys_per_signature:
            return "gave up on " + what + ": more than " + std::to_string(l.keys_per_signature) +
                   " keys with one key tag (KeyTrap limit)";
        case dnssec::WorkLimit::nsec3_hashes:
            return "gave up on " + what + ": more than " + std::to_string(l.nsec3_hashes) +
                   " NSEC3 hash computations (CVE-2023-50868 limit)";
        case dnssec::WorkLimit::none:
            break;
    }
    return "gave up on " + what;
}

std::optional<dns::Name> rrsig_signer(const RRsetData& set, const dns::Name& bailiwick) {
    for (const auto& sig : set.sigs) {
        const auto view = dnssec::RrsigView::parse(sig);
        if (!view || view->type_covered != dns::code(set.type)) continue;
        dns::Name signer;
        try {
            signer = dns::Name::from_validated_wire(view->signer);
        } catch (const dns::ParseError&) {
            continue;
        }
        if (set.owner.is_subdomain_of(signer) && signer.is_subdomain_of(bailiwick)) return signer;
    }
    return std::nullopt;
}

Judgement verify_rrset(const RRsetData& set, const dns::Name& signer, std::span<const ZoneKey> keys,
                       std::int64_t now, dnssec::WorkBudget& budget) {
    const std::string what = rrset_text(set.owner, set.type);
    if (set.sigs.empty())
        return Judgement::fail(Security::bogus, dns::EdeCode::RrsigsMissing,
                               "no RRSIG for " + what + " in secure zone " + signer.to_text_without_dot());
    std::vector<dnssec::Bytes> rdatas;
    rdatas.reserve(set.rdatas.size());
    for (const auto& r : set.rdatas)
        rdatas.emplace_back(r);
    const dnssec::RRsetRef ref{set.owner.wire(), set.type, dns::RRClass::IN, rdatas};
    const auto now32 = static_cast<std::uint32_t>(now);

    Judgement worst = Judgement::fail(Security::bogus, dns::EdeCode::RrsigsMissing,
                                      "no RRSIG by " + signer.to_text_without_dot() + " for " + what);
    auto note = [&](Judgement j) {
        if (weight(*j.ede) > weight(*worst.ede)) worst = std::move(j);
    };
    for (const auto& sig : set.sigs) {
        const auto view = dnssec::RrsigView::parse(sig);
        if (!view || view->type_covered != dns::code(set.type)) continue;
        if (!dns::wire_names_equal(view->signer, signer.wire())) continue;
        if (view->labels > set.owner.label_count()) {
            note(Judgement::fail(Security::bogus, dns::EdeCode::DnssecBogus,
                                 sig_text(set, view->key_tag) + " has more labels than its owner"));
            continue;
        }
        if (!dnssec::signature_time_valid(*view, now32)) {
            const std::int64_t expiration = absolute_time(view->expiration, now);
            const std::int64_t inception = absolute_time(view->inception, now);
            if (expiration < inception)
                note(Judgement::fail(Security::bogus, dns::EdeCode::SignatureExpiredBeforeValid,
                                     sig_text(set, view->key_tag) + " expires before it is valid"));
            else if (expiration < now)
                note(Judgement::fail(Security::bogus, dns::EdeCode::SignatureExpired,
                                     sig_text(set, view->key_tag) + " expired " + format_utc(expiration)));
            else
                note(Judgement::fail(
                    Security::bogus, dns::EdeCode::SignatureNotYetValid,
                    sig_text(set, view->key_tag) + " not valid before " + format_utc(inception)));
            continue;
        }
        std::uint32_t tried = 0;
        bool had_key = false;
        for (const auto& key : keys) {
            if (key.tag != view->key_tag || key.algorithm != view->algorithm) continue;
            had_key = true;
            if (!key.key) continue;            // an algorithm cairn does not verify
            if (!budget.may_try_key(tried)) {  // KeyTrap: colliding tags; another RRSIG may still do
                note(Judgement::fail(Security::indeterminate, dns::EdeCode::DnssecIndeterminate,
                                     budget_text(budget, what)));
                break;
            }
            if (!budget.spend_verification())
                return Judgement::fail(Security::indeterminate, dns::EdeCode::DnssecIndeterminate,
                                       budget_text(budget, what));
            ++tried;
            const auto failure = dnssec::verify_rrsig(ref, sig, key.rdata, *key.key);
            if (failure == dnssec::SignatureFailure::none) {
                Judgement ok;
                ok.security = Security::secure;
                ok.rrsig_labels = view->labels;
                const std::int64_t left = absolute_time(view->expiration, now) - now;
                ok.ttl =
                    std::min<std::uint32_t>({set.ttl, view->original_ttl,
                                             static_cast<std::uint32_t>(std::max<std::int64_t>(0, left))});
                return ok;
            }
            note(Judgement::fail(
                Security::bogus, dns::EdeCode::DnssecBogus,
                sig_text(set, view->key_tag) + " does not verify (" + dnssec::to_text(failure) + ")"));
        }
        if (!had_key)
            note(Judgement::fail(Security::bogus, dns::EdeCode::DnssecBogus,
                                 sig_text(set, view->key_tag) + ": no DNSKEY " +
                                     std::to_string(view->key_tag) + " (algorithm " +
                                     std::to_string(view->algorithm) + ") in " +
                                     signer.to_text_without_dot()));
    }
    return worst;
}

UsableDs usable_ds(const dns::Name& zone, const std::vector<std::vector<std::uint8_t>>& ds) {
    UsableDs out;
    std::vector<dnssec::DsView> views;
    for (const auto& r : ds) {
        if (auto v = dnssec::DsView::parse(r)) views.push_back(*v);
    }
    bool algorithm_ok = false;
    for (std::size_t i = 0; i < ds.size(); ++i) {
        const auto v = dnssec::DsView::parse(ds[i]);
        if (!v) continue;
        if (!dnssec::can_verify(v->algorithm)) continue;
        algorithm_ok = true;
        if (!dnssec::can_check_digest(v->digest_type)) continue;
        if (v->digest_type == 1) {
            // RFC 4509 §3: SHA-1 only when the same key has no stronger digest here.
            const bool stronger = std::any_of(views.begin(), views.end(), [&](const dnssec::DsView& o) {
                return o.key_tag == v->key_tag && o.algorithm == v->algorithm && o.digest_type != 1 &&
                       dnssec::can_check_digest(o.digest_type);
            });
            if (stronger) continue;
        }
        out.ds.push_back(ds[i]);
    }
    if (out.ds.empty() && !views.empty()) {
        const auto& v = views.front();
        const std::string ds_text = "DS " + std::to_string(v.key_tag) + "/" + std::to_string(v.algorithm) +
                                    "/" + std::to_string(v.digest_type) + " for " +
                                    zone.to_text_without_dot();
        if (!algorithm_ok) {
            out.unsupported = dns::EdeCode::UnsupportedDnskeyAlgorithm;
            out.unsupported_text = ds_text + ": algorithm " + std::to_string(v.algorithm) +
                                   " not supported; zone treated as insecure";
        } else {
            out.unsupported = dns::EdeCode::UnsupportedDsDigestType;
            std::uint8_t digest = v.digest_type;
            for (const auto& o : views) {
                if (dnssec::can_verify(o.algorithm)) digest = o.digest_type;
            }
            out.unsupported_text = ds_text + ": digest type " + std::to_string(digest) +
                                   " not supported; zone treated as insecure";
        }
    }
    return out;
}

Judgement verify_dnskey_rrset(const RRsetData& dnskeys, const dns::Name& zone,
                              const std::vector<std::vector<std::uint8_t>>& ds,
                              const std::vector<std::vector<std::uint8_t>>& anchor_keys, std::int64_t now,
                              dnssec::WorkBudget& budget, std::vector<ZoneKey>& keys) {
    std::vector<std::vector<std::uint8_t>> trusted;
    std::string no_zone_key;
    for (const auto& rdata : dnskeys.rdatas) {
        const auto view = dnssec::DnskeyView::parse(rdata);
        if (!view || view->protocol != 3 || view->revoked()) continue;
        bool match = std::find(anchor_keys.begin(), anchor_keys.end(), rdata) != anchor_keys.end();
        for (const auto& d : ds) {
            if (match) break;
            if (!dnssec::ds_matches(zone.wire(), d, rdata)) continue;
            if (!view->zone_key()) {
                const auto v = dnssec::DsView::parse(d);
                no_zone_key = "DNSKEY " + std::to_string(dnssec::key_tag(rdata)) + " for " +
                              zone.to_text_without_dot() + " matches DS " + std::to_string(v->key_tag) + "/" +
                              std::to_string(v->algorithm) + "/" + std::to_string(v->digest_type) +
                              " but is no zone key";
                continue;
            }
            match = true;
        }
        if (match) trusted.push_back(rdata);
    }
    if (trusted.empty()) {
        if (!no_zone_key.empty())
            return Judgement::fail(Security::bogus, dns::EdeCode::NoZoneKeyBitSet, no_zone_key);
        std::string text;
        std::size_t listed = 0;
        for (const auto& d : ds) {
            const auto v = dnssec::DsView::parse(d);
            if (!v || listed == 3) continue;
            text += (listed++ == 0 ? "DS " : ", DS ") + std::to_string(v->key_tag) + "/" +
                    std::to_string(v->algorithm) + "/" + std::to_string(v->digest_type);
        }
        for (const auto& k : anchor_keys) {
            if (listed == 3) break;
            text += (listed++ == 0 ? "trust anchor key " : ", trust anchor key ") +
                    std::to_string(dnssec::key_tag(k));
        }
        text += " for " + zone.to_text_without_dot() + (listed > 1 ? " match" : " matches") + " no DNSKEY";
        return Judgement::fail(Security::bogus, dns::EdeCode::DnskeyMissing, text);
    }
    const std::vector<ZoneKey> signing = zone_keys(trusted);
    Judgement j = verify_rrset(dnskeys, zone, signing, now, budget);
    if (j.secure()) keys = zone_keys(dnskeys.rdatas);
    return j;
}

}  // namespace cairn::resolver
