#include "xfr/refresh.hpp"

#include <algorithm>
#include <random>

#include "zone/zone_wire.hpp"

namespace cairn::xfr {

SoaTimers soa_timers(std::span<const std::uint8_t> rdata) {
    if (rdata.size() < 20) return {};
    const std::size_t at = rdata.size() - 16;  // serial | refresh retry expire minimum
    return {zone::read32(rdata, at), zone::read32(rdata, at + 4), zone::read32(rdata, at + 8)};
}

namespace {

std::uint32_t random_below(std::uint32_t bound) {
    thread_local std::mt19937 engine{std::random_device{}()};
    return std::uniform_int_distribution<std::uint32_t>(0, bound - 1)(engine);
}

}  // namespace

RefreshSchedule::RefreshSchedule(RefreshBounds bounds, RandomBelow random)
    : bounds_(bounds), random_(random ? std::move(random) : RandomBelow(random_below)) {}

std::uint32_t RefreshSchedule::jittered(std::uint32_t interval) const {
    return interval - random_(interval / 4 + 1);
}

std::uint32_t RefreshSchedule::refresh_interval(const SoaTimers& soa) const {
    return std::clamp(soa.refresh, bounds_.min_refresh, std::max(bounds_.min_refresh, bounds_.max_refresh));
}

std::uint32_t RefreshSchedule::retry_interval(const SoaTimers& soa) const {
    return std::clamp(soa.retry, bounds_.min_retry, std::max(bounds_.min_retry, bounds_.max_retry));
}

// BIND keeps EXPIRE at least REFRESH + RETRY (a zone must get a retry before it expires) and at most
// 24 weeks.
std::uint32_t RefreshSchedule::expire_interval(const SoaTimers& soa) const {
    const std::uint64_t floor = std::uint64_t{refresh_interval(soa)} + retry_interval(soa);
    return static_cast<std::uint32_t>(
        std::min<std::uint64_t>(std::max<std::uint64_t>(soa.expire, floor), kMaxExpire));
}

void RefreshSchedule::no_copy(std::int64_t now) {
    has_copy_ = false;
    timers_ = {};
    timers_.next_refresh = now;
}

void RefreshSchedule::loaded(std::uint32_t serial, SoaTimers soa, std::int64_t now,
                             const std::optional<store::ZoneTimers>& persisted) {
    has_copy_ = true;
    soa_ = soa;
    if (persisted && persisted->serial == serial && persisted->expire_at != 0) {
        timers_ = *persisted;
        timers_.next_refresh = std::min(timers_.next_refresh, now + std::int64_t{refresh_interval(soa)});
        return;
    }
    timers_ = {};
    timers_.serial = serial;
    timers_.last_refresh = 0;
    timers_.expire_at = now + expire_interval(soa);
    timers_.next_refresh = now;
}

void RefreshSchedule::succeeded(std::uint32_t serial, SoaTimers soa, std::int64_t now,
                                std::optional<std::uint32_t> expire_option) {
    running_ = false;
    has_copy_ = true;
    soa_ = soa;
    timers_.serial = serial;
    timers_.last_refresh = now;
    timers_.last_failed = false;
    // RFC 7314 §4: the primary's remaining expire time replaces the SOA's, so a chain of secondaries does
    // not extend the life of data its origin no longer vouches for.
    const std::uint32_t expire = expire_option ? std::min(*expire_option, kMaxExpire) : expire_interval(soa);
    timers_.expire_at = now + expire;
    timers_.next_refresh = now + jittered(refresh_interval(soa));
    if (notify_pending_) {
        notify_pending_ = false;
        timers_.next_refresh = now;
    }
}

void RefreshSchedule::failed(std::int64_t now) {
    running_ = false;
    timers_.last_failed = true;
    timers_.next_refresh = now + jittered(retry_interval(soa_));
    if (notify_pending_) {
        notify_pending_ = false;
        timers_.next_refresh = now;
    }
}

bool RefreshSchedule::notified(std::int64_t now) {
    if (running_) {
        notify_pending_ = true;
        return false;
    }
    timers_.next_refresh = now;
    return true;
}

std::int64_t RefreshSchedule::next_event(std::int64_t now) const {
    std::int64_t next = running_ ? now + 1 : timers_.next_refresh;
    if (serving(now) && timers_.expire_at != 0) next = std::min(next, timers_.expire_at);
    return std::max(next, now);
}

}  // namespace cairn::xfr
