#include "lifecycle/zone_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "zonefile/raw.hpp"

namespace cairn::lifecycle {
namespace {

namespace fs = std::filesystem;

class ZoneLoaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cairn-zone-loader-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }
    ZoneSource source(const std::string& file, bool raw = false) {
        return ZoneSource{dns::Name::from_text("example.test."), file, raw};
    }

    fs::path dir_;
};

const char* kZone =
    "$TTL 300\n"
    "@ SOA ns1 hostmaster 7 3600 600 86400 300\n"
    "  NS ns1\n"
    "ns1 A 192.0.2.1\n";

TEST_F(ZoneLoaderTest, LoadsATextZoneAndNoticesEdits) {
    const auto path = write("example.test.zone", kZone);
    const ZoneLoadResult result = load_zone(source(path));
    ASSERT_TRUE(result.loaded) << (result.errors.empty() ? "" : result.errors[0]);
    EXPECT_EQ(result.loaded->zone->serial(), 7u);
    EXPECT_TRUE(result.loaded->unchanged_on_disk());

    write("example.test.zone", std::string(kZone) + "www A 192.0.2.2\n");
    EXPECT_FALSE(result.loaded->unchanged_on_disk());
}

TEST_F(ZoneLoaderTest, IncludedFilesAreWatchedToo) {
    const auto included = write("extra.inc", "www A 192.0.2.9\n");
    const auto path = write("example.test.zone", std::string(kZone) + "$INCLUDE " + included + "\n");
    const ZoneLoadResult result = load_zone(source(path));
    ASSERT_TRUE(result.loaded);
    EXPECT_EQ(result.loaded->files.size(), 2u);
    write("extra.inc", "www A 192.0.2.10\n");
    EXPECT_FALSE(result.loaded->unchanged_on_disk());
}

TEST_F(ZoneLoaderTest, ErrorsNameFileAndLine) {
    const auto path = write("example.test.zone", std::string(kZone) + "bad A 999.0.0.1\n");
    const ZoneLoadResult result = load_zone(source(path));
    EXPECT_FALSE(result.loaded);
    ASSERT_FALSE(result.errors.empty());
    EXPECT_NE(result.errors[0].find(path + ":5"), std::string::npos) << result.errors[0];
}

TEST_F(ZoneLoaderTest, MissingFileIsAnErrorNamingIt) {
    const auto path = (dir_ / "absent.zone").string();
    const ZoneLoadResult result = load_zone(source(path));
    EXPECT_FALSE(result.loaded);
    ASSERT_FALSE(result.errors.empty());
    EXPECT_NE(result.errors[0].find(path), std::string::npos) << result.errors[0];
}

TEST_F(ZoneLoaderTest, LoadsTheRawFormat) {
    const auto text = write("example.test.zone", kZone);
    const ZoneLoadResult from_text = load_zone(source(text));
    ASSERT_TRUE(from_text.loaded);
    const auto raw = (dir_ / "example.test.raw").string();
    zonefile::write_raw(*from_text.loaded->zone, raw);
    const ZoneLoadResult from_raw = load_zone(source(raw, true));
    ASSERT_TRUE(from_raw.loaded) << (from_raw.errors.empty() ? "" : from_raw.errors[0]);
    EXPECT_EQ(from_raw.loaded->zone->serial(), 7u);

    // A raw file for another zone is refused.
    ZoneSource other{dns::Name::from_text("other.test."), raw, true};
    EXPECT_FALSE(load_zone(other).loaded);
}

}  // namespace
}  // namespace cairn::lifecycle
