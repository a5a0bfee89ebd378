// Internal to the rdata codec: helpers shared by the engine (rdata.cpp) and the field kinds with structure
// of their own (SvcParams, LOC, APL, IPSECKEY, HIP) and per-type rules beyond field structure.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/ip_address.hpp"
#include "dns/rdata.hpp"
#include "dns/rdata_fields.hpp"

namespace cairn::dns::rdata_detail {

// Throws ParseError "TYPE field: problem".
[[noreturn]] void fail(RRType type, std::string_view field, std::string_view problem);
std::string quote(std::string_view text);  // 'text'

// Appends the uncompressed wire form of a presentation name ("@" is the origin; relative names are
// completed with it). Throws ParseError.
void append_name_text(std::string_view text, const Name& origin, std::vector<std::uint8_t>& out);
// Appends the absolute presentation form of the uncompressed name at data[pos], advancing pos.
void append_wire_name_text(std::string& out, std::span<const std::uint8_t> data, std::size_t& pos);

std::uint64_t parse_number(RRType type, const FieldSpec& field, const TextToken& token, std::uint64_t max);
// Addresses in rdata are their bare 4 or 16 octets; text goes through IpAddress::parse_v4/parse_v6 and
// IpAddress::from_octets(...).append_text().
inline void append_octets(const IpAddress& address, std::vector<std::uint8_t>& out) {
    const auto octets = address.octets();
    out.insert(out.end(), octets.begin(), octets.end());
}

// One pass over wire rdata at data[begin, end): checks structure, optionally copies it to `out` with
// compressed names expanded, and reports each embedded name as (offset in the uncompressed rdata, length).
struct WireWalk {
    std::span<const std::uint8_t> data;  // a whole message, or just the rdata
    std::size_t begin = 0;
    std::size_t end = 0;
    bool decompress = false;
    std::vector<std::uint8_t>* out = nullptr;
    const std::function<void(std::size_t, std::size_t)>* visit = nullptr;
};

// Position after n more octets at pos; throws ParseError when they are not there.
std::size_t need(const WireWalk& w, std::size_t pos, std::size_t n);
void copy_raw(const WireWalk& w, std::size_t from, std::size_t to);
// Reads (and copies, and reports) the name at pos; returns the position after it in `data`.
std::size_t walk_name(const WireWalk& w, std::size_t pos, bool decompress);
// Reads a possibly compressed name at data[pos], bounded by `end` until a pointer is followed; appends the
// uncompressed form to *out when given. Returns its uncompressed length. Throws ParseError.
std::size_t read_wire_name(std::span<const std::uint8_t> data, std::size_t& pos, std::size_t end,
                           bool decompress, std::vector<std::uint8_t>* out);

// Field kinds with structure of their own. parse_* read every remaining token; check_* validate wire data
// at data[pos, end); walk_* also copy and report names; append_*_text print validated data from pos to the
// end of `rdata`.
void parse_svc_params(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                      std::vector<std::uint8_t>& out);
void check_svc_params(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end);
void append_svc_params_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos);

void parse_loc(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
               std::vector<std::uint8_t>& out);
void check_loc(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end);
void append_loc_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos);

void parse_apl(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
               std::vector<std::uint8_t>& out);
void check_apl(std::span<const std::uint8_t> data, std::size_t pos, std::size_t end);
void append_apl_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos);

void parse_ipseckey(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                    const Name& origin, std::vector<std::uint8_t>& out);
std::size_t walk_ipseckey(const WireWalk& w, std::size_t pos);
void append_ipseckey_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos);

void parse_amtrelay(RRType type, const FieldSpec& field, std::span<const TextToken> tokens,
                    const Name& origin, std::vector<std::uint8_t>& out);
std::size_t walk_amtrelay(const WireWalk& w, std::size_t pos);
void append_amtrelay_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos);

void parse_hip(RRType type, const FieldSpec& field, std::span<const TextToken> tokens, const Name& origin,
               std::vector<std::uint8_t>& out);
std::size_t walk_hip(const WireWalk& w, std::size_t pos);
void append_hip_text(std::string& out, std::span<const std::uint8_t> rdata, std::size_t pos);

// Rules on a whole uncompressed rdata beyond its fields' structure (e.g. a DS digest's length must match
// its digest type). Throws ParseError.
void check_type_rules(const TypeSpec& spec, std::span<const std::uint8_t> rdata);

}  // namespace cairn::dns::rdata_detail
