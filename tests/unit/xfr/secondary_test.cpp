// SecondaryZone without a reachable primary, and the zone file it saves. (Transfers that succeed are
// driven against real primaries in tests/system/test_xfr_secondary.py and test_xfr_client.py.)
#include "xfr/secondary.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "store/zone_timers.hpp"
#include "xfr/zone_save.hpp"
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
        std::string pattern = (std::filesystem::temp_directory_path() / "cairn-secondary-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

// A loopback port with nothing listening (bound, then closed): connections are refused at once.
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

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

struct Harness {
    TempDir dir;
    store::Environment env{dir / "store", {.map_size = 16 << 20, .sync = false}};
    std::vector<std::shared_ptr<const zone::Zone>> published;
    std::vector<std::string> logs;
    std::vector<std::string> warnings;

    SecondaryZone make() {
        SecondaryConfig c;
        c.zone = kOrigin;
        c.primaries.push_back({"127.0.0.1", closed_port(), nullptr});
        c.bounds = {.min_refresh = 1, .max_refresh = 100, .min_retry = 1, .max_retry = 100};
        c.file = dir / "zone.db";
        c.client.io_timeout = std::chrono::milliseconds(300);
        c.client.udp_attempts = 1;
        return SecondaryZone(
            c, &env, [this](std::shared_ptr<const zone::Zone> z) { published.push_back(z); },
            [this](SecondaryZone::LogLevel level, const std::string& line) {
                (level == SecondaryZone::LogLevel::warning ? warnings : logs).push_back(line);
            });
    }
};

TEST(SecondaryZone, FailedRefreshesKeepServingUntilExpiryThenUnpublish) {
    Harness h;
    // SOA timers: refresh 2, retry 1, expire 8 (zone_text uses 7200/3600/604800; use our own)
    const auto zone = make_zone("$TTL 60\n@ SOA ns1 hostmaster 3 2 1 8 60\n  NS ns1\nns1 A 192.0.2.1\n");
    SecondaryZone s = h.make();
    const std::int64_t t0 = 1'700'000'000;
    s.start(zone, t0);
    ASSERT_EQ(h.published.size(), 1u);  // the copy from disk is served at once
    EXPECT_TRUE(s.due(t0));
    EXPECT_FALSE(s.refresh([&] { return t0; }));
    SecondaryStatus st = s.status(t0);
    EXPECT_TRUE(st.serving);
    EXPECT_NE(st.last_error.find("127.0.0.1#"), std::string::npos) << st.last_error;
    EXPECT_TRUE(st.timers.last_failed);
    EXPECT_EQ(st.timers.next_refresh, t0 + 1);
    EXPECT_EQ(s.remaining_expire(t0 + 3), 5u);
    // A failed refresh is a warning, naming the cause and the retry.
    ASSERT_EQ(h.warnings.size(), 1u);
    EXPECT_NE(h.warnings[0].find("retrying in 1s"), std::string::npos) << h.warnings[0];

    s.tick(t0 + 7);
    EXPECT_EQ(h.published.size(), 1u);
    s.tick(t0 + 8);
    ASSERT_EQ(h.published.size(), 2u);
    EXPECT_EQ(h.published[1], nullptr);  // expired: unpublished
    ASSERT_EQ(h.warnings.size(), 2u);
    EXPECT_NE(h.warnings[1].find("expired"), std::string::npos) << h.warnings[1];
    EXPECT_FALSE(s.status(t0 + 8).serving);
    EXPECT_FALSE(s.remaining_expire(t0 + 8).has_value());

    // The timers were persisted: a restart keeps the deadline and does not serve the expired copy.
    const auto saved = store::load_timers(h.env, kOrigin);
    ASSERT_TRUE(saved.has_value());
    EXPECT_EQ(saved->expire_at, t0 + 8);
    SecondaryZone again = h.make();
    again.start(zone, t0 + 9);
    EXPECT_EQ(h.published.size(), 2u);
    EXPECT_FALSE(again.status(t0 + 9).serving);
}

TEST(SecondaryZone, WithoutACopyNothingIsServedAndNotifyMakesACheckDue) {
    Harness h;
    SecondaryZone s = h.make();
    const std::int64_t t0 = 1'700'000'000;
    s.start(nullptr, t0);
    EXPECT_TRUE(h.published.empty());
    EXPECT_FALSE(s.refresh([&] { return t0; }));
    EXPECT_FALSE(s.due(t0));
    EXPECT_TRUE(s.notified(t0));
    EXPECT_TRUE(s.due(t0));
    EXPECT_FALSE(s.status(t0).has_copy);
}

TEST(SecondaryZone, RetransferMakesACheckDueAndIsConsumedByTheNextRefresh) {
    Harness h;
    const auto zone = make_zone("$TTL 60\n@ SOA ns1 hostmaster 3 50 50 800 60\n  NS ns1\nns1 A 192.0.2.1\n");
    SecondaryZone s = h.make();
    const std::int64_t t0 = 1'700'000'000;
    s.start(zone, t0);
    EXPECT_FALSE(s.refresh([&] { return t0; }));  // the first check after loading fails: retry later
    EXPECT_FALSE(s.due(t0));
    EXPECT_FALSE(s.status(t0).full_transfer_pending);

    EXPECT_TRUE(s.full_transfer_requested(t0));
    EXPECT_TRUE(s.due(t0));
    EXPECT_TRUE(s.status(t0).full_transfer_pending);
    // The forced transfer fails (nobody listens): the request is gone, the copy still served, the next
    // check is an ordinary one at RETRY.
    EXPECT_FALSE(s.refresh([&] { return t0; }));
    const SecondaryStatus after = s.status(t0);
    EXPECT_FALSE(after.full_transfer_pending);
    EXPECT_TRUE(after.serving);
    EXPECT_EQ(after.serial, 3u);
    EXPECT_FALSE(s.due(t0));
    EXPECT_EQ(h.published.size(), 1u);
}

}  // namespace
}  // namespace cairn::xfr
