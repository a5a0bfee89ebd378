// The control channel's cache commands (ctl/cache_commands.hpp) on the daemon's resolvers: flushes with the
// count of what went, each view's part of the dump file, serve-stale, and `cache NAME [TYPE]`. Every resolver
// call is thread-safe, so these run on the control thread itself rather than queueing for the main thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ctl/cache_commands.hpp"
#include "server/view_resolver.hpp"

namespace cairn::server {

class CacheControl : public ctl::CacheTarget {
  public:
    explicit CacheControl(ViewResolvers& resolvers) : resolvers_(resolvers) {}

    void set_secroots_file(
        std::string path);  // where `secroots` writes (secroots-file); main thread, on loads

    ctl::CommandResult flush(const std::optional<std::string>& view) override;
    ctl::CommandResult flush_name(const std::string& name, bool tree,
                                  const std::optional<std::string>& view) override;
    std::optional<std::string> cache_dump(const std::string& view) override;
    ctl::CommandResult serve_stale(const std::string& action,
                                   const std::optional<std::string>& view) override;
    ctl::CommandResult inspect(const std::string& name, const std::optional<std::string>& type,
                               const std::optional<std::string>& view) override;
    ctl::CommandResult nta(const std::string& name, std::optional<std::uint32_t> lifetime, bool force,
                           bool remove, const std::optional<std::string>& view) override;
    ctl::CommandResult nta_dump() override;
    ctl::CommandResult secroots(const std::vector<std::string>& views, bool print) override;
    ctl::CommandResult validation(const std::string& action, const std::optional<std::string>& view) override;
    ctl::CommandResult managed_keys(const std::string& action,
                                    const std::optional<std::string>& view) override;

  private:
    // The resolvers a command names: one view's, or all; empty with `error` set when the view has none.
    std::vector<std::shared_ptr<ViewResolver>> selected(const std::optional<std::string>& view,
                                                        ctl::CommandResult& error) const;
    // The resolvers of the views named (every one when none is), or empty with `error` set.
    std::vector<std::shared_ptr<ViewResolver>> selected(const std::vector<std::string>& views,
                                                        ctl::CommandResult& error) const;
    // The command's text for each view chosen (one view's, or all), joined by `separator`.
    ctl::CommandResult each_view(const std::optional<std::string>& view, std::string_view separator,
                                 const std::function<std::string(ViewResolver&)>& one) const;

    ViewResolvers& resolvers_;
    mutable std::mutex mutex_;
    std::string secroots_file_;
};

}  // namespace cairn::server
