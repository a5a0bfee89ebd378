#include "server/log_throttle.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

TEST(LogThrottle, ThousandsAreGrouped) {
    EXPECT_EQ(with_thousands(0), "0");
    EXPECT_EQ(with_thousands(999), "999");
    EXPECT_EQ(with_thousands(1204), "1,204");
    EXPECT_EQ(with_thousands(1234567), "1,234,567");
}

TEST(LogThrottle, AFloodWritesABurstThenOneLineWithTheCount) {
    setup_stderr_log("off");
    const fs::path directory =
        fs::temp_directory_path() / ("cairn-throttle-test-" + std::to_string(::getpid()));
    fs::create_directories(directory);
    LoggingSettings logging;
    LogChannel channel;
    channel.kind = LogChannel::Kind::file;
    channel.name = "file";
    channel.file = (directory / "notify.log").string();
    logging.channels = {channel};
    logging.categories["notify"] = {"file"};
    configure_logging(logging);

    LogThrottle throttle(LogCategory::notify, "refused NOTIFY");
    for (int i = 0; i < 10000; ++i)
        throttle.info("client 127.58.0.1#5300: notify for zone {} refused", i);
    throttle.roll(std::numeric_limits<std::int64_t>::max() / 2);  // the period ends
    category_log(LogCategory::notify).flush();
    std::ifstream in(directory / "notify.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    ASSERT_EQ(lines.size(), kThrottleBurst + 1);
    EXPECT_EQ(lines[0], "client 127.58.0.1#5300: notify for zone 0 refused");
    EXPECT_EQ(lines.back(), "refused NOTIFY: 9,990 similar messages suppressed");
    EXPECT_EQ(throttle.suppressed_total(), 9990u);
    configure_logging({});
    fs::remove_all(directory);
}

TEST(LogThrottle, LinesNobodyWantsAreNotCounted) {
    setup_stderr_log("off");
    configure_logging({});
    LogThrottle throttle(LogCategory::notify, "refused NOTIFY");
    for (int i = 0; i < 100; ++i)
        throttle.info("dropped {}", i);
    EXPECT_EQ(throttle.suppressed_total(), 0u);
}

}  // namespace
}  // namespace cairn::server
