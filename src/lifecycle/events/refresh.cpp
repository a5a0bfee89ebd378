// The refresh event of a secondary zone (RFC 1034 §4.3.5, RFC 1996, RFC 1995): see refresh_run.hpp. On
// success the new version is served at once; journaling it and saving it to the zone file are the
// write_file event's, so that neither delays serving. The zone's timers move as the SOA timers say
// (xfr::RefreshSchedule) and are persisted; the state shows `refreshing`, `refresh failing` with every
// primary's reason, and the primary's serial when it is lower than ours, with the fix.
#include "dns/serial.hpp"
#include "lifecycle/events/handlers.hpp"
#include "lifecycle/refresh_run.hpp"

namespace cairn::lifecycle {

namespace {

std::int64_t seconds_now() {
    return wall_now() / 1000;
}

// Destroys `object` later, from the loop: it may be the caller of the callback running now.
template <typename T>
void retire(Reactor& reactor, std::unique_ptr<T>& object) {
    if (object == nullptr) return;
    reactor.post([retired = std::shared_ptr<T>(std::move(object))] {});
}

const char* kind_text(xfr::InboundKind kind) {
    switch (kind) {
        case xfr::InboundKind::Full:
            return "full";
        case xfr::InboundKind::Incremental:
            return "incremental";
        case xfr::InboundKind::UpToDate:
            return "up to date";
    }
    return "?";
}

// A zone as BIND's transfer log lines name it: "example.test/IN", "example.test/IN/internal" in a view.
std::string transfer_name(const ZoneConfig& config) {
    constexpr std::string_view prefix = "zone ";
    std::string label = config.label();
    return label.rfind(prefix, 0) == 0 ? label.substr(prefix.size()) : label;
}

xfr::ClientOptions client_options(const ZoneConfig& config, const ServerRule* rule) {
    xfr::ClientOptions client;
    client.edns = rule == nullptr || rule->edns.value_or(true);
    client.edns_udp_size = config.edns_udp_size;
    return client;
}

}  // namespace

void event_refresh(Runtime& rt, const ZonePtr& zone) {
    zone->refresh = std::make_unique<RefreshRun>(rt, zone);
    zone->refresh->start();
}

RefreshRun::RefreshRun(Runtime& rt, ZonePtr zone)
    : rt_(rt), zone_(std::move(zone)), keys_(zone_->config.keys) {}

RefreshRun::~RefreshRun() {
    rt_.gate.withdraw(ticket_);
    release_slot();
}

void RefreshRun::release_slot() {
    if (slot_.empty()) return;
    rt_.gate.transfer_done(slot_);
    slot_.clear();
}

void RefreshRun::start() {
    Zone& zone = *zone_;
    zone.schedule.started();
    full_ = std::exchange(zone.full_transfer, false);
    urgent_ = std::exchange(zone.urgent, false);
    zone.state.full_transfer_pending = false;
    before_ = zone.version;
    if (zone.state.phase == ZonePhase::loaded || zone.state.phase == ZonePhase::loading)
        zone.state.phase = ZonePhase::refreshing;
    rt_.publish(zone, false);
    if (zone.config.primaries.empty()) failures_ = "no primaries configured";
    next_primary();
}

void RefreshRun::next_primary() {
    const ZoneConfig& config = zone_->config;
    if (index_ >= config.primaries.size()) {
        all_failed();
        return;
    }
    primary_ = config.primaries[index_];
    peer_ = peer_of(primary_, config.transfer_source, config.transfer_source_v6);
    rule_.reset();
    if (const ServerRule* rule = server_rule_for(config.servers, peer_.address)) rule_ = *rule;
    if (rule_) {
        const auto& source = peer_.address.is_v6() ? rule_->transfer_source_v6 : rule_->transfer_source;
        if (source) peer_.source = source;
    }
    if (rule_ && rule_->bogus.value_or(false)) {
        primary_failed({xfr::FailureKind::Refused, primary_.to_text() + ": marked bogus (server statement)"});
        return;
    }
    if (rt_.blackholed && rt_.blackholed(peer_.address)) {
        primary_failed({xfr::FailureKind::Refused, primary_.to_text() + ": in the blackhole list"});
        return;
    }
    if (before_ != nullptr && !full_) {
        ask_soa();
    } else {
        want_transfer(false);  // nothing to compare with (or a retransfer): AXFR at once, as Knot does
    }
}

void RefreshRun::ask_soa() {
    ticket_ = rt_.gate.soa_query(urgent_, [this] {
        ticket_ = 0;
        SoaCheck::Options options;
        options.client = client_options(zone_->config, rule_ ? &*rule_ : nullptr);
        options.udp = rt_.timeouts.soa_udp;
        options.tcp_timeout = rt_.timeouts.soa_tcp;
        options.try_tcp = zone_->config.try_tcp_refresh;
        soa_ = std::make_unique<SoaCheck>(
            rt_.reactor, primary_, peer_, zone_->config.origin, options,
            [this](std::optional<xfr::SoaAnswer> answer, std::optional<Failure> failure) {
                on_soa(std::move(answer), std::move(failure));
            });
    });
}

void RefreshRun::on_soa(std::optional<xfr::SoaAnswer> answer, std::optional<Failure> failure) {
    retire(rt_.reactor, soa_);
    if (!answer) {
        primary_failed(*failure);
        return;
    }
    Zone& zone = *zone_;
    const std::uint32_t theirs = answer->serial(), ours = before_->serial();
    zone.state.primary_serial = theirs;
    zone.state.primary = primary_.to_text();
    soa_expire_ = answer->expire;
    if (dns::serial_greater(theirs, ours)) {
        zone.state.serial_warning.clear();
        want_transfer(zone.config.request_ixfr && (!rule_ || rule_->request_ixfr.value_or(true)));
        return;
    }
    if (dns::serial_less(theirs, ours) && !zone.config.multi_master) {
        std::string warning = "primary " + primary_.to_text() + " has serial " + std::to_string(theirs) +
                              ", lower than ours (" + std::to_string(ours) +
                              "): if its zone was reset, run `retransfer " + zone.config.origin.to_text() +
                              "` (rndc retransfer) to take its copy";
        if (warning != zone.state.serial_warning)
            rt_.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): {}", zone.config.label(), warning);
        zone.state.serial_warning = std::move(warning);
    } else {
        zone.state.serial_warning.clear();
    }
    up_to_date(answer->expire);
}

void RefreshRun::want_transfer(bool incremental) {
    Zone& zone = *zone_;
    if (before_ != nullptr) {
        // A transfer that a crash interrupts must be retried at once after the restart.
        store::ZoneTimers pending = zone.schedule.timers();
        pending.next_refresh = seconds_now();
        rt_.store.save_timers(zone.config.view, zone.config.origin, pending);
        rt_.workers.submit(WorkerPool::Priority::save, [store = &rt_.store](const Cancel&) {
            try {
                store->flush();
            } catch (const std::exception&) {
            }
        });
    }
    const std::uint32_t per_primary =
        rule_ && rule_->transfers ? *rule_->transfers : rt_.limits.transfers_per_ns;
    ticket_ = rt_.gate.transfer(primary_.to_text(), per_primary, [this, incremental] {
        ticket_ = 0;
        slot_ = primary_.to_text();
        start_transfer(incremental);
    });
}

void RefreshRun::start_transfer(bool incremental) {
    const ZoneConfig& config = zone_->config;
    TransferIn::Options options;
    options.client = client_options(config, rule_ ? &*rule_ : nullptr);
    options.tcp.connect_timeout = options.tcp.first_message_timeout = rt_.timeouts.transfer_connect;
    options.tcp.idle_timeout = std::chrono::seconds(std::max<std::uint32_t>(1, config.max_transfer_idle_in));
    options.tcp.total_timeout = std::chrono::seconds(std::max<std::uint32_t>(1, config.max_transfer_time_in));
    options.tcp.transfer = true;
    options.max_records = config.max_records.value_or(0);
    std::optional<zone::Record> ours;
    if (incremental && before_ != nullptr) ours = zone::soa_record(*before_);
    rt_.log(LogTopic::xfr_in, LogLevel::info, "{} (secondary): {} from {} started", config.label(),
            ours ? "IXFR" : "AXFR", primary_.to_text());
    transfer_ = std::make_unique<TransferIn>(
        rt_.reactor, primary_, peer_, config.origin, std::move(ours), options,
        [this, incremental = ours.has_value()](std::optional<xfr::InboundResult> result,
                                               std::optional<Failure> failure) {
            on_transfer(incremental, std::move(result), std::move(failure));
        });
}

void RefreshRun::on_transfer(bool incremental, std::optional<xfr::InboundResult> result,
                             std::optional<Failure> failure) {
    retire(rt_.reactor, transfer_);
    release_slot();
    if (!result) {
        built(incremental, nullptr, {}, std::move(failure));
        return;
    }
    if (result->kind == xfr::InboundKind::UpToDate) {
        up_to_date(result->expire ? result->expire : soa_expire_);
        return;
    }
    const auto build = [before = before_, full = full_,
                        max_records = zone_->config.max_records](const xfr::InboundResult& got)
        -> std::pair<std::shared_ptr<const zone::Zone>, std::optional<Failure>> {
        try {
            auto fresh = xfr::build_zone(got, before.get(), full);
            if (max_records && fresh->rr_count() > *max_records)
                return {nullptr,
                        Failure{xfr::FailureKind::Zone,
                                "the transferred zone has " + std::to_string(fresh->rr_count()) +
                                    " records, more than max-records " + std::to_string(*max_records)}};
            return {std::move(fresh), std::nullopt};
        } catch (const xfr::TransferError& e) {
            return {nullptr, Failure{e.kind(), e.what()}};
        } catch (const std::exception& e) {
            return {nullptr, Failure{xfr::FailureKind::Zone, e.what()}};
        }
    };
    std::size_t size = result->records.rrs.size();
    for (const auto& diff : result->diffs)
        size += diff.rr_count();
    if (size <= rt_.timeouts.inline_build_records) {
        auto [fresh, why] = build(*result);
        built(incremental, std::move(fresh), std::move(*result), std::move(why));
        return;
    }
    building_ = true;
    using Built = std::pair<std::shared_ptr<const zone::Zone>, std::optional<Failure>>;
    auto got = std::make_shared<xfr::InboundResult>(std::move(*result));
    rt_.off_thread<Built>(
        zone_, WorkerPool::Priority::serve, [build, got](const Cancel&) { return build(*got); },
        [this, incremental, got](Built made) {
            building_ = false;
            built(incremental, std::move(made.first), std::move(*got), std::move(made.second));
        });
}

void RefreshRun::built(bool incremental, std::shared_ptr<const zone::Zone> fresh, xfr::InboundResult result,
                       std::optional<Failure> failure) {
    Zone& zone = *zone_;
    if (failure) {
        const bool retry_full = incremental && failure->kind != xfr::FailureKind::Network &&
                                failure->kind != xfr::FailureKind::Tsig;
        // BIND's shape (xfrin_log): "transfer of 'example.test/IN' from 192.0.2.1#53: <what failed>".
        const std::string from = primary_.to_text() + ": ";
        const std::string what =
            failure->what.rfind(from, 0) == 0 ? failure->what.substr(from.size()) : failure->what;
        rt_.log(LogTopic::xfr_in, LogLevel::warning, "transfer of '{}' from {}: {}{}",
                transfer_name(zone.config), primary_.to_text(), what, retry_full ? "; trying AXFR" : "");
        if (retry_full) {
            want_transfer(false);  // as BIND: an IXFR that fails or does not fit our copy -> AXFR
            return;
        }
        ++zone.state.counters.transfers_in_failed;
        ++rt_.totals.transfers_in_failed;
        zone.state.last_transfer = {seconds_now(), false, failure->what};
        primary_failed(*failure);
        return;
    }
    transferred(std::move(fresh), result);
}

void RefreshRun::transferred(std::shared_ptr<const zone::Zone> fresh, const xfr::InboundResult& result) {
    Zone& zone = *zone_;
    const std::string detail = "serial " + std::to_string(fresh->serial()) + " (" + kind_text(result.kind) +
                               ") from " + primary_.to_text() + ": " + std::to_string(result.messages) +
                               " messages, " + std::to_string(result.bytes) + " bytes";
    // The journal gets the difference before the version is served, so that our own secondaries asking for
    // IXFR of it find it there (each IXFR's differences as received, else the difference of the two
    // versions). A version that does not follow ours (a first copy, a retransfer of a serial that is not
    // newer) starts the journal over.
    const bool follows = before_ != nullptr && dns::serial_greater(fresh->serial(), before_->serial());
    const bool journal_empty = zone.state.journal_entries.value_or(1) == 0;
    if (zone.journal == nullptr || (!follows && journal_empty)) {
        serve_transferred(std::move(fresh), result.expire, detail);
        return;
    }
    building_ = true;
    const std::size_t bound = zone.journal_bound(*fresh);
    std::vector<zone::ZoneDiff> diffs;
    if (result.kind == xfr::InboundKind::Incremental) diffs = result.diffs;
    using Journaled = std::pair<std::string, std::optional<store::JournalInfo>>;
    rt_.off_thread<Journaled>(
        zone_, WorkerPool::Priority::serve,
        [journal = zone.journal, before = follows ? before_ : nullptr, fresh, diffs = std::move(diffs),
         bound](const Cancel&) -> Journaled {
            try {
                if (before == nullptr) {
                    journal->clear();
                } else if (diffs.empty()) {
                    journal->append(zone::diff_zones(*before, *fresh), bound);
                } else {
                    for (const zone::ZoneDiff& diff : diffs)
                        journal->append(diff, bound);
                }
                return {std::string(), journal->info()};
            } catch (const std::exception& e) {
                return {std::string("cannot journal the new version: ") + e.what(), std::nullopt};
            }
        },
        [this, fresh, expire = result.expire, detail](Journaled journaled) {
            building_ = false;
            if (!journaled.first.empty())
                rt_.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): {}", zone_->config.label(),
                        journaled.first);
            if (journaled.second) {
                zone_->state.journal_bytes = journaled.second->bytes;
                zone_->state.journal_entries = journaled.second->entries;
            }
            serve_transferred(fresh, expire, detail);
        });
}

void RefreshRun::serve_transferred(std::shared_ptr<const zone::Zone> fresh,
                                   std::optional<std::uint32_t> expire, const std::string& detail) {
    Zone& zone = *zone_;
    const std::int64_t now = seconds_now();
    ++zone.state.counters.transfers_in;
    ++rt_.totals.transfers_in;
    zone.state.last_transfer = {now, true, detail};
    rt_.log(LogTopic::xfr_in, LogLevel::info, "{} (secondary): transferred {}", zone.config.label(), detail);
    zone.unsaved = fresh;
    const bool was_answerable = zone.answerable;
    serve_version(rt_, zone, fresh, now);
    zone.state.primary_serial = fresh->serial();
    zone.state.primary = primary_.to_text();
    zone.state.serial_warning.clear();  // we hold the primary's version now
    zone.schedule.succeeded(fresh->serial(), xfr::soa_timers(zone::soa_record(*fresh).rdata), now,
                            expire ? expire : soa_expire_);
    zone.state.last_refresh = {now, true, "transferred " + detail};
    zone.state.phase = ZonePhase::loaded;
    zone.state.problem.clear();
    if (!was_answerable)
        rt_.log(LogTopic::xfr_in, LogLevel::info, "{} (secondary): serving again", zone.config.label());
    rt_.scheduler.schedule(zone.events, EventType::write_file, wall_now());
    schedule_notify(rt_, zone);
    rt_.publish(zone, true);
    finish();
}

void RefreshRun::up_to_date(std::optional<std::uint32_t> expire) {
    Zone& zone = *zone_;
    const std::int64_t now = seconds_now();
    zone.schedule.succeeded(before_->serial(), xfr::soa_timers(zone::soa_record(*before_).rdata), now,
                            expire);
    zone.state.last_refresh = {now, true, "up to date (serial " + std::to_string(before_->serial()) + ")"};
    zone.state.phase = ZonePhase::loaded;
    zone.state.problem.clear();
    const bool served_changed = !zone.answerable;
    if (served_changed) {
        zone.answerable = true;
        rt_.log(LogTopic::xfr_in, LogLevel::info, "{} (secondary): serving again", zone.config.label());
    }
    rt_.publish(zone, served_changed);
    finish();
}

void RefreshRun::primary_failed(const Failure& failure) {
    if (!failures_.empty()) failures_ += "; ";
    failures_ += failure.what;
    ++index_;
    next_primary();
}

void RefreshRun::all_failed() {
    Zone& zone = *zone_;
    const std::int64_t now = seconds_now();
    zone.schedule.failed(now);
    ++zone.state.counters.refresh_failures;
    ++rt_.totals.refresh_failures;
    zone.state.last_refresh = {now, false, failures_};
    if (zone.state.phase != ZonePhase::expired) zone.state.phase = ZonePhase::refresh_failing;
    zone.state.problem = "refresh failing: " + failures_;
    rt_.log(LogTopic::xfr_in, LogLevel::warning, "{} (secondary): refresh of {} failed: {}; retrying in {}s",
            zone.config.label(), zone.config.origin.to_text(), failures_,
            zone.schedule.timers().next_refresh - now);
    rt_.publish(zone, !zone.answerable);  // a zone not served says why in its SERVFAIL: the reason changed
    finish();
}

void RefreshRun::finish() {
    Zone& zone = *zone_;
    zone.state.timers = zone.schedule.timers();
    rt_.store.save_timers(zone.config.view, zone.config.origin, zone.state.timers);
    rt_.timers_dirty();
    rt_.schedule_refresh_timers(zone);
    rt_.publish(zone, false);
    Runtime& rt = rt_;
    ZonePtr keep = zone_;
    retire(rt.reactor, keep->refresh);  // this: destroyed from the loop, after it returns
    rt.done(*keep);
}

}  // namespace cairn::lifecycle
