// The control commands Services answers on its own (services.hpp's Target forwards them here): `status` in
// rndc's lines, `trace`/`notrace`, `sync`, `dumpdb`, `stats` and `tsig-list`, and the report the statistics
// channels and `stats` render. Commands that write files run on the main thread, which sits in the working
// directory, so that relative file names resolve there as in BIND.
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "build_info.hpp"
#include "ctl/cache_commands.hpp"
#include "server/atomic_file.hpp"
#include "server/log_setup.hpp"
#include "server/services.hpp"
#include "stats/bind_formats.hpp"
#include "xfr/activity.hpp"

namespace cairn::server {

namespace {

// "UDP reads: 800 datagrams in 52 reads (15.4 per read), 31 coalescing pauses"
std::string describe(const stats::UdpReads& udp) {
    const double per_read =
        udp.reads == 0 ? 0.0 : static_cast<double>(udp.datagrams) / static_cast<double>(udp.reads);
    return fmt::format("UDP reads: {} datagrams in {} reads ({:.1f} per read), {} coalescing pauses",
                       udp.datagrams, udp.reads, per_read, udp.pauses);
}

// rndc status's "recursive clients: 3/900/1000": the clients waiting for a resolution now, BIND's soft quota
// and recursive-clients. BIND derives the soft quota from the limit (100 below it, or 90% of a limit of 1000
// or less) and starts dropping its oldest waiting clients there; cairnd refuses new ones at the limit, and
// prints the soft figure so that scripts reading BIND's line read cairnd's alike.
std::string recursive_clients_line(const stats::RecursionGauge& gauge) {
    const std::uint64_t limit = gauge.clients_limit;
    const std::uint64_t soft = limit > 1000 ? limit - 100 : limit * 90 / 100;
    return fmt::format("recursive clients: {}/{}/{}\n", gauge.clients_waiting, soft, limit);
}

ctl::CommandResult timed_out(const char* what) {
    return ctl::CommandResult::failure(std::string(what) + " did not finish in time", "timed out", 2);
}

}  // namespace

stats::Report Services::make_report() const {
    stats::Report report;
    report.now = static_cast<std::int64_t>(::time(nullptr));
    report.started_at = started_at_;
    report.configured_at = configured_at_;
    report.version = "cairn " + std::string(build::kVersion);
    report.queries = statistics_.queries();
    report.transfers = statistics_.transfers();
    if (hooks_.transfers) {
        const lifecycle::Totals totals = hooks_.transfers();
        report.transfers.in_success = totals.transfers_in;
        report.transfers.in_failure = totals.transfers_in_failed;
    }
    if (hooks_.udp_reads) report.udp = hooks_.udp_reads();
    report.zones = zone_states();
    if (last_reload_ok_ >= 0) report.last_reload_ok = last_reload_ok_ == 1;
    if (recursion_gauge_) report.recursion = recursion_gauge_();
    if (probe_gauge_) report.probes = probe_gauge_();
    return report;
}

// rndc status's lines, in its order, then cairnd's own (queries answered, UDP reads).
ctl::CommandResult Services::status_command() const {
    const std::size_t zones = hooks_.zones ? hooks_.zones().size() : 0;
    char host[256] = "unknown";
    ::gethostname(host, sizeof host - 1);
    struct utsname system {};
    ::uname(&system);
    const xfr::TransferActivity& transfers = xfr::transfer_activity();
    const TcpClients tcp = hooks_.tcp_clients ? hooks_.tcp_clients() : TcpClients{};
    std::string text;
    text += "version: cairn " + std::string(build::kVersion) + "\n";
    text += fmt::format("running on {}: {} {} {} {}\n", host, system.sysname, system.machine, system.release,
                        system.version);
    text += "boot time: " + ctl::format_rfc1123(started_at_) + "\n";
    text += "last configured: " + ctl::format_rfc1123(configured_at_) + "\n";
    text += "configuration file: " + config_path_ + "\n";
    text += fmt::format("CPUs found: {}\n", std::max(1u, std::thread::hardware_concurrency()));
    text += fmt::format("worker threads: {}\n", workers_);
    text += fmt::format("UDP listeners per interface: {}\n", workers_);  // a socket per UDP thread
    text += fmt::format("number of zones: {} (0 automatic)\n", zones);
    text += fmt::format("debug level: {}\n", debug_level());
    text += fmt::format("xfers running: {}\n", transfers.transfers.load());
    text += fmt::format("xfers deferred: {}\n", transfers.deferred.load());
    text += fmt::format("soa queries in progress: {}\n", transfers.soa_queries.load());
    text += std::string("query logging is ") + (querylog_ ? "ON" : "OFF") + "\n";
    text += recursive_clients_line(recursion_gauge_ ? recursion_gauge_() : stats::RecursionGauge{});
    text += fmt::format("tcp clients: {}/{}\n", tcp.open, tcp.limit);
    text += fmt::format("TCP high-water: {}\n", tcp.high_water);
    text += fmt::format("queries answered: {}\n", statistics_.queries().queries());
    if (hooks_.udp_reads) text += describe(hooks_.udp_reads()) + "\n";
    text += "server is up and running";
    return ctl::CommandResult::success(text);
}

// As rndc: `trace` one more, `trace N`, `notrace`; the reply is empty, the log says it.
ctl::CommandResult Services::trace_command(std::optional<unsigned> level) {
    const unsigned next = level.value_or(debug_level() + 1);
    set_debug_level(next);
    logs::general().info("debug level is now {}", next);
    return ctl::CommandResult::success();
}

ctl::CommandResult Services::sync_command(const std::optional<ctl::ZoneRef>& zone, bool clean) {
    if (!hooks_.sync_zones)
        return ctl::CommandResult::failure("not available in this server", "not implemented",
                                           ctl::kResultNotImplemented);
    std::size_t written = 0;
    std::string error;
    const bool ran = on_main_thread(
        [&] {
            try {
                written =
                    hooks_.sync_zones(zone ? zone->view : std::string(), zone ? zone->name : std::string());
            } catch (const std::exception& e) {
                error = e.what();
            }
        },
        false);
    if (!ran) return timed_out("sync");
    if (!error.empty()) return ctl::CommandResult::failure(error);
    logs::general().info(
        "sync: {} secondary zone file{} written{}", written, written == 1 ? "" : "s",
        clean ? " (-clean: the IXFR journals are kept, they are history, not pending changes)" : "");
    return ctl::CommandResult::success();
}

// As BIND's: -cache (the default) each view's cache, -zones its zones, -all both, in one file written whole.
ctl::CommandResult Services::dumpdb_command(ctl::ControlTarget::DumpWhat what,
                                            const std::vector<std::string>& views) {
    if (!hooks_.dump)
        return ctl::CommandResult::failure("not available in this server", "not implemented",
                                           ctl::kResultNotImplemented);
    using DumpWhat = ctl::ControlTarget::DumpWhat;
    CacheDump cache;
    if (what != DumpWhat::zones && cache_target_ != nullptr)
        cache = [target = cache_target_](const std::string& view) { return target->cache_dump(view); };
    std::string error, path;
    const bool ran = on_main_thread(
        [&] {
            std::ostringstream out;
            hooks_.dump(out, views, cache, what != DumpWhat::cache);
            path = dump_file_;
            write_file_atomically(path, out.str(), error);
        },
        false);
    if (!ran) return timed_out("dumpdb");
    if (!error.empty()) return ctl::CommandResult::failure(error);
    logs::general().info("dumpdb: wrote {}", path);
    return ctl::CommandResult::success();
}

ctl::CommandResult Services::stats_command() {
    const std::string dump = stats::render_bind_stats_file(make_report());
    std::string error;
    const bool ran = on_main_thread(
        [&] {
            std::ofstream out(statistics_file_, std::ios::app);  // appended, as BIND does
            out << dump;
            out.close();
            if (!out) error = "cannot write the statistics file " + statistics_file_;
        },
        false);
    if (!ran) return timed_out("stats");
    if (!error.empty()) return ctl::CommandResult::failure(error);
    return ctl::CommandResult::success();
}

// rndc's lines: view "internal"; type "static"; key "tk";
ctl::CommandResult Services::tsig_list_command() {
    if (!hooks_.tsig_keys)
        return ctl::CommandResult::failure("not available in this server", "not implemented",
                                           ctl::kResultNotImplemented);
    std::vector<std::pair<std::string, std::string>> keys;
    if (!on_main_thread([&] { keys = hooks_.tsig_keys(); }, false)) return timed_out("tsig-list");
    std::string text;
    for (const auto& [view, key] : keys)
        text += fmt::format("view \"{}\"; type \"static\"; key \"{}\";\n", view, key);
    if (!text.empty()) text.pop_back();
    return ctl::CommandResult::success(text);
}

}  // namespace cairn::server
