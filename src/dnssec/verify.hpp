// Verifying an RRset against its RRSIGs and the signer's DNSKEYs within a WorkBudget: the validator's inner
// loop, bounded the way CVE-2023-50387 (KeyTrap) requires. Signatures are taken in order; each one that
// covers the RRset, names the signer and has a supported algorithm is checked for its validity period
// first (no cryptography for a signature out of date), then against at most `keys_per_signature` DNSKEYs
// with its key tag and algorithm, each verification charged to the budget. The first valid signature makes
// the RRset secure; otherwise the outcome says why not, and which signature and key decided.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dnssec/budget.hpp"
#include "dnssec/signature.hpp"

namespace cairn::dnssec {

enum class VerifyStatus : std::uint8_t {
    secure,           // a signature verified
    bogus,            // signatures with matching keys did not verify
    expired,          // the only candidate signatures have expired (EDE 7)
    not_yet_valid,    // ... or are not valid yet (EDE 8)
    no_matching_key,  // no DNSKEY has the tag and algorithm of any signature (EDE 9 at the chain's edge)
    no_signature,  // no RRSIG covers the RRset for this signer with an algorithm cairn verifies (EDE 10, or
                   // insecure when the algorithm is unsupported: the caller decides)
    budget_exhausted,  // the WorkBudget stopped the work before a signature verified
};
const char* to_text(VerifyStatus s);

struct VerifyOutcome {
    static constexpr std::size_t kNone = ~std::size_t{0};
    VerifyStatus status = VerifyStatus::no_signature;
    std::size_t rrsig =
        kNone;  // index in `rrsigs` of the signature that decided (the valid one, or the last tried)
    std::size_t dnskey = kNone;  // index in `dnskeys` of the key that verified it or was last tried
    SignatureFailure failure = SignatureFailure::none;  // the last cryptographic failure, for the reason text
    bool unsupported_algorithm = false;                 // some RRSIG was skipped for its algorithm
};

// `signer`: the zone whose DNSKEYs these are (uncompressed wire name); `now`: Unix time for the validity
// periods (serial arithmetic, RFC 4034 §3.1.5).
VerifyOutcome verify_rrset(const RRsetRef& rrset, std::span<const Bytes> rrsigs, Bytes signer,
                           std::span<const Bytes> dnskeys, std::uint32_t now, WorkBudget& budget);

}  // namespace cairn::dnssec
