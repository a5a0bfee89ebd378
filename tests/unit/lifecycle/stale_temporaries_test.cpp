#include "lifecycle/stale_temporaries.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace cairn::lifecycle {
namespace {

namespace fs = std::filesystem;

class StaleTemporariesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cairn-stale-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string touch(const std::string& name) {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << "x";
        return path;
    }
    fs::path dir_;
};

TEST_F(StaleTemporariesTest, RemovesOnlyTheZoneFilesOwnLeftovers) {
    const std::string file = touch("a.test.db");
    touch("a.test.db.tmp-99999");
    touch("a.test.db.tmp.Ab12Cd");
    touch("ab.test.db.tmp-99999");                         // another zone's
    touch("a.test.db.tmp-" + std::to_string(::getpid()));  // a save of ours in progress
    StaleTemporaries stale;
    auto removed = stale.remove_for(file);
    std::sort(removed.begin(), removed.end());
    EXPECT_EQ(removed, (std::vector<std::string>{(dir_ / "a.test.db.tmp-99999").string(),
                                                 (dir_ / "a.test.db.tmp.Ab12Cd").string()}));
    EXPECT_TRUE(fs::exists(file));
    EXPECT_TRUE(fs::exists(dir_ / "ab.test.db.tmp-99999"));
    EXPECT_TRUE(fs::exists(dir_ / ("a.test.db.tmp-" + std::to_string(::getpid()))));
    EXPECT_EQ(stale.remove_for((dir_ / "ab.test.db").string()),
              std::vector<std::string>{(dir_ / "ab.test.db.tmp-99999").string()});
}

TEST_F(StaleTemporariesTest, ADirectoryOfManyZonesIsListedOnce) {
    for (int i = 0; i < 200; ++i)
        touch("z" + std::to_string(i) + ".db");
    touch("z7.db.tmp-4242");
    StaleTemporaries stale;
    std::size_t removed = 0;
    for (int i = 0; i < 200; ++i)
        removed += stale.remove_for((dir_ / ("z" + std::to_string(i) + ".db")).string()).size();
    EXPECT_EQ(removed, 1u);
    EXPECT_FALSE(fs::exists(dir_ / "z7.db.tmp-4242"));
    EXPECT_EQ(stale.directories_listed(), 1u);
}

}  // namespace
}  // namespace cairn::lifecycle
