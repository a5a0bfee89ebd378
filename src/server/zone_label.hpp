// How a zone is named in the log, as BIND names it: "zone example.test/IN", and "zone
// example.test/IN/internal" in a named view (BIND leaves the default view's name out). The origin is written
// without its final dot; the root zone is ".". Log parsers written for BIND's messages match these.
#pragma once

#include <string>
#include <string_view>

#include "dns/name.hpp"

namespace cairn::server {

// `origin` in presentation form, with or without the final dot.
inline std::string zone_label(std::string_view origin, std::string_view view) {
    if (origin.size() > 1 && origin.back() == '.') origin.remove_suffix(1);
    std::string label = "zone ";
    label += origin;
    label += "/IN";
    if (!view.empty() && view != "_default") {
        label += '/';
        label += view;
    }
    return label;
}

inline std::string zone_label(const dns::Name& origin, std::string_view view) {
    return zone_label(origin.to_text(), view);
}

}  // namespace cairn::server
