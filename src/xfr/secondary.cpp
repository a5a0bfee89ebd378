#include "xfr/secondary.hpp"

#include <algorithm>
#include <utility>

#include "dns/serial.hpp"
#include "store/zone_timers.hpp"

namespace cairn::xfr {

namespace {

SoaTimers timers_of(const zone::Zone& z) {
    return soa_timers(zone::soa_record(z).rdata);
}

const char* kind_text(InboundKind k) {
    switch (k) {
        case InboundKind::Full:
            return "full";
        case InboundKind::Incremental:
            return "incremental";
        case InboundKind::UpToDate:
            return "up to date";
    }
    return "?";
}

}  // namespace

SecondaryZone::SecondaryZone(SecondaryConfig config, store::Environment* env, Publish publish, Log log)
    : config_(std::move(config)),
      env_(env),
      publish_(std::move(publish)),
      log_(std::move(log)),
      schedule_(config_.bounds) {
    if (env_ != nullptr) journal_.emplace(*env_, config_.zone);
}

void SecondaryZone::persist_timers() {
    if (env_ == nullptr) return;
    try {
        store::save_timers(*env_, config_.zone, schedule_.timers());
    } catch (const store::StoreError& e) {
        warn(std::string("cannot save timers: ") + e.what());
    }
}

void SecondaryZone::start(std::shared_ptr<const zone::Zone> loaded, std::int64_t now) {
    bool publish = false;
    {
        std::lock_guard lock(mutex_);
        current_ = loaded;
        std::optional<store::ZoneTimers> persisted;
        if (env_ != nullptr) {
            try {
                persisted = store::load_timers(*env_, config_.zone);
            } catch (const store::StoreError& e) {
                warn(std::string("ignoring damaged timers: ") + e.what());
            }
        }
        if (loaded) {
            schedule_.loaded(loaded->serial(), timers_of(*loaded), now, persisted);
            publish = schedule_.serving(now);
            if (!publish)
                log("the copy on disk (serial " + std::to_string(loaded->serial()) +
                    ") expired while we were down; not served until a refresh succeeds");
        } else {
            schedule_.no_copy(now);
        }
        published_ = publish;
    }
    if (publish) publish_(loaded);
}

bool SecondaryZone::due(std::int64_t now) const {
    std::lock_guard lock(mutex_);
    return schedule_.due(now);
}

std::int64_t SecondaryZone::next_event(std::int64_t now) const {
    std::lock_guard lock(mutex_);
    return schedule_.next_event(now);
}

void SecondaryZone::tick(std::int64_t now) {
    bool unpublish = false;
    {
        std::lock_guard lock(mutex_);
        if (published_ && schedule_.expired(now)) {
            published_ = false;
            unpublish = true;
            warn("expired: no successful refresh since " + std::to_string(schedule_.timers().last_refresh) +
                 "; answering SERVFAIL until a refresh succeeds");
        }
    }
    if (unpublish) publish_(nullptr);
}

bool SecondaryZone::notified(std::int64_t now) {
    std::lock_guard lock(mutex_);
    return schedule_.notified(now);
}

bool SecondaryZone::full_transfer_requested(std::int64_t now) {
    std::lock_guard lock(mutex_);
    full_transfer_ = true;
    return schedule_.notified(now);
}

bool SecondaryZone::refresh(const std::function<std::int64_t()>& clock) {
    std::shared_ptr<const zone::Zone> before;
    bool full = false;
    {
        std::lock_guard lock(mutex_);
        if (schedule_.running()) return false;
        schedule_.started();
        before = current_;
        full = std::exchange(full_transfer_, false);
    }
    RefreshResult result;
    try {
        // Without a copy to compare with, refresh_zone takes AXFR whatever the primary's serial is.
        result = refresh_zone(config_.primaries, config_.zone, full ? nullptr : before, config_.client);
    } catch (const TransferError& e) {
        std::lock_guard lock(mutex_);
        const std::int64_t now = clock();
        schedule_.failed(now);
        last_error_ = e.what();
        persist_timers();
        warn(std::string(e.what()) + "; retrying in " +
             std::to_string(schedule_.timers().next_refresh - now) + "s");
        return false;
    }

    std::shared_ptr<const zone::Zone> fresh = result.zone;
    if (fresh) {
        // Keep the difference so our own secondaries can take IXFR from us as soon as they hear of the new
        // version; failing to stops nothing.
        // A forced AXFR of a serial not newer than ours has no difference to journal by serial: the
        // journal starts over, so our own secondaries take AXFR from us next.
        const bool serial_moved = before && dns::serial_greater(fresh->serial(), before->serial());
        if (journal_ && before && (!full || serial_moved)) {
            try {
                if (result.kind == InboundKind::Incremental) {
                    for (const zone::ZoneDiff& d : result.diffs)
                        journal_->append(d, config_.max_journal_bytes);
                } else {
                    journal_->append(zone::diff_zones(*before, *fresh), config_.max_journal_bytes);
                }
            } catch (const std::exception& e) {
                warn(std::string("cannot journal the new version: ") + e.what());
            }
        } else if (journal_) {
            try {
                journal_->clear();
            } catch (const std::exception& e) {
                warn(std::string("cannot clear the journal: ") + e.what());
            }
        }
    }

    std::shared_ptr<const zone::Zone> to_publish;
    {
        std::lock_guard lock(mutex_);
        const std::int64_t now = clock();
        if (fresh) current_ = fresh;
        const zone::Zone* held = current_.get();
        schedule_.succeeded(held ? held->serial() : result.serial, held ? timers_of(*held) : SoaTimers{}, now,
                            result.expire);
        last_error_.clear();
        last_primary_ = result.primary;
        last_transfer_ = kind_text(result.kind);
        persist_timers();
        if (fresh || (!published_ && current_)) {
            to_publish = current_;
            published_ = true;
        }
        if (fresh) {
            log("transferred serial " + std::to_string(fresh->serial()) + " (" + last_transfer_ + ") from " +
                result.primary + ": " + std::to_string(result.messages) + " messages, " +
                std::to_string(result.bytes) + " bytes");
        } else if (before && dns::serial_less(result.serial, before->serial())) {
            log("primary " + result.primary + " has serial " + std::to_string(result.serial) +
                ", lower than ours (" + std::to_string(before->serial()) + ")");
        }
    }
    if (to_publish) publish_(to_publish);
    // The file (so that a restart serves at once) is written after the new version is served: writing a
    // large zone takes a while, and a crash before it ends only costs a refresh at the next start.
    if (fresh && !config_.file.empty()) {
        try {
            save_zone_file(*fresh, config_.file, config_.format);
        } catch (const std::exception& e) {
            warn(std::string("cannot save the zone: ") + e.what());
        }
    }
    return true;
}

SecondaryStatus SecondaryZone::status(std::int64_t now) const {
    std::lock_guard lock(mutex_);
    SecondaryStatus s;
    s.has_copy = schedule_.has_copy();
    s.serving = published_ && schedule_.serving(now);
    s.expired = schedule_.expired(now);
    s.refreshing = schedule_.running();
    s.serial = current_ ? current_->serial() : 0;
    s.timers = schedule_.timers();
    s.last_error = last_error_;
    s.last_primary = last_primary_;
    s.last_transfer = last_transfer_;
    s.full_transfer_pending = full_transfer_;
    return s;
}

std::optional<std::uint32_t> SecondaryZone::remaining_expire(std::int64_t now) const {
    std::lock_guard lock(mutex_);
    if (!schedule_.serving(now) || schedule_.timers().expire_at == 0) return std::nullopt;
    return static_cast<std::uint32_t>(std::max<std::int64_t>(0, schedule_.timers().expire_at - now));
}

std::shared_ptr<const zone::Zone> SecondaryZone::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

}  // namespace cairn::xfr
