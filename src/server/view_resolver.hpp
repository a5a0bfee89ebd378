// One view's recursive resolver as the daemon keeps it: the core's context (the view's cache, its
// infrastructure cache, its counters) under the view's name. Views keep their resolver, cache included,
// across reloads that do not change its settings (as BIND keeps a view's cache when its configuration
// allows); a changed view starts with an empty cache, and with the NTAs and managed keys its files hold.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "resolver/context.hpp"
#include "resolver/settings.hpp"
#include "server/recursion_settings.hpp"
#include "server/validation_files.hpp"

namespace cairn::server {

struct ViewResolver {
    std::string view;
    std::string fingerprint;  // the settings it was built from, as text
    std::unique_ptr<resolver::ResolverContext> context;
    ValidationFiles files;  // its NTAs and managed keys on disk (validation_files.hpp)
};

// named.conf's recursion settings of a view turned into the core's: the hints (the hint file's records, or
// the built-in list), forwarding and static-stub zones, the cache size in bytes (a percentage of physical
// memory), and every limit. Errors (an unreadable hint file) go to `errors`.
resolver::ResolverSettings resolver_settings(const RecursionSettings& recursion,
                                             std::vector<std::string>& errors);

// The settings as text, for telling whether a reload changed them.
std::string fingerprint(const resolver::ResolverSettings& settings);

// The resolvers of every view, by view name. Changed on the main thread; all() from any thread (the
// statistics channel).
class ViewResolvers {
  public:
    // The view's resolver for these settings: the one it had when they did not change, else a new one.
    std::shared_ptr<ViewResolver> for_view(const std::string& view, resolver::ResolverSettings settings);
    // Forgets the views not named (after a reload): their resolvers go when the last snapshot and
    // resolution holding them let go.
    void keep_only(const std::vector<std::string>& views);
    // Housekeeping of every cache (expired entries, retired memory) and of the validators' files: about
    // once a second.
    void maintenance();
    // Writes the validators' files that changed (at stop).
    void save_validation_files();
    std::vector<std::shared_ptr<ViewResolver>> all() const;

    std::shared_ptr<ViewResolver> find(const std::string& view) const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<ViewResolver>> by_view_;
};

}  // namespace cairn::server
