// The first error reading a configuration text gives, as "test.conf:LINE: message", or "(accepted)".
#pragma once

#include <string>

#include "config/config.hpp"

namespace cairn::config::testing {

inline std::string first_error(const std::string& text) {
    try {
        load_text("test.conf", text);
    } catch (const ConfigError& e) {
        return e.errors().at(0).to_string();
    }
    return "(accepted)";
}

}  // namespace cairn::config::testing
