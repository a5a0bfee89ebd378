#include "ctl/control_key.hpp"

#include <stdexcept>

namespace cairn::ctl {

ControlKey control_key_from_config(const config::Key& key) {
    try {
        ControlKey out{key.name_text, dns::TsigKey::from_config(key.name_text, key.algorithm, key.secret)};
        if (out.key.truncated())
            throw std::runtime_error("truncated HMACs are not used on the control channel");
        return out;
    } catch (const std::exception& e) {
        throw std::runtime_error("key '" + key.name_text + "': " + e.what());
    }
}

std::vector<ControlKey> load_key_file(const std::string& path) {
    config::LoadResult loaded;
    try {
        loaded = config::load(path);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot read key file: ") + e.what());
    }
    std::vector<ControlKey> keys;
    for (const auto& key : loaded.config.keys)
        keys.push_back(control_key_from_config(key));
    if (keys.empty()) throw std::runtime_error("no key statement in " + path);
    return keys;
}

std::uint8_t isccc_algorithm_code(dns::TsigAlgorithm algorithm) {
    switch (algorithm) {
        case dns::TsigAlgorithm::HmacMd5:
            return 157;
        case dns::TsigAlgorithm::HmacSha1:
            return 161;
        case dns::TsigAlgorithm::HmacSha224:
            return 162;
        case dns::TsigAlgorithm::HmacSha256:
            return 163;
        case dns::TsigAlgorithm::HmacSha384:
            return 164;
        case dns::TsigAlgorithm::HmacSha512:
            return 165;
    }
    return 0;
}

}  // namespace cairn::ctl
