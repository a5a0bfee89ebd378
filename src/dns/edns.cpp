#include "dns/edns.hpp"

#include <array>

namespace cairn::dns {
namespace {

constexpr std::array<std::string_view, 30> kEdeNames = {
    "Other Error",
    "Unsupported DNSKEY Algorithm",
    "Unsupported DS Digest Type",
    "Stale Answer",
    "Forged Answer",
    "DNSSEC Indeterminate",
    "DNSSEC Bogus",
    "Signature Expired",
    "Signature Not Yet Valid",
    "DNSKEY Missing",
    "RRSIGs Missing",
    "No Zone Key Bit Set",
    "NSEC Missing",
    "Cached Error",
    "Not Ready",
    "Blocked",
    "Censored",
    "Filtered",
    "Prohibited",
    "Stale NXDOMAIN Answer",
    "Not Authoritative",
    "Not Supported",
    "No Reachable Authority",
    "Network Error",
    "Invalid Data",
    "Signature Expired before Valid",
    "Too Early",
    "Unsupported NSEC3 Iterations Value",
    "Unable to conform to policy",
    "Synthesized",
};

}  // namespace

const EdnsOption* Edns::find(EdnsOptionCode code) const {
    for (const auto& option : options) {
        if (option.code == static_cast<std::uint16_t>(code)) return &option;
    }
    return nullptr;
}

std::optional<ExtendedError> parse_ede(std::span<const std::uint8_t> data) {
    if (data.size() < 2) return std::nullopt;
    ExtendedError error;
    error.info_code = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    error.extra_text.assign(reinterpret_cast<const char*>(data.data()) + 2, data.size() - 2);
    return error;
}

std::optional<std::uint32_t> parse_expire(std::span<const std::uint8_t> data) {
    if (data.size() != 4) return std::nullopt;
    return (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) | (std::uint32_t{data[2]} << 8) |
           std::uint32_t{data[3]};
}

std::string_view ede_code_name(std::uint16_t code) {
    return code < kEdeNames.size() ? kEdeNames[code] : "";
}

std::string edns_option_name(std::uint16_t code) {
    switch (static_cast<EdnsOptionCode>(code)) {
        case EdnsOptionCode::NSID:
            return "NSID";
        case EdnsOptionCode::EXPIRE:
            return "EXPIRE";
        case EdnsOptionCode::COOKIE:
            return "COOKIE";
        case EdnsOptionCode::TCP_KEEPALIVE:
            return "TCP-KEEPALIVE";
        case EdnsOptionCode::PADDING:
            return "PADDING";
        case EdnsOptionCode::EDE:
            return "EDE";
    }
    return "OPT" + std::to_string(code);
}

}  // namespace cairn::dns
