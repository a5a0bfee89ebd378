#include "stats/bind_formats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "dns/types.hpp"
#include "dns/zone_label.hpp"

namespace cairn::stats {

namespace {

using Counters = std::vector<std::pair<std::string, std::uint64_t>>;

constexpr const char* kOpcodes[16] = {"QUERY",      "IQUERY",     "STATUS",     "RESERVED3",
                                      "NOTIFY",     "UPDATE",     "RESERVED6",  "RESERVED7",
                                      "RESERVED8",  "RESERVED9",  "RESERVED10", "RESERVED11",
                                      "RESERVED12", "RESERVED13", "RESERVED14", "RESERVED15"};
constexpr const char* kRcodes[kRcodeSlots] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",   "NOTIMP",     "REFUSED",    "YXDOMAIN",   "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "RESERVED11", "RESERVED12", "RESERVED13", "RESERVED14", "RESERVED15",
    "BADVERS", "17",      "18",       "19",         "20",         "21",         "22",         "BADCOOKIE"};

// "2026-12-07T14:32:47.000Z", as BIND writes its times.
std::string iso_time(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return buffer;
}

std::string iso_time_seconds(std::int64_t seconds) {
    std::string text = iso_time(seconds);
    return text.substr(0, 19) + "Z";  // zone load times have no fraction in BIND
}

std::string version_number(const Report& report) {
    const auto space = report.version.find(' ');
    return space == std::string::npos ? report.version : report.version.substr(space + 1);
}

Counters opcodes(const QuerySnapshot& q) {
    Counters out;
    for (std::size_t i = 0; i < 16; ++i)
        out.emplace_back(kOpcodes[i], q.opcode[i]);
    return out;
}

Counters rcodes(const QuerySnapshot& q) {
    Counters out;
    for (std::size_t i = 0; i < kRcodeSlots; ++i)
        out.emplace_back(kRcodes[i], q.rcode[i]);
    return out;
}

Counters qtypes(const QuerySnapshot& q) {  // only the types seen, as BIND
    Counters out;
    for (std::size_t i = 0; i < q.qtype.size(); ++i) {
        if (q.qtype[i] != 0) out.emplace_back(dns::type_to_text(static_cast<dns::RRType>(i)), q.qtype[i]);
    }
    if (q.qtype_other != 0) out.emplace_back("Others", q.qtype_other);
    return out;
}

struct Described {
    const char* name;
    const char* description;  // named.stats
    std::uint64_t value;
};

std::vector<Described> nsstats(const Report& r) {
    const QuerySnapshot& q = r.queries;
    const auto result = [&](QueryResult which) { return q.result[static_cast<std::size_t>(which)]; };
    return {
        {"ReqTCP", "TCP requests received", q.protocol[1]},
        {"XfrRej", "zone transfer requests rejected", r.transfers.out_failure},
        {"Response", "responses sent", q.responses},
        {"TruncatedResp", "truncated responses sent", q.truncated},
        {"QrySuccess", "queries resulted in successful answer", result(QueryResult::success)},
        {"QryAuthAns", "queries resulted in authoritative answer", q.authoritative},
        {"QryReferral", "queries resulted in referral answer", result(QueryResult::referral)},
        {"QryNxrrset", "queries resulted in nxrrset", result(QueryResult::nxrrset)},
        {"QrySERVFAIL", "queries resulted in SERVFAIL", result(QueryResult::servfail)},
        {"QryFORMERR", "queries resulted in FORMERR", result(QueryResult::formerr)},
        {"QryNXDOMAIN", "queries resulted in NXDOMAIN", result(QueryResult::nxdomain)},
        {"QryFailure", "other query failures", result(QueryResult::failure)},
        {"QryDropped", "queries dropped", q.dropped},
        {"QryUDP", "UDP queries received", q.protocol[0]},
        {"QryTCP", "TCP queries received", q.protocol[1]},
        {"XfrReqDone", "requested zone transfers completed", r.transfers.out_success},
    };
}

std::vector<Described> zonestats(const Report& r) {
    std::uint64_t notifies = 0;
    for (const auto& zone : r.zones)
        notifies += zone->counters.notifies_sent;
    return {{"NotifyOutv4", "IPv4 notifies sent", notifies}};
}

std::vector<std::string> view_names(const Report& r) {
    std::vector<std::string> names;
    for (const auto& [name, count] : r.queries.views)
        names.push_back(name);
    for (const auto& zone : r.zones) {
        if (std::find(names.begin(), names.end(), zone->view) == names.end()) names.push_back(zone->view);
    }
    return names;
}

std::string zone_name(const lifecycle::ZoneState& zone) {
    return dns::zone_name_text(zone.origin);
}

// --- XML (statistics version 3) ---

void xml_counters(std::string& out, const char* type, const Counters& counters) {
    out += fmt::format("<counters type=\"{}\">", type);
    for (const auto& [name, value] : counters)
        out += fmt::format("<counter name=\"{}\">{}</counter>", html_escape(name), value);
    out += "</counters>";
}

Counters plain(const std::vector<Described>& described) {
    Counters out;
    for (const Described& d : described)
        out.emplace_back(d.name, d.value);
    return out;
}

void xml_server_head(std::string& out, const Report& r) {
    out += fmt::format(
        "<boot-time>{}</boot-time><config-time>{}</config-time><current-time>{}</current-time>"
        "<version>{}</version>",
        iso_time(r.started_at), iso_time(r.configured_at), iso_time(r.now), html_escape(version_number(r)));
}

void xml_views(std::string& out, const Report& r, bool counters, bool zones) {
    out += "<views>";
    for (const std::string& view : view_names(r)) {
        out += fmt::format("<view name=\"{}\">", html_escape(view));
        if (zones) {
            out += "<zones>";
            for (const auto& zone : r.zones) {
                if (zone->view != view) continue;
                out += fmt::format("<zone name=\"{}\" rdataclass=\"IN\"><type>{}</type><serial>{}</serial>",
                                   html_escape(zone_name(*zone)), lifecycle::to_string(zone->role),
                                   zone->served_serial ? std::to_string(*zone->served_serial) : "-");
                if (zone->loaded_at != 0)
                    out += fmt::format("<loaded>{}</loaded>", iso_time_seconds(zone->loaded_at));
                out += "</zone>";
            }
            out += "</zones>";
        }
        if (counters) {
            out += "<counters type=\"resqtype\"/><counters type=\"resstats\"/>";
            out += fmt::format("<cache name=\"{}\"/>", html_escape(view));
        }
        out += "</view>";
    }
    out += "</views>";
}

void xml_tasks(std::string& out, unsigned workers) {
    out += fmt::format(
        "<taskmgr><thread-model><type>threaded</type><worker-threads>{}</worker-threads>"
        "<default-quantum>25</default-quantum><tasks-running>0</tasks-running></thread-model><tasks/></"
        "taskmgr>",
        workers);
}

BindDocument xml(const Report& r, const std::string& resource, unsigned workers) {
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<statistics version=\"3.13\"><server>";
    xml_server_head(out, r);
    const bool all = resource.empty();
    if (all || resource == "server") {
        xml_counters(out, "opcode", opcodes(r.queries));
        xml_counters(out, "rcode", rcodes(r.queries));
        xml_counters(out, "qtype", qtypes(r.queries));
        xml_counters(out, "nsstat", plain(nsstats(r)));
        xml_counters(out, "zonestat", plain(zonestats(r)));
    }
    out += "</server>";
    if (resource == "status") {
        out += "<views/>";
    } else if (all || resource == "server" || resource == "zones") {
        xml_views(out, r, all || resource == "server", all || resource == "zones");
    } else {
        out += "<views/>";
    }
    if (all || resource == "tasks") xml_tasks(out, workers);
    out += "</statistics>\n";
    return {"text/xml; charset=utf-8", std::move(out)};
}

// --- JSON (json-stats-version 1) ---

nlohmann::ordered_json json_counters(const Counters& counters, bool skip_zero) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [name, value] : counters) {
        if (!skip_zero || value != 0) object[name] = value;
    }
    return object;
}

BindDocument json(const Report& r, const std::string& resource, unsigned workers) {
    nlohmann::ordered_json doc;
    doc["json-stats-version"] = "1.7";
    doc["boot-time"] = iso_time(r.started_at);
    doc["config-time"] = iso_time(r.configured_at);
    doc["current-time"] = iso_time(r.now);
    doc["version"] = version_number(r);
    const bool all = resource.empty();
    if (all || resource == "server") {
        doc["opcodes"] = json_counters(opcodes(r.queries), false);
        doc["rcodes"] = json_counters(rcodes(r.queries), false);
        doc["qtypes"] = json_counters(qtypes(r.queries), false);
        doc["nsstats"] = json_counters(plain(nsstats(r)), true);  // BIND leaves zero counters out
        doc["zonestats"] = json_counters(plain(zonestats(r)), true);
    }
    if (all || resource == "server" || resource == "zones") {
        nlohmann::ordered_json views = nlohmann::ordered_json::object();
        for (const std::string& view : view_names(r)) {
            nlohmann::ordered_json entry = nlohmann::ordered_json::object();
            if (all || resource == "zones") {
                nlohmann::ordered_json zones = nlohmann::ordered_json::array();
                for (const auto& zone : r.zones) {
                    if (zone->view != view) continue;
                    nlohmann::ordered_json z;
                    z["name"] = zone_name(*zone);
                    z["class"] = "IN";
                    // not loaded: none (readers want a number)
                    if (zone->served_serial) z["serial"] = *zone->served_serial;
                    z["type"] = lifecycle::to_string(zone->role);
                    if (zone->loaded_at != 0) z["loaded"] = iso_time_seconds(zone->loaded_at);
                    zones.push_back(std::move(z));
                }
                entry["zones"] = std::move(zones);
            }
            if (all || resource == "server") {
                entry["resolver"] = {{"stats", nlohmann::ordered_json::object()},
                                     {"qtypes", nlohmann::ordered_json::object()},
                                     {"cache", nlohmann::ordered_json::object()}};
            }
            views[view] = std::move(entry);
        }
        doc["views"] = std::move(views);
    }
    if (all || resource == "tasks") {
        doc["taskmgr"] = {{"thread-model", "threaded"},
                          {"worker-threads", workers},
                          {"default-quantum", 25},
                          {"tasks", nlohmann::ordered_json::array()}};
    }
    return {"application/json", doc.dump(2) + "\n"};
}

}  // namespace

std::optional<BindDocument> render_bind_statistics(const Report& report, const std::string& path,
                                                   unsigned workers) {
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/')
        trimmed.pop_back();
    static const char* const kResources[] = {"", "status", "server", "zones", "tasks"};
    for (const char* resource : kResources) {
        const std::string suffix = *resource == '\0' ? "" : std::string("/") + resource;
        if (trimmed == "/xml/v3" + suffix) return xml(report, resource, workers);
        if (trimmed == "/json/v1" + suffix && std::string(resource) != "status")
            return json(report, resource, workers);
    }
    return std::nullopt;
}

std::string render_bind_stats_file(const Report& report) {
    std::string out = fmt::format("+++ Statistics Dump +++ ({})\n", report.now);
    const auto section = [&](const char* title, const Counters& counters) {
        out += fmt::format("++ {} ++\n", title);
        for (const auto& [name, value] : counters) {
            if (value != 0) out += fmt::format("{:>20} {}\n", value, name);
        }
    };
    const auto described = [&](const char* title, const std::vector<Described>& counters) {
        out += fmt::format("++ {} ++\n", title);
        for (const Described& d : counters) {
            if (d.value != 0) out += fmt::format("{:>20} {}\n", d.value, d.description);
        }
    };
    const std::vector<std::string> views = view_names(report);
    section("Incoming Requests", opcodes(report.queries));
    section("Incoming Queries", qtypes(report.queries));
    section("Outgoing Rcodes", rcodes(report.queries));
    out += "++ Outgoing Queries ++\n";
    for (const std::string& view : views)
        out += fmt::format("[View: {}]\n", view);
    described("Name Server Statistics", nsstats(report));
    described("Zone Maintenance Statistics", zonestats(report));
    out += "++ Resolver Statistics ++\n[Common]\n";
    for (const std::string& view : views)
        out += fmt::format("[View: {}]\n", view);
    out += "++ Cache Statistics ++\n";
    for (const std::string& view : views)
        out += fmt::format("[View: {} (Cache: {})]\n", view, view);
    out += "++ Per Zone Query Statistics ++\n";
    out += fmt::format("--- Statistics Dump --- ({})\n", report.now);
    return out;
}

}  // namespace cairn::stats
