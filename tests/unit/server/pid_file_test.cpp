#include "server/pid_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

TEST(PidFile, HoldsOurPidAndIsRemovedOnDestruction) {
    const auto path = fs::temp_directory_path() / ("cairn-pid-test-" + std::to_string(::getpid()) + ".pid");
    {
        PidFile pid(path.string());
        std::ifstream in(path);
        long written = 0;
        in >> written;
        EXPECT_EQ(written, ::getpid());
        EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
    }
    EXPECT_FALSE(fs::exists(path));
}

TEST(PidFile, UnwritableLocationIsAnErrorNamingThePath) {
    try {
        PidFile pid("/nonexistent-cairn-dir/cairnd.pid");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-cairn-dir/cairnd.pid"), std::string::npos);
    }
}

}  // namespace
}  // namespace cairn::server
