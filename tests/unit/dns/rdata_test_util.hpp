// Shared helpers of the rdata codec tests: wire data from spaced hex, and rdata parsed against one origin.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/text.hpp"
#include "dns/types.hpp"

namespace rdata_test {

inline const cairn::dns::Name& origin() {
    static const cairn::dns::Name name = cairn::dns::Name::from_text("example.com.");
    return name;
}

// Octets from hex digits, spaces allowed between them for readability.
inline std::vector<std::uint8_t> hex(std::string_view h) {
    std::string digits;
    for (const char c : h) {
        if (c != ' ') digits.push_back(c);
    }
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(cairn::dns::decode_hex(digits, out)) << h;
    return out;
}

inline std::vector<std::uint8_t> parse(std::string_view type, std::string_view text) {
    return cairn::dns::rdata_from_text(*cairn::dns::type_from_text(type), text, origin());
}

// The ParseError message for rdata that must not parse, or "(no error)".
inline std::string parse_error(std::string_view type, std::string_view text) {
    try {
        parse(type, text);
    } catch (const cairn::dns::ParseError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace rdata_test
