// RRSIG signatures over RRsets (RFC 4034 §3.1.8.1, §6; RFC 4035 §5.3; RFC 6840 §5.1): the canonical form
// and order of an RRset's records, the signed data (the RRSIG rdata without its signature, then each RR
// in canonical form with the original TTL and, for a wildcard expansion, the owner "*." plus the RRSIG's
// label count of rightmost labels), and signing and verifying it. Validity times and key selection are
// the caller's (the validator checks times against its clock, the signer chooses keys by policy).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"
#include "dnssec/keys.hpp"
#include "dnssec/records.hpp"

namespace cairn::dnssec {

// An RRset as signing and verifying need it: the owner as it stands (any case, possibly the name a
// wildcard was expanded to), the type and class, and the rdata of each record in any order.
struct RRsetRef {
    Bytes owner;  // uncompressed wire name
    dns::RRType type = dns::RRType::A;
    dns::RRClass rclass = dns::RRClass::IN;
    std::span<const Bytes> rdatas;
};

// The RRSIG fields before the signature, for signing.
struct SignatureFields {
    dns::RRType type_covered = dns::RRType::A;
    std::uint8_t algorithm = 0;
    std::uint8_t labels = 0;  // of the owner, without a leading "*" label (RFC 4034 §3.1.3)
    std::uint32_t original_ttl = 0;
    std::uint32_t expiration = 0;
    std::uint32_t inception = 0;
    std::uint16_t key_tag = 0;
    dns::Name signer;
};

// The label count an RRSIG over records owned by `owner` carries: its labels, the root and a leading
// wildcard label not counted.
std::uint8_t rrsig_labels(Bytes owner);

// RFC 4034 §6.3 order: the rdata of an RRset in canonical form, sorted as octet strings, duplicates
// (equal in canonical form) dropped. Each entry is the canonical rdata.
std::vector<std::vector<std::uint8_t>> canonical_rdatas(dns::RRType type, std::span<const Bytes> rdatas);

// Appends the RFC 4034 §3.1.8.1 signed data to `out`: `rrsig_fields` (the RRSIG rdata up to the signature;
// its signer name is lowercased here), then every RR of `rrset` in canonical form with `original_ttl`.
// `labels` is the RRSIG's label count: when the owner has more, the owner signed is "*." and the
// rightmost `labels` labels (RFC 4035 §5.3.2). False when `labels` exceeds the owner's label count (no
// such RRSIG can be valid). Throws dns::ParseError for rdata the codec cannot read.
bool append_signed_data(std::vector<std::uint8_t>& out, Bytes rrsig_fields, const RRsetRef& rrset,
                        std::uint8_t labels, std::uint32_t original_ttl);

// Makes the RRSIG rdata over `rrset` with `key`. `fields.algorithm` and `fields.key_tag` must be the
// key's. Throws KeyError.
std::vector<std::uint8_t> sign_rrset(const RRsetRef& rrset, const SignatureFields& fields,
                                     const PrivateKey& key);

// Why a signature did not verify; `none` when it did.
enum class SignatureFailure : std::uint8_t {
    none,
    malformed,      // the RRSIG rdata, or the RRset's, cannot be read
    wrong_type,     // it covers another type than the RRset's
    wrong_labels,   // its label count exceeds the owner's
    wrong_key,      // the key's algorithm or tag is not the RRSIG's (or the key is not a zone key)
    unsupported,    // an algorithm cairn does not verify
    bad_signature,  // the cryptography says no
};
const char* to_text(SignatureFailure f);

// Checks one RRSIG over `rrset` with the DNSKEY `dnskey_rdata` (already parsed into `key` by the caller,
// which caches keys). Times are not checked: see signature_time_valid().
SignatureFailure verify_rrsig(const RRsetRef& rrset, Bytes rrsig_rdata, Bytes dnskey_rdata,
                              const PublicKey& key);
// The same with the key made from the DNSKEY on the spot.
SignatureFailure verify_rrsig(const RRsetRef& rrset, Bytes rrsig_rdata, Bytes dnskey_rdata);

// RFC 4034 §3.1.5: inception <= now <= expiration in serial number arithmetic (RFC 1982), so that times
// past 2106 still compare.
bool signature_time_valid(const RrsigView& rrsig, std::uint32_t now);

}  // namespace cairn::dnssec
