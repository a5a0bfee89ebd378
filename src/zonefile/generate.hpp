// BIND's $GENERATE templates: `$` is the iterator, `${offset[,width[,base]]}` formats it (base d, o, x, X,
// or n/N for nibble labels as used under ip6.arpa), `$$` is a literal '$', and a backslash keeps the
// character after it (so `\$` reaches the name or rdata parser as an escaped '$').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::zonefile {

struct GenerateRange {
    std::uint32_t start = 0;
    std::uint32_t stop = 0;
    std::uint32_t step = 1;
};

// "start-stop[/step]" with start <= stop, as BIND accepts it. nullopt when malformed.
std::optional<GenerateRange> parse_generate_range(std::string_view text);

// Expands `pattern` for iteration value `value`, replacing `out`. Returns an error message, or empty.
std::string expand_generate_template(std::string_view pattern, std::int64_t value, std::string& out);

}  // namespace cairn::zonefile
