// Statements parse into the typed configuration; comments, includes and BIND's value kinds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "first_error.hpp"

namespace cairn::config {
namespace {

LoadResult parse(const std::string& text) {
    return load_text("test.conf", text);
}

using testing::first_error;

TEST(Parser, CommentsOfAllThreeKinds) {
    const LoadResult r = parse(
        "// C++ comment\n"
        "# shell comment\n"
        "/* C comment\n spanning { lines ; */ options { /* inline */ recursion no; # trailing\n"
        "  notify explicit; // trailing\n"
        "};\n");
    EXPECT_EQ(r.config.options.view_settings.recursion, false);
    EXPECT_EQ(r.config.options.settings.notify, NotifyMode::Explicit);
}

TEST(Parser, OptionsStatements) {
    const LoadResult r = parse(R"(
options {
    directory "/tmp";
    listen-on port 5300 { 127.0.0.1; 127.0.0.2; };
    listen-on { 192.0.2.1; };
    listen-on-v6 port 5301 { ::1; };
    pid-file "named.pid";
    allow-query { any; };
    allow-transfer { none; };
    allow-notify { 192.0.2.10; };
    also-notify { 192.0.2.20 port 5353; 2001:db8::20; };
    notify master-only;
    recursion no;
    dnssec-validation no;
    max-journal-size 10M;
    ixfr-from-differences primary;
    min-refresh-time 60;
    max-refresh-time 86400;
    min-retry-time 30;
    max-retry-time 3600;
    max-udp-size 1400;
    edns-udp-size 1232;
    version "cairn";
    hostname none;
    server-id hostname;
    port 5353;
    transfer-source 192.0.2.1 port 4000;
    max-transfer-time-in 10;
    max-zone-ttl 1d;
    masterfile-format raw;
};
)");
    const Options& o = r.config.options;
    EXPECT_EQ(o.directory, "/tmp");
    ASSERT_EQ(o.listen_on.size(), 2u);
    EXPECT_EQ(o.listen_on[0].port, 5300);
    ASSERT_EQ(o.listen_on[0].addresses.elements.size(), 2u);
    EXPECT_EQ(o.listen_on[0].addresses.elements[1].prefix.to_string(), "127.0.0.2/32");
    EXPECT_FALSE(o.listen_on[1].port);
    ASSERT_EQ(o.listen_on_v6.size(), 1u);
    EXPECT_EQ(o.listen_on_v6[0].port, 5301);
    EXPECT_EQ(o.pid_file, "named.pid");
    EXPECT_EQ(o.settings.allow_query->elements[0].kind, AmlElement::Kind::Any);
    EXPECT_EQ(o.settings.allow_transfer->elements[0].kind, AmlElement::Kind::None);
    ASSERT_EQ(o.settings.also_notify->entries.size(), 2u);
    EXPECT_EQ(o.settings.also_notify->entries[0].address->port, 5353);
    EXPECT_EQ(o.settings.notify, NotifyMode::PrimaryOnly);
    EXPECT_EQ(o.view_settings.recursion, false);
    EXPECT_EQ(o.view_settings.dnssec_validation, "no");
    EXPECT_EQ(o.settings.max_journal_size, (SizeLimit{SizeLimit::Kind::Bytes, 10u * 1024 * 1024}));
    EXPECT_EQ(o.settings.ixfr_from_differences, IxfrFromDifferences::Primary);
    EXPECT_EQ(o.settings.min_refresh_time, 60u);
    EXPECT_EQ(o.settings.max_refresh_time, 86400u);
    EXPECT_EQ(o.settings.min_retry_time, 30u);
    EXPECT_EQ(o.settings.max_retry_time, 3600u);
    EXPECT_EQ(o.view_settings.max_udp_size, 1400);
    EXPECT_EQ(o.view_settings.edns_udp_size, 1232);
    EXPECT_EQ(o.version, "cairn");
    EXPECT_TRUE(o.hostname_hidden);
    EXPECT_EQ(o.server_id, "hostname");
    EXPECT_EQ(o.port, 5353);
    EXPECT_EQ(o.settings.transfer_source->address.to_string(), "192.0.2.1");
    EXPECT_EQ(o.settings.transfer_source->port, 4000);
    EXPECT_EQ(o.settings.max_transfer_time_in, 600u);
    EXPECT_EQ(o.settings.max_zone_ttl, 86400u);
    EXPECT_EQ(o.settings.masterfile_format, MasterfileFormat::Raw);
    // Every statement above is applied (dnssec-validation too, now that the resolver validates): no warning.
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front().to_string();

    // The options port is the default for listen-on without one, and for remotes.
    const auto listen = r.config.listen_on();
    EXPECT_EQ(listen[1].port, 5353);
    EXPECT_EQ(r.config.expand_remotes(*o.settings.also_notify)[1].port, 5353);
}

TEST(Parser, DurationsTtlStyleAndIso8601) {
    auto ttl = [](const std::string& value) {
        return *parse("options { max-zone-ttl " + value + "; };").config.options.settings.max_zone_ttl;
    };
    EXPECT_EQ(ttl("3600"), 3600u);
    EXPECT_EQ(ttl("1d2h"), 93600u);
    EXPECT_EQ(ttl("P1D"), 86400u);
    EXPECT_EQ(ttl("PT1H"), 3600u);
    EXPECT_EQ(ttl("p1dt1m"), 86460u);
    EXPECT_EQ(ttl("P1W"), 604800u);
    EXPECT_EQ(ttl("P1M"), 2678400u);
    EXPECT_EQ(ttl("P1Y"), 31536000u);
    EXPECT_EQ(ttl("PT"), 0u);
    EXPECT_EQ(ttl("unlimited"), UINT32_MAX);
    EXPECT_EQ(first_error("options { max-zone-ttl P1H; };"),
              "test.conf:1: expected ISO 8601 duration or TTL value near 'P1H'");
    EXPECT_EQ(first_error("options { max-zone-ttl 1h30; };"),
              "test.conf:1: expected ISO 8601 duration or TTL value near '1h30'");
}

TEST(Parser, SizesAndBooleans) {
    EXPECT_EQ(
        parse("options { max-journal-size unlimited; };").config.options.settings.max_journal_size->kind,
        SizeLimit::Kind::Unlimited);
    EXPECT_EQ(parse("options { max-journal-size default; };").config.options.settings.max_journal_size->kind,
              SizeLimit::Kind::Default);
    EXPECT_EQ(parse("options { max-journal-size 512k; };").config.options.settings.max_journal_size->bytes,
              524288u);
    EXPECT_EQ(parse("options { max-journal-size 2g; };").config.options.settings.max_journal_size->bytes,
              2ull * 1024 * 1024 * 1024);
    EXPECT_EQ(parse("options { max-journal-size 1000; };").config.options.settings.max_journal_size->bytes,
              1000u);
    for (const char* yes : {"yes", "true", "1", "YES"}) {
        EXPECT_EQ(
            parse(std::string("options { recursion ") + yes + "; };").config.options.view_settings.recursion,
            true);
    }
    for (const char* no : {"no", "false", "0"}) {
        EXPECT_EQ(
            parse(std::string("options { recursion ") + no + "; };").config.options.view_settings.recursion,
            false);
    }
    EXPECT_EQ(first_error("options { recursion maybe; };"), "test.conf:1: boolean expected near 'maybe'");
    EXPECT_EQ(first_error("options { max-journal-size 10X; };"),
              "test.conf:1: expected integer and optional unit near '10X'");
    EXPECT_EQ(first_error("options { min-refresh-time 1h; };"), "test.conf:1: expected number near '1h'");
    EXPECT_EQ(
        first_error("options { notify sometimes; };"),
        "test.conf:1: expected one of yes, no, true, false, explicit, master-only, primary-only, 1 near "
        "'sometimes'");
}

TEST(Parser, ZoneStatements) {
    const LoadResult r = parse(R"(
key "xfr" { algorithm hmac-sha256; secret "YWJjZA=="; };
primaries upstream port 5300 { 192.0.2.1; 192.0.2.2 port 5301 key "xfr"; };
zone "example.com" IN {
    type secondary;
    file "db.example.com";
    masters { upstream; 2001:db8::1 key xfr; };
    allow-query { localnets; };
    allow-transfer { key xfr; };
    allow-notify { 192.0.2.1; };
    also-notify { 192.0.2.30; };
    notify no;
    masterfile-format text;
    max-journal-size 1M;
    ixfr-from-differences yes;
    min-refresh-time 10;
    max-refresh-time 20;
    min-retry-time 30;
    max-retry-time 40;
};
zone "example.net" { type master; file "db.example.net"; };
zone "." { type hint; file "root.hints"; };
)");
    ASSERT_EQ(r.config.zones.size(), 3u);
    const Zone& zone = r.config.zones[0];
    EXPECT_EQ(zone.name, dns::Name::from_text("example.com."));
    EXPECT_EQ(zone.type, ZoneType::Secondary);
    EXPECT_EQ(zone.file, "db.example.com");
    EXPECT_EQ(zone.settings.notify, NotifyMode::No);
    EXPECT_EQ(zone.settings.ixfr_from_differences, IxfrFromDifferences::Yes);
    const ResolvedZone resolved = r.config.resolve_zone(zone, nullptr);
    ASSERT_EQ(resolved.primaries.size(), 3u);
    EXPECT_EQ(resolved.primaries[0], (Remote{*dns::IpAddress::parse("192.0.2.1"), 5300, "", ""}));
    EXPECT_EQ(resolved.primaries[1], (Remote{*dns::IpAddress::parse("192.0.2.2"), 5301, "xfr", ""}));
    EXPECT_EQ(resolved.primaries[2], (Remote{*dns::IpAddress::parse("2001:db8::1"), 53, "xfr", ""}));
    EXPECT_EQ(resolved.min_refresh_time, 10u);
    EXPECT_EQ(resolved.max_retry_time, 40u);
    EXPECT_EQ(resolved.max_journal_size.bytes, 1024u * 1024);
    EXPECT_TRUE(resolved.ixfr_from_differences);
    EXPECT_EQ(resolved.file, r.config.working_directory + "/db.example.com");
    EXPECT_EQ(r.config.zones[1].type, ZoneType::Primary);
    EXPECT_EQ(r.config.zones[2].type, ZoneType::Hint);
    EXPECT_TRUE(r.config.zones[2].name.is_root());
}

TEST(Parser, InheritanceOptionsViewZone) {
    const LoadResult r = parse(R"(
options { allow-transfer { 192.0.2.1; }; notify explicit; max-refresh-time 100; recursion no; };
view "a" {
    allow-transfer { 192.0.2.2; };
    recursion yes;
    zone "z1" { type primary; file "z1"; };
    zone "z2" { type primary; file "z2"; allow-transfer { 192.0.2.3; }; notify yes; };
};
view "b" { zone "z1" { type primary; file "z1b"; }; };
)");
    const Config& c = r.config;
    const View& a = c.views[0];
    const View& b = c.views[1];
    auto first_prefix = [](const AddressMatchList& l) { return l.elements.at(0).prefix.to_string(); };
    EXPECT_EQ(first_prefix(c.resolve_zone(a.zones[0], &a).allow_transfer), "192.0.2.2/32");
    EXPECT_EQ(first_prefix(c.resolve_zone(a.zones[1], &a).allow_transfer), "192.0.2.3/32");
    EXPECT_EQ(first_prefix(c.resolve_zone(b.zones[0], &b).allow_transfer), "192.0.2.1/32");
    EXPECT_EQ(c.resolve_zone(a.zones[0], &a).notify, NotifyMode::Explicit);
    EXPECT_EQ(c.resolve_zone(a.zones[1], &a).notify, NotifyMode::Yes);
    EXPECT_EQ(c.resolve_zone(b.zones[0], &b).max_refresh_time, 100u);
    EXPECT_TRUE(c.recursion(&a));
    EXPECT_FALSE(c.recursion(&b));
    int zones = 0;
    c.for_each_zone([&](const Zone&, const View* view) {
        EXPECT_NE(view, nullptr);
        ++zones;
    });
    EXPECT_EQ(zones, 3);
}

TEST(Parser, BindDefaults) {
    const LoadResult r = parse("zone \"example\" { type primary; file \"f\"; };");
    const ResolvedZone z = r.config.resolve_zone(r.config.zones[0], nullptr);
    EXPECT_EQ(z.allow_transfer.elements.at(0).kind, AmlElement::Kind::None);  // BIND 9.20
    EXPECT_EQ(z.allow_query.elements.at(0).kind, AmlElement::Kind::Any);
    EXPECT_EQ(z.notify, NotifyMode::Yes);
    EXPECT_EQ(z.min_refresh_time, 300u);
    EXPECT_EQ(z.max_refresh_time, 2419200u);
    EXPECT_EQ(z.min_retry_time, 500u);
    EXPECT_EQ(z.max_retry_time, 1209600u);
    EXPECT_EQ(z.masterfile_format, MasterfileFormat::Text);
    const auto listen = r.config.listen_on();
    ASSERT_EQ(listen.size(), 1u);
    EXPECT_EQ(listen[0].port, 53);
    EXPECT_EQ(listen[0].addresses.elements.at(0).kind, AmlElement::Kind::Any);
    EXPECT_EQ(r.config.listen_on_v6().at(0).port, 53);
    EXPECT_TRUE(r.config.recursion(nullptr));
    EXPECT_EQ(r.config.max_udp_size(nullptr), 1232);
}

TEST(Parser, ViewStatement) {
    const LoadResult r = parse(R"(
view "inside" IN {
    match-clients { 10.0.0.0/8; !10.1.0.0/16; };
    match-destinations { 127.0.0.1; };
    match-recursive-only yes;
    zone "example" { type primary; file "inside.db"; };
};
)");
    const View& v = r.config.views.at(0);
    EXPECT_EQ(v.name, "inside");
    EXPECT_EQ(v.match_clients->elements.size(), 2u);
    EXPECT_TRUE(v.match_clients->elements[1].negated);
    EXPECT_EQ(v.match_destinations->elements.size(), 1u);
    EXPECT_TRUE(v.match_recursive_only);
    EXPECT_EQ(v.zones.at(0).file, "inside.db");
}

TEST(Parser, KeyServerAclPrimaries) {
    const LoadResult r = parse(R"(
acl "trusted" { 192.0.2.0/24; key k1; };
key k1 { algorithm hmac-sha512; secret "c2VjcmV0"; };
key "k2." { algorithm hmac-sha256-128; secret "c2VjcmV0"; };
server 192.0.2.0/24 { keys { k1; }; request-ixfr no; transfers 3; transfer-format one-answer; };
server 2001:db8::1 { keys k2.; bogus yes; edns no; };
masters legacy { 192.0.2.5; };
)");
    const Config& c = r.config;
    EXPECT_EQ(c.acls.at(0).name, "trusted");
    EXPECT_EQ(c.acls[0].list.elements.at(1).kind, AmlElement::Kind::Key);
    EXPECT_EQ(c.keys.size(), 2u);
    EXPECT_EQ(c.keys[1].algorithm, "hmac-sha256-128");
    EXPECT_NE(c.find_key("K2"), nullptr);
    EXPECT_NE(c.find_key("k1."), nullptr);
    EXPECT_EQ(c.servers.at(0).request_ixfr, false);
    EXPECT_EQ(c.servers[0].transfers, 3u);
    EXPECT_EQ(c.servers[0].transfer_format, "one-answer");
    EXPECT_EQ(c.servers[1].keys, std::vector<std::string>{"k2."});
    EXPECT_EQ(c.servers[1].bogus, true);
    EXPECT_EQ(c.servers[1].edns, false);
    EXPECT_EQ(c.primaries.at(0).name, "legacy");
    EXPECT_EQ(c.find_server(*dns::IpAddress::parse("192.0.2.77"))->keys.at(0), "k1");
}

TEST(Parser, LoggingControlsStatistics) {
    const LoadResult r = parse(R"(
logging {
    channel main_log {
        file "/var/log/cairn.log" versions 3 size 5m;
        severity debug 3;
        print-time yes;
        print-category yes;
        print-severity yes;
    };
    channel errors { stderr; severity error; };
    channel sys { syslog daemon; severity info; };
    category default { main_log; errors; };
    category xfer-in { sys; default_syslog; };
};
controls {
    inet 127.0.0.1 port 9953 allow { localhost; } keys { "rndc-key"; };
    inet * allow { none; };
    unix "/run/cairn.ctl" perm 0600 owner 0 group 0;
};
statistics-channels { inet 127.0.0.1 port 8053 allow { 127.0.0.1; }; inet ::1; };
key "rndc-key" { algorithm hmac-sha256; secret "c2VjcmV0"; };
)");
    const Logging& l = r.config.logging;
    ASSERT_EQ(l.channels.size(), 3u);
    EXPECT_EQ(l.channels[0].destination, LogChannel::Destination::File);
    EXPECT_EQ(l.channels[0].file, "/var/log/cairn.log");
    EXPECT_EQ(l.channels[0].versions, 3u);
    EXPECT_EQ(l.channels[0].size, 5u * 1024 * 1024);
    EXPECT_EQ(l.channels[0].severity, "debug");
    EXPECT_EQ(l.channels[0].debug_level, 3u);
    EXPECT_TRUE(l.channels[0].print_time && l.channels[0].print_category && l.channels[0].print_severity);
    EXPECT_EQ(l.channels[1].destination, LogChannel::Destination::Stderr);
    EXPECT_EQ(l.channels[2].syslog_facility, "daemon");
    ASSERT_EQ(l.categories.size(), 2u);
    EXPECT_EQ(l.categories[1].channels, (std::vector<std::string>{"sys", "default_syslog"}));
    const auto& controls = r.config.controls;
    ASSERT_EQ(controls.size(), 3u);
    EXPECT_EQ(controls[0].address->to_string(), "127.0.0.1");
    EXPECT_EQ(controls[0].port, 9953);
    EXPECT_EQ(controls[0].keys, std::vector<std::string>{"rndc-key"});
    EXPECT_FALSE(controls[1].address);
    EXPECT_EQ(controls[2].kind, ControlChannel::Kind::Unix);
    EXPECT_EQ(controls[2].path, "/run/cairn.ctl");
    EXPECT_EQ(controls[2].perm, 600u);  // as written; BIND reads the digits as decimal too
    ASSERT_EQ(r.config.statistics_channels.size(), 2u);
    EXPECT_EQ(r.config.statistics_channels[0].port, 8053);
    EXPECT_TRUE(r.config.statistics_channels[0].allow);
    EXPECT_EQ(r.config.statistics_channels[1].address->to_string(), "::1");
}

TEST(Parser, UnimplementedStatementsWarnAndAreSkipped) {
    const LoadResult r = parse(R"(options {
    sortlist { any; };
    rrset-order { order cyclic; };
    recursion no;
};
tls "t" { cert-file "c.pem"; key-file "k.pem"; };
)");
    ASSERT_EQ(r.warnings.size(), 3u);
    EXPECT_EQ(r.warnings[0].to_string(),
              "test.conf:2: warning: 'sortlist' is not implemented by cairn yet; ignored");
    EXPECT_EQ(r.warnings[1].line, 3u);
    EXPECT_EQ(r.warnings[2].line, 6u);
    EXPECT_EQ(r.config.options.view_settings.recursion, false);
}

TEST(Parser, DeprecatedStatementsWarn) {
    const LoadResult r = parse("options { dialup yes; };");
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_EQ(r.warnings[0].to_string(), "test.conf:1: warning: option 'dialup' is deprecated");
}

TEST(Parser, QuotedStringsWithEscapesAndNewlines) {
    const LoadResult r = parse("options { version \"say \\\"hi\\\"\"; };");
    EXPECT_EQ(r.config.options.version, "say \"hi\"");
    // BIND accepts a quoted string over several lines; lines after it are still counted.
    try {
        load_text("q.conf", "options { version \"two\nlines\"; };\nbogus;\n");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.errors().at(0).line, 3u);
    }
}

class IncludeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("cairn-config-include-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_ / "sub");
        old_ = std::filesystem::current_path();
        std::filesystem::current_path(dir_);
    }
    void TearDown() override {
        std::filesystem::current_path(old_);
        std::filesystem::remove_all(dir_);
    }
    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
    std::filesystem::path dir_, old_;
};

TEST_F(IncludeTest, RelativeToWorkingDirectoryNotToIncludingFile) {
    write("named.conf", "include \"sub/zones.conf\";\noptions { recursion no; };\n");
    write("sub/zones.conf", "include \"sub/keys.conf\";\nzone \"a\" { type primary; file \"a\"; };\n");
    write("sub/keys.conf", "key k { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n");
    const LoadResult r = load("named.conf");
    EXPECT_EQ(r.config.zones.size(), 1u);
    EXPECT_EQ(r.config.keys.size(), 1u);
    EXPECT_EQ(r.config.options.view_settings.recursion, false);
}

TEST_F(IncludeTest, KeyFileReadableByAllIsWarnedOnceAndPrivateOneIsNot) {
    write("named.conf", "include \"sub/keys.conf\";\noptions { recursion no; };\n");
    write("sub/keys.conf",
          "key k { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n"
          "key j { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n");
    using std::filesystem::perms;
    std::filesystem::permissions(dir_ / "sub/keys.conf",
                                 perms::owner_read | perms::owner_write | perms::others_read);
    const LoadResult open = load("named.conf");
    ASSERT_EQ(open.warnings.size(), 1u);
    EXPECT_EQ(open.warnings[0].to_string(),
              "sub/keys.conf:1: warning: key 'k': this file holds its secret and is readable by all users "
              "(chmod o-r "
              "sub/keys.conf)");
    EXPECT_EQ(open.warnings[0].to_string().find("c2VjcmV0"), std::string::npos);
    std::filesystem::permissions(dir_ / "sub/keys.conf",
                                 perms::owner_read | perms::owner_write | perms::group_read);
    EXPECT_TRUE(load("named.conf").warnings.empty());
}

TEST_F(IncludeTest, IncludedFileRelativeToItsOwnDirectoryIsNotFound) {
    write("named.conf", "include \"sub/zones.conf\";\n");
    write("sub/zones.conf", "\ninclude \"keys.conf\";\n");
    write("sub/keys.conf", "");
    try {
        load("named.conf");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.errors().at(0).to_string(), "sub/zones.conf:2: open 'keys.conf' failed: file not found");
    }
}

TEST_F(IncludeTest, DirectoryOptionMovesTheBaseForLaterIncludes) {
    write("named.conf", "options { directory \"sub\"; };\ninclude \"zones.conf\";\n");
    write("sub/zones.conf", "zone \"a\" { type primary; file \"a.db\"; };\n");
    const LoadResult r = load("named.conf");
    ASSERT_EQ(r.config.zones.size(), 1u);
    EXPECT_EQ(r.config.resolve_zone(r.config.zones[0], nullptr).file, (dir_ / "sub" / "a.db").string());
}

TEST_F(IncludeTest, ErrorsNameTheIncludedFile) {
    write("named.conf", "options {\n  recursion no;\n};\ninclude \"bad.conf\";\n");
    write("bad.conf", "\n\nzone \"a\" { type primary file \"a\"; };\n");
    try {
        load("named.conf");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.errors().at(0).to_string(), "bad.conf:3: missing ';' before 'file'");
    }
}

TEST_F(IncludeTest, IncludeInsideABlockAndGlob) {
    write("named.conf", "options {\n include \"opts/*.conf\";\n};\n");
    std::filesystem::create_directories(dir_ / "opts");
    write("opts/a.conf", "recursion no;\n");
    write("opts/b.conf", "notify explicit;\n");
    const LoadResult r = load("named.conf");
    EXPECT_EQ(r.config.options.view_settings.recursion, false);
    EXPECT_EQ(r.config.options.settings.notify, NotifyMode::Explicit);
}

TEST_F(IncludeTest, IncludeLoopIsAnError) {
    write("named.conf", "include \"named.conf\";\n");
    EXPECT_THROW(load("named.conf"), ConfigError);
}

TEST_F(IncludeTest, MissingMainFile) {
    try {
        load("nosuch.conf");
        FAIL() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.errors().at(0).file, "nosuch.conf");
    }
}

}  // namespace
}  // namespace cairn::config
