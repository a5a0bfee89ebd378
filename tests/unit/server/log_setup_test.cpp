#include "server/log_setup.hpp"

#include <gtest/gtest.h>
#include <syslog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/log_sinks.hpp"

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

// The sinks of file and syslog channels (server/log_sinks.hpp), and what stderr gets.

class LogSinks : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = fs::temp_directory_path() / ("cairn-sinks-test-" + std::to_string(::getpid()));
        fs::remove_all(directory_);
        fs::create_directories(directory_);
    }
    void TearDown() override { fs::remove_all(directory_); }

    void log(BindFileSink& sink, const std::string& text) {
        spdlog::details::log_msg message("general", spdlog::level::info, text);
        sink.log(message);
        sink.flush();
    }
    fs::path directory_;
};

TEST_F(LogSinks, RotatesAsBindNamesTheFiles) {
    const fs::path path = directory_ / "named.log";
    BindFileSink sink(path.string(), 100, 2);
    sink.set_pattern("%v");
    const std::string line(60, 'x');
    for (char c : std::string("abcde"))
        log(sink, std::string(1, c) + line);  // 62 octets: every second message fills the file
    // a+b filled named.log, rolled to .0 before c; c+d rolled to .0 (a+b to .1) before e.
    EXPECT_EQ(read(path), "e" + line + "\n");
    EXPECT_EQ(read(directory_ / "named.log.0"), "c" + line + "\nd" + line + "\n");
    EXPECT_EQ(read(directory_ / "named.log.1"), "a" + line + "\nb" + line + "\n");
    EXPECT_FALSE(fs::exists(directory_ / "named.log.2"));  // versions 2: two old files at most
    EXPECT_FALSE(fs::exists(directory_ / "named.1.log"));  // not spdlog's naming
}

TEST_F(LogSinks, RollsAFullFileWhenOpenedAndAnyFileWithVersionsButNoSize) {
    const fs::path path = directory_ / "named.log";
    std::ofstream(path) << std::string(150, 'o') << '\n';
    {
        BindFileSink sink(path.string(), 100, 3);  // already past its size: rolled at open
        sink.set_pattern("%v");
        log(sink, "fresh");
    }
    EXPECT_EQ(read(path), "fresh\n");
    EXPECT_EQ(read(directory_ / "named.log.0").size(), 151u);
    {
        BindFileSink sink(path.string(), 0, 3);  // versions without size: BIND rolls at every open
        sink.set_pattern("%v");
        log(sink, "again");
    }
    EXPECT_EQ(read(path), "again\n");
    EXPECT_EQ(read(directory_ / "named.log.0"), "fresh\n");
    EXPECT_EQ(read(directory_ / "named.log.1").size(), 151u);
}

TEST_F(LogSinks, SizeWithoutVersionsStopsTheFileAtItsSize) {
    const fs::path path = directory_ / "named.log";
    BindFileSink sink(path.string(), 10, std::nullopt);
    sink.set_pattern("%v");
    log(sink, "0123456789");
    log(sink, "dropped");
    EXPECT_EQ(read(path), "0123456789\n");
    EXPECT_FALSE(fs::exists(directory_ / "named.log.0"));
}

TEST(SyslogFacility, NamesAsNamedConfWritesThem) {
    EXPECT_EQ(syslog_facility("daemon"), LOG_DAEMON);
    EXPECT_EQ(syslog_facility("local3"), LOG_LOCAL3);
    EXPECT_EQ(syslog_facility("authpriv"), LOG_AUTHPRIV);
    EXPECT_EQ(syslog_facility("local8"), std::nullopt);
    EXPECT_THROW(SyslogSink("nonsense"), std::invalid_argument);
}

TEST(QueriesOnStderr, OnlyWhenAskedOrRoutedToAStderrChannel) {
    setup_stderr_log("info", false);
    configure_logging({});
    testing::internal::CaptureStderr();
    logs::queries().info("query one");
    logs::general().info("general one");
    std::string captured = testing::internal::GetCapturedStderr();
    EXPECT_EQ(captured.find("query one"), std::string::npos);
    EXPECT_NE(captured.find("general one"), std::string::npos);

    LoggingSettings logging;
    LogChannel standard_error;
    standard_error.kind = LogChannel::Kind::standard_error;
    standard_error.name = "default_stderr";
    logging.channels.push_back(standard_error);
    logging.categories["queries"] = {"default_stderr"};
    configure_logging(logging);
    testing::internal::CaptureStderr();
    logs::queries().info("query two");
    captured = testing::internal::GetCapturedStderr();
    EXPECT_NE(captured.find("query two"), std::string::npos);

    configure_logging({});
    setup_stderr_log("info", true);  // --log-queries-to-stderr
    testing::internal::CaptureStderr();
    logs::queries().info("query three");
    captured = testing::internal::GetCapturedStderr();
    EXPECT_NE(captured.find("query three"), std::string::npos);
    setup_stderr_log("off", false);
}

TEST_F(LogSinks, DynamicSeverityFollowsTheDebugLevel) {
    setup_stderr_log("off", false);
    LoggingSettings logging;
    LogChannel channel;
    channel.kind = LogChannel::Kind::file;
    channel.name = "main";
    channel.file = (directory_ / "main.log").string();
    channel.dynamic = true;
    logging.channels.push_back(channel);
    logging.categories["default"] = {"main"};
    configure_logging(logging);
    logs::general().debug("hidden at level 0");
    set_debug_level(2);
    EXPECT_EQ(debug_level(), 2u);
    logs::general().debug("shown at level 2");
    set_debug_level(0);
    logs::general().debug("hidden again");
    logs::general().flush();
    configure_logging({});
    const std::string text = read(directory_ / "main.log");
    EXPECT_EQ(text, "shown at level 2\n");
}

}  // namespace
}  // namespace cairn::server
