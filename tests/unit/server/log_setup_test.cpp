#include "server/log_setup.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

LogChannel file_channel(const std::string& name, const fs::path& path, const std::string& severity) {
    LogChannel channel;
    channel.kind = LogChannel::Kind::file;
    channel.name = name;
    channel.file = path.string();
    channel.severity = severity;
    channel.print_category = true;
    channel.print_severity = true;
    return channel;
}

class LogSetup : public ::testing::Test {
  protected:
    void SetUp() override {
        setup_stderr_log("off");  // keep the test's output clean; channels decide on their own
        directory_ = fs::temp_directory_path() / ("cairn-log-test-" + std::to_string(::getpid()));
        fs::create_directories(directory_);
    }
    void TearDown() override {
        configure_logging({});
        fs::remove_all(directory_);
    }
    fs::path directory_;
};

TEST_F(LogSetup, CategoriesGoToTheirChannelsAtTheChannelsSeverity) {
    LoggingSettings logging;
    logging.channels = {file_channel("main", directory_ / "main.log", "info"),
                        file_channel("alerts", directory_ / "alerts.log", "warning")};
    logging.categories["default"] = {"main"};
    logging.categories["security"] = {"alerts"};
    logging.categories["queries"] = {"null"};
    configure_logging(logging);

    logs::general().info("started");
    logs::xfr_in().warn("transfer failed");  // no category of its own: where default goes
    logs::security().info("not worth an alert");
    logs::security().error("denied");
    logs::queries().info("query: www.example. IN A");
    for (auto category : {LogCategory::general, LogCategory::xfr_in, LogCategory::security})
        category_log(category).flush();

    EXPECT_EQ(read(directory_ / "main.log"), "general: info: started\nxfer-in: warning: transfer failed\n");
    EXPECT_EQ(read(directory_ / "alerts.log"), "security: error: denied\n");
    // Nobody takes queries: the category is off, so a disabled query log costs one comparison.
    EXPECT_FALSE(logs::queries().should_log(spdlog::level::info));
    EXPECT_TRUE(logs::general().should_log(spdlog::level::info));
    EXPECT_FALSE(logs::security().should_log(spdlog::level::info));
}

TEST_F(LogSetup, AnUnopenableFileIsAnErrorAndLeavesTheRoutingAlone) {
    LoggingSettings logging;
    logging.channels = {file_channel("main", directory_ / "main.log", "info")};
    logging.categories["general"] = {"main"};
    configure_logging(logging);

    std::ofstream(directory_ / "plain-file") << "not a directory\n";
    LoggingSettings broken;
    broken.channels = {file_channel("bad", directory_ / "plain-file" / "x.log", "info")};
    broken.categories["general"] = {"bad"};
    try {
        configure_logging(broken);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("logging channel bad"), std::string::npos) << e.what();
    }
    logs::general().info("still here");
    logs::general().flush();
    EXPECT_EQ(read(directory_ / "main.log"), "general: info: still here\n");
}

TEST(LogCategories, NamesAsNamedConfWritesThem) {
    EXPECT_EQ(category_name(LogCategory::xfr_in), "xfer-in");
    EXPECT_EQ(category_name(LogCategory::xfr_out), "xfer-out");
    EXPECT_EQ(category_name(LogCategory::queries), "queries");
}

}  // namespace
}  // namespace cairn::server
