// The daemon's operator interfaces: the control channel (`controls`, BIND's rndc protocol) and the
// statistics channel (`statistics-channels`: /metrics, /json and a status page), plus the query counters
// the workers feed. Commands that change the server run on the daemon's main thread: the control thread
// queues them and waits for the main loop to run them (run_pending()).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ctl/listener.hpp"
#include "ctl/target.hpp"
#include "lifecycle/zones.hpp"
#include "server/operator_commands.hpp"
#include "stats/counters.hpp"
#include "stats/http_server.hpp"
#include "stats/report.hpp"

namespace cairn::ctl {
class CacheTarget;
}

namespace cairn::config {
struct Config;
}

namespace cairn::server {

enum class ZoneAction { refresh, retransfer, notify, sign };

// What a reload did: whether the configuration and every zone it loaded are in service, and the reply for
// the operator ("server reload successful", or which zones failed and why).
struct ReloadOutcome {
    bool ok = false;
    std::string text;
};

// The TCP clients as `rndc status` shows them ("tcp clients: 3/150", "TCP high-water: 7").
struct TcpClients {
    unsigned open = 0, limit = 0, high_water = 0;
};

// What the daemon lends the services. reload, reload_zone, zone_action, dump, sync_zones and tsig_keys
// run on the main thread; zones, transfers, udp_reads and tcp_clients are called from the control and
// statistics threads.
struct DaemonHooks {
    std::function<ReloadOutcome()> reload;  // configuration and changed zones
    // One zone's file (not the configuration): returns the text for the operator, or throws
    // std::runtime_error with the reason.
    std::function<std::string(const std::string& view, const std::string& origin)> reload_zone;
    // Every configured zone as the lifecycle shows it (snapshots).
    std::function<std::vector<lifecycle::ZoneView>()> zones;
    std::function<lifecycle::Totals()> transfers;  // transfers in, by the lifecycle
    std::function<std::vector<std::string>()> view_names;
    // refresh / retransfer / notify of one zone; returns the text for the operator, or throws
    // std::runtime_error with the reason.
    std::function<std::string(const std::string& view, const std::string& origin, ZoneAction action)>
        zone_action;
    // `rndc dnssec` on one zone: returns the text for the operator, or throws std::runtime_error.
    std::function<std::string(const std::string& view, const std::string& origin, const ctl::DnssecCommand&)>
        dnssec;
    std::function<stats::UdpReads()> udp_reads;
    // The TCP clients now; called from the control and statistics threads.
    std::function<TcpClients()> tcp_clients;
    // `rndc dumpdb`: the views named (empty: all) in BIND's dump layout (server/operator_commands.hpp), with
    // each view's cache when `cache` is set and its zones when `zones` is.
    std::function<void(std::ostream& out, const std::vector<std::string>& views, const CacheDump& cache,
                       bool zones)>
        dump;
    // `rndc sync`: writes the secondary zones' copies (of one zone, or of all with an empty origin) to their
    // files; returns how many; throws std::runtime_error.
    std::function<std::size_t(const std::string& view, const std::string& origin)> sync_zones;
    // `rndc tsig-list`: (view, key name) pairs.
    std::function<std::vector<std::pair<std::string, std::string>>()> tsig_keys;
};

// Where the control channels that name no key find theirs, and the port of the channel BIND opens by default
// when the configuration has no `controls` statement.
struct ControlDefaults {
    std::string key_file;  // empty: rndc.key beside the configuration file
    std::uint16_t port = 953;
};

class Services {
  public:
    Services(std::string config_path, unsigned workers, DaemonHooks hooks, ControlDefaults defaults = {});
    ~Services();

    stats::Statistics& statistics() { return statistics_; }
    const std::atomic<bool>& querylog() const { return querylog_; }
    // The configuration's query logging (`querylog`, or the queries category named), at start and after
    // each reload, as BIND resets what `rndc querylog` switched.
    void set_querylog(bool on) { querylog_ = on; }
    // Where `rndc stats` appends (statistics-file); main thread, at start and after each reload.
    void set_statistics_file(std::string path) { statistics_file_ = std::move(path); }
    // Where `rndc dumpdb` writes (dump-file); main thread, at start and after each reload.
    void set_dump_file(std::string path) { dump_file_ = std::move(path); }

    // Reads `controls` and `statistics-channels` from the configuration and opens them. A channel that
    // cannot be opened is logged and skipped, as BIND does. Main thread.
    void start();
    // Main thread: runs the commands the control channel queued; notes zone changes after a reload.
    void run_pending();
    // Main thread, after a load or reload: notes the views, and reopens the channels when their
    // configuration changed.
    void zones_changed();
    // Whether the start or the last reload put the configuration and every zone in service
    // (cairn_config_last_reload_successful).
    void set_reload_outcome(bool ok) { last_reload_ok_ = ok ? 1 : 0; }
    bool stop_requested() const { return stop_requested_; }
    // The control channel's cache commands (flush, flushname, dumpdb, serve-stale, cache); before start().
    void set_cache_target(ctl::CacheTarget* target) { cache_target_ = target; }
    // The resolver's figures for the statistics channel (called from its threads); before start().
    void set_recursion_gauge(std::function<stats::RecursionGauge()> gauge) {
        recursion_gauge_ = std::move(gauge);
    }
    void stop();

  private:
    class Target;
    // The commands of services_commands.cpp, which Target forwards to.
    ctl::CommandResult status_command() const;
    ctl::CommandResult trace_command(std::optional<unsigned> level);
    ctl::CommandResult sync_command(const std::optional<ctl::ZoneRef>& zone, bool clean);
    ctl::CommandResult dumpdb_command(ctl::ControlTarget::DumpWhat what,
                                      const std::vector<std::string>& views);
    ctl::CommandResult stats_command();
    ctl::CommandResult tsig_list_command();
    stats::Report make_report() const;
    void open_channels();
    void open_control_channels(const config::Config& config);
    void open_statistics_channels(const config::Config& config);
    stats::HttpResponse serve_statistics(const std::string& path) const;
    std::string default_key_file() const;
    void close_channels();
    // Queues `task` for the main thread and waits for it (bounded); false when it did not run in time.
    // `changes_state` false: a task that only reads or writes files (dumpdb, stats, ...) leaves the zones and
    // "last configured" alone.
    bool on_main_thread(std::function<void()> task, bool changes_state = true);
    std::vector<std::shared_ptr<const lifecycle::ZoneState>> zone_states() const;

    std::string config_path_;
    unsigned workers_;
    DaemonHooks hooks_;
    ControlDefaults defaults_;
    std::int64_t started_at_;
    std::atomic<std::int64_t> configured_at_;
    stats::Statistics statistics_;
    std::atomic<bool> querylog_{false};
    std::atomic<bool> stop_requested_{false};

    std::atomic<int> last_reload_ok_{-1};  // -1: unknown

    std::mutex tasks_mutex_;
    std::condition_variable tasks_done_;
    std::deque<std::pair<std::function<void()>, bool>> tasks_;  // (task, changes_state)
    std::uint64_t tasks_queued_ = 0, tasks_run_ = 0;
    bool abandon_tasks_ = false;  // the control thread is being stopped: waiting commands give up
    std::string channels_fingerprint_;
    // statistics-file and dump-file from the settings (set_statistics_file, set_dump_file): main thread only.
    std::string statistics_file_ = "named.stats";
    std::string dump_file_ = "named_dump.db";

    std::unique_ptr<Target> target_;
    ctl::CacheTarget* cache_target_ = nullptr;
    std::function<stats::RecursionGauge()> recursion_gauge_;
    std::unique_ptr<ctl::ControlListener> control_;
    std::vector<std::unique_ptr<stats::HttpServer>> http_;  // one per statistics-channels entry
};

}  // namespace cairn::server
