// Reads named.conf through the config library and turns it into the daemon's Settings: listen addresses
// from listen-on/listen-on-v6, the zones it serves per view, compiled access lists.
#pragma once

#include <string>
#include <vector>

#include "server/settings.hpp"

namespace cairn::server {

struct SettingsResult {
    Settings settings;
    std::vector<std::string> errors;    // "FILE:LINE: message"; non-empty means unusable
    std::vector<std::string> warnings;  // including what cairn does not do (yet)
};

SettingsResult load_settings(const std::string& config_path);

}  // namespace cairn::server
