// How a zone is named in the log, as BIND names it: "zone example.test/IN", and "zone
// example.test/IN/internal" in a named view (BIND leaves the default view's name out). The origin is written
// without its final dot; the root zone is ".". Log parsers written for BIND's messages match these, and
// BIND's statistics documents (/xml/v3, /json/v1) name zones the same way. The daemon's log lines and the
// zone lifecycle's share this one rule.
#pragma once

#include <string>
#include <string_view>

#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::dns {

// `origin` in presentation form, with or without the final dot: without it ("." stays ".").
inline std::string zone_name_text(std::string_view origin) {
    if (origin.size() > 1 && origin.back() == '.') origin.remove_suffix(1);
    return std::string(origin);
}

inline std::string zone_name_text(const Name& origin) {
    return zone_name_text(origin.to_text());
}

// "zone NAME/CLASS[/VIEW]"; the view named "_default" (or none) is left out.
inline std::string zone_label(std::string_view origin, std::string_view view, RRClass rclass = RRClass::IN) {
    std::string label = "zone " + zone_name_text(origin) + "/" + class_to_text(rclass);
    if (!view.empty() && view != "_default") {
        label += '/';
        label += view;
    }
    return label;
}

inline std::string zone_label(const Name& origin, std::string_view view, RRClass rclass = RRClass::IN) {
    return zone_label(origin.to_text(), view, rclass);
}

}  // namespace cairn::dns
