#include "server/daemon.hpp"

#include <spdlog/spdlog.h>
#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "lifecycle/zone_loader.hpp"
#include "lifecycle/zones.hpp"
#include "net/error.hpp"
#include "net/server.hpp"
#include "net/worker_shared.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "server/notify_receiver.hpp"
#include "server/operator_commands.hpp"
#include "server/own_addresses.hpp"
#include "server/pid_file.hpp"
#include "server/privileges.hpp"
#include "server/published.hpp"
#include "server/query_handler.hpp"
#include "server/recursion_service.hpp"
#include "server/service_manager.hpp"
#include "server/services.hpp"
#include "server/serving_state.hpp"
#include "server/settings_loader.hpp"
#include "server/signals.hpp"
#include "signer/rollover.hpp"

namespace cairn::server {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Server cookies need a secret nobody can guess; a fresh one per start is what BIND does by default.
auth::Settings with_cookie_secret(auth::Settings settings) {
    auto& secret = settings.cookie_secret;
    if (getrandom(secret.data(), secret.size(), 0) != static_cast<ssize_t>(secret.size())) {
        throw std::runtime_error("cannot read random bytes for the cookie secret");
    }
    return settings;
}

// Empty: stay where we are.
bool enter_directory(const std::string& directory) {
    if (directory.empty() || ::chdir(directory.c_str()) == 0) return true;
    logs::general().error("cannot change to directory '{}': {}", directory, std::strerror(errno));
    return false;
}

// Every zone of every view, for the lifecycle.
std::vector<lifecycle::ZoneConfig> zone_configs(const Settings& settings) {
    std::vector<lifecycle::ZoneConfig> out;
    for (const auto& view : settings.views) {
        for (const auto& zone : view.zones)
            out.push_back(zone.zone);
    }
    return out;
}

// The lifecycle logs through the daemon's categories.
void log_lifecycle(lifecycle::LogTopic topic, lifecycle::LogLevel level, const std::string& line) {
    spdlog::logger& logger = topic == lifecycle::LogTopic::xfr_in   ? logs::xfr_in()
                             : topic == lifecycle::LogTopic::notify ? logs::notify()
                                                                    : logs::general();
    switch (level) {
        case lifecycle::LogLevel::debug:
            logger.debug("{}", line);
            break;
        case lifecycle::LogLevel::info:
            logger.info("{}", line);
            break;
        case lifecycle::LogLevel::warning:
            logger.warn("{}", line);
            break;
        case lifecycle::LogLevel::error:
            logger.error("{}", line);
            break;
    }
}

class Daemon {
  public:
    explicit Daemon(const DaemonOptions& options) : options_(options) {}

    int run(SignalWaiter& signals) {
        char cwd[4096];
        if (::getcwd(cwd, sizeof cwd) == nullptr) {
            logs::general().error("cannot read the working directory: {}", std::strerror(errno));
            return 1;
        }
        startup_directory_ = cwd;
        if (!read_settings(settings_)) return 1;
        try {
            configure_logging(settings_.logging);
        } catch (const std::exception& e) {
            logs::config().error("{}", e.what());
            return 1;
        }
        if (!enter_directory(settings_.directory)) return 1;
        set_blackhole(settings_);
        const unsigned workers = options_.workers.value_or(std::max(1u, std::thread::hardware_concurrency()));

        // Every zone loads before the listeners open (a restart serves its saved copies at once); a zone
        // that fails is logged and answers SERVFAIL saying why, and the others serve.
        zones_ = std::make_unique<lifecycle::Zones>(zones_options(workers));
        const lifecycle::LoadReport report = zones_->configure(zone_configs(settings_), settings_.limits);
        if (!report.failed.empty()) logs::general().warn("{}; the other zones are served", report.failures());

        recursion_ = std::make_unique<RecursionService>(workers, options_.mkey_timers);
        if (!recursion_->attach(settings_)) return 1;
        // A reader slot per worker thread, UDP and TCP.
        published_ = std::make_unique<Published<ServingState>>(
            net::thread_slots(workers), build_serving_state(settings_, zones_->zones()));
        handler_ = std::make_unique<QueryHandler>(*published_, with_cookie_secret(settings_.engine));
        handler_->set_transfers_out(settings_.transfers_out);
        services_ = std::make_unique<Services>(
            (std::filesystem::path(startup_directory_) / options_.config_path).string(), workers,
            service_hooks(),
            ControlDefaults{options_.rndc_key.empty()
                                ? std::string()
                                : (std::filesystem::path(startup_directory_) / options_.rndc_key).string(),
                            options_.control_port.value_or(953)});
        services_->set_querylog(settings_.querylog);
        services_->set_statistics_file(settings_.statistics_file);
        services_->set_dump_file(settings_.dump_file);
        services_->set_reload_outcome(report.failed.empty());
        handler_->set_observers(&services_->statistics(), &services_->querylog());
        recursion_->connect(*handler_, *services_, settings_);
        handler_->set_notify_receiver([this](std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                                             const net::ClientInfo& client, const ServedView& view,
                                             const zone::Zone* zone, const dns::Name* key) {
            return answer_notify(*zones_, view, zone, query, out, client, key);
        });

        net::ServerOptions net_options;
        net_options.listen = settings_.listen;
        net_options.workers = workers;
        net_options.tcp_clients = settings_.tcp_clients;
        net_options.tcp_initial_timeout = settings_.tcp_initial_timeout;
        net_options.tcp_idle_timeout = settings_.tcp_idle_timeout;
        net_options.tcp_keepalive_timeout = settings_.tcp_keepalive_timeout;
        if (options_.udp_coalesce_us)
            net_options.udp_coalesce = std::chrono::microseconds(*options_.udp_coalesce_us);
        std::unique_ptr<net::Server> server;
        PidFile pid_file;
        try {
            server = std::make_unique<net::Server>(net_options, *handler_);
            if (!settings_.pid_file.empty()) pid_file = PidFile(settings_.pid_file);
            if (!options_.user.empty()) drop_privileges(find_user(options_.user));
        } catch (const std::exception& e) {
            logs::general().error("{}", e.what());
            return 1;
        }
        recursion_->start();
        server->start();
        serving_ = server.get();
        for (const auto& at : server->endpoints())
            logs::general().info("listening on {} (UDP and TCP)", at.to_string());
        logs::general().info(
            "running with {} workers; UDP batches coalesce for {} µs while queries stream in", workers,
            net_options.udp_coalesce.count());
        // The configuration is read from where cairnd started (relative includes), as at start-up.
        enter_directory(startup_directory_);
        services_->start();
        enter_directory(settings_.directory);
        // Only now may NOTIFYs go out: a secondary that answers one with an SOA query finds us listening.
        zones_->start_network();
        service_manager::ready(service_manager::zone_count(settings_));

        for (;;) {
            const Signal signal = signals.wait(wait_time());
            if (signal == Signal::stop) break;
            if (signal == Signal::reload) {
                reload();
                services_->zones_changed();
            }
            services_->run_pending();  // commands from the control channel
            if (services_->stop_requested()) break;
            if (served_changed_ && Clock::now() >= next_publish_) republish();
            published_->reclaim();
            flush_suppressed_logs();
            recursion_->maintenance();
        }
        logs::general().info("shutting down");
        service_manager::stopping();
        services_->stop();
        serving_ = nullptr;  // the control and statistics threads that read it have ended
        recursion_->stop();  // before the sockets its waiting clients' replies would leave through
        server->stop();
        // Whatever the zones are doing (transfers, SOA queries, NOTIFYs) ends now; files and journal are
        // written atomically, so what is abandoned leaves them as they were.
        if (!zones_->stop(Clock::now() + 600ms)) {
            logs::general().warn(
                "exiting without waiting for a zone task still writing (its writes are atomic)");
            spdlog::shutdown();
            ::_exit(0);
        }
        logs::general().info("exiting");
        return 0;
    }

  private:
    bool read_settings(Settings& out) {
        SettingsResult result = load_settings(options_.config_path);
        for (const auto& warning : result.warnings)
            logs::config().warn("{}", warning);
        for (const auto& error : result.errors)
            logs::config().error("{}", error);
        if (!result.errors.empty()) {
            last_settings_error_ = result.errors.front();
            return false;
        }
        out = std::move(result.settings);
        if (options_.port) {
            for (auto& at : out.listen)
                at.port = *options_.port;
        }
        return true;
    }

    lifecycle::ZonesOptions zones_options(unsigned workers) {
        lifecycle::ZonesOptions options;
        options.directory = std::filesystem::current_path().string();
        options.workers = std::clamp(workers / 2, 1u, 4u);
        options.log = log_lifecycle;
        options.own_addresses = own_addresses(settings_.listen, config::HostNetworks::scan());
        options.blackholed = [this](const dns::IpAddress& address) {
            std::lock_guard lock(blackhole_mutex_);
            return has_blackhole_ && blackhole_.allows(AccessList::candidate(address), nullptr);
        };
        options.served_changed = [this] {
            if (!served_changed_.exchange(true)) SignalWaiter::wake();
        };
        return options;
    }

    void set_blackhole(const Settings& settings) {
        std::lock_guard lock(blackhole_mutex_);
        blackhole_ = settings.blackhole;
        has_blackhole_ = settings.has_blackhole;
    }

    // The main loop wakes for signals and commands; a pending publication that must wait (see republish)
    // shortens the wait.
    std::chrono::milliseconds wait_time() const {
        if (!served_changed_) return 100ms;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(next_publish_ - Clock::now());
        return std::clamp<std::chrono::milliseconds>(left, 1ms, 100ms);
    }

    // A new snapshot for the query path from the lifecycle's zones. Building one costs in proportion to the
    // zones served, so while versions keep landing (thousands of secondaries starting) the next build waits
    // four times as long as this one took: at most a fifth of a core goes to rebuilding.
    void republish() {
        served_changed_ = false;
        const auto started = Clock::now();
        const std::uint64_t generation = zones_->served_generation();  // before the zones are read
        published_->publish(build_serving_state(settings_, zones_->zones()));
        zones_->published(generation);  // NOTIFYs waiting for this snapshot may go
        const auto took = Clock::now() - started;
        next_publish_ = Clock::now() + 4 * took;
    }

    // What the control and statistics channels may see and do, from the main thread.
    DaemonHooks service_hooks() {
        DaemonHooks hooks;
        hooks.reload = [this] { return reload(); };
        hooks.reload_zone = [this](const std::string& view, const std::string& origin) {
            return reload_zone(view, origin);
        };
        hooks.zones = [this] { return zones_->zones(); };
        hooks.transfers = [this] { return zones_->totals(); };
        hooks.udp_reads = [this] {
            stats::UdpReads udp;
            if (net::Server* server = serving_.load()) {
                const net::UdpCounters counters = server->udp_counters();
                udp = {counters.batches, counters.datagrams, counters.pauses};
            }
            return udp;
        };
        hooks.tcp_clients = [this] {
            TcpClients tcp;
            if (net::Server* server = serving_.load())
                tcp = {server->tcp_connections(), server->tcp_limit(), server->tcp_high_water()};
            return tcp;
        };
        // dumpdb, sync, tsig-list: server/operator_commands.hpp.
        hooks.dump = [this](std::ostream& out, const std::vector<std::string>& views, const CacheDump& cache,
                            bool zones) { write_dump(*published_->writer_view(), views, cache, zones, out); };
        hooks.sync_zones = [this](const std::string& view, const std::string& origin) {
            return save_secondary_copies(settings_, zones_->zones(), view, origin);
        };
        hooks.tsig_keys = [this] { return tsig_key_list(settings_); };
        hooks.view_names = [this] {
            std::vector<std::string> names;
            for (const auto& view : settings_.views)
                names.push_back(view.name);
            return names;
        };
        hooks.dnssec = [this](const std::string& view, const std::string& origin,
                              const ctl::DnssecCommand& command) {
            const dns::Name name = dns::Name::from_text(origin, dns::Name());
            if (command.kind == ctl::DnssecCommand::Kind::status) return zones_->dnssec_status(view, name);
            signer::KeyCommand key_command;
            key_command.kind = command.kind == ctl::DnssecCommand::Kind::rollover
                                   ? signer::KeyCommand::Kind::rollover
                               : command.published ? signer::KeyCommand::Kind::ds_published
                                                   : signer::KeyCommand::Kind::ds_withdrawn;
            key_command.tag = command.tag;
            key_command.algorithm = command.algorithm;
            key_command.when = command.when;
            return zones_->key_command(view, name, key_command);
        };
        hooks.zone_action = [this](const std::string& view, const std::string& origin, ZoneAction action) {
            const dns::Name name = dns::Name::from_text(origin, dns::Name());
            const auto request = action == ZoneAction::refresh      ? lifecycle::Zones::Request::refresh
                                 : action == ZoneAction::retransfer ? lifecycle::Zones::Request::retransfer
                                 : action == ZoneAction::sign       ? lifecycle::Zones::Request::sign
                                                                    : lifecycle::Zones::Request::notify;
            return zones_->request(view, name, request);
        };
        return hooks;
    }

    // `rndc reload ZONE`: that zone's file only, when it changed; the configuration is not read again.
    std::string reload_zone(const std::string& view, const std::string& origin) {
        const lifecycle::LoadReport report =
            zones_->reload_zone(view, dns::Name::from_text(origin, dns::Name()));
        if (!report.failed.empty()) throw std::runtime_error(report.failures());
        if (report.timed_out) return "zone reload queued";
        republish();
        return report.loaded != 0 ? "zone reload successful" : "zone reload up-to-date";
    }

    ReloadOutcome reload() {
        const service_manager::ReloadNotice notice([this] { return service_manager::zone_count(settings_); });
        logs::general().info("reloading configuration and zones");
        // Relative paths in the configuration (the file itself, `directory`) are relative to where cairnd
        // started, as they were at start-up; zone files are then read from `directory`.
        Settings next;
        const bool read =
            enter_directory(startup_directory_) && read_settings(next) && recursion_->attach(next);
        if (!read || !enter_directory(next.directory)) {
            logs::general().error("reload failed; still serving the previous configuration and zones");
            enter_directory(settings_.directory);
            services_->set_reload_outcome(false);
            return {false, "reload failed: " + (read ? "cannot enter the directory" : last_settings_error_) +
                               "; still serving the previous configuration"};
        }
        if (next.listen != settings_.listen)
            logs::general().warn("listen-on changes take effect at the next restart");
        const lifecycle::LoadReport report = zones_->configure(zone_configs(next), next.limits);
        try {
            configure_logging(next.logging);
        } catch (const std::exception& e) {
            logs::config().error("{}; logging continues as configured before", e.what());
        }
        services_->set_querylog(next.querylog);
        services_->set_statistics_file(next.statistics_file);
        services_->set_dump_file(next.dump_file);
        handler_->set_transfers_out(next.transfers_out);
        set_blackhole(next);
        next.listen = settings_.listen;
        settings_ = std::move(next);
        republish();
        const bool ok = report.failed.empty();
        services_->set_reload_outcome(ok);
        if (!ok) {
            logs::general().error("reload: {}", report.failures());
            return {false, report.failures()};
        }
        logs::general().info("reload complete");
        return {true, report.timed_out ? "server reload in progress" : "server reload successful"};
    }

    DaemonOptions options_;
    std::string startup_directory_;
    Settings settings_;
    std::string last_settings_error_;
    std::unique_ptr<lifecycle::Zones> zones_;
    std::unique_ptr<Published<ServingState>> published_;
    std::atomic<bool> served_changed_{false};
    Clock::time_point next_publish_{};
    std::mutex blackhole_mutex_;
    AccessList blackhole_;
    bool has_blackhole_ = false;
    std::unique_ptr<QueryHandler> handler_;
    std::unique_ptr<RecursionService> recursion_;
    // The running network front end, for the control and statistics threads (null before and after).
    std::atomic<net::Server*> serving_{nullptr};
    std::unique_ptr<Services> services_;
};

}  // namespace

int run_daemon(const DaemonOptions& options) {
    // Before any thread starts (spdlog's flusher included), so that they all inherit the blocked mask: a
    // thread that left SIGHUP unblocked would take it and die of it instead of reloading.
    SignalWaiter signals;
    setup_stderr_log(options.log_level, options.log_queries_to_stderr);
    set_debug_level(options.debug_level);
    try {
        return Daemon(options).run(signals);
    } catch (const std::exception& e) {
        logs::general().critical("fatal: {}", e.what());
        return 1;
    }
}

int check_configuration(const std::string& config_path, bool load_zones, std::FILE* messages) {
    const auto report = [messages](const std::string& line) {
        if (messages != nullptr) std::fprintf(messages, "%s\n", line.c_str());
    };
    SettingsResult result = load_settings(config_path);
    for (const auto& warning : result.warnings)
        report(warning);
    for (const auto& error : result.errors)
        report(error);
    if (!result.errors.empty()) return 1;
    if (!load_zones) return 0;
    if (!result.settings.directory.empty() && ::chdir(result.settings.directory.c_str()) != 0) {
        report("cannot change to directory '" + result.settings.directory + "': " + std::strerror(errno));
        return 1;
    }
    int status = 0;
    for (const auto& view : result.settings.views) {
        for (const auto& zone : view.zones) {
            if (zone.zone.secondary())
                continue;  // its file is the secondary's own copy, written by transfers
            const lifecycle::ZoneLoadResult loaded = lifecycle::load_zone(
                {zone.zone.origin, zone.zone.file, zone.zone.raw, zone.zone.rclass}, zone.zone.load_limits());
            for (const auto& warning : loaded.warnings)
                report(warning);
            for (const auto& error : loaded.errors)
                report(error);
            const std::string label = zone.zone.label();
            if (loaded.loaded) {
                if (messages != nullptr)
                    std::printf("%s: loaded serial %u\n", label.c_str(), loaded.loaded->zone->serial());
            } else {
                if (messages != nullptr) std::printf("%s: not loaded due to errors.\n", label.c_str());
                status = 1;
            }
        }
    }
    return status;
}

}  // namespace cairn::server
