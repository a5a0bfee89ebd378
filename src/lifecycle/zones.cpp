#include "lifecycle/zones.hpp"

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include "dns/serial.hpp"
#include "dnssec/key_files.hpp"
#include "lifecycle/events/handlers.hpp"
#include "lifecycle/refresh_run.hpp"

namespace cairn::lifecycle {

std::string LoadReport::failures() const {
    if (failed.empty()) return {};
    std::string out =
        std::to_string(failed.size()) + (failed.size() == 1 ? " zone failed: " : " zones failed: ");
    for (std::size_t i = 0; i < failed.size(); ++i) {
        if (i != 0) out += ", ";
        out += failed[i].first + " (" + failed[i].second + ")";
    }
    return out;
}

namespace {

constexpr std::uint32_t bit(EventType type) {
    return 1u << static_cast<unsigned>(type);
}
constexpr std::uint32_t kNetworkEvents =
    bit(EventType::refresh) | bit(EventType::notify) | bit(EventType::secondary_check);

std::string name_without_dot(const dns::Name& name) {
    std::string text = name.to_text();
    if (text.size() > 1 && text.back() == '.') text.pop_back();
    return text;
}

std::string key_of(const std::string& view, const dns::Name& origin) {
    return view + "/" + origin.lowercased().to_text();
}

// What a configure() or reload_zone() waits for.
struct LoadWait {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t pending = 0;
    LoadReport report;
};

}  // namespace

class Zones::Impl : public Runtime {
  public:
    explicit Impl(ZonesOptions options)
        : Runtime(reactor_, workers_, store_, Log(options.log)),
          workers_(std::max(1u, options.workers)),
          store_(options.directory),
          served_changed_(std::move(options.served_changed)) {
        own_addresses = std::move(options.own_addresses);
        blackholed = std::move(options.blackholed);
        timeouts = options.timeouts;
        reactor_.start();
    }

    ~Impl() override { stop(std::chrono::steady_clock::now() + std::chrono::seconds(30)); }

    // ---- on the reactor thread

    void publish(Zone& zone, bool served) override {
        if (zone.removed) return;
        if (zone.config.secondary()) {
            zone.state.timers = zone.schedule.timers();
            zone.expire_at->store(zone.state.timers.expire_at);
        }
        ZoneView view{std::make_shared<const ZoneState>(zone.state), zone.version, zone.answerable,
                      zone.journal, zone.expire_at};
        {
            std::lock_guard lock(published_mutex_);
            published_[zone.key()] = std::move(view);
            published_totals_ = totals;
        }
        if (!served) return;
        zone.served_generation = served_generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
        if (served_changed_) {
            served_changed_();
        } else {
            published_generation_.store(zone.served_generation,
                                        std::memory_order_release);  // nobody to wait for
        }
    }

    bool visible_to_queries(const Zone& zone) const override {
        return published_generation_.load(std::memory_order_acquire) >= zone.served_generation;
    }

    std::uint64_t served_generation() const { return served_generation_.load(std::memory_order_acquire); }
    void published(std::uint64_t generation) {
        std::uint64_t seen = published_generation_.load(std::memory_order_relaxed);
        while (seen < generation &&
               !published_generation_.compare_exchange_weak(seen, generation, std::memory_order_acq_rel)) {
        }
    }

    void finished(Zone& zone, EventType type) override {
        if (type != EventType::load) return;
        auto waits = std::move(load_waits_[&zone]);
        load_waits_.erase(&zone);
        for (const auto& wait : waits)
            load_done(zone, *wait);
    }

    void timers_dirty() override {
        if (flush_timer_ != 0) return;
        flush_timer_ = reactor_.after(std::chrono::seconds(1), [this] {
            flush_timer_ = 0;
            workers_.submit(WorkerPool::Priority::save, [this](const Cancel&) { flush_timers(); });
        });
    }

    void flush_timers() {
        try {
            store_.flush();
        } catch (const std::exception& e) {
            log(LogTopic::general, LogLevel::error, "cannot save zone timers: {}", e.what());
        }
    }

    void load_done(Zone& zone, LoadWait& wait) {
        std::lock_guard lock(wait.mutex);
        const Outcome& last = zone.state.last_load;
        if (!last.ok) {
            wait.report.failed.emplace_back(name_without_dot(zone.config.origin), last.detail);
        } else if (last.detail == "up to date") {
            ++wait.report.up_to_date;
        } else {
            ++wait.report.loaded;
        }
        if (--wait.pending == 0) wait.done.notify_all();
    }

    void load(const ZonePtr& zone, const std::shared_ptr<LoadWait>& wait) {
        if (wait) {
            std::lock_guard lock(wait->mutex);
            ++wait->pending;
            load_waits_[zone.get()].push_back(wait);
        }
        scheduler.schedule(zone->events, EventType::load, wall_now());
    }

    ZonePtr add(ZoneConfig config) {
        auto zone = std::make_shared<Zone>(std::move(config));
        zone->events.dispatch = [this, raw = zone.get()](EventType type) { dispatch(*raw, type); };
        if (!network_open_) scheduler.hold(zone->events, kNetworkEvents);
        zones_[zone->key()] = zone;
        publish(*zone, false);
        return zone;
    }

    void dispatch(Zone& raw, EventType type) {
        const auto found = zones_.find(raw.key());
        if (found == zones_.end() || found->second.get() != &raw) return;
        const ZonePtr zone = found->second;
        switch (type) {
            case EventType::load:
                return event_load(*this, zone);
            case EventType::refresh:
                return event_refresh(*this, zone);
            case EventType::expire:
                return event_expire(*this, zone);
            case EventType::notify:
                return event_notify(*this, zone);
            case EventType::write_file:
                return event_write_file(*this, zone);
            case EventType::trim_journal:
                return event_trim_journal(*this, zone);
            case EventType::secondary_check:
                return event_secondary_check(*this, zone);
            case EventType::signature_expiry:
                return event_signature_expiry(*this, zone);
            case EventType::sign:
                return event_sign(*this, zone);
            default:
                done(*zone);  // reserved for later work
        }
    }

    void remove(const ZonePtr& zone) {
        zone->removed = true;
        scheduler.freeze(zone->events);
        if (zone->refresh)
            reactor_.post([retired = std::shared_ptr<RefreshRun>(std::move(zone->refresh))] {});
        for (auto& [key, out] : zone->notify.in_flight)
            reactor_.post([retired = std::shared_ptr<NotifyOut>(std::move(out))] {});
        zone->notify.in_flight.clear();
        for (auto& [key, check] : zone->secondary_checks.in_flight)
            reactor_.post([retired = std::shared_ptr<SoaCheck>(std::move(check))] {});
        zone->secondary_checks.in_flight.clear();
        if (auto waits = load_waits_.find(zone.get()); waits != load_waits_.end()) {
            for (const auto& wait : waits->second) {
                std::lock_guard lock(wait->mutex);
                if (--wait->pending == 0) wait->done.notify_all();
            }
            load_waits_.erase(waits);
        }
        zones_.erase(zone->key());
        {
            std::lock_guard lock(published_mutex_);
            published_.erase(zone->key());
        }
        // Keep the zone alive until its own callbacks on the stack are done.
        reactor_.post([zone] {});
    }

    static bool same_source(const ZoneConfig& a, const ZoneConfig& b) {
        return a.role == b.role && a.file == b.file && a.raw == b.raw && a.rclass == b.rclass &&
               a.signed_inline() == b.signed_inline() && a.key_directory == b.key_directory &&
               (!a.signed_inline() || a.dnssec_policy->name == b.dnssec_policy->name);
    }

    void apply(std::vector<ZoneConfig> configs, const Limits& new_limits,
               const std::shared_ptr<LoadWait>& wait) {
        limits = new_limits;
        gate.set_limits(new_limits);
        std::vector<std::string> order;
        std::map<std::string, ZonePtr> kept;
        for (ZoneConfig& config : configs) {
            const std::string key = key_of(config.view, config.origin);
            order.push_back(key);
            const auto found = zones_.find(key);
            if (found != zones_.end() && same_source(found->second->config, config)) {
                const ZonePtr zone = found->second;
                const bool journal_bound_changed = zone->config.max_journal_bytes != config.max_journal_bytes;
                zone->config = std::move(config);
                zone->schedule.set_bounds(zone->config.refresh_bounds);
                kept[key] = zone;
                if (!zone->config.secondary()) {
                    load(zone, wait);  // checks the file; loads it when it changed
                } else if (journal_bound_changed) {
                    scheduler.schedule(zone->events, EventType::trim_journal, wall_now());
                }
                continue;
            }
            if (found != zones_.end()) remove(found->second);
            const ZonePtr zone = add(std::move(config));
            kept[key] = zone;
            load(zone, wait);
        }
        std::vector<ZonePtr> gone;
        for (const auto& [key, zone] : zones_) {
            if (kept.count(key) == 0) gone.push_back(zone);
        }
        for (const ZonePtr& zone : gone) {
            log(LogTopic::general, LogLevel::info, "{}: no longer configured", zone->config.label());
            remove(zone);
        }
        {
            std::lock_guard lock(published_mutex_);
            order_ = std::move(order);
        }
        if (!gone.empty() && served_changed_) served_changed_();
        finish_wait(wait);
    }

    static void finish_wait(const std::shared_ptr<LoadWait>& wait) {
        if (!wait) return;
        std::lock_guard lock(wait->mutex);
        if (wait->pending == 0) wait->done.notify_all();
    }

    // Runs `task` on the reactor thread and returns what it returns (or rethrows).
    template <typename T>
    T on_reactor(std::function<T()> task) {
        auto promise = std::make_shared<std::promise<T>>();
        auto future = promise->get_future();
        reactor_.post([promise, task = std::move(task)] {
            try {
                promise->set_value(task());
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
        });
        if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
            throw std::runtime_error("the zone event thread did not answer in time");
        return future.get();
    }

    LoadReport wait_for(const std::shared_ptr<LoadWait>& wait, std::chrono::milliseconds limit) {
        std::unique_lock lock(wait->mutex);
        const bool done = wait->done.wait_for(lock, limit, [&] { return wait->pending == 0; });
        LoadReport report = wait->report;
        report.timed_out = !done;
        return report;
    }

    ZonePtr find(const std::string& view, const dns::Name& origin) const {
        const auto found = zones_.find(key_of(view, origin));
        return found == zones_.end() ? nullptr : found->second;
    }

    void start_network() {
        network_open_ = true;
        for (auto& [key, zone] : zones_)
            scheduler.release(zone->events);
    }

    bool stop(std::chrono::steady_clock::time_point deadline) {
        if (stopped_) return true;
        stopped_ = true;
        reactor_.stop();  // in-flight requests are abandoned with the loop
        const bool workers_done = workers_.stop(deadline);
        flush_timers();
        // Waiters of loads that will not finish.
        for (auto& [zone, waits] : load_waits_) {
            for (const auto& wait : waits) {
                std::lock_guard lock(wait->mutex);
                wait->pending = 0;
                wait->done.notify_all();
            }
        }
        load_waits_.clear();
        // A refresh or NOTIFY abandoned with the loop holds its zone while the zone holds it: let both go.
        for (auto& [key, zone] : zones_) {
            zone->refresh.reset();
            zone->notify.in_flight.clear();
            zone->secondary_checks.in_flight.clear();
        }
        return workers_done;
    }

    // ---- any thread

    std::vector<ZoneView> snapshot() const {
        std::lock_guard lock(published_mutex_);
        std::vector<ZoneView> out;
        out.reserve(order_.size());
        for (const auto& key : order_) {
            if (const auto found = published_.find(key); found != published_.end())
                out.push_back(found->second);
        }
        return out;
    }

    Totals published_totals() const {
        std::lock_guard lock(published_mutex_);
        return published_totals_;
    }

  private:
    Reactor reactor_;
    WorkerPool workers_;
    ZoneStore store_;
    std::function<void()> served_changed_;
    std::atomic<std::uint64_t> served_generation_{0};     // served changes published so far
    std::atomic<std::uint64_t> published_generation_{0};  // of those, what the server's snapshot holds
    std::map<std::string, ZonePtr> zones_;
    std::map<Zone*, std::vector<std::shared_ptr<LoadWait>>> load_waits_;
    bool network_open_ = false;
    bool stopped_ = false;
    Reactor::TimerId flush_timer_ = 0;

    mutable std::mutex published_mutex_;
    std::map<std::string, ZoneView> published_;
    std::vector<std::string> order_;
    Totals published_totals_;
};

Zones::Zones(ZonesOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Zones::~Zones() = default;

LoadReport Zones::configure(std::vector<ZoneConfig> zones, const Limits& limits,
                            std::chrono::milliseconds wait) {
    auto loads = std::make_shared<LoadWait>();
    // Counted as pending until the reactor has taken the configuration, so that waiting cannot end early.
    loads->pending = 1;
    impl_->reactor.post([impl = impl_.get(), zones = std::move(zones), limits, loads]() mutable {
        impl->apply(std::move(zones), limits, loads);
        std::lock_guard lock(loads->mutex);
        if (--loads->pending == 0) loads->done.notify_all();
    });
    return impl_->wait_for(loads, wait);
}

LoadReport Zones::reload_zone(const std::string& view, const dns::Name& origin,
                              std::chrono::milliseconds wait) {
    auto loads = std::make_shared<LoadWait>();
    loads->pending = 1;
    impl_->on_reactor<bool>([&, loads] {
        const ZonePtr zone = impl_->find(view, origin);
        if (zone == nullptr) throw std::runtime_error("no such zone");
        if (zone->config.secondary())
            throw std::runtime_error("zone " + name_without_dot(origin) +
                                     " is a secondary: its copy comes from the primaries (use refresh or "
                                     "retransfer)");
        impl_->load(zone, loads);
        std::lock_guard lock(loads->mutex);
        --loads->pending;
        return true;
    });
    return impl_->wait_for(loads, wait);
}

void Zones::start_network() {
    impl_->reactor.post([impl = impl_.get()] { impl->start_network(); });
}

std::string Zones::key_command(const std::string& view, const dns::Name& origin,
                               const signer::KeyCommand& command) {
    return impl_->on_reactor<std::string>([&]() -> std::string {
        const ZonePtr zone = impl_->find(view, origin);
        if (zone == nullptr) throw std::runtime_error("no such zone");
        if (!zone->config.signed_inline()) throw std::runtime_error("zone does not have dnssec-policy");
        if (zone->unsigned_version == nullptr) throw std::runtime_error("zone is not loaded");
        const auto now = static_cast<std::uint32_t>(wall_now() / 1000);
        signer::check_key_command(origin, zone->config.key_directory, now, command);
        zone->key_commands.push_back(command);
        impl_->scheduler.schedule(zone->events, EventType::sign, wall_now());
        const std::string when = dnssec::key_time_to_ctime(command.when.value_or(now));
        if (command.kind == signer::KeyCommand::Kind::rollover)
            return "Rollover for key " + std::to_string(*command.tag) + " scheduled on " + when;
        return std::string(command.tag ? "KSK " + std::to_string(*command.tag) + ": " : "") +
               "Marked DS as " +
               (command.kind == signer::KeyCommand::Kind::ds_published ? "published" : "withdrawn") +
               " since " + when;
    });
}

std::string Zones::dnssec_status(const std::string& view, const dns::Name& origin) {
    return impl_->on_reactor<std::string>([&]() -> std::string {
        const ZonePtr zone = impl_->find(view, origin);
        if (zone == nullptr) throw std::runtime_error("no such zone");
        if (!zone->config.signed_inline()) return "Zone does not have dnssec-policy";
        return signer::key_status_text(*zone->config.dnssec_policy, origin, zone->config.key_directory,
                                       static_cast<std::uint32_t>(wall_now() / 1000));
    });
}

std::string Zones::request(const std::string& view, const dns::Name& origin, Request request) {
    return impl_->on_reactor<std::string>([&]() -> std::string {
        const ZonePtr zone = impl_->find(view, origin);
        if (zone == nullptr) throw std::runtime_error("no such zone");
        Impl& rt = *impl_;
        const std::int64_t now = wall_now() / 1000;
        if (request == Request::notify) {
            if (zone->version == nullptr || !zone->answerable)
                throw std::runtime_error(
                    zone->config.secondary()
                        ? "zone has no copy to notify of (not transferred yet or expired)"
                        : "zone is not loaded");
            zone->notify.last_round = 0;  // the operator asks now: no notify-delay
            schedule_notify(rt, *zone);
            return "zone notify queued";
        }
        if (request == Request::sign) {
            if (!zone->config.signed_inline())
                throw std::runtime_error("zone is not signed (no dnssec-policy)");
            if (zone->unsigned_version == nullptr) throw std::runtime_error("zone is not loaded");
            rt.scheduler.schedule(zone->events, EventType::sign, wall_now());
            return "";
        }
        if (!zone->config.secondary()) throw std::runtime_error("not a secondary zone");
        zone->urgent = true;
        if (request == Request::retransfer) {
            zone->full_transfer = true;
            zone->state.full_transfer_pending = true;
            rt.log(LogTopic::xfr_in, LogLevel::info, "{}: retransfer requested", zone->config.label());
        }
        zone->schedule.notified(now);
        rt.schedule_refresh_timers(*zone);
        rt.scheduler.schedule(zone->events, EventType::refresh, wall_now());
        rt.publish(*zone, false);
        // As rndc: refresh says it is queued, retransfer says nothing.
        return request == Request::retransfer ? "" : "zone refresh queued";
    });
}

void Zones::notified(const std::string& view, const dns::Name& origin, std::optional<std::uint32_t> serial) {
    impl_->reactor.post([impl = impl_.get(), view, origin, serial] {
        const ZonePtr zone = impl->find(view, origin);
        if (zone == nullptr || !zone->config.secondary()) return;
        ++zone->state.counters.notifies_received;
        if (serial) zone->state.notified_serial = serial;
        if (serial && zone->version != nullptr && zone->answerable &&
            !dns::serial_greater(*serial, zone->version->serial())) {
            impl->log(LogTopic::notify, LogLevel::info, "{}: notify of serial {}: up to date",
                      zone->config.label(), *serial);
            impl->publish(*zone, false);
            return;
        }
        zone->urgent = true;
        zone->schedule.notified(wall_now() / 1000);
        impl->schedule_refresh_timers(*zone);
        impl->scheduler.schedule(zone->events, EventType::refresh, wall_now());
        impl->publish(*zone, false);
    });
}

std::vector<ZoneView> Zones::zones() const {
    return impl_->snapshot();
}

std::uint64_t Zones::served_generation() const {
    return impl_->served_generation();
}

void Zones::published(std::uint64_t generation) {
    impl_->published(generation);
}

Totals Zones::totals() const {
    return impl_->published_totals();
}

bool Zones::stop(std::chrono::steady_clock::time_point deadline) {
    return impl_->stop(deadline);
}

}  // namespace cairn::lifecycle
