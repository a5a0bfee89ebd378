// DS records (RFC 4034 §5.1.4, RFC 4509, RFC 6605 §5): the digest of a DNSKEY's owner (canonical form)
// and rdata with SHA-1 (1), SHA-256 (2) or SHA-384 (4), and the check that a DS names a DNSKEY. CDS
// (RFC 7344) is the same.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace cairn::dnssec {

using Bytes = std::span<const std::uint8_t>;

// The digest, or nullopt for a digest type cairn does not compute (can_check_digest).
std::optional<std::vector<std::uint8_t>> ds_digest(Bytes owner, Bytes dnskey_rdata, std::uint8_t digest_type);

// The DS rdata for a DNSKEY (key tag, algorithm, digest type, digest). Throws KeyError for a digest type
// cairn does not make (can_make_digest) or malformed DNSKEY rdata.
std::vector<std::uint8_t> make_ds_rdata(Bytes owner, Bytes dnskey_rdata, std::uint8_t digest_type);

// Whether the DS rdata `ds` names this DNSKEY: key tag, algorithm and digest all match. False for a digest
// type cairn cannot check.
bool ds_matches(Bytes owner, Bytes ds_rdata, Bytes dnskey_rdata);

}  // namespace cairn::dnssec
