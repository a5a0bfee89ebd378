// Record data codec. Every record type is declared once (a field list in rdata_types.cpp), and that one
// declaration drives presentation parsing and printing, wire parsing, compression and canonical form.
// Rdata is held everywhere in uncompressed wire form with names in their original case.
//
// Types with a presentation form: A NS MD MF CNAME SOA MB MG MR PTR HINFO MINFO MX TXT RP AFSDB X25 ISDN RT
// NSAP NSAP-PTR SIG KEY PX GPOS AAAA LOC EID NIMLOC SRV NAPTR KX CERT DNAME APL DS SSHFP IPSECKEY RRSIG NSEC
// DNSKEY DHCID NSEC3 NSEC3PARAM TLSA SMIMEA HIP NINFO RKEY TALINK CDS CDNSKEY OPENPGPKEY CSYNC ZONEMD SVCB
// HTTPS SPF NID L32 L64 LP EUI48 EUI64 URI CAA AVC DOA AMTRELAY RESINFO WALLET TA DLV. Every other type (and
// NULL) only in RFC 3597 generic form. Where the RFCs leave room, the codec follows BIND 9.18 (checked by
// tests/unit/dns/rdata_bind_test.cpp against named-rrchecker).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::dns {

// One token of presentation rdata, as the zone file lexer hands it over: the raw characters with escapes
// still in place (names and character-strings read them differently) and whether it was quoted.
struct TextToken {
    std::string_view text;
    bool quoted = false;
};

// Presentation rdata to uncompressed wire rdata, appended to `out`; relative names are completed with
// `origin`. RFC 3597's generic form (\# LEN HEX) is accepted for every type and, for known types, checked
// against that type's wire rules. Throws ParseError with a message that names the field at fault.
void rdata_from_text(RRType type, std::span<const TextToken> tokens, const Name& origin,
                     std::vector<std::uint8_t>& out);
std::vector<std::uint8_t> rdata_from_text(RRType type, std::span<const TextToken> tokens, const Name& origin);

// Convenience for tests and tools: splits `text` into tokens (quotes and parentheses as a zone file would)
// and parses it.
std::vector<std::uint8_t> rdata_from_text(RRType type, std::string_view text, const Name& origin);
// The splitting used above: whitespace-separated, "quoted strings" as one token (quotes removed, escapes
// kept), parentheses ignored, ';' comments to the end of the line. Tokens view into `text`.
std::vector<TextToken> tokenize_rdata(std::string_view text);

// Presentation form of wire rdata, as BIND prints it (names absolute; long base64 and hex in one piece
// where BIND splits them). RFC 3597 form for types without a declaration and for rdata that is malformed
// or has no text form that would read back to the same wire.
std::string rdata_to_text(RRType type, std::span<const std::uint8_t> rdata);
std::string rdata_to_generic_text(std::span<const std::uint8_t> rdata);  // "\# LEN HEX"

// Reads `rdlength` octets of rdata at `offset` of a whole message, expanding compressed names, and checks
// the structure of known types. Compressed names are accepted only where RFC 3597 §4 says receivers
// decompress (the RFC 1035 types, and RP AFSDB RT SIG PX NAPTR SRV); elsewhere a compression pointer is
// an error. Unknown types are copied as they are. Throws ParseError.
std::vector<std::uint8_t> rdata_from_wire(RRType type, std::span<const std::uint8_t> message,
                                          std::size_t offset, std::size_t rdlength);

// Whether the names inside this type's rdata may be compressed when written (RFC 3597 §4: the RFC 1035
// types only).
bool rdata_names_compressible(RRType type);

// Calls `visit(offset, length)` for each domain name embedded in wire rdata, in order. Used for
// compression when writing, for additional-section processing and for canonical form.
void for_each_rdata_name(RRType type, std::span<const std::uint8_t> rdata,
                         const std::function<void(std::size_t offset, std::size_t length)>& visit);

// Appends the RFC 4034 §4.1.2 type bitmap of `types` (any order, repeats allowed; sorted in place).
void append_type_bitmap(std::span<std::uint16_t> types, std::vector<std::uint8_t>& out);

// RFC 4034 §6.2 canonical form: embedded names lowercased for the types that section lists, except NSEC
// (RFC 6840 §5.1). Types defined later (DNAME is listed; SVCB, HTTPS, LP, TALINK... are not) keep their
// case, as RFC 3597 §7 requires.
std::vector<std::uint8_t> rdata_canonical(RRType type, std::span<const std::uint8_t> rdata);
// RFC 4034 §6.3 order of two rdata of `type`: their canonical forms compared as unsigned octet strings.
// Equal means one record under DNSSEC's canonical form ("NS ns1" and "NS NS1"). Allocates nothing for
// rdata up to 512 octets.
std::strong_ordering rdata_canonical_compare(RRType type, std::span<const std::uint8_t> a,
                                             std::span<const std::uint8_t> b);

}  // namespace cairn::dns
