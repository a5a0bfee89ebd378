#include "server/services.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "config/config.hpp"
#include "ctl/target.hpp"
#include "dns/name.hpp"
#include "net/worker_shared.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "server/recursion_service.hpp"
#include "stats/bind_formats.hpp"
#include "stats/report.hpp"

namespace cairn::server {

namespace {

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(::time(nullptr));
}

std::string origin_without_dot(const std::string& origin) {
    if (origin.size() > 1 && origin.back() == '.') return origin.substr(0, origin.size() - 1);
    return origin;
}

// Zone names compare without case and trailing dot.
bool same_zone(const std::string& a, const std::string& b) {
    return dns::equal_ignoring_ascii_case(origin_without_dot(a), origin_without_dot(b));
}

std::function<bool(const sockaddr*)> acl_predicate(const config::AddressMatchList& list,
                                                   const config::Config& config) {
    auto acl =
        std::make_shared<const config::CompiledAcl>(config.compile(list, config::HostNetworks::scan()));
    return [acl](const sockaddr* peer) {
        const dns::IpAddress address = dns::IpAddress::from_sockaddr(peer);
        return acl->evaluate(address, nullptr) == config::AclVerdict::Allow;
    };
}

void describe(const std::vector<config::AmlElement>& elements, std::string& out) {
    out += '{';
    for (const auto& element : elements) {
        out += element.negated ? "!" : "";
        out += std::to_string(static_cast<int>(element.kind)) + ":" + element.prefix.to_string() + ":" +
               element.name;
        if (!element.list.empty()) describe(element.list, out);
        out += ';';
    }
    out += '}';
}

// Everything the control and statistics channels are opened from; a reload reopens them only when it
// changes. Key secrets are part of it, so that a changed key takes effect.
std::string channel_fingerprint(const config::Config& config) {
    std::string out = "controls";
    for (const auto& control : config.controls) {
        out += "|" + std::to_string(static_cast<int>(control.kind)) + " " +
               (control.address ? control.address->to_string() : "*") + " " +
               std::to_string(control.port.value_or(953)) + " " + control.path + " " +
               std::to_string(control.perm) + (control.read_only ? " ro" : "");
        describe(control.allow.elements, out);
        for (const auto& name : control.keys) {
            const config::Key* key = config.find_key(name);
            out += " key " + name + (key ? " " + key->algorithm + " " + key->secret : "");
        }
    }
    out += "|statistics";
    for (const auto& channel : config.statistics_channels) {
        out += "|" + (channel.address ? channel.address->to_string() : "*") + " " +
               std::to_string(channel.port.value_or(80));
        if (channel.allow) describe(channel.allow->elements, out);
    }
    return out;
}

// named.conf writes `perm 0600`, which BIND reads as octal; the configuration keeps the digits as a decimal
// number, so read its digits again in base 8 (a number with an 8 or 9 in it is taken as it is).
std::uint32_t octal_digits(std::uint32_t written) {
    std::uint32_t value = 0, scale = 1;
    for (std::uint32_t rest = written; rest != 0; rest /= 10, scale *= 8) {
        if (rest % 10 > 7) return written;
        value += (rest % 10) * scale;
    }
    return value;
}

}  // namespace

class Services::Target : public ctl::ControlTarget {
  public:
    explicit Target(Services& services) : s_(services) {}

    ctl::CacheTarget* cache() override { return s_.cache_target_; }

    ctl::CommandResult status() override { return s_.status_command(); }

    ctl::CommandResult reload() override {
        ReloadOutcome outcome;
        if (!s_.on_main_thread([&] { outcome = s_.hooks_.reload(); })) {
            return ctl::CommandResult::failure("reload did not finish in time", "timed out", 2);
        }
        if (!outcome.ok) return ctl::CommandResult::failure(outcome.text);
        return ctl::CommandResult::success(outcome.text);
    }

    ctl::CommandResult reload_zone(const ctl::ZoneRef& zone) override {
        std::string text, error;
        const bool ran = s_.on_main_thread([&] {
            try {
                text = s_.hooks_.reload_zone(zone.view, zone.name);
            } catch (const std::exception& e) {
                error = e.what();
            }
        });
        if (!ran) return ctl::CommandResult::failure("reload did not finish in time", "timed out", 2);
        if (!error.empty()) return ctl::CommandResult::failure(error);
        return ctl::CommandResult::success(text);
    }

    ctl::CommandResult reconfig() override {
        ReloadOutcome outcome;
        if (!s_.on_main_thread([&] { outcome = s_.hooks_.reload(); })) {
            return ctl::CommandResult::failure("reconfig did not finish in time", "timed out", 2);
        }
        if (!outcome.ok) return ctl::CommandResult::failure(outcome.text);
        return ctl::CommandResult::success();
    }

    std::vector<std::shared_ptr<const lifecycle::ZoneState>> find_zones(const ctl::ZoneRef& ref) override {
        std::vector<std::shared_ptr<const lifecycle::ZoneState>> out;
        for (auto& zone : s_.zone_states()) {
            if (!same_zone(zone->origin.to_text(), ref.name)) continue;
            if (!ref.view.empty() && ref.view != zone->view) continue;
            out.push_back(std::move(zone));
        }
        return out;
    }

    ctl::CommandResult refresh(const ctl::ZoneRef& zone) override { return act(zone, ZoneAction::refresh); }
    ctl::CommandResult retransfer(const ctl::ZoneRef& zone) override {
        return act(zone, ZoneAction::retransfer);
    }
    ctl::CommandResult notify(const ctl::ZoneRef& zone) override { return act(zone, ZoneAction::notify); }
    ctl::CommandResult sign(const ctl::ZoneRef& zone, bool) override { return act(zone, ZoneAction::sign); }

    ctl::CommandResult dnssec(const ctl::ZoneRef& zone, const ctl::DnssecCommand& command) override {
        if (!s_.hooks_.dnssec)
            return ctl::CommandResult::failure("not available in this server", "not implemented",
                                               ctl::kResultNotImplemented);
        return on_main([&] { return s_.hooks_.dnssec(zone.view, zone.name, command); });
    }

    ctl::CommandResult stop() override {
        s_.stop_requested_ = true;
        return ctl::CommandResult::success();
    }

    ctl::CommandResult trace(std::optional<unsigned> level) override { return s_.trace_command(level); }
    ctl::CommandResult sync(const std::optional<ctl::ZoneRef>& zone, bool clean) override {
        return s_.sync_command(zone, clean);
    }
    ctl::CommandResult dumpdb(DumpWhat what, const std::vector<std::string>& views) override {
        return s_.dumpdb_command(what, views);
    }
    ctl::CommandResult stats() override { return s_.stats_command(); }
    ctl::CommandResult tsig_list() override { return s_.tsig_list_command(); }

    ctl::CommandResult querylog(std::optional<bool> on) override {
        const bool next = on.value_or(!s_.querylog_);
        s_.querylog_ = next;
        logs::general().info("query logging is now {}", next ? "on" : "off");
        return ctl::CommandResult::success(std::string("query logging is now ") + (next ? "on" : "off"));
    }

  private:
    ctl::CommandResult act(const ctl::ZoneRef& ref, ZoneAction action) {
        const auto zones = find_zones(ref);
        if (action == ZoneAction::sign && !zones.empty() && zones.front()->dnssec_policy.empty())
            return ctl::CommandResult::failure("zone '" + ref.name + "' is not signed (no dnssec-policy)");
        if (action != ZoneAction::notify && action != ZoneAction::sign && !zones.empty() &&
            zones.front()->role != lifecycle::ZoneRole::secondary) {
            return ctl::CommandResult::failure("not available: zone '" + ref.name +
                                               "' is not a secondary zone");
        }
        if (zones.empty())
            return ctl::CommandResult::failure("no matching zone '" + ref.name + "'", "not found",
                                               ctl::kResultNotFound);
        if (!s_.hooks_.zone_action)
            return ctl::CommandResult::failure("not available in this server", "not implemented",
                                               ctl::kResultNotImplemented);
        return on_main([&] { return s_.hooks_.zone_action(zones.front()->view, ref.name, action); });
    }

    // Runs a hook on the main thread: its text, or the reason it threw, or a timeout.
    template <typename Hook>
    ctl::CommandResult on_main(Hook hook) {
        std::string text;
        std::string error;
        const bool ran = s_.on_main_thread([&] {
            try {
                text = hook();
            } catch (const std::exception& e) {
                error = e.what();
            }
        });
        if (!ran)
            return ctl::CommandResult::failure("the server did not run the command in time", "timed out", 2);
        if (!error.empty()) return ctl::CommandResult::failure(error);
        return ctl::CommandResult::success(text);
    }

    Services& s_;
};

Services::Services(std::string config_path, unsigned workers, DaemonHooks hooks, ControlDefaults defaults)
    : config_path_(std::filesystem::absolute(config_path).lexically_normal().string()),
      workers_(workers),
      hooks_(std::move(hooks)),
      defaults_(std::move(defaults)),
      started_at_(now_seconds()),
      configured_at_(started_at_),
      // counters per worker thread, UDP and TCP, and per resolution thread
      statistics_(RecursionService::statistics_slots(workers)),
      target_(std::make_unique<Target>(*this)) {}

Services::~Services() {
    stop();
}

void Services::stop() {
    close_channels();
}

void Services::start() {
    zones_changed();
}

void Services::close_channels() {
    {
        // A command waiting for the main thread would keep the control thread from ever finishing.
        std::lock_guard lock(tasks_mutex_);
        abandon_tasks_ = true;
        tasks_.clear();
        tasks_done_.notify_all();
    }
    if (control_) control_->stop();
    for (auto& server : http_)
        server->stop();
    control_.reset();
    http_.clear();
    std::lock_guard lock(tasks_mutex_);
    abandon_tasks_ = false;
}

std::string Services::default_key_file() const {
    if (!defaults_.key_file.empty()) return defaults_.key_file;
    return (std::filesystem::path(config_path_).parent_path() / "rndc.key").string();
}

void Services::open_channels() {
    config::Config config;
    try {
        config = config::load(config_path_).config;
    } catch (const std::exception& e) {
        logs::general().error("control and statistics channels not (re)opened: {}", e.what());
        return;
    }
    // The rndc.key file serves every control channel without keys (and the default one): its content is
    // part of what they are opened from.
    std::string key_text;
    if (std::ifstream in(default_key_file()); in)
        key_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const std::string fingerprint = channel_fingerprint(config) + "|rndc.key " + default_key_file() + " " +
                                    key_text + " " + std::to_string(defaults_.port);
    if (fingerprint == channels_fingerprint_) return;
    if (!channels_fingerprint_.empty())
        logs::general().info("control or statistics channels changed: reopening them");
    close_channels();
    channels_fingerprint_ = fingerprint;
    open_control_channels(config);
    open_statistics_channels(config);
}

void Services::open_control_channels(const config::Config& config) {
    std::vector<ctl::ChannelOptions> channels;
    if (!config.controls_present) {
        // BIND's default: 127.0.0.1 and ::1 on port 953 with the key of rndc.key, when that file exists.
        const std::string key_file = default_key_file();
        if (!std::filesystem::exists(key_file)) {
            logs::general().info("no controls statement and no {}: no control channel", key_file);
            return;
        }
        try {
            const std::vector<ctl::ControlKey> keys = ctl::load_key_file(key_file);
            for (const char* address : {"127.0.0.1", "::1"}) {
                ctl::ChannelOptions channel;
                channel.address = address;
                channel.port = defaults_.port;
                channel.keys = keys;
                channels.push_back(std::move(channel));  // bound to loopback: only local clients reach it
            }
        } catch (const std::exception& e) {
            logs::general().error("default control channel not opened: {}: {}", key_file, e.what());
            return;
        }
    }
    for (const auto& control : config.controls) {
        ctl::ChannelOptions channel;
        channel.read_only = control.read_only;
        if (control.kind == config::ControlChannel::Kind::Unix) {
            channel.kind = ctl::ChannelOptions::Kind::unix_socket;
            channel.path = control.path;
            if (control.perm != 0) channel.perm = octal_digits(control.perm);
            channel.owner = control.owner;
            channel.group = control.group;
        } else {
            channel.address = control.address ? control.address->to_string() : "0.0.0.0";
            channel.port = control.port.value_or(953);
            channel.allow = acl_predicate(control.allow, config);
        }
        try {
            for (const auto& name : control.keys) {
                const config::Key* key = config.find_key(name);
                if (key == nullptr) throw std::runtime_error("key '" + name + "' is not defined");
                channel.keys.push_back(ctl::control_key_from_config(*key));
            }
            if (channel.keys.empty()) channel.keys = ctl::load_key_file(default_key_file());
        } catch (const std::exception& e) {
            logs::general().error("control channel not opened: {}", e.what());
            continue;
        }
        channels.push_back(std::move(channel));
    }
    if (channels.empty()) return;
    ctl::ListenerLogs logs;
    logs.refused = [](const std::string& peer, const std::string& reason) {
        repeated(Repeated::control_refused)
            .warn("control channel: refused command from {}: {}", peer, reason);
    };
    logs.accepted = [](const std::string& peer, const std::string& command) {
        logs::general().info("control channel: received '{}' from {}", command, peer);
    };
    logs.error = [](const std::string& message) { logs::general().error("{}", message); };
    const std::size_t wanted = channels.size();
    try {
        control_ = std::make_unique<ctl::ControlListener>(std::move(channels), *target_, logs);
        control_->start();
        logs::general().info("control channel open ({} of {} sockets)", control_->open_channels(), wanted);
    } catch (const std::exception& e) {
        logs::general().error("{}", e.what());
    }
}

stats::HttpResponse Services::serve_statistics(const std::string& path) const {
    const stats::Report report = make_report();
    if (path == "/metrics")
        return stats::HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                                   stats::render_prometheus(report)};
    if (path == "/json") return stats::HttpResponse{200, "application/json", stats::render_json(report)};
    if (path == "/") return stats::HttpResponse{200, "text/html; charset=utf-8", stats::render_html(report)};
    // BIND's own documents, for the tools that read BIND (prometheus-bind-exporter).
    if (auto bind = stats::render_bind_statistics(report, path, workers_))
        return stats::HttpResponse{200, std::move(bind->content_type), std::move(bind->body)};
    return stats::HttpResponse{404, "text/plain; charset=utf-8", "not found\n"};
}

void Services::open_statistics_channels(const config::Config& config) {
    for (const auto& channel : config.statistics_channels) {
        stats::HttpServerOptions options;
        options.address = channel.address ? channel.address->to_string() : "0.0.0.0";
        options.port = channel.port.value_or(80);
        stats::HttpServer::Allow allow;
        if (channel.allow) allow = acl_predicate(*channel.allow, config);
        try {
            auto server = std::make_unique<stats::HttpServer>(
                options, [this](const std::string& path) { return serve_statistics(path); }, allow);
            server->start();
            logs::general().info("statistics channel listening on {} port {}", options.address,
                                 server->port());
            http_.push_back(std::move(server));
        } catch (const std::exception& e) {
            logs::general().error("{}", e.what());
        }
    }
}

bool Services::on_main_thread(std::function<void()> task, bool changes_state) {
    std::unique_lock lock(tasks_mutex_);
    tasks_.emplace_back(std::move(task), changes_state);
    const std::uint64_t ticket = ++tasks_queued_;
    const bool done = tasks_done_.wait_for(lock, std::chrono::seconds(120),
                                           [&] { return tasks_run_ >= ticket || abandon_tasks_; });
    return done && tasks_run_ >= ticket;
}

void Services::run_pending() {
    std::unique_lock lock(tasks_mutex_);
    bool ran = false;
    while (!tasks_.empty()) {
        auto [task, changes_state] = std::move(tasks_.front());
        tasks_.pop_front();
        lock.unlock();
        task();
        ran = ran || changes_state;
        lock.lock();
        ++tasks_run_;
        tasks_done_.notify_all();
    }
    lock.unlock();
    if (ran) zones_changed();
}

void Services::zones_changed() {
    if (hooks_.view_names) statistics_.set_view_names(hooks_.view_names());
    configured_at_ = now_seconds();
    open_channels();
}

std::vector<std::shared_ptr<const lifecycle::ZoneState>> Services::zone_states() const {
    std::vector<std::shared_ptr<const lifecycle::ZoneState>> out;
    if (!hooks_.zones) return out;
    for (auto& view : hooks_.zones())
        out.push_back(std::move(view.state));
    return out;
}

}  // namespace cairn::server
