// The zone file a secondary saves: text and raw read back as the same zone, atomically (no temporary file
// left behind), and a write abandoned half-way leaves the previous file.
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

}  // namespace
}  // namespace cairn::xfr
