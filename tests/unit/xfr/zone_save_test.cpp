// The zone file a secondary saves: text and raw read back as the same zone, atomically (no temporary file
// left behind), and a write abandoned half-way leaves the previous file; a batch of staged files lands
// together, each in place or (its directory gone) failed alone.
#include "xfr/zone_save.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "xfr_test_util.hpp"
#include "zonefile/raw.hpp"

namespace cairn::xfr {
namespace {

using testing::kOrigin;
using testing::make_zone;
using testing::sorted_texts;

class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cairn-zone-save-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

TEST(ZoneSave, TextAndRawReadBackAsTheSameZone) {
    TempDir dir;
    const auto zone = make_zone(testing::zone_text(12, 50));
    save_zone_file(*zone, dir / "z.txt", ZoneFileFormat::Text);
    zonefile::LoadOptions o;
    o.parse.origin = kOrigin;
    const auto loaded = zonefile::load_zone_file(dir / "z.txt", o);
    ASSERT_TRUE(loaded.ok);
    EXPECT_EQ(sorted_texts(*zone::Zone::build(kOrigin, loaded.zone.to_records())), sorted_texts(*zone));
    save_zone_file(*zone, dir / "z.raw", ZoneFileFormat::Raw);
    EXPECT_EQ(sorted_texts(*zonefile::read_raw(dir / "z.raw")), sorted_texts(*zone));
    // No temporary file stays behind.
    std::size_t files = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(std::filesystem::path(dir / "z.txt").parent_path())) {
        (void)e;
        ++files;
    }
    EXPECT_EQ(files, 2u);
    EXPECT_THROW(save_zone_file(*zone, "/proc/cairn-nowhere/z.txt", ZoneFileFormat::Text),
                 std::runtime_error);
}

TEST(ZoneSave, AnAbandonedWriteKeepsThePreviousFile) {
    TempDir dir;
    const auto first = make_zone(testing::zone_text(1, 5));
    save_zone_file(*first, dir / "z.txt", ZoneFileFormat::Text);
    const auto second = make_zone(testing::zone_text(2, 5000));
    EXPECT_THROW(save_zone_file(*second, dir / "z.txt", ZoneFileFormat::Text, [] { return true; }),
                 std::runtime_error);
    zonefile::LoadOptions o;
    o.parse.origin = kOrigin;
    const auto loaded = zonefile::load_zone_file(dir / "z.txt", o);
    ASSERT_TRUE(loaded.ok);
    EXPECT_EQ(zone::Zone::build(kOrigin, loaded.zone.to_records())->serial(), 1u);
    std::size_t files = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(std::filesystem::path(dir / "z.txt").parent_path())) {
        (void)e;
        ++files;
    }
    EXPECT_EQ(files, 1u);  // the temporary file is gone
}

std::uint32_t serial_of(const std::string& path) {
    zonefile::LoadOptions o;
    o.parse.origin = kOrigin;
    const auto loaded = zonefile::load_zone_file(path, o);
    EXPECT_TRUE(loaded.ok) << path;
    return loaded.ok ? zone::Zone::build(kOrigin, loaded.zone.to_records())->serial() : 0;
}

TEST(ZoneSave, AStagedBatchIsNotInPlaceUntilCommittedThenEveryFileIs) {
    TempDir dir;
    TempDir other;
    const auto old_version = make_zone(testing::zone_text(1, 5));
    save_zone_file(*old_version, dir / "z0.txt", ZoneFileFormat::Text);
    std::vector<StagedZoneFile> staged;
    for (std::uint32_t i = 0; i < 5; ++i) {
        const auto zone = make_zone(testing::zone_text(10 + i, 20));
        staged.push_back(stage_zone_file(*zone, dir / ("z" + std::to_string(i) + ".txt")));
        EXPECT_TRUE(std::filesystem::exists(staged.back().temporary));
    }
    const auto elsewhere = make_zone(testing::zone_text(20, 20));
    staged.push_back(stage_zone_file(*elsewhere, other / "y.txt"));
    // Staged, nothing is in place yet: the old file is still the one served at a restart.
    EXPECT_EQ(serial_of(dir / "z0.txt"), 1u);
    EXPECT_FALSE(std::filesystem::exists(dir / "z1.txt"));

    const auto errors = commit_zone_files(staged);
    ASSERT_EQ(errors.size(), staged.size());
    for (std::size_t i = 0; i < errors.size(); ++i)
        EXPECT_EQ(errors[i], "") << i;
    for (std::uint32_t i = 0; i < 5; ++i)
        EXPECT_EQ(serial_of(dir / ("z" + std::to_string(i) + ".txt")), 10 + i);
    EXPECT_EQ(serial_of(other / "y.txt"), 20u);
    for (const auto& file : staged)
        EXPECT_FALSE(std::filesystem::exists(file.temporary)) << file.temporary;
}

TEST(ZoneSave, AFileWhoseDirectoryWentFailsAloneInItsBatch) {
    TempDir dir;
    const std::string gone = dir / "gone";
    std::filesystem::create_directory(gone);
    std::vector<StagedZoneFile> staged;
    staged.push_back(stage_zone_file(*make_zone(testing::zone_text(5, 5)), dir / "kept.txt"));
    staged.push_back(stage_zone_file(*make_zone(testing::zone_text(6, 5)), gone + "/lost.txt"));
    std::filesystem::remove_all(gone);
    const auto errors = commit_zone_files(staged);
    EXPECT_EQ(errors[0], "");
    EXPECT_NE(errors[1].find(gone), std::string::npos) << errors[1];
    EXPECT_EQ(serial_of(dir / "kept.txt"), 5u);
}

}  // namespace
}  // namespace cairn::xfr
