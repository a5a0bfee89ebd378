// The parser behind Name::from_text, for codecs that build wire data in place without making a Name.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "dns/name.hpp"

namespace cairn::dns {

// Appends the uncompressed wire form of the presentation name `text` to `out`; a name without a trailing
// dot is completed with `origin` (an error when there is none). Throws ParseError as Name::from_text does.
void append_name_wire(std::string_view text, const Name* origin, std::vector<std::uint8_t>& out);

}  // namespace cairn::dns
