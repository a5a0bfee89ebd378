#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "stats/counters.hpp"
#include "stats/http_server.hpp"
#include "stats/report.hpp"

namespace cairn::stats {
namespace {

// A reply for `name` type `qtype` with `rcode`, padded to `size` octets.
std::vector<std::uint8_t> reply(std::uint16_t qtype, std::uint8_t rcode, std::size_t size = 40) {
    std::vector<std::uint8_t> wire = {0x12, 0x34, 0x84, rcode, 0,   1,   0,   0,   0,   0, 0,
                                      0,    7,    'e',  'x',   'a', 'm', 'p', 'l', 'e', 0};
    wire.push_back(static_cast<std::uint8_t>(qtype >> 8));
    wire.push_back(static_cast<std::uint8_t>(qtype));
    wire.push_back(0);
    wire.push_back(1);
    wire.resize(std::max(size, wire.size()));
    return wire;
}

TEST(Counters, SummarizeReplyReadsQuestionTypeAndRcode) {
    const auto wire = reply(28, 3);
    const ReplySummary summary = summarize_reply(wire);
    EXPECT_EQ(summary.qtype, 28);
    EXPECT_EQ(summary.rcode, 3);
    EXPECT_EQ(summarize_reply(std::vector<std::uint8_t>(5, 0)).qtype, 0);  // too short: no crash
}

TEST(Counters, SumAcrossWorkers) {
    Statistics stats(4);
    stats.set_view_names({"internal", "external"});
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < 4; ++w) {
        threads.emplace_back([&stats, w] {
            const auto a = reply(1, 0, 100);
            const auto nx = reply(28, 3, 1300);
            for (int i = 0; i < 1000; ++i) {
                stats.record(w, a, Protocol::udp, 0);
                stats.record(w, nx, Protocol::tcp, 1);
            }
            stats.record(w, {}, Protocol::udp, 0);  // dropped
        });
    }
    for (auto& t : threads)
        t.join();
    const QuerySnapshot q = stats.queries();
    EXPECT_EQ(q.qtype[1], 4000u);
    EXPECT_EQ(q.qtype[28], 4000u);
    EXPECT_EQ(q.rcode[0], 4000u);
    EXPECT_EQ(q.rcode[3], 4000u);
    EXPECT_EQ(q.protocol[0], 4004u);
    EXPECT_EQ(q.protocol[1], 4000u);
    EXPECT_EQ(q.dropped, 4u);
    ASSERT_EQ(q.views.size(), 2u);
    EXPECT_EQ(q.views[0], std::make_pair(std::string("internal"), std::uint64_t{4004}));
    EXPECT_EQ(q.views[1].second, 4000u);
    EXPECT_EQ(q.responses, 8000u);
    EXPECT_EQ(q.size_sum, 4000u * 100 + 4000u * 1300);
    EXPECT_EQ(q.size_bucket[1], 4000u);  // 100 <= 128
    EXPECT_EQ(q.size_bucket[7], 4000u);  // 1300 <= 1500
}

TEST(Counters, WorkerBlocksDoNotShareCacheLines) {
    EXPECT_EQ(alignof(WorkerCounters) % 64, 0u);
    EXPECT_EQ(sizeof(WorkerCounters) % 64, 0u);
}

Report sample_report() {
    Statistics stats(2);
    stats.set_view_names({"in\"side\\", "_default"});
    stats.record(0, reply(1, 0), Protocol::udp, 0);
    stats.record(1, reply(6, 5), Protocol::tcp, 1);
    stats.record(1, reply(65280, 0), Protocol::tcp, 1);
    stats.count(TransferEvent::in_success);
    stats.count(TransferEvent::out_failure);
    Report report;
    report.now = 1'700'000'000;
    report.started_at = report.now - 60;
    report.version = "cairn 0.1";
    report.queries = stats.queries();
    report.udp = {40, 520, 31};
    report.transfers = stats.transfers();
    lifecycle::ZoneState primary;
    primary.origin = dns::Name::from_text("example.");
    primary.phase = lifecycle::ZonePhase::loaded;
    primary.served_serial = 2024010101u;
    primary.file = "example.db";
    primary.loaded_at = report.now - 30;
    primary.counters.notifies_sent = 2;
    primary.counters.notifies_failed = 1;
    lifecycle::ZoneState secondary;
    secondary.origin = dns::Name::from_text("sec.example.");
    secondary.role = lifecycle::ZoneRole::secondary;
    secondary.phase = lifecycle::ZonePhase::refresh_failing;
    secondary.served_serial = 7u;
    secondary.loaded_at = report.now - 100;
    secondary.timers.last_refresh = report.now - 100;
    secondary.timers.next_refresh = report.now + 3500;
    secondary.timers.expire_at = report.now + 604800;
    secondary.counters.transfers_in = 3;
    lifecycle::ZoneState broken;
    broken.origin = dns::Name::from_text("broken.");
    broken.view = "bro\nken";
    broken.role = lifecycle::ZoneRole::secondary;
    broken.phase = lifecycle::ZonePhase::failed;
    broken.problem = "zone not loaded: broken.db:3: bad";
    report.zones = {std::make_shared<const lifecycle::ZoneState>(primary),
                    std::make_shared<const lifecycle::ZoneState>(secondary),
                    std::make_shared<const lifecycle::ZoneState>(broken)};
    report.last_reload_ok = false;
    return report;
}

// A strict reader of the text exposition format 0.0.4: every sample belongs to a family declared with
// HELP and TYPE before it; names and labels are well formed; values are numbers; no family repeats.
struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value;
};
std::vector<Sample> parse_prometheus(const std::string& text, std::map<std::string, std::string>& types) {
    static const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");
    std::vector<Sample> samples;
    std::set<std::string> helped;
    std::istringstream lines(text);
    std::string line;
    std::string current;
    while (std::getline(lines, line)) {
        if (line.empty()) throw std::runtime_error("empty line");
        if (line.rfind("# HELP ", 0) == 0) {
            const std::string name = line.substr(7, line.find(' ', 7) - 7);
            if (!std::regex_match(name, name_re) || !helped.insert(name).second)
                throw std::runtime_error("bad or repeated HELP: " + line);
            current = name;
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            static const std::set<std::string> kinds = {"counter", "gauge", "histogram", "summary",
                                                        "untyped"};
            if (name != current || !kinds.count(type) || types.count(name))
                throw std::runtime_error("bad TYPE: " + line);
            types[name] = type;
            continue;
        }
        if (line[0] == '#') throw std::runtime_error("stray comment: " + line);
        Sample sample;
        std::size_t at = 0;
        while (at < line.size() && line[at] != '{' && line[at] != ' ')
            ++at;
        sample.name = line.substr(0, at);
        if (!std::regex_match(sample.name, name_re)) throw std::runtime_error("bad name: " + line);
        if (at < line.size() && line[at] == '{') {
            ++at;
            while (line.at(at) != '}') {
                const std::size_t eq = line.find('=', at);
                const std::string label = line.substr(at, eq - at);
                if (!std::regex_match(label, std::regex("[a-zA-Z_][a-zA-Z0-9_]*")))
                    throw std::runtime_error("bad label: " + line);
                at = eq + 1;
                if (line.at(at) != '"') throw std::runtime_error("unquoted label value: " + line);
                ++at;
                std::string value;
                while (line.at(at) != '"') {
                    if (line[at] == '\\') {
                        const char next = line.at(at + 1);
                        if (next == 'n') {
                            value += '\n';
                        } else if (next == '\\' || next == '"') {
                            value += next;
                        } else {
                            throw std::runtime_error("bad escape: " + line);
                        }
                        at += 2;
                    } else {
                        value += line[at++];
                    }
                }
                ++at;
                if (line.at(at) == ',') ++at;
                sample.labels[label] = value;
            }
            ++at;
        }
        if (line.at(at) != ' ') throw std::runtime_error("no value: " + line);
        const std::string value = line.substr(at + 1);
        std::size_t used = 0;
        sample.value = value == "+Inf" ? INFINITY : std::stod(value, &used);
        if (value != "+Inf" && used != value.size()) throw std::runtime_error("bad value: " + line);
        std::string family = sample.name;
        if (types.count(family) == 0) {
            for (const char* suffix : {"_bucket", "_sum", "_count"}) {
                const std::string s = suffix;
                if (family.size() > s.size() && family.compare(family.size() - s.size(), s.size(), s) == 0) {
                    family.resize(family.size() - s.size());
                    break;
                }
            }
        }
        if (family != current) throw std::runtime_error("sample outside its family: " + line);
        samples.push_back(std::move(sample));
    }
    return samples;
}

TEST(Render, PrometheusParsesStrictly) {
    const std::string text = render_prometheus(sample_report());
    std::map<std::string, std::string> types;
    std::vector<Sample> samples;
    ASSERT_NO_THROW(samples = parse_prometheus(text, types)) << text;
    EXPECT_EQ(types["cairn_queries_total"], "counter");
    EXPECT_EQ(types["cairn_response_size_bytes"], "histogram");
    const auto find = [&](const std::string& name, const std::string& label, const std::string& value) {
        for (const auto& s : samples) {
            if (s.name == name && s.labels.count(label) && s.labels.at(label) == value) return s.value;
        }
        return -1.0;
    };
    EXPECT_EQ(find("cairn_queries_total", "type", "A"), 1);
    EXPECT_EQ(find("cairn_queries_total", "type", "SOA"), 1);
    EXPECT_EQ(find("cairn_queries_total", "type", "other"), 1);
    EXPECT_EQ(find("cairn_responses_total", "rcode", "REFUSED"), 1);
    EXPECT_EQ(find("cairn_queries_by_protocol_total", "protocol", "tcp"), 2);
    EXPECT_EQ(find("cairn_queries_by_view_total", "view", "in\"side\\"), 1);  // escaped and read back
    EXPECT_EQ(find("cairn_zone_serial", "zone", "example."), 2024010101);
    EXPECT_EQ(find("cairn_zone_seconds_until_expiry", "zone", "sec.example."), 604800);
    EXPECT_EQ(find("cairn_zone_seconds_since_refresh", "zone", "sec.example."), 100);
    EXPECT_EQ(find("cairn_zone_loaded", "view", "bro\nken"), 0);
    const auto state_of = [&](const std::string& zone, const std::string& state) {
        for (const auto& s : samples) {
            if (s.name == "cairn_zone_state" && s.labels.at("zone") == zone && s.labels.at("state") == state)
                return s.value;
        }
        return -1.0;
    };
    EXPECT_EQ(state_of("sec.example.", "refresh failing"), 1);
    EXPECT_EQ(state_of("sec.example.", "loaded"), 0);
    EXPECT_EQ(state_of("broken.", "failed"), 1);
    EXPECT_EQ(find("cairn_zone_load_failures_total", "zone", "example."), 0);
    EXPECT_EQ(find("cairn_build_info", "version", "cairn 0.1"), 1);
    EXPECT_EQ(find("cairn_zone_notifies_sent_total", "zone", "example."), 2);
    EXPECT_EQ(find("cairn_transfers_in_total", "result", "success"), 1);
    EXPECT_EQ(find("cairn_transfers_out_total", "result", "failure"), 1);
    EXPECT_EQ(find("cairn_response_size_bytes_bucket", "le", "+Inf"), 3);
    const auto unlabelled = [&](const std::string& name) {
        for (const auto& s : samples) {
            if (s.name == name && s.labels.empty()) return s.value;
        }
        return -1.0;
    };
    EXPECT_EQ(types["cairn_udp_reads_total"], "counter");
    EXPECT_EQ(unlabelled("cairn_udp_reads_total"), 40);
    EXPECT_EQ(unlabelled("cairn_udp_datagrams_total"), 520);
    EXPECT_EQ(unlabelled("cairn_udp_coalescing_pauses_total"), 31);
    EXPECT_EQ(unlabelled("cairn_config_last_reload_successful"), 0);
    // Every family has both HELP and TYPE.
    EXPECT_EQ(std::count(text.begin(), text.end(), '#'), 2 * static_cast<long>(types.size()));
}

TEST(Render, StrictParserRejectsBrokenText) {
    std::map<std::string, std::string> types;
    EXPECT_THROW(parse_prometheus("cairn_x 1\n", types), std::runtime_error);
    types.clear();
    EXPECT_THROW(parse_prometheus("# HELP a b\n# TYPE a counter\na{x=\"1} 1\n", types), std::exception);
    types.clear();
    EXPECT_THROW(parse_prometheus("# HELP a b\n# TYPE a counter\na one\n", types), std::exception);
}

TEST(Render, JsonHasTheSameData) {
    const auto doc = nlohmann::json::parse(render_json(sample_report()));
    EXPECT_EQ(doc["queries"]["total"], 3);
    EXPECT_EQ(doc["queries"]["by_type"]["A"], 1);
    EXPECT_EQ(doc["responses"]["by_rcode"]["REFUSED"], 1);
    EXPECT_EQ(doc["transfers"]["in"]["success"], 1);
    EXPECT_EQ(doc["udp"]["reads"], 40);
    EXPECT_EQ(doc["udp"]["datagrams"], 520);
    EXPECT_EQ(doc["udp"]["coalescing_pauses"], 31);
    ASSERT_EQ(doc["zones"].size(), 3u);
    EXPECT_EQ(doc["zones"][0]["serial"], 2024010101u);
    EXPECT_EQ(doc["zones"][1]["seconds_until_expiry"], 604800);
    EXPECT_EQ(doc["zones"][1]["health"], "refresh failing");
    EXPECT_TRUE(doc["zones"][2]["serial"].is_null());
    EXPECT_EQ(doc["zones"][2]["state"], "failed");
    EXPECT_EQ(doc["zones"][2]["problem"], "zone not loaded: broken.db:3: bad");
    EXPECT_EQ(doc["zones"][1]["transfers_in"]["success"], 3);
    EXPECT_EQ(doc["last_reload_successful"], false);
}

TEST(Render, HtmlListsZonesWithHealthAndEscapes) {
    const std::string html = render_html(sample_report());
    EXPECT_NE(html.find("data-zone=\"example.\" data-health=\"healthy\""), std::string::npos);
    EXPECT_NE(html.find("data-zone=\"sec.example.\" data-health=\"refresh failing\""), std::string::npos);
    EXPECT_NE(html.find("2024010101"), std::string::npos);
    EXPECT_NE(html.find("in 58m20s"), std::string::npos);  // next refresh of sec.example.
}

TEST(Render, HealthOrder) {
    lifecycle::ZoneState zone;
    zone.role = lifecycle::ZoneRole::secondary;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::not_loaded);
    zone.served_serial = 1;
    zone.phase = lifecycle::ZonePhase::loaded;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::healthy);
    zone.signatures_expire = 100 + kSignaturesWarningSeconds + 1;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::healthy);
    zone.signatures_expire = 100 + kSignaturesWarningSeconds;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::signatures_expiring);
    zone.signatures_expire = 0;
    zone.phase = lifecycle::ZonePhase::refresh_failing;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::refresh_failing);
    zone.timers.expire_at = 100 + 3600;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::expiring_soon);
    zone.phase = lifecycle::ZonePhase::expired;
    EXPECT_EQ(zone_health(zone, 100), ZoneHealth::expired);
}

// A primary watching two secondaries: one in step, one behind across the serial wrap and lagging.
TEST(Render, SecondariesInEveryOutputWorstZoneFirst) {
    Report report;
    report.now = 1'700'000'000;
    lifecycle::ZoneState calm;
    calm.origin = dns::Name::from_text("calm.");
    calm.phase = lifecycle::ZonePhase::loaded;
    calm.served_serial = 1u;
    lifecycle::ZoneState watched = calm;
    watched.origin = dns::Name::from_text("watched.");
    watched.served_serial = 3u;
    lifecycle::SecondaryStatus in_step;
    in_step.address = "192.0.2.1#53";
    in_step.serial = 3u;
    in_step.answered_at = in_step.checked_at = report.now - 1;
    in_step.expires_at = report.now + 86000;
    lifecycle::SecondaryStatus behind;
    behind.address = "192.0.2.2#53";
    behind.serial = 0xFFFFFFFEu;  // five behind 3, round the circle
    behind.answered_at = behind.checked_at = report.now - 1;
    behind.behind_since = report.now - 400;
    behind.lagging = true;
    watched.secondaries = {in_step, behind};
    EXPECT_EQ(lifecycle::serials_behind(behind, watched.served_serial), 5u);
    EXPECT_EQ(lifecycle::serials_behind(in_step, watched.served_serial), 0u);
    EXPECT_EQ(zone_health(watched, report.now), ZoneHealth::secondary_lagging);
    report.zones = {std::make_shared<lifecycle::ZoneState>(calm),
                    std::make_shared<lifecycle::ZoneState>(watched)};

    std::map<std::string, std::string> types;
    std::map<std::string, double> found;
    for (const Sample& sample : parse_prometheus(render_prometheus(report), types)) {
        if (sample.name.rfind("cairn_zone_secondary_", 0) != 0) continue;
        EXPECT_EQ(sample.labels.at("zone"), "watched.");
        found[sample.name + " " + sample.labels.at("secondary")] = sample.value;
    }
    EXPECT_EQ(found.at("cairn_zone_secondary_serials_behind 192.0.2.2#53"), 5);
    EXPECT_EQ(found.at("cairn_zone_secondary_seconds_behind 192.0.2.2#53"), 400);
    EXPECT_EQ(found.at("cairn_zone_secondary_lagging 192.0.2.2#53"), 1);
    EXPECT_EQ(found.at("cairn_zone_secondary_lagging 192.0.2.1#53"), 0);
    EXPECT_EQ(found.at("cairn_zone_secondary_seconds_until_expiry 192.0.2.1#53"), 86000);
    EXPECT_EQ(found.count("cairn_zone_secondary_seconds_until_expiry 192.0.2.2#53"), 0u);
    EXPECT_EQ(types.at("cairn_zone_secondary_serial"), "gauge");

    const auto doc = nlohmann::json::parse(render_json(report));
    const auto& secondaries = doc["zones"][1]["secondaries"];
    ASSERT_EQ(secondaries.size(), 2u);
    EXPECT_EQ(secondaries[1]["serials_behind"], 5);
    EXPECT_EQ(secondaries[1]["behind_since"], report.now - 400);
    EXPECT_EQ(secondaries[1]["lagging"], true);
    EXPECT_TRUE(secondaries[1]["expires"].is_null());
    EXPECT_EQ(doc["zones"][1]["health"], "secondary lagging");
    EXPECT_TRUE(doc["zones"][0]["secondaries"].empty());

    const std::string html = render_html(report);
    const auto lagging = html.find("data-zone=\"watched.\" data-health=\"secondary lagging\"");
    const auto healthy = html.find("data-zone=\"calm.\" data-health=\"healthy\"");
    ASSERT_NE(lagging, std::string::npos);
    ASSERT_NE(healthy, std::string::npos);
    EXPECT_LT(lagging, healthy);  // worst first, whatever the configuration order
    EXPECT_NE(html.find("class=\"secondary lagging\" data-secondary=\"192.0.2.2#53\""), std::string::npos);
}

TEST(Render, UpstreamServersInEveryOutputWorstFirst) {
    Report report;
    report.now = 1'700'000'000;
    ResolverGauge view;
    view.view = "inside";
    UpstreamServerGauge fast{"192.0.2.1#53", true, 12, 3, 40, 0, 0, false};
    UpstreamServerGauge slow{"192.0.2.2#53", true, 250, 60, 30, 0, 0, false};
    UpstreamServerGauge flaky{"192.0.2.3#53", true, 20, 5, 20, 5, 1, false};
    UpstreamServerGauge dead{"127.0.0.1#5300", false, 0, 0, 6, 6, 6, true};
    view.servers = {fast, slow, flaky, dead};
    report.recursion.views = {view};

    std::map<std::string, std::string> types;
    std::map<std::string, double> found;
    for (const Sample& sample : parse_prometheus(render_prometheus(report), types)) {
        if (sample.name.rfind("cairn_resolver_upstream_server_", 0) != 0) continue;
        if (sample.labels.count("server") == 0) continue;  // the view's cookie counters share the prefix
        EXPECT_EQ(sample.labels.at("view"), "inside");
        found[sample.name + " " + sample.labels.at("server")] = sample.value;
    }
    EXPECT_DOUBLE_EQ(found.at("cairn_resolver_upstream_server_srtt_seconds 192.0.2.2#53"), 0.25);
    EXPECT_DOUBLE_EQ(found.at("cairn_resolver_upstream_server_rttvar_seconds 192.0.2.1#53"), 0.003);
    EXPECT_EQ(found.count("cairn_resolver_upstream_server_srtt_seconds 127.0.0.1#5300"),
              0u);  // never answered
    EXPECT_EQ(found.at("cairn_resolver_upstream_server_queries_total 192.0.2.1#53"), 40);
    EXPECT_EQ(found.at("cairn_resolver_upstream_server_timeouts_total 192.0.2.3#53"), 5);
    EXPECT_EQ(found.at("cairn_resolver_upstream_server_held_down 127.0.0.1#5300"), 1);
    EXPECT_EQ(found.at("cairn_resolver_upstream_server_held_down 192.0.2.1#53"), 0);
    EXPECT_EQ(types.at("cairn_resolver_upstream_server_queries_total"), "counter");
    EXPECT_EQ(types.at("cairn_resolver_upstream_server_srtt_seconds"), "gauge");
    EXPECT_EQ(types.at("cairn_resolver_upstream_rtt_seconds"), "histogram");  // the view's, unchanged

    const auto doc = nlohmann::json::parse(render_json(report));
    const auto& servers = doc["resolver"]["views"]["inside"]["upstream"]["servers"];
    ASSERT_EQ(servers.size(), 4u);
    EXPECT_EQ(servers[1]["server"], "192.0.2.2#53");
    EXPECT_EQ(servers[1]["srtt_ms"], 250);
    EXPECT_EQ(servers[2]["timeouts"], 5);
    EXPECT_TRUE(servers[3]["srtt_ms"].is_null());
    EXPECT_EQ(servers[3]["held_down"], true);

    // Held down, then the larger share of failures, then the slower.
    const std::string html = render_html(report);
    std::vector<std::size_t> at;
    for (const char* server : {"127.0.0.1#5300", "192.0.2.3#53", "192.0.2.2#53", "192.0.2.1#53"}) {
        at.push_back(html.find(std::string("data-server=\"") + server + "\""));
        ASSERT_NE(at.back(), std::string::npos) << server;
    }
    EXPECT_TRUE(std::is_sorted(at.begin(), at.end()));
    EXPECT_NE(html.find("<td>250 ms (&plusmn;60)</td>"), std::string::npos);
    // No recursive views: no servers section.
    EXPECT_EQ(render_html(Report{}).find("id=\"servers\""), std::string::npos);
}

std::string http_get(std::uint16_t port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(port);
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) return "";
    (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    char buffer[4096];
    ssize_t got;
    while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
        out.append(buffer, static_cast<std::size_t>(got));
    ::close(fd);
    return out;
}

TEST(Http, ServesRoutesAndRefusesJunk) {
    HttpServerOptions options;
    options.port = 0;
    options.max_request = 512;
    options.timeout = std::chrono::milliseconds(500);
    HttpServer server(options, [](const std::string& path) {
        if (path == "/metrics") return HttpResponse{200, "text/plain; version=0.0.4", "m 1\n"};
        return HttpResponse{404, "text/plain", "no\n"};
    });
    server.start();
    const std::string ok = http_get(server.port(), "GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
    EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4\r\n"), std::string::npos);
    EXPECT_EQ(ok.substr(ok.size() - 4), "m 1\n");
    EXPECT_EQ(http_get(server.port(), "GET /nothing HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
    EXPECT_EQ(http_get(server.port(), "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
    EXPECT_EQ(http_get(server.port(), "garbage\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
    EXPECT_EQ(http_get(server.port(), "GET /" + std::string(2000, 'a')).rfind("HTTP/1.1 431", 0), 0u);
    // A client that sends nothing is dropped at the deadline and the server keeps serving.
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(http_get(server.port(), "GET /metrics HTTP/1.1\r\n"), "");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
    EXPECT_EQ(http_get(server.port(), "HEAD /metrics HTTP/1.0\r\n\r\n").find("m 1"), std::string::npos);
    server.stop();
}

TEST(Http, IdleConnectionsGiveWayToANewOne) {
    HttpServerOptions options;
    options.port = 0;
    options.max_connections = 8;
    HttpServer server(options, [](const std::string&) { return HttpResponse{200, "text/plain", "m 1\n"}; });
    server.start();
    std::vector<int> idle;
    for (int i = 0; i < 40; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in at{};
        at.sin_family = AF_INET;
        at.sin_port = htons(server.port());
        at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
        if (i % 2 == 1) (void)!::send(fd, "GET /", 5, MSG_NOSIGNAL);  // half a request line
        idle.push_back(fd);
    }
    const std::string ok = http_get(server.port(), "GET /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
    server.stop();
    for (const int fd : idle)
        ::close(fd);
}

TEST(Http, AllowPredicateRefuses) {
    HttpServerOptions options;
    options.port = 0;
    HttpServer server(
        options, [](const std::string&) { return HttpResponse{}; }, [](const sockaddr*) { return false; });
    server.start();
    EXPECT_EQ(http_get(server.port(), "GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 403", 0), 0u);
}

}  // namespace
}  // namespace cairn::stats
