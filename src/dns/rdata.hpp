// Record data codec. Every record type is declared once (a field list in rdata.cpp), and that one
// declaration drives presentation parsing and printing, wire parsing, compression and canonical form.
// Rdata is held everywhere in uncompressed wire form with names in their original case.
#pragma once

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

// Presentation form of wire rdata, as BIND prints it; RFC 3597 form for types without a declaration.
std::string rdata_to_text(RRType type, std::span<const std::uint8_t> rdata);
std::string rdata_to_generic_text(std::span<const std::uint8_t> rdata);  // "\# LEN HEX"

// Reads `rdlength` octets of rdata at `offset` of a whole message, expanding compressed names, and checks
// the structure of known types. Throws ParseError.
std::vector<std::uint8_t> rdata_from_wire(RRType type, std::span<const std::uint8_t> message,
                                          std::size_t offset, std::size_t rdlength);

// Whether the names inside this type's rdata may be compressed when written (RFC 3597 §4: the RFC 1035
// types only).
bool rdata_names_compressible(RRType type);

// Calls `visit(offset, length)` for each domain name embedded in wire rdata, in order. Used for
// compression when writing, for additional-section processing and for canonical form.
void for_each_rdata_name(RRType type, std::span<const std::uint8_t> rdata,
                         const std::function<void(std::size_t offset, std::size_t length)>& visit);

// RFC 4034 §6.2 canonical form: embedded names lowercased for the types that section lists.
std::vector<std::uint8_t> rdata_canonical(RRType type, std::span<const std::uint8_t> rdata);

}  // namespace cairn::dns
