#include "server/daemon.hpp"

#include <malloc.h>
#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "net/error.hpp"
#include "net/server.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "server/notify_receiver.hpp"
#include "server/notify_sender.hpp"
#include "server/operator_commands.hpp"
#include "server/own_addresses.hpp"
#include "server/pid_file.hpp"
#include "server/primary_journal.hpp"
#include "server/privileges.hpp"
#include "server/published.hpp"
#include "server/query_handler.hpp"
#include "server/recursion_service.hpp"
#include "server/secondary_runner.hpp"
#include "server/service_manager.hpp"
#include "server/services.hpp"
#include "server/serving_state.hpp"
#include "server/settings_loader.hpp"
#include "server/signals.hpp"
#include "server/zone_label.hpp"
#include "server/zone_loader.hpp"

namespace cairn::server {

namespace {

using namespace std::chrono_literals;
using server::zone_label;  // BIND's "zone example.test/IN/view" (server/zone_label.hpp)

std::string zone_label(const ZoneSource& source, const std::string& view) {
    return zone_label(source.origin, view);
}

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
        own_addresses_ = own_addresses(settings_.listen, config::HostNetworks::scan());
        journals_ = std::make_unique<PrimaryJournals>(std::filesystem::current_path().string());
        notifier_ = std::make_unique<NotifySender>();
        secondaries_ = std::make_unique<SecondaryRunner>(
            [this]() -> store::Environment* {
                try {
                    return &journals_->environment();
                } catch (const std::exception& e) {
                    logs::general().error("secondary zones run without persisted timers: {}", e.what());
                    return nullptr;
                }
            },
            [] { SignalWaiter::wake(); });
        if (!refresh_zones(settings_, true)) {
            logs::general().error("not starting: some zones failed to load");
            return 1;
        }
        secondaries_->configure(settings_.views, settings_.keys);
        const unsigned workers = options_.workers.value_or(std::max(1u, std::thread::hardware_concurrency()));
        recursion_ = std::make_unique<RecursionService>(workers);
        if (!recursion_->attach(settings_)) return 1;
        // A reader slot per worker thread, UDP and TCP.
        published_ =
            std::make_unique<Published<ServingState>>(net::thread_slots(workers), build_state(settings_));
        send_notifies();
        handler_ = std::make_unique<QueryHandler>(*published_, with_cookie_secret(settings_.engine));
        services_ = std::make_unique<Services>(
            (std::filesystem::path(startup_directory_) / options_.config_path).string(), workers,
            service_hooks(),
            ControlDefaults{options_.rndc_key.empty()
                                ? std::string()
                                : (std::filesystem::path(startup_directory_) / options_.rndc_key).string(),
                            options_.control_port.value_or(953)});
        services_->set_querylog(settings_.querylog);
        handler_->set_observers(&services_->statistics(), &services_->querylog());
        recursion_->connect(*handler_, *services_, settings_);
        handler_->set_notify_receiver([this](std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                                             const net::ClientInfo& client, const std::string& view,
                                             const dns::Name* key) {
            return answer_notify(*secondaries_, view, query, out, client, key);
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
        service_manager::ready(service_manager::zone_count(settings_));

        for (;;) {
            const Signal signal = signals.wait(100ms);
            if (signal == Signal::stop) break;
            if (signal == Signal::reload) {
                reload();
                services_->zones_changed();
            }
            services_->run_pending();  // commands from the control channel
            if (services_->stop_requested()) break;
            if (secondaries_->take_changed()) {
                published_->publish(build_state(settings_));
                notify_secondary_versions();
                services_->zones_changed();  // zonestatus sees the new serial
            } else if (secondaries_->take_timers_changed()) {
                services_->zone_state_changed();  // an up-to-date check moved next refresh and expiry
            }
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
        secondaries_.reset();  // after the workers: they hand NOTIFYs to it
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
        if (!result.errors.empty()) return false;
        out = std::move(result.settings);
        if (options_.port) {
            for (auto& at : out.listen)
                at.port = *options_.port;
        }
        return true;
    }

    using ZoneKey = std::pair<std::string, std::string>;  // (view, lower-case origin with the dot)

    // Loads the zones whose files changed (all of them at start; with `only`, that zone alone). A zone that
    // fails keeps its previous version; at start there is none, which is fatal.
    bool refresh_zones(const Settings& settings, bool startup, const ZoneKey* only = nullptr) {
        std::map<ZoneKey, ZoneVersion> next;
        bool all_loaded = true;
        for (const auto& view : settings.views) {
            for (const auto& zone : view.zones) {
                if (zone.secondary) continue;  // SecondaryRunner's
                const auto key = std::make_pair(view.name, zone.source.origin.lowercased().to_text());
                const std::string label = zone_label(zone.source, view.name);
                const auto previous = zones_.find(key);
                if (previous != zones_.end() &&
                    ((only != nullptr && *only != key) ||
                     (previous->second.source == zone.source && previous->second.unchanged_on_disk()))) {
                    next.emplace(key, previous->second);
                    continue;
                }
                if (only != nullptr && *only != key) continue;  // not loaded before: not this command's
                ZoneLoadResult result = load_zone(zone.source);
                for (const auto& warning : result.warnings)
                    logs::general().warn("{}: {}", label, warning);
                for (const auto& error : result.errors)
                    logs::general().error("{}: {}", label, error);
                if (result.loaded) {
                    logs::general().info("{}: loaded serial {}", label, result.loaded->zone->serial());
                    new_version(view.name, zone, label,
                                previous == zones_.end() ? nullptr : &previous->second, *result.loaded);
                    next.emplace(key, std::move(*result.loaded));
                } else if (previous != zones_.end()) {
                    logs::general().error("{}: failed to reload from {}, still serving serial {}", label,
                                          zone.source.file, previous->second.zone->serial());
                    next.emplace(key, previous->second);
                } else {
                    logs::general().error("{}: not loaded ({})", label, zone.source.file);
                    all_loaded = false;
                }
            }
        }
        if (startup && !all_loaded) return false;
        zones_ = std::move(next);
        // Parsing leaves freed heap behind (records, names, diagnostics); hand it back to the system.
        malloc_trim(0);
        return true;
    }

    std::unique_ptr<const ServingState> build_state(const Settings& settings) const {
        auto state = std::make_unique<ServingState>();
        state->keys = settings.keys ? settings.keys : std::make_shared<const dns::TsigKeyring>();
        for (const auto& view : settings.views) {
            ServedView served;
            served.name = view.name;
            served.match_clients = view.match_clients;
            served.match_destinations = view.match_destinations;
            served.rate_limit = view.rate_limit;
            std::vector<std::shared_ptr<const zone::Zone>> zones;
            for (const auto& zone : view.zones) {
                std::shared_ptr<const zone::Zone> version;
                if (zone.secondary) {
                    const SecondaryRunner::Served copy = secondaries_->served(view.name, zone.source.origin);
                    version = copy.zone;
                    if (version != nullptr)
                        served.secondaries.emplace(version.get(),
                                                   secondaries_->secondary(view.name, zone.source.origin));
                    if (copy.expired && version != nullptr) {
                        served.expired.insert(version.get());
                        served.has_expired = true;
                    }
                } else if (const auto found =
                               zones_.find({view.name, zone.source.origin.lowercased().to_text()});
                           found != zones_.end()) {
                    version = found->second.zone;
                }
                if (version == nullptr)
                    continue;  // failed to load and never did; secondary: no copy or expired
                zones.push_back(version);
                served.allow_transfer.emplace(version.get(), zone.allow_transfer);
                // A secondary always journals what it receives (xfr::SecondaryZone), for its own secondaries.
                if (zone.ixfr_from_differences || zone.secondary) {
                    try {
                        served.journals.emplace(version.get(), journals_->journal(view.name, *version));
                    } catch (const std::exception& e) {
                        logs::general().error(
                            "zone {}: journal unavailable, IXFR answered with the whole zone: {}",
                            zone.source.origin.to_text(), e.what());
                    }
                }
                if (!zone.allow_query.allows_everyone()) {
                    served.allow_query.emplace(version.get(), zone.allow_query);
                    served.restricts_queries = true;
                }
            }
            if (view.recursion) {
                served.recursion = view.recursion->view_recursion();
                zones.insert(zones.end(), view.recursion->builtin_zones.begin(),
                             view.recursion->builtin_zones.end());
            }
            served.zones = zone::ZoneTable(std::move(zones));
            state->views.push_back(std::move(served));
        }
        return state;
    }

    // What the control and statistics channels may see and do, from the main thread.
    DaemonHooks service_hooks() {
        DaemonHooks hooks;
        hooks.reload = [this] { return reload(); };
        hooks.reload_zone = [this](const std::string& view, const std::string& origin) {
            return reload_zone(view, origin);
        };
        hooks.zones = [this] {
            std::vector<ServedZoneInfo> out;
            for (const auto& view : settings_.views) {
                for (const auto& zone : view.zones) {
                    ServedZoneInfo info;
                    info.view = view.name;
                    info.origin = zone.source.origin.to_text();
                    info.file = zone.source.file.empty() || zone.source.file[0] == '/'
                                    ? zone.source.file
                                    : (std::filesystem::current_path() / zone.source.file).string();
                    const auto found = zones_.find({view.name, zone.source.origin.lowercased().to_text()});
                    if (found != zones_.end()) {
                        info.serial = found->second.zone->serial();
                        info.version = found->second.zone.get();
                    } else if (zone.secondary) {
                        const auto copy = secondaries_->served(view.name, zone.source.origin);
                        if (copy.zone != nullptr && !copy.expired) {
                            info.serial = copy.zone->serial();
                            info.version = copy.zone.get();
                        }
                    }
                    if (info.version != nullptr && (zone.ixfr_from_differences || zone.secondary)) {
                        try {
                            const store::JournalInfo journal =
                                journals_->journal(view.name, *static_cast<const zone::Zone*>(info.version))
                                    ->info();
                            info.journal_bytes = journal.bytes;
                            info.journal_entries = journal.entries;
                        } catch (const std::exception& e) {
                            logs::general().warn("{}: journal size unknown: {}",
                                                 zone_label(zone.source, view.name), e.what());
                        }
                    }
                    if (zone.secondary) {
                        info.type = "secondary";
                        if (const auto secondary = secondaries_->secondary(view.name, zone.source.origin)) {
                            const xfr::SecondaryStatus status = secondary->status(::time(nullptr));
                            if (status.timers.next_refresh != 0)
                                info.next_refresh = status.timers.next_refresh;
                            if (status.timers.expire_at != 0) info.expires = status.timers.expire_at;
                            if (status.timers.last_refresh != 0)
                                info.refreshed_at = status.timers.last_refresh;
                            if (!status.last_error.empty()) {
                                info.last_refresh = "failed: " + status.last_error;
                            } else if (status.timers.last_refresh != 0) {
                                info.last_refresh = "successful";
                            }
                        }
                    }
                    out.push_back(std::move(info));
                }
            }
            return out;
        };
        hooks.notify_counts = [this](const std::string& view, const std::string& origin) {
            return notifier_->counts(zone_label(origin, view));
        };
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
        hooks.dump_zones = [this](std::ostream& out, const std::vector<std::string>& views, bool zones) {
            write_zone_dump(*published_->writer_view(), views, zones, out);
        };
        hooks.sync_zones = [this](const std::string& view, const std::string& origin) {
            return save_secondary_copies(settings_, *secondaries_, view, origin);
        };
        hooks.tsig_keys = [this] { return tsig_key_list(settings_); };
        hooks.view_names = [this] {
            std::vector<std::string> names;
            for (const auto& view : settings_.views)
                names.push_back(view.name);
            return names;
        };
        hooks.zone_action = [this](const std::string& view_name, const std::string& origin,
                                   ZoneAction action) {
            const dns::Name wanted = dns::Name::from_text(origin, dns::Name()).lowercased();
            if (action != ZoneAction::notify) {
                const bool full = action == ZoneAction::retransfer;
                if (!secondaries_->refresh_now(view_name, wanted, full))
                    throw std::runtime_error("not a secondary zone");
                // As rndc: refresh says it is queued, retransfer says nothing.
                if (full)
                    logs::xfr_in().info("{}: retransfer requested", zone_label(wanted.to_text(), view_name));
                return std::string(full ? "" : "zone refresh queued");
            }
            for (const auto& view : settings_.views) {
                if (view.name != view_name) continue;
                for (const auto& zone : view.zones) {
                    if (zone.source.origin.lowercased() != wanted) continue;
                    if (zone.secondary) {
                        // Its own secondaries hear of the copy it serves, as after a transfer.
                        const SecondaryRunner::Served copy =
                            secondaries_->served(view.name, zone.source.origin);
                        if (copy.zone == nullptr || copy.expired)
                            throw std::runtime_error(
                                "zone has no copy to notify of (not transferred yet or expired)");
                        queue_notify(zone, zone_label(zone.source, view.name), copy.zone);
                        send_notifies();
                        return std::string("zone notify queued");
                    }
                    const auto found = zones_.find({view.name, wanted.to_text()});
                    if (found == zones_.end()) throw std::runtime_error("zone is not loaded");
                    // As for a new version, without journaling: the same targets, notified again.
                    new_version(view.name, zone, zone_label(zone.source, view.name), nullptr, found->second);
                    send_notifies();
                    return std::string("zone notify queued");
                }
            }
            throw std::runtime_error("no such zone");
        };
        return hooks;
    }

    // A zone was (re)loaded: journal its difference from the version served so far when asked to, and
    // remember to notify its secondaries once the new version is published.
    void new_version(const std::string& view, const ZoneSettings& zone, const std::string& label,
                     const ZoneVersion* previous, const ZoneVersion& loaded) {
        if (previous != nullptr && previous->zone->serial() == loaded.zone->serial()) {
            logs::general().warn("{}: reloaded with unchanged serial {}; secondaries will not see the change",
                                 label, loaded.zone->serial());
            return;
        }
        if (previous != nullptr && zone.ixfr_from_differences) {
            std::string why;
            if (journals_->record(view, *previous->zone, *loaded.zone, zone.max_journal_bytes, why)) {
                logs::general().info("{}: journaled the difference from serial {} to {}", label,
                                     previous->zone->serial(), loaded.zone->serial());
            } else {
                logs::general().error("{}: difference not journaled: {}", label, why);
            }
        }
        queue_notify(zone, label, loaded.zone);
    }

    // Remembers to notify the zone's secondaries of `version` once it is published.
    void queue_notify(const ZoneSettings& zone, const std::string& label,
                      std::shared_ptr<const zone::Zone> version) {
        std::vector<std::string> also_notify;
        for (const auto& target : zone.also_notify)
            also_notify.push_back(target.to_text());
        xfr::NotifyTargets targets = xfr::notify_targets(*version, zone.notify, also_notify, own_addresses_);
        if (!targets.unresolved.empty() && unresolved_logged_.insert(label).second) {
            for (const auto& name : targets.unresolved)
                logs::notify().info(
                    "{}: NS {} has no address in zones served here; not notified (use also-notify)", label,
                    name.to_text());
        }
        if (!targets.ourselves.empty() && ourselves_logged_.insert(label).second) {
            for (const auto& address : targets.ourselves)
                logs::notify().info("{}: NS address {} is this server; not notified", label, address);
        }
        std::vector<xfr::Primary> remotes;
        for (const auto& address : targets.addresses) {
            const auto hash = address.find('#');  // also-notify entries carry their port
            xfr::Primary remote;
            remote.address = address.substr(0, hash);
            if (hash != std::string::npos)
                remote.port = static_cast<std::uint16_t>(std::stoul(address.substr(hash + 1)));
            // The also-notify entry's key (it already holds the server statement's when it names none),
            // else, for a name server of the zone, the server statement's (the zone's view's first).
            if (const auto parsed = dns::IpAddress::parse(remote.address))
                remote.key = zone.server_key_for(*parsed);
            for (const auto& configured : zone.also_notify) {
                if (configured.to_text() == address) remote.key = configured.key;  // signs the NOTIFY
            }
            remotes.push_back(std::move(remote));
        }
        pending_notifies_.push_back({label, std::move(version), std::move(remotes), settings_.keys});
    }

    // A secondary zone got a new serial: its own secondaries hear of it as from a primary (RFC 1996 §3.5).
    void notify_secondary_versions() {
        for (const auto& view : settings_.views) {
            for (const auto& zone : view.zones) {
                if (!zone.secondary) continue;
                const SecondaryRunner::Served copy = secondaries_->served(view.name, zone.source.origin);
                if (copy.zone == nullptr || copy.expired) continue;
                const auto key = std::make_pair(view.name, zone.source.origin.lowercased().to_text());
                const auto known = notified_serials_.find(key);
                if (known != notified_serials_.end() && known->second == copy.zone->serial()) continue;
                notified_serials_[key] = copy.zone->serial();
                queue_notify(zone, zone_label(zone.source, view.name), copy.zone);
            }
        }
        send_notifies();
    }

    void send_notifies() {
        for (auto& pending : pending_notifies_)
            notifier_->notify(pending.label, *pending.zone, std::move(pending.targets));
        pending_notifies_.clear();
    }

    // `rndc reload ZONE`: that zone's file only, when it changed; the configuration is not read again.
    std::string reload_zone(const std::string& view_name, const std::string& origin) {
        const ZoneKey key{view_name, dns::Name::from_text(origin, dns::Name()).lowercased().to_text()};
        for (const auto& view : settings_.views) {
            if (view.name != view_name) continue;
            for (const auto& zone : view.zones) {
                if (zone.source.origin.lowercased().to_text() != key.second) continue;
                if (zone.secondary)
                    throw std::runtime_error(
                        "zone " + origin +
                        " is a secondary: its copy comes from the primaries (use refresh or "
                        "retransfer)");
                const auto before = zones_.find(key);
                const zone::Zone* previous = before == zones_.end() ? nullptr : before->second.zone.get();
                refresh_zones(settings_, false, &key);
                const auto after = zones_.find(key);
                if (after == zones_.end())
                    throw std::runtime_error("zone " + origin + " failed to load (see the log)");
                if (after->second.zone.get() == previous) {
                    if (!after->second.unchanged_on_disk())
                        throw std::runtime_error("zone " + origin + " failed to reload (see the log)");
                    return "zone reload up-to-date";
                }
                published_->publish(build_state(settings_));
                send_notifies();
                return "zone reload successful";
            }
        }
        throw std::runtime_error("no such zone");
    }

    bool reload() {
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
            return false;
        }
        if (next.listen != settings_.listen)
            logs::general().warn("listen-on changes take effect at the next restart");
        try {
            refresh_zones(next, false);
            secondaries_->configure(next.views, next.keys);
            published_->publish(build_state(next));
            send_notifies();
        } catch (const std::exception& e) {
            logs::general().error("reload failed: {}; still serving the previous configuration", e.what());
            return false;
        }
        try {
            configure_logging(next.logging);
        } catch (const std::exception& e) {
            logs::config().error("{}; logging continues as configured before", e.what());
        }
        services_->set_querylog(next.querylog);
        next.listen = settings_.listen;
        settings_ = std::move(next);
        logs::general().info("reload complete");
        return true;
    }

    DaemonOptions options_;
    std::string startup_directory_;
    Settings settings_;
    std::map<ZoneKey, ZoneVersion> zones_;  // serving versions
    std::unique_ptr<Published<ServingState>> published_;
    std::unique_ptr<PrimaryJournals> journals_;
    std::unique_ptr<NotifySender> notifier_;
    std::unique_ptr<SecondaryRunner> secondaries_;  // after journals_: its zones use the environment
    struct PendingNotify {
        std::string label;
        std::shared_ptr<const zone::Zone> zone;
        std::vector<xfr::Primary> targets;
        std::shared_ptr<const dns::TsigKeyring> keys;  // the targets' keys point into it
    };
    std::vector<PendingNotify> pending_notifies_;
    std::set<std::string> unresolved_logged_;
    std::set<std::string> ourselves_logged_;
    std::vector<std::string> own_addresses_;  // never NOTIFY ourselves as one of a zone's NS targets
    std::map<std::pair<std::string, std::string>, std::uint32_t> notified_serials_;  // secondary zones
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
            if (zone.secondary) continue;  // its file is the secondary's own copy, written by transfers
            const ZoneLoadResult loaded = server::load_zone(zone.source);
            for (const auto& warning : loaded.warnings)
                report(warning);
            for (const auto& error : loaded.errors)
                report(error);
            const std::string label = zone_label(zone.source, view.name);
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
