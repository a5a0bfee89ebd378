#include "dnssec/verify.hpp"

#include "dns/name.hpp"
#include "dnssec/algorithm.hpp"
#include "dnssec/records.hpp"

namespace cairn::dnssec {

const char* to_text(VerifyStatus s) {
    switch (s) {
        case VerifyStatus::secure:
            return "secure";
        case VerifyStatus::bogus:
            return "signature does not verify";
        case VerifyStatus::expired:
            return "signature expired";
        case VerifyStatus::not_yet_valid:
            return "signature not yet valid";
        case VerifyStatus::no_matching_key:
            return "no DNSKEY matches the signature";
        case VerifyStatus::no_signature:
            return "no usable signature";
        case VerifyStatus::budget_exhausted:
            return "validation work limit reached";
    }
    return "?";
}

VerifyOutcome verify_rrset(const RRsetRef& rrset, std::span<const Bytes> rrsigs, Bytes signer,
                           std::span<const Bytes> dnskeys, std::uint32_t now, WorkBudget& budget) {
    VerifyOutcome out;
    // The strongest reason seen so far, in the order the status list gives (bogus beats a date problem,
    // which beats a missing key).
    auto note = [&](VerifyStatus s, std::size_t sig) {
        auto rank = [](VerifyStatus v) {
            switch (v) {
                case VerifyStatus::bogus:
                    return 5;
                case VerifyStatus::expired:
                    return 4;
                case VerifyStatus::not_yet_valid:
                    return 3;
                case VerifyStatus::no_matching_key:
                    return 2;
                default:
                    return 1;
            }
        };
        if (rank(s) >= rank(out.status)) {
            out.status = s;
            out.rrsig = sig;
        }
    };
    for (std::size_t i = 0; i < rrsigs.size(); ++i) {
        const auto sig = RrsigView::parse(rrsigs[i]);
        if (!sig || sig->type_covered != dns::code(rrset.type) || !dns::wire_names_equal(sig->signer, signer))
            continue;
        if (!can_verify(sig->algorithm)) {
            out.unsupported_algorithm = true;
            continue;
        }
        if (!signature_time_valid(*sig, now)) {
            const bool not_yet = static_cast<std::int32_t>(now - sig->inception) < 0;
            note(not_yet ? VerifyStatus::not_yet_valid : VerifyStatus::expired, i);
            continue;
        }
        std::uint32_t tried = 0;
        bool any_key = false;
        for (std::size_t k = 0; k < dnskeys.size(); ++k) {
            const auto key = DnskeyView::parse(dnskeys[k]);
            if (!key || key->algorithm != sig->algorithm || key_tag(dnskeys[k]) != sig->key_tag) continue;
            any_key = true;
            if (!budget.may_try_key(tried) || !budget.spend_verification()) {
                out.status = VerifyStatus::budget_exhausted;
                out.rrsig = i;
                out.dnskey = k;
                return out;
            }
            ++tried;
            out.dnskey = k;
            const SignatureFailure f = verify_rrsig(rrset, rrsigs[i], dnskeys[k]);
            if (f == SignatureFailure::none) {
                out.status = VerifyStatus::secure;
                out.rrsig = i;
                out.failure = f;
                return out;
            }
            out.failure = f;
        }
        note(any_key ? VerifyStatus::bogus : VerifyStatus::no_matching_key, i);
    }
    return out;
}

}  // namespace cairn::dnssec
