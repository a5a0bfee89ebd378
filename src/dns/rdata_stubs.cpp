// Temporary: field kinds not implemented yet are opaque on the wire and rejected in presentation form.
#include "dns/rdata_special.hpp"

namespace cairn::dns::rdata_detail {

void parse_svc_params(RRType type, const FieldSpec& field, std::span<const TextToken>,
                      std::vector<std::uint8_t>&) {
    fail(type, field.label, "not supported yet");
}
void check_svc_params(std::span<const std::uint8_t>, std::size_t, std::size_t) {}
void append_svc_params_text(std::string&, std::span<const std::uint8_t>, std::size_t) {
    throw ParseError("not supported yet");
}
void parse_loc(RRType type, const FieldSpec& field, std::span<const TextToken>, std::vector<std::uint8_t>&) {
    fail(type, field.label, "not supported yet");
}
void check_loc(std::span<const std::uint8_t>, std::size_t, std::size_t) {}
void append_loc_text(std::string&, std::span<const std::uint8_t>, std::size_t) {
    throw ParseError("not supported yet");
}
void parse_apl(RRType type, const FieldSpec& field, std::span<const TextToken>, std::vector<std::uint8_t>&) {
    fail(type, field.label, "not supported yet");
}
void check_apl(std::span<const std::uint8_t>, std::size_t, std::size_t) {}
void append_apl_text(std::string&, std::span<const std::uint8_t>, std::size_t) {
    throw ParseError("not supported yet");
}
void parse_ipseckey(RRType type, const FieldSpec& field, std::span<const TextToken>, const Name&,
                    std::vector<std::uint8_t>&) {
    fail(type, field.label, "not supported yet");
}
std::size_t walk_ipseckey(const WireWalk& w, std::size_t pos) {
    copy_raw(w, pos, w.end);
    return w.end;
}
void append_ipseckey_text(std::string&, std::span<const std::uint8_t>, std::size_t) {
    throw ParseError("not supported yet");
}
void parse_hip(RRType type, const FieldSpec& field, std::span<const TextToken>, const Name&,
               std::vector<std::uint8_t>&) {
    fail(type, field.label, "not supported yet");
}
std::size_t walk_hip(const WireWalk& w, std::size_t pos) {
    copy_raw(w, pos, w.end);
    return w.end;
}
void append_hip_text(std::string&, std::span<const std::uint8_t>, std::size_t) {
    throw ParseError("not supported yet");
}

}  // namespace cairn::dns::rdata_detail
