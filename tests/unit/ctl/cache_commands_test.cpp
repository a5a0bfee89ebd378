// The resolver's control commands as rndc spells them (ctl/cache_commands.hpp): what reaches the server's
// CacheTarget for `managed-keys`, `validation` and `nta`, and which of them a read-only channel may run.
#include "ctl/cache_commands.hpp"

#include <gtest/gtest.h>

namespace cairn::ctl {
namespace {

class RecordingTarget : public CacheTarget {
  public:
    std::string called;

    CommandResult flush(const std::optional<std::string>&) override { return record("flush"); }
    CommandResult flush_name(const std::string&, bool, const std::optional<std::string>&) override {
        return record("flushname");
    }
    std::optional<std::string> cache_dump(const std::string&) override { return std::nullopt; }
    CommandResult serve_stale(const std::string&, const std::optional<std::string>&) override {
        return record("serve-stale");
    }
    CommandResult inspect(const std::string&, const std::optional<std::string>&,
                          const std::optional<std::string>&) override {
        return record("cache");
    }
    CommandResult nta(const std::string& name, std::optional<std::uint32_t> lifetime, bool force, bool remove,
                      const std::optional<std::string>& view) override {
        return record("nta " + name + " " + (lifetime ? std::to_string(*lifetime) : "-") +
                      (force ? " force" : "") + (remove ? " remove" : "") + " " + view.value_or("*"));
    }
    CommandResult nta_dump() override { return record("nta-dump"); }
    CommandResult secroots(const std::vector<std::string>&, bool) override { return record("secroots"); }
    CommandResult validation(const std::string& action, const std::optional<std::string>& view) override {
        return record("validation " + action + " " + view.value_or("*"));
    }
    CommandResult managed_keys(const std::string& action, const std::optional<std::string>& view) override {
        return record("managed-keys " + action + " " + view.value_or("*"));
    }

  private:
    CommandResult record(std::string what) {
        called = std::move(what);
        return CommandResult::success();
    }
};

TEST(CacheCommands, ManagedKeysTakesBindsSyntax) {
    RecordingTarget target;
    EXPECT_TRUE(is_cache_command("managed-keys"));
    EXPECT_TRUE(dispatch_cache({"managed-keys", "status"}, &target).ok());
    EXPECT_EQ(target.called, "managed-keys status *");
    EXPECT_TRUE(dispatch_cache({"managed-keys", "refresh", "IN", "internal"}, &target).ok());
    EXPECT_EQ(target.called, "managed-keys refresh internal");
    EXPECT_TRUE(dispatch_cache({"managed-keys", "sync", "in"}, &target).ok());
    EXPECT_EQ(target.called, "managed-keys sync *");
    target.called.clear();
    EXPECT_EQ(dispatch_cache({"managed-keys", "destroy"}, &target).code, kResultNotImplemented);
    EXPECT_FALSE(dispatch_cache({"managed-keys", "rollover"}, &target).ok());
    EXPECT_FALSE(dispatch_cache({"managed-keys", "status", "CHAOTIC"}, &target).ok());
    EXPECT_FALSE(dispatch_cache({"managed-keys"}, &target).ok());
    EXPECT_TRUE(target.called.empty());
}

TEST(CacheCommands, OnlyStatusAndDumpsAreReadOnly) {
    EXPECT_TRUE(is_read_only_cache_command({"managed-keys", "status"}));
    EXPECT_FALSE(is_read_only_cache_command({"managed-keys", "refresh"}));
    EXPECT_FALSE(is_read_only_cache_command({"managed-keys", "sync"}));
    EXPECT_TRUE(is_read_only_cache_command({"validation", "status"}));
    EXPECT_FALSE(is_read_only_cache_command({"validation", "off"}));
    EXPECT_TRUE(is_read_only_cache_command({"nta", "-dump"}));
    EXPECT_FALSE(is_read_only_cache_command({"nta", "example.com"}));
}

TEST(CacheCommands, NtaOptionsReachTheTarget) {
    RecordingTarget target;
    EXPECT_TRUE(
        dispatch_cache({"nta", "-lifetime", "1h", "-force", "example.com", "IN", "internal"}, &target).ok());
    EXPECT_EQ(target.called, "nta example.com 3600 force internal");
    EXPECT_TRUE(dispatch_cache({"nta", "-remove", "example.com"}, &target).ok());
    EXPECT_EQ(target.called, "nta example.com - remove *");
    EXPECT_FALSE(dispatch_cache({"nta", "-lifetime", "8d", "example.com"}, &target).ok());  // over a week
    EXPECT_TRUE(dispatch_cache({"validation", "disable", "internal"}, &target).ok());
    EXPECT_EQ(target.called, "validation off internal");
}

}  // namespace
}  // namespace cairn::ctl
