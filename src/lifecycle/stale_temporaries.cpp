#include "lifecycle/stale_temporaries.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace cairn::lifecycle {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> list_temporaries(const fs::path& directory) {
    const std::string ours = ".tmp-" + std::to_string(::getpid());
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(directory, error)) {
        std::string name = entry.path().filename().string();
        if (name.find(".tmp-") == std::string::npos && name.find(".tmp.") == std::string::npos) continue;
        if (name.ends_with(ours)) continue;  // a save of ours, in progress
        names.push_back(std::move(name));
    }
    return names;
}

}  // namespace

std::vector<std::string> StaleTemporaries::remove_for(const std::string& file) {
    const fs::path path(file);
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const std::string stem = path.filename().string();
    std::vector<std::string> mine;
    {
        std::lock_guard lock(mutex_);
        auto [at, added] = candidates_.try_emplace(directory.string());
        if (added) at->second = list_temporaries(directory);
        auto& names = at->second;
        const auto is_mine = [&](const std::string& name) {
            if (name.size() <= stem.size() + 5 || name.compare(0, stem.size(), stem) != 0) return false;
            const std::string_view tail = std::string_view(name).substr(stem.size());
            return tail.starts_with(".tmp-") || tail.starts_with(".tmp.");
        };
        for (const auto& name : names)
            if (is_mine(name)) mine.push_back(name);
        std::erase_if(names, is_mine);
    }
    std::vector<std::string> removed;
    std::error_code error;
    for (const auto& name : mine) {
        const fs::path stale = directory / name;
        if (fs::remove(stale, error)) removed.push_back(stale.string());
    }
    return removed;
}

std::size_t StaleTemporaries::directories_listed() const {
    std::lock_guard lock(mutex_);
    return candidates_.size();
}

}  // namespace cairn::lifecycle
