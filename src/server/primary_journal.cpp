#include "server/primary_journal.hpp"

#include <filesystem>

#include "zone/diff.hpp"

namespace cairn::server {

store::Journal& PrimaryJournals::open(const std::string& view, const zone::Zone& zone) {
    const auto key = std::make_pair(view, zone.origin().lowercased().to_text());
    auto found = journals_.find(key);
    if (found != journals_.end()) return *found->second;
    if (env_ == nullptr) {
        const auto path = std::filesystem::absolute(std::filesystem::path(directory_) / "cairn.lmdb");
        env_ = std::make_unique<store::Environment>(path.string());
    }
    // Views share the environment: a zone in a view other than the default is journaled as
    // <view>._view.<zone>, so that each view's version history stays its own.
    auto journal = std::make_unique<store::Journal>(
        *env_, view == "_default" ? zone.origin()
                                  : dns::Name::from_text(view + "._view." + zone.origin().to_text()));
    return *journals_.emplace(key, std::move(journal)).first->second;
}

const store::Journal* PrimaryJournals::journal(const std::string& view, const zone::Zone& zone) {
    return &open(view, zone);
}

bool PrimaryJournals::record(const std::string& view, const zone::Zone& old_version,
                             const zone::Zone& new_version, std::size_t max_bytes, std::string& why) {
    if (old_version.serial() == new_version.serial()) {
        why = "the serial did not change (" + std::to_string(new_version.serial()) +
              "); the change is not journaled and secondaries will not see it";
        return false;
    }
    try {
        const zone::ZoneDiff diff = zone::diff_zones(old_version, new_version);
        open(view, new_version).append(diff, max_bytes);
        return true;
    } catch (const std::exception& e) {
        why = e.what();
        return false;
    }
}

}  // namespace cairn::server
