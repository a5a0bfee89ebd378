// The lifecycle end to end in one process: primaries from files, secondaries from a FakePrimary on loopback,
// with timeouts shortened so that the tests run in seconds.
#include "lifecycle/zones.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "fake_primary.hpp"
#include "zonefile/zone_file.hpp"

namespace cairn::lifecycle {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::FakePrimary;

std::string zone_text(const std::string& origin, std::uint32_t serial, std::size_t hosts = 2,
                      const std::string& extra = "") {
    std::string text = "$TTL 300\n$ORIGIN " + origin + "\n@ SOA ns1 hostmaster " + std::to_string(serial) +
                       " 3600 600 86400 300\n  NS ns1\nns1 A 192.0.2.1\n";
    for (std::size_t i = 0; i < hosts; ++i)
        text += "host" + std::to_string(i) + " A 198.51.100." + std::to_string(i % 250) + "\n";
    return text + extra;
}

std::shared_ptr<const zone::Zone> make_zone(const std::string& origin, std::uint32_t serial,
                                            std::size_t hosts = 2, const std::string& extra = "") {
    zonefile::LoadOptions options;
    options.parse.origin = dns::Name::from_text(origin);
    auto loaded = zonefile::load_zone_text(zone_text(origin, serial, hosts, extra), "t.zone", options);
    if (!loaded.ok) throw std::runtime_error("test zone does not load");
    return zone::Zone::build(options.parse.origin, loaded.zone.to_records());
}

template <typename F>
bool eventually(F&& condition, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

class ZonesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cairn-lifecycle-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        zones_.reset();
        fs::remove_all(dir_);
    }

    std::string write(const std::string& name, const std::string& text) {
        const auto path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }

    Zones& start() {
        ZonesOptions options;
        options.directory = dir_.string();
        options.log = [this](LogTopic, LogLevel, const std::string& line) {
            std::lock_guard lock(log_mutex_);
            log_ += line + "\n";
        };
        options.timeouts.soa_udp = {300ms, 1};
        options.timeouts.soa_tcp = 300ms;
        options.timeouts.transfer_connect = 1s;
        options.served_changed = [this] { ++served_changes_; };
        zones_ = std::make_unique<Zones>(options);
        return *zones_;
    }

    std::string log() {
        std::lock_guard lock(log_mutex_);
        return log_;
    }

    static ZoneConfig primary(const std::string& origin, const std::string& file) {
        ZoneConfig config;
        config.origin = dns::Name::from_text(origin);
        config.file = file;
        config.notify = xfr::NotifyMode::No;
        return config;
    }
    ZoneConfig secondary(const std::string& origin, std::uint16_t port, const std::string& file = "") {
        ZoneConfig config;
        config.origin = dns::Name::from_text(origin);
        config.role = ZoneRole::secondary;
        config.file = file;
        config.primaries = {xfr::Primary{"127.0.0.1", port, nullptr}};
        config.refresh_bounds = {1, 3600, 1, 3600};
        config.notify = xfr::NotifyMode::No;
        return config;
    }

    std::optional<ZoneView> find(const std::string& origin) {
        for (auto& view : zones_->zones()) {
            if (view.state->origin == dns::Name::from_text(origin)) return view;
        }
        return std::nullopt;
    }
    std::optional<std::uint32_t> served(const std::string& origin) {
        const auto view = find(origin);
        if (!view || !view->answerable || view->version == nullptr) return std::nullopt;
        return view->version->serial();
    }

    fs::path dir_;
    std::unique_ptr<Zones> zones_;
    std::mutex log_mutex_;
    std::string log_;
    std::atomic<int> served_changes_{0};
};

TEST_F(ZonesTest, AMissingFileFailsThatZoneAloneWithTheReason) {
    const auto good = write("good.zone", zone_text("good.test.", 7));
    Zones& zones = start();
    const LoadReport report = zones.configure(
        {primary("good.test.", good), primary("gone.test.", (dir_ / "gone.zone").string())}, {});
    EXPECT_EQ(report.loaded, 1u);
    ASSERT_EQ(report.failed.size(), 1u);
    EXPECT_EQ(report.failed[0].first, "gone.test");
    EXPECT_NE(report.failures().find("1 zone failed: gone.test ("), std::string::npos) << report.failures();
    EXPECT_EQ(served("good.test."), 7u);
    const auto gone = find("gone.test.");
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->state->phase, ZonePhase::failed);
    EXPECT_NE(gone->state->problem.find("gone.zone"), std::string::npos) << gone->state->problem;
    EXPECT_FALSE(gone->answerable);
    EXPECT_EQ(gone->state->counters.load_failures, 1u);

    // Fixed and reloaded: served.
    write("gone.zone", zone_text("gone.test.", 3));
    const LoadReport again = zones.reload_zone(std::string(kDefaultView), dns::Name::from_text("gone.test."));
    EXPECT_TRUE(again.failed.empty()) << again.failures();
    EXPECT_EQ(served("gone.test."), 3u);
    EXPECT_EQ(find("gone.test.")->state->phase, ZonePhase::loaded);
}

TEST_F(ZonesTest, ABrokenFileNamesFileAndLine) {
    const auto broken = write("broken.zone", zone_text("broken.test.", 1) + "bad IN A not-an-address\n");
    Zones& zones = start();
    const LoadReport report = zones.configure({primary("broken.test.", broken)}, {});
    ASSERT_EQ(report.failed.size(), 1u);
    EXPECT_NE(report.failed[0].second.find("broken.zone:8"), std::string::npos) << report.failed[0].second;
}

TEST_F(ZonesTest, AReloadWithALowerOrUnchangedSerialIsRefusedAndTheOldVersionServes) {
    const auto file = write("z.zone", zone_text("z.test.", 10));
    Zones& zones = start();
    zones.configure({primary("z.test.", file)}, {});
    ASSERT_EQ(served("z.test."), 10u);

    std::this_thread::sleep_for(20ms);  // a new modification time
    write("z.zone", zone_text("z.test.", 9, 3));
    LoadReport report = zones.reload_zone(std::string(kDefaultView), dns::Name::from_text("z.test."));
    ASSERT_EQ(report.failed.size(), 1u);
    EXPECT_NE(report.failed[0].second.find("serial 9 is not newer than the served 10"), std::string::npos)
        << report.failed[0].second;
    EXPECT_EQ(served("z.test."), 10u);

    std::this_thread::sleep_for(20ms);
    write("z.zone", zone_text("z.test.", 10, 4));
    report = zones.reload_zone(std::string(kDefaultView), dns::Name::from_text("z.test."));
    ASSERT_EQ(report.failed.size(), 1u);
    EXPECT_NE(report.failed[0].second.find("did not"), std::string::npos) << report.failed[0].second;
    EXPECT_EQ(served("z.test."), 10u);
    EXPECT_EQ(find("z.test.")->version->rr_count(), 5u);  // SOA NS A + 2 hosts: still the first version

    std::this_thread::sleep_for(20ms);
    write("z.zone", zone_text("z.test.", 11, 4));
    report = zones.reload_zone(std::string(kDefaultView), dns::Name::from_text("z.test."));
    EXPECT_TRUE(report.failed.empty());
    EXPECT_EQ(served("z.test."), 11u);
}

TEST_F(ZonesTest, ASecondaryTransfersServesSavesAndARestartServesTheSavedCopyAtOnce) {
    FakePrimary primary;
    primary.serve(make_zone("sec.test.", 5, 50));
    const std::string file = (dir_ / "sec.db").string();
    {
        Zones& zones = start();
        zones.configure({secondary("sec.test.", primary.port(), file)}, {});
        EXPECT_FALSE(served("sec.test."));  // nothing before the network opens
        zones.start_network();
        ASSERT_TRUE(eventually([&] { return served("sec.test.") == 5u; })) << log();
        ASSERT_TRUE(eventually([&] { return find("sec.test.")->state->committed_serial == 5u; })) << log();
        EXPECT_TRUE(fs::exists(file));
        const auto view = find("sec.test.");
        EXPECT_EQ(view->state->counters.transfers_in, 1u);
        EXPECT_EQ(view->state->phase, ZonePhase::loaded);
        EXPECT_TRUE(view->state->last_transfer.ok);
        EXPECT_EQ(zones.totals().transfers_in, 1u);
        zones_.reset();
    }
    primary.silent = true;
    std::ofstream(file + ".tmp-99999") << "left by a crash";
    Zones& zones = start();
    zones.configure({secondary("sec.test.", primary.port(), file)}, {});
    EXPECT_EQ(served("sec.test."), 5u);  // before any network
    EXPECT_FALSE(fs::exists(file + ".tmp-99999"));
    EXPECT_NE(log().find("interrupted save"), std::string::npos) << log();
}

TEST_F(ZonesTest, ManySecondariesTransferredTogetherAreAllSavedAndTheirSavesFollowNewerVersions) {
    FakePrimary primary;
    constexpr int kZones = 40;
    std::vector<ZoneConfig> configs;
    auto name = [](int i) { return "batch" + std::to_string(i) + ".test."; };
    auto file = [this](int i) { return (dir_ / ("batch" + std::to_string(i) + ".db")).string(); };
    for (int i = 0; i < kZones; ++i) {
        primary.serve(make_zone(name(i), 7, 10));
        configs.push_back(secondary(name(i), primary.port(), file(i)));
    }
    Zones& zones = start();
    zones.configure(std::move(configs), {});
    zones.start_network();
    // Saved in batches (write_file.cpp): every zone's file lands, and each zone knows its saved serial.
    for (int i = 0; i < kZones; ++i)
        ASSERT_TRUE(eventually([&] { return find(name(i))->state->committed_serial == 7u; }))
            << name(i) << log();
    for (int i = 0; i < kZones; ++i) {
        EXPECT_TRUE(fs::exists(file(i))) << file(i);
        EXPECT_TRUE(find(name(i))->state->last_save.ok) << name(i);
    }
    // A newer version of one zone is saved after it (a batch of one).
    primary.serve(make_zone(name(3), 8, 12));
    zones.request(std::string(kDefaultView), dns::Name::from_text(name(3)), Zones::Request::refresh);
    ASSERT_TRUE(eventually([&] { return find(name(3))->state->committed_serial == 8u; })) << log();
    std::size_t leftovers = 0;
    for (const auto& entry : fs::directory_iterator(dir_))
        leftovers += entry.path().string().find(".tmp-") != std::string::npos;
    EXPECT_EQ(leftovers, 0u);
}

TEST_F(ZonesTest, APrimaryThatSwallowsEverythingDelaysNoOtherZone) {
    FakePrimary dead, alive;
    dead.silent = true;
    alive.serve(make_zone("alive.test.", 3));
    Zones& zones = start();
    std::vector<ZoneConfig> configs;
    for (int i = 0; i < 20; ++i)
        configs.push_back(secondary("dead" + std::to_string(i) + ".test.", dead.port()));
    configs.push_back(secondary("alive.test.", alive.port()));
    zones.configure(std::move(configs), {});
    const auto started = std::chrono::steady_clock::now();
    zones.start_network();
    ASSERT_TRUE(eventually([&] { return served("alive.test.") == 3u; }, 3s)) << log();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    // The dead ones fail (connect succeeds, nothing comes: the transfer's idle timeout), show why.
    ASSERT_TRUE(
        eventually([&] { return find("dead0.test.")->state->phase == ZonePhase::refresh_failing; }, 5s))
        << log();
    EXPECT_NE(find("dead0.test.")->state->problem.find("refresh failing"), std::string::npos);
}

TEST_F(ZonesTest, SecondaryChecksOfManyZonesKeepToSerialQueryRate) {
    // 100 primaries, each watching one secondary (also-notify) every second: 100 SOA queries a second
    // without a limit; serial-query-rate 20 spreads them out, and every zone still gets its checks.
    FakePrimary secondary;
    constexpr int kZones = 100;
    std::vector<ZoneConfig> configs;
    for (int i = 0; i < kZones; ++i) {
        const std::string origin = "w" + std::to_string(i) + ".test.";
        secondary.serve(make_zone(origin, 1));
        ZoneConfig config = primary(origin, write("w" + std::to_string(i) + ".db", zone_text(origin, 1)));
        config.notify = xfr::NotifyMode::Explicit;
        config.also_notify = {xfr::Primary{"127.0.0.1", secondary.port(), nullptr}};
        config.notify_delay = 0;
        config.secondary_check_interval = 1;
        configs.push_back(std::move(config));
    }
    Zones& zones = start();
    Limits limits;
    limits.serial_query_rate = 20;
    zones.configure(std::move(configs), limits);
    zones.start_network();
    zones.published(zones.served_generation());  // NOTIFYs may go out
    ASSERT_TRUE(eventually([&] { return secondary.soa_queries > 0; }, 10s)) << log();
    const auto from = std::chrono::steady_clock::now();
    const int before = secondary.soa_queries;
    std::this_thread::sleep_for(3s);
    const int sent = secondary.soa_queries - before;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
    // The token bucket holds at most one second's worth: 20 a second, plus a burst of 20 at most.
    EXPECT_LE(sent, 20 * seconds + 20 + 1) << sent << " SOA queries in " << seconds << " s";
    EXPECT_GE(sent, 10) << "the checks go on";
    // Every zone's secondary is checked all the same, within a few rounds of the rate.
    ASSERT_TRUE(eventually(
        [&] {
            for (const ZoneView& view : zones.zones()) {
                if (view.state->secondaries.empty() || !view.state->secondaries[0].serial) return false;
            }
            return true;
        },
        20s))
        << log();
}

TEST_F(ZonesTest, AnInconsistentIxfrFallsBackToAxfr) {
    FakePrimary primary;
    const std::string file = (dir_ / "ixfr.db").string();
    // Our copy: serial 1 with host0..host1. The primary's history: 1 -> 2 removes a record we never had.
    { std::ofstream(file) << zone_text("ixfr.test.", 1); }
    store::Environment env((dir_ / "primary-store").string());
    store::Journal journal(env, dns::Name::from_text("ixfr.test."));
    const auto theirs1 = make_zone("ixfr.test.", 1, 2, "other A 192.0.2.9\n");
    const auto theirs2 = make_zone("ixfr.test.", 2, 3);
    journal.append(zone::diff_zones(*theirs1, *theirs2));
    primary.serve(theirs2, &journal);
    Zones& zones = start();
    zones.configure({secondary("ixfr.test.", primary.port(), file)}, {});
    ASSERT_EQ(served("ixfr.test."), 1u);
    zones.start_network();
    ASSERT_TRUE(eventually([&] { return served("ixfr.test.") == 2u; })) << log();
    EXPECT_EQ(primary.ixfr_requests.load(), 1);
    EXPECT_EQ(primary.transfers.load(), 2);  // the IXFR, then the AXFR
    EXPECT_EQ(find("ixfr.test.")->version->rr_count(), theirs2->rr_count());
    EXPECT_NE(log().find("trying AXFR"), std::string::npos) << log();
}

TEST_F(ZonesTest, MaxRecordsStopsAnOversizedTransfer) {
    FakePrimary primary;
    primary.serve(make_zone("big.test.", 1, 500));
    Zones& zones = start();
    ZoneConfig config = secondary("big.test.", primary.port());
    config.max_records = 100;
    zones.configure({config}, {});
    zones.start_network();
    ASSERT_TRUE(eventually([&] { return find("big.test.")->state->phase == ZonePhase::refresh_failing; }))
        << log();
    const auto view = find("big.test.");
    EXPECT_FALSE(view->answerable);
    EXPECT_NE(view->state->problem.find("max-records"), std::string::npos) << view->state->problem;
    // Counted as failed (a loaded machine may have retried once more before the phase was looked at).
    EXPECT_GE(view->state->counters.transfers_in_failed, 1u);
    EXPECT_EQ(view->state->counters.transfers_in, 0u);
}

TEST_F(ZonesTest, ANotifyRefreshesAtOnceAndOneOfAServedSerialDoesNot) {
    FakePrimary primary;
    primary.serve(make_zone("n.test.", 1));
    Zones& zones = start();
    zones.configure({secondary("n.test.", primary.port())}, {});
    zones.start_network();
    ASSERT_TRUE(eventually([&] { return served("n.test.") == 1u; })) << log();
    const int queries = primary.soa_queries;
    zones.notified(std::string(kDefaultView), dns::Name::from_text("n.test."), 1);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(primary.soa_queries.load(), queries);
    primary.serve(make_zone("n.test.", 2));
    zones.notified(std::string(kDefaultView), dns::Name::from_text("n.test."), 2);
    ASSERT_TRUE(eventually([&] { return served("n.test.") == 2u; }, 2s)) << log();
    EXPECT_EQ(find("n.test.")->state->notified_serial, 2u);
}

TEST_F(ZonesTest, AnOperatorRetransferTakesAxfrOfALowerSerialAndALowerSerialWarns) {
    FakePrimary primary;
    primary.serve(make_zone("r.test.", 9));
    Zones& zones = start();
    zones.configure({secondary("r.test.", primary.port())}, {});
    zones.start_network();
    ASSERT_TRUE(eventually([&] { return served("r.test.") == 9u; })) << log();
    primary.serve(make_zone("r.test.", 4));
    EXPECT_EQ(
        zones.request(std::string(kDefaultView), dns::Name::from_text("r.test."), Zones::Request::refresh),
        "zone refresh queued");
    ASSERT_TRUE(eventually([&] { return !find("r.test.")->state->serial_warning.empty(); })) << log();
    EXPECT_NE(find("r.test.")->state->serial_warning.find("serial 4, lower than ours (9)"),
              std::string::npos);
    EXPECT_NE(find("r.test.")->state->serial_warning.find("retransfer"), std::string::npos);
    zones.request(std::string(kDefaultView), dns::Name::from_text("r.test."), Zones::Request::retransfer);
    ASSERT_TRUE(eventually([&] { return served("r.test.") == 4u; })) << log();
    EXPECT_THROW(
        zones.request(std::string(kDefaultView), dns::Name::from_text("none.test."), Zones::Request::refresh),
        std::runtime_error);
}

TEST_F(ZonesTest, StopEndsHangingRefreshesAtOnce) {
    FakePrimary dead;
    dead.silent = true;
    Zones& zones = start();
    std::vector<ZoneConfig> configs;
    for (int i = 0; i < 50; ++i)
        configs.push_back(secondary("h" + std::to_string(i) + ".test.", dead.port()));
    zones.configure(std::move(configs), {});
    zones.start_network();
    std::this_thread::sleep_for(200ms);  // connects made, transfers hanging
    const auto started = std::chrono::steady_clock::now();
    EXPECT_TRUE(zones.stop(started + 500ms));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace cairn::lifecycle
