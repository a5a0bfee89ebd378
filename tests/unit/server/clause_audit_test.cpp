// The clause audit: every clause the grammar marks Implemented must change what the daemon does or says.
// For each one, a configuration with the clause (set to something other than its default) and the same
// configuration without it are read by the settings loader; their Settings, written out field by field
// (settings_text.hpp), or their warnings must differ. A clause that is parsed and never applied fails
// here by name: mark it Unimplemented in grammar.cpp (it is then warned about at start-up and by
// `cairn checkconf`), or apply it. A new Implemented clause needs a sample below, or this test fails too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "config/grammar.hpp"
#include "server/settings_loader.hpp"
#include "settings_text.hpp"

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

// Blocks whose effect is their contents (audited clause by clause), and names used by reference.
const std::set<std::string> kStructural = {"options", "view",     "zone", "logging",
                                           "channel", "category", "acl",  "primaries",
                                           "masters", "server",   "key"};
// Read from config::Config by server/services.cpp, not through Settings: the control and statistics
// channels (test_ctl_*.py and test_stats_channel.py drive them end to end).
const std::set<std::string> kChannels = {"controls", "statistics-channels", "inet", "unix"};
// The resolver's DNSSEC validation, read from config::ResolvedRecursion by server/view_resolver.cpp, not
// through Settings (validation tests drive them). TODO: render them in settings_text and sample them.
const std::set<std::string> kValidation = {"dnssec-validation", "trust-anchors", "validate-except",
                                           "nta-lifetime",      "nta-recheck",   "synth-from-dnssec"};

using Placeholders = std::map<std::string, std::string>;

struct Sample {
    Sample(std::string name, Placeholders in, Placeholders out = {})
        : clause(std::move(name)), with(std::move(in)), without(std::move(out)) {}
    std::string clause;
    Placeholders with;     // placeholder -> text with the clause
    Placeholders without;  // placeholder -> text of the baseline, when not the default
};

const char* kSecret = "c2VjcmV0IG9mIHRoZSBhdWRpdCBrZXkgaGVyZSEhIQ==";

// The placeholders' defaults.
std::map<std::string, std::string> defaults() {
    return {{"OPTIONS", ""},   {"TOP", ""},     {"PZONE", ""}, {"SZONE", ""}, {"SERVER", ""},
            {"DEST", "null;"}, {"CHANNEL", ""}, {"ZONES", ""}, {"VIEW", ""},  {"DIRECTORY", ""}};
}

// A rate-limit block with `clause`, as a sample's `with` placeholders; its baseline is the block without it.
Placeholders rate_limit(const std::string& clause) {
    return {{"OPTIONS", "rate-limit { responses-per-second 5; " + clause + " };"}};
}

const std::vector<Sample>& samples() {
    static const std::vector<Sample> kSamples = {
        {"directory", {{"DIRECTORY", "sub"}}},
        {"listen-on", {{"OPTIONS", "listen-on port 45302 { 127.0.0.1; };"}}},
        {"listen-on-v6", {{"OPTIONS", "listen-on-v6 port 45303 { any; };"}}},
        {"pid-file", {{"OPTIONS", "pid-file \"cairnd.pid\";"}}},
        {"version", {{"OPTIONS", "version \"audit\";"}}},
        {"hostname", {{"OPTIONS", "hostname \"audit-host\";"}}},
        {"server-id", {{"OPTIONS", "server-id \"audit-id\";"}}},
        {"port", {{"OPTIONS", "port 5353;"}}},
        {"transfers-in", {{"OPTIONS", "transfers-in 3;"}}},
        {"transfers-out", {{"OPTIONS", "transfers-out 3;"}}},
        {"transfers-per-ns", {{"OPTIONS", "transfers-per-ns 7;"}}},
        {"serial-query-rate", {{"OPTIONS", "serial-query-rate 99;"}}},
        {"tcp-clients", {{"OPTIONS", "tcp-clients 9;"}}},
        {"tcp-initial-timeout", {{"OPTIONS", "tcp-initial-timeout 100;"}}},
        {"tcp-idle-timeout", {{"OPTIONS", "tcp-idle-timeout 100;"}}},
        {"tcp-keepalive-timeout", {{"OPTIONS", "tcp-keepalive-timeout 100;"}}},
        {"tcp-advertised-timeout", {{"OPTIONS", "tcp-advertised-timeout 100;"}}},
        {"statistics-file", {{"OPTIONS", "statistics-file \"audit.stats\";"}}},
        // Response rate limiting: the block, then each clause against a block without it.
        {"rate-limit", {{"OPTIONS", "rate-limit { responses-per-second 5; };"}}},
        {"responses-per-second",
         {{"OPTIONS", "rate-limit { all-per-second 50; responses-per-second 7; };"}},
         {{"OPTIONS", "rate-limit { all-per-second 50; };"}}},
        {"referrals-per-second", rate_limit("referrals-per-second 7;"), rate_limit("")},
        {"nodata-per-second", rate_limit("nodata-per-second 7;"), rate_limit("")},
        {"nxdomains-per-second", rate_limit("nxdomains-per-second 7;"), rate_limit("")},
        {"errors-per-second", rate_limit("errors-per-second 7;"), rate_limit("")},
        {"all-per-second", rate_limit("all-per-second 7;"), rate_limit("")},
        {"window", rate_limit("window 7;"), rate_limit("")},
        {"slip", rate_limit("slip 7;"), rate_limit("")},
        {"ipv4-prefix-length", rate_limit("ipv4-prefix-length 16;"), rate_limit("")},
        {"ipv6-prefix-length", rate_limit("ipv6-prefix-length 48;"), rate_limit("")},
        {"max-table-size", rate_limit("max-table-size 5000;"), rate_limit("")},
        {"min-table-size", rate_limit("min-table-size 100;"), rate_limit("")},
        {"qps-scale", rate_limit("qps-scale 100;"), rate_limit("")},
        {"exempt-clients", rate_limit("exempt-clients { 192.0.2.1; };"), rate_limit("")},
        {"log-only", rate_limit("log-only yes;"), rate_limit("")},
        {"blackhole", {{"OPTIONS", "blackhole { 198.51.100.1; };"}}},
        {"querylog", {{"OPTIONS", "querylog yes;"}}},
        {"match-mapped-addresses",
         {{"OPTIONS", "match-mapped-addresses yes; allow-transfer { 192.0.2.1; };"}},
         {{"OPTIONS", "allow-transfer { 192.0.2.1; };"}}},
        {"recursion", {{"OPTIONS", "recursion no;"}}},
        // The recursive resolver's clauses (views with recursion yes, the default).
        {"allow-recursion", {{"OPTIONS", "allow-recursion { 192.0.2.1; };"}}},
        {"allow-recursion-on", {{"OPTIONS", "allow-recursion-on { 127.0.0.1; };"}}},
        {"allow-query-cache", {{"OPTIONS", "allow-query-cache { 192.0.2.1; };"}}},
        {"allow-query-cache-on", {{"OPTIONS", "allow-query-cache-on { 127.0.0.1; };"}}},
        {"disable-empty-zone", {{"OPTIONS", "disable-empty-zone \"10.in-addr.arpa\";"}}},
        {"empty-contact", {{"OPTIONS", "empty-contact \"admin.audit.test\";"}}},
        {"empty-server", {{"OPTIONS", "empty-server \"ns.audit.test\";"}}},
        {"empty-zones-enable", {{"OPTIONS", "empty-zones-enable no;"}}},
        {"fetches-per-server", {{"OPTIONS", "fetches-per-server 50;"}}},
        {"fetches-per-zone", {{"OPTIONS", "fetches-per-zone 50;"}}},
        {"forward",
         {{"OPTIONS", "forwarders { 192.0.2.9; }; forward only;"}},
         {{"OPTIONS", "forwarders { 192.0.2.9; };"}}},
        {"forwarders", {{"OPTIONS", "forwarders { 192.0.2.9; };"}}},
        {"max-cache-size", {{"OPTIONS", "max-cache-size 64M;"}}},
        {"max-cache-ttl", {{"OPTIONS", "max-cache-ttl 3600;"}}},
        {"max-ncache-ttl", {{"OPTIONS", "max-ncache-ttl 600;"}}},
        {"max-recursion-depth", {{"OPTIONS", "max-recursion-depth 5;"}}},
        {"max-recursion-queries", {{"OPTIONS", "max-recursion-queries 30;"}}},
        {"max-stale-ttl", {{"OPTIONS", "max-stale-ttl 3600;"}}},
        {"min-cache-ttl", {{"OPTIONS", "min-cache-ttl 30;"}}},
        {"min-ncache-ttl", {{"OPTIONS", "min-ncache-ttl 30;"}}},
        {"prefetch", {{"OPTIONS", "prefetch 0;"}}},
        {"qname-minimization", {{"OPTIONS", "qname-minimization off;"}}},
        {"recursive-clients", {{"OPTIONS", "recursive-clients 200;"}}},
        {"dump-file", {{"OPTIONS", "dump-file \"cache.dump\";"}}},
        {"secroots-file", {{"OPTIONS", "secroots-file \"roots.txt\";"}}},
        {"resolver-query-timeout", {{"OPTIONS", "resolver-query-timeout 5000;"}}},
        {"server-addresses",
         {{"ZONES", "zone \"stub.test\" { type static-stub; server-addresses { 192.0.2.7; }; };"}},
         {{"ZONES", "zone \"stub.test\" { type static-stub; server-addresses { 192.0.2.8; }; };"}}},
        {"servfail-ttl", {{"OPTIONS", "servfail-ttl 5;"}}},
        {"stale-answer-client-timeout", {{"OPTIONS", "stale-answer-client-timeout 1800;"}}},
        {"stale-answer-enable", {{"OPTIONS", "stale-answer-enable yes;"}}},
        {"stale-answer-ttl", {{"OPTIONS", "stale-answer-ttl 60;"}}},
        {"stale-cache-enable", {{"OPTIONS", "stale-cache-enable yes;"}}},
        {"stale-refresh-time", {{"OPTIONS", "stale-refresh-time 60;"}}},
        {"max-udp-size", {{"OPTIONS", "max-udp-size 1400;"}}},
        {"edns-udp-size", {{"OPTIONS", "edns-udp-size 1400;"}}},
        {"allow-query", {{"OPTIONS", "allow-query { 192.0.2.1; };"}}},
        {"allow-query-on", {{"OPTIONS", "allow-query-on { 127.0.0.1; };"}}},
        {"allow-transfer", {{"OPTIONS", "allow-transfer { 192.0.2.2; };"}}},
        {"allow-notify", {{"OPTIONS", "allow-notify { 192.0.2.2; };"}}},
        {"also-notify", {{"OPTIONS", "also-notify { 192.0.2.2; };"}}},
        {"notify", {{"OPTIONS", "notify explicit;"}}},
        {"masterfile-format", {{"OPTIONS", "masterfile-format raw;"}}},
        {"max-journal-size", {{"OPTIONS", "max-journal-size 10M;"}}},
        {"ixfr-from-differences", {{"OPTIONS", "ixfr-from-differences yes;"}}},
        {"min-refresh-time", {{"OPTIONS", "min-refresh-time 60;"}}},
        {"max-refresh-time", {{"OPTIONS", "max-refresh-time 600;"}}},
        {"min-retry-time", {{"OPTIONS", "min-retry-time 60;"}}},
        {"max-retry-time", {{"OPTIONS", "max-retry-time 600;"}}},
        {"max-transfer-time-in", {{"OPTIONS", "max-transfer-time-in 1;"}}},
        {"max-transfer-idle-in", {{"OPTIONS", "max-transfer-idle-in 1;"}}},
        {"max-transfer-time-out", {{"OPTIONS", "max-transfer-time-out 1;"}}},
        {"max-transfer-idle-out", {{"OPTIONS", "max-transfer-idle-out 1;"}}},
        {"notify-delay", {{"OPTIONS", "notify-delay 0;"}}},
        {"secondary-check-interval", {{"OPTIONS", "secondary-check-interval 0;"}}},
        {"secondary-lag-warning", {{"OPTIONS", "secondary-lag-warning 60;"}}},
        {"max-zone-ttl", {{"OPTIONS", "max-zone-ttl 3600;"}}},
        {"transfer-source", {{"OPTIONS", "transfer-source 127.0.0.1;"}}},
        {"transfer-source-v6", {{"OPTIONS", "transfer-source-v6 ::1;"}}},
        {"notify-source", {{"OPTIONS", "notify-source 127.0.0.1;"}}},
        {"notify-source-v6", {{"OPTIONS", "notify-source-v6 ::1;"}}},
        {"request-ixfr", {{"OPTIONS", "request-ixfr no;"}}},
        {"provide-ixfr", {{"OPTIONS", "provide-ixfr no;"}}},
        {"try-tcp-refresh", {{"OPTIONS", "try-tcp-refresh no;"}}},
        {"multi-master", {{"OPTIONS", "multi-master yes;"}}},
        {"max-records", {{"OPTIONS", "max-records 1000;"}}},
        // A zone's own clauses: a zone more (type, file), or its primaries.
        {"type", {{"ZONES", "zone \"x.test\" { type primary; file \"p.zone\"; };"}}},
        {"file", {{"PZONE", "file \"p.zone\";"}}, {{"PZONE", "file \"q.zone\";"}}},
        {"primaries", {{"SZONE", "primaries { 192.0.2.3; };"}}, {{"SZONE", "primaries { 192.0.2.1; };"}}},
        {"masters", {{"SZONE", "masters { 192.0.2.3; };"}}, {{"SZONE", "masters { 192.0.2.1; };"}}},
        {"match-clients", {{"VIEW", "match-clients { 192.0.2.0/24; };"}}, {{"VIEW", " "}}},
        {"match-destinations", {{"VIEW", "match-destinations { 127.0.0.1; };"}}, {{"VIEW", " "}}},
        {"algorithm",
         {{"TOP", std::string("key \"k2\" { algorithm hmac-sha512; secret \"") + kSecret + "\"; };"}},
         {{"TOP", std::string("key \"k2\" { algorithm hmac-sha256; secret \"") + kSecret + "\"; };"}}},
        {"secret",
         {{"TOP", "key \"k2\" { algorithm hmac-sha256; secret \"b3RoZXI=\"; };"}},
         {{"TOP", std::string("key \"k2\" { algorithm hmac-sha256; secret \"") + kSecret + "\"; };"}}},
        {"keys", {{"SERVER", "keys { k1; };"}}},
        {"bogus", {{"SERVER", "bogus yes;"}}},
        {"edns", {{"SERVER", "edns no;"}}},
        {"transfers", {{"SERVER", "transfers 5;"}}},
        {"transfer-format", {{"SERVER", "transfer-format one-answer;"}}},
        // dnssec-policy: a policy statement and the zone option that picks it; each clause of the policy.
        {"dnssec-policy", {{"PZONE", "file \"p.zone\"; dnssec-policy default;"}}},
        {"inline-signing", {{"PZONE", "file \"p.zone\"; inline-signing yes;"}}},
        {"key-directory",
         {{"PZONE", "file \"p.zone\"; dnssec-policy default; key-directory \"k\";"}},
         {{"PZONE", "file \"p.zone\"; dnssec-policy default;"}}},
        {"keys",
         {{"TOP", "dnssec-policy \"pol\" { keys { csk lifetime unlimited algorithm ed25519; }; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"publish-safety",
         {{"TOP", "dnssec-policy \"pol\" { publish-safety PT2H; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"retire-safety",
         {{"TOP", "dnssec-policy \"pol\" { retire-safety PT2H; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"purge-keys",
         {{"TOP", "dnssec-policy \"pol\" { purge-keys P10D; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"max-zone-ttl",
         {{"TOP", "dnssec-policy \"pol\" { max-zone-ttl PT2H; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"zone-propagation-delay",
         {{"TOP", "dnssec-policy \"pol\" { zone-propagation-delay PT10M; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"parent-ds-ttl",
         {{"TOP", "dnssec-policy \"pol\" { parent-ds-ttl PT2H; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"parent-propagation-delay",
         {{"TOP", "dnssec-policy \"pol\" { parent-propagation-delay PT2H; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"dnskey-ttl",
         {{"TOP", "dnssec-policy \"pol\" { dnskey-ttl 60; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"signatures-refresh",
         {{"TOP", "dnssec-policy \"pol\" { signatures-refresh P4D; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"signatures-validity",
         {{"TOP", "dnssec-policy \"pol\" { signatures-validity P20D; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"signatures-validity-dnskey",
         {{"TOP", "dnssec-policy \"pol\" { signatures-validity-dnskey P20D; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"signatures-jitter",
         {{"TOP", "dnssec-policy \"pol\" { signatures-jitter 60; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        {"nsec3param",
         {{"TOP", "dnssec-policy \"pol\" { nsec3param iterations 0 optout no salt-length 0; };"},
          {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}},
         {{"TOP", "dnssec-policy \"pol\" { };"}, {"PZONE", "file \"p.zone\"; dnssec-policy pol;"}}},
        // Logging channels: a channel `c` the default category uses.
        {"file", {{"DEST", "file \"cairn.log\";"}}},
        {"syslog", {{"DEST", "syslog daemon;"}}},
        {"null", {{"DEST", "null;"}}, {{"DEST", "syslog;"}}},
        {"severity", {{"CHANNEL", "severity warning;"}}},
        {"print-time", {{"CHANNEL", "print-time yes;"}}},
        {"print-category", {{"CHANNEL", "print-category yes;"}}},
        {"print-severity", {{"CHANNEL", "print-severity yes;"}}},
    };
    return kSamples;
}

class ClauseAudit : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("cairn-clause-audit-" + std::to_string(::getpid()));
        fs::create_directories(dir_ / "sub");
        for (const auto* name : {"p.zone", "q.zone", "sub/p.zone"})
            std::ofstream(dir_ / name)
                << "$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n NS ns1\nns1 A 127.0.0.1\n";
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string config(Placeholders values) const {
        for (const auto& [key, value] : defaults())
            values.emplace(key, value);
        std::string zones =
            "zone \"p.test\" { type primary; " +
            (values["PZONE"].empty() ? std::string("file \"p.zone\";") : values["PZONE"]) + " };\n" +
            "zone \"s.test\" { type secondary; " +
            (values["SZONE"].empty() ? std::string("primaries { 192.0.2.1; };") : values["SZONE"]) +
            " file \"s.zone\"; };\n" + values["ZONES"] + "\n";
        if (!values["VIEW"].empty()) zones = "view \"v\" { " + values["VIEW"] + "\n" + zones + "};\n";
        const fs::path directory = values["DIRECTORY"].empty() ? dir_ : dir_ / values["DIRECTORY"];
        return "options {\n  directory \"" + directory.string() +
               "\";\n  listen-on port 45301 { 127.0.0.1; };\n  listen-on-v6 { none; };\n  " +
               values["OPTIONS"] + "\n};\nkey \"k1\" { algorithm hmac-sha256; secret \"" + kSecret +
               "\"; };\nserver 192.0.2.1 { " + values["SERVER"] + " };\n" + values["TOP"] +
               "\nlogging { channel c { " + values["DEST"] + " " + values["CHANNEL"] +
               " }; category default { c; }; };\n" + zones;
    }

    // What the daemon would run with and what it would say: the settings as text, then the warnings.
    std::string observe(const Placeholders& values) {
        const fs::path file = dir_ / "named.conf";
        std::ofstream(file) << config(values);
        const SettingsResult result = load_settings(file.string());
        if (!result.errors.empty()) return "errors: " + result.errors.front();
        std::string out = testing::settings_text(result.settings);
        for (const auto& warning : result.warnings)
            out += "warning: " + warning.substr(warning.find(": ") + 1) + "\n";  // without FILE:LINE
        return out;
    }

    fs::path dir_;
};

TEST_F(ClauseAudit, TheBaselineConfigurationLoads) {
    EXPECT_EQ(observe({}).rfind("errors:", 0), std::string::npos) << observe({});
}

TEST_F(ClauseAudit, EveryImplementedClauseChangesWhatTheDaemonDoesOrSays) {
    std::set<std::string> sampled;
    for (const Sample& sample : samples()) {
        sampled.insert(sample.clause);
        const std::string with = observe(sample.with);
        const std::string without = observe(sample.without);
        EXPECT_EQ(with.rfind("errors:", 0), std::string::npos) << sample.clause << ": " << with;
        EXPECT_EQ(without.rfind("errors:", 0), std::string::npos) << sample.clause << ": " << without;
        EXPECT_NE(with, without)
            << "'" << sample.clause
            << "' is marked Implemented in config/grammar.cpp but the settings loader "
               "applies nothing of it: apply it, or mark it Unimplemented (warned about)";
    }
    for (const config::Clause& clause : config::clause_table()) {
        if (clause.support != config::Support::Implemented) continue;
        const std::string name(clause.name);
        if (kStructural.count(name) || kChannels.count(name) || kValidation.count(name)) continue;
        EXPECT_TRUE(sampled.count(name))
            << "'" << name
            << "' is marked Implemented but the audit has no sample of it: add one "
               "to samples() in this file";
    }
}

TEST_F(ClauseAudit, AClauseThatIsNotAppliedIsWarnedAboutWithItsReason) {
    const std::string said = observe({{"PZONE", "file \"p.zone\"; allow-update { 192.0.2.1; };"}});
    EXPECT_NE(said.find("'allow-update' is not supported: UPDATE gets NOTIMP"), std::string::npos) << said;
}

}  // namespace
}  // namespace cairn::server
