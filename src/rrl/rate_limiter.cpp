#include "rrl/rate_limiter.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <random>

namespace cairn::rrl {

namespace {

// An account packed in one word, so that a compare-and-swap updates it whole:
//   bits  0..22  balance (signed: from -window x rate, at most -3,600,000, up to rate)
//   bits 23..26  slip counter
//   bit  27      limiting (a limited response was seen since the balance was last >= 0)
//   bits 28..43  time of the last update, seconds modulo 2^16
//   bits 44..63  fingerprint of the key, never 0 (an all-zero word is an empty slot)
struct Account {
    std::int32_t balance = 0;
    std::uint32_t slip_count = 0;
    bool limiting = false;
    std::uint16_t stamp = 0;
    std::uint32_t fingerprint = 0;

    static Account unpack(std::uint64_t word) {
        Account a;
        a.balance = static_cast<std::int32_t>(static_cast<std::uint32_t>(word << 9)) >> 9;
        a.slip_count = static_cast<std::uint32_t>(word >> 23) & 0xF;
        a.limiting = ((word >> 27) & 1) != 0;
        a.stamp = static_cast<std::uint16_t>(word >> 28);
        a.fingerprint = static_cast<std::uint32_t>(word >> 44);
        return a;
    }
    std::uint64_t pack() const {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(balance)) & 0x7FFFFF) |
               (std::uint64_t{slip_count & 0xF} << 23) | (std::uint64_t{limiting} << 27) |
               (std::uint64_t{stamp} << 28) | (std::uint64_t{fingerprint} << 44);
    }
};

constexpr std::size_t kGroup = 8;            // accounts per cache line, the probe window
constexpr std::uint32_t kMaxTimeTravel = 5;  // seconds a stamp may lie ahead (queries handled out of order)
constexpr int kAttempts = 4;                 // compare-and-swap retries before letting a response through

std::uint32_t fingerprint_of(std::uint64_t hash) {
    return static_cast<std::uint32_t>(hash >> 44) | 1;
}

// Seconds since the account's last update; stamps slightly in the future (another thread's clock read a
// moment later) count as now. Accounts idle a multiple of 2^16 s look recent again: BIND's timestamps wrap
// too, and the worst case is a client limited for up to `window` seconds after 18 hours of silence.
std::uint32_t age_of(const Account& a, std::uint32_t now) {
    const auto elapsed = static_cast<std::uint16_t>(static_cast<std::uint16_t>(now) - a.stamp);
    return elapsed > 0xFFFF - kMaxTimeTravel ? 0 : elapsed;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t value) {
    h ^= value;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

std::uint64_t finish(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

std::array<std::uint8_t, 16> prefix_mask(unsigned bits) {
    std::array<std::uint8_t, 16> mask{};
    for (unsigned i = 0; i < 16 && bits > 0; ++i) {
        const unsigned take = std::min(bits, 8u);
        mask[i] = static_cast<std::uint8_t>(0xFF00 >> take);
        bits -= take;
    }
    return mask;
}

}  // namespace

RateLimiter::RateLimiter(const Limits& limits)
    : limits_(limits),
      seed_((std::uint64_t{std::random_device{}()} << 32) | std::random_device{}()),
      counters_(std::make_unique<Counter[]>(kCounters)) {
    limits_.window = std::clamp<std::uint32_t>(limits_.window, 1, kMaxWindow);
    limits_.slip = std::min(limits_.slip, kMaxSlip);
    mask4_ = prefix_mask(std::clamp<unsigned>(limits_.ipv4_prefix_length, 8, 32));
    mask6_ = prefix_mask(std::clamp<unsigned>(limits_.ipv6_prefix_length, 16, 64));
    capacity_ = std::bit_ceil(std::clamp<std::size_t>(limits_.max_table_size, kGroup * 8, kMaxTableSize));
    initial_mask_ = std::bit_ceil(std::clamp<std::size_t>(limits_.min_table_size, kGroup * 8, capacity_)) - 1;
    active_mask_.store(initial_mask_, std::memory_order_relaxed);
    // Zeroed memory is an empty table (an all-zero word is an empty slot); calloc leaves the pages of a
    // large reservation untouched until the table grows into them.
    auto* slots = static_cast<std::atomic<std::uint64_t>*>(std::calloc(capacity_, sizeof(std::uint64_t)));
    if (slots == nullptr) throw std::bad_alloc();
    slots_.reset(slots);
}

dns::IpAddress RateLimiter::block_of(const dns::IpAddress& client, unsigned& prefix_length) const {
    dns::IpAddress block = client;
    const auto& mask = client.is_v4() ? mask4_ : mask6_;
    for (std::size_t i = 0; i < 16; ++i)
        block.bytes[i] &= mask[i];
    prefix_length = client.is_v4() ? limits_.ipv4_prefix_length : limits_.ipv6_prefix_length;
    return block;
}

std::uint64_t RateLimiter::block_hash(const dns::IpAddress& client) const {
    const auto& mask = client.is_v4() ? mask4_ : mask6_;
    std::uint64_t words[2];
    std::memcpy(words, client.bytes.data(), sizeof words);
    std::uint64_t masks[2];
    std::memcpy(masks, mask.data(), sizeof masks);
    std::uint64_t h = mix(seed_, client.family);
    h = mix(h, words[0] & masks[0]);
    return mix(h, words[1] & masks[1]);
}

std::uint32_t RateLimiter::rate_of(ResponseKind kind) const {
    switch (kind) {
        case ResponseKind::answer:
            return limits_.responses_per_second;
        case ResponseKind::referral:
            return limits_.referrals_per_second;
        case ResponseKind::nodata:
            return limits_.nodata_per_second;
        case ResponseKind::nxdomain:
            return limits_.nxdomains_per_second;
        case ResponseKind::error:
            return limits_.errors_per_second;
    }
    return 0;
}

RateLimiter::Found RateLimiter::find(std::uint64_t hash, std::size_t mask, std::uint64_t* words) const {
    const std::uint32_t fingerprint = fingerprint_of(hash);
    auto look = [&](std::size_t m, std::uint64_t* out) {
        Found f{&slots_[hash & m & ~(kGroup - 1)], kGroup};
        for (std::size_t i = 0; i < kGroup; ++i) {
            out[i] = f.group[i].load(std::memory_order_relaxed);
            if ((out[i] >> 44) == fingerprint) f.index = i;  // an empty word has fingerprint 0: never ours
        }
        return f;
    };
    const Found here = look(mask, words);
    const std::size_t before = mask >> 1;
    if (here.index != kGroup || mask == initial_mask_ || (hash & before) == (hash & mask)) return here;
    // Made before the last growth: still where the smaller table put it.
    std::uint64_t older_words[kGroup];
    const Found older = look(before, older_words);
    if (older.index == kGroup) return here;
    std::copy(older_words, older_words + kGroup, words);
    return older;
}

bool RateLimiter::grow(std::size_t mask) {
    if (mask + 1 >= capacity_) return false;
    const std::size_t bigger = mask * 2 + 1;
    if (active_mask_.compare_exchange_strong(mask, bigger, std::memory_order_relaxed)) {
        // Reported from the first size not yet reported to this one.
        std::uint64_t unreported = growth_.load(std::memory_order_relaxed);
        std::uint64_t updated;
        do {
            const std::uint64_t from = unreported != 0 ? unreported >> 32 : mask + 1;
            updated = (from << 32) | (bigger + 1);
        } while (!growth_.compare_exchange_weak(unreported, updated, std::memory_order_relaxed));
    }
    return true;  // grown, by this thread or another
}

std::optional<Growth> RateLimiter::take_growth() {
    if (growth_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    const std::uint64_t g = growth_.exchange(0, std::memory_order_relaxed);
    if (g == 0) return std::nullopt;
    return Growth{static_cast<std::size_t>(g >> 32), static_cast<std::size_t>(g & 0xFFFFFFFF)};
}

Standing RateLimiter::standing(std::uint64_t account, std::uint32_t rate, std::uint32_t now) const {
    std::uint64_t words[kGroup];
    const Found found = find(account, active_mask_.load(std::memory_order_relaxed), words);
    if (found.index == kGroup) return Standing::gone;
    const Account a = Account::unpack(words[found.index]);
    const std::uint32_t age = age_of(a, now);
    const std::int64_t balance = std::int64_t{a.balance} + std::int64_t{age} * rate;
    return age >= kStopLogSeconds && balance >= 0 ? Standing::recovered : Standing::limiting;
}

RateLimiter::Debit RateLimiter::debit(std::uint64_t hash, std::uint32_t rate, std::uint32_t slip,
                                      std::uint32_t now) {
    const std::uint32_t fingerprint = fingerprint_of(hash);
    const auto floor = -static_cast<std::int32_t>(limits_.window * rate);
    bool grew = false;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const std::size_t mask = active_mask_.load(std::memory_order_relaxed);
        std::uint64_t words[kGroup];
        const Found where = find(hash, mask, words);
        std::atomic<std::uint64_t>* group = where.group;
        const std::size_t found = where.index;
        if (found == kGroup) {
            // A new account, in this response's debt already. The slot given up: an empty one, else the
            // one idle longest, accounts that are limiting right now kept as long as others can go.
            std::size_t victim = 0;
            std::uint64_t best = 0;
            bool crowded = true;  // every entry used within the last second or limiting: grow instead
            for (std::size_t i = 0; i < kGroup; ++i) {
                if (words[i] == 0) {
                    victim = i;
                    crowded = false;
                    break;
                }
                const Account a = Account::unpack(words[i]);
                const std::uint32_t age = age_of(a, now);
                const bool limiting = age <= limits_.window && a.balance < 0;
                if (age > 1 && !limiting) crowded = false;
                const std::uint64_t worth = (limiting ? 0 : 1ULL << 32) + age + 1;
                if (worth > best) {
                    best = worth;
                    victim = i;
                }
            }
            if (crowded && !grew && grow(mask)) {  // at most one doubling per response
                grew = true;
                continue;
            }
            Account fresh;
            fresh.balance = static_cast<std::int32_t>(rate) - 1;
            fresh.stamp = static_cast<std::uint16_t>(now);
            fresh.fingerprint = fingerprint;
            if (group[victim].compare_exchange_weak(words[victim], fresh.pack(), std::memory_order_relaxed))
                return {};
            continue;
        }
        Account a = Account::unpack(words[found]);
        const std::uint32_t age = age_of(a, now);
        const auto credit_cap = static_cast<std::int32_t>(rate);
        if (age > limits_.window) {
            a.balance = credit_cap;
            a.slip_count = 0;
        } else if (age > 0) {
            a.balance += static_cast<std::int32_t>(age * rate);
            if (a.balance > credit_cap) {
                a.balance = credit_cap;
                a.slip_count = 0;
            }
        }
        a.stamp = static_cast<std::uint16_t>(now);
        Debit result;
        if (--a.balance >= 0) {
            a.limiting = false;
        } else {
            a.balance = std::max(a.balance, floor);
            result.started = !a.limiting;
            a.limiting = true;
            result.verdict = Verdict::drop;
            // BIND's slip: the first limited response slips, then one in every `slip`.
            if (slip != 0) {
                if (a.slip_count++ == 0) {
                    if (a.slip_count >= slip) a.slip_count = 0;
                    result.verdict = Verdict::slip;
                } else if (a.slip_count >= slip) {
                    a.slip_count = 0;
                }
            }
        }
        if (group[found].compare_exchange_weak(words[found], a.pack(), std::memory_order_relaxed))
            return result;
    }
    return {};  // fought over by other threads throughout: let it through rather than spin
}

bool RateLimiter::recently_tcp(std::uint64_t block, std::uint32_t now) const {
    const std::uint64_t hash = finish(mix(block, static_cast<std::uint64_t>(BlockAccount::tcp) << 56));
    std::uint64_t words[kGroup];
    const Found found = find(hash, active_mask_.load(std::memory_order_relaxed), words);
    return found.index != kGroup && age_of(Account::unpack(words[found.index]), now) < limits_.window;
}

void RateLimiter::count_response(std::uint32_t now, unsigned thread) {
    auto& counter = counters_[thread % kCounters].value;
    counter.fetch_add(1, std::memory_order_relaxed);
    std::uint32_t last = scale_second_.load(std::memory_order_relaxed);
    if (now == last || !scale_second_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
    // Once a second, one thread estimates the total query rate from what was counted since.
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < kCounters; ++i)
        total += counters_[i].value.load(std::memory_order_relaxed);
    const std::uint64_t before = counted_before_.exchange(total, std::memory_order_relaxed);
    if (last == 0 || now < last) return;  // the first second, or the clock went back: no estimate yet
    const std::uint64_t qps = (total - before) / (now - last);
    const std::uint64_t scale =
        qps > limits_.qps_scale ? std::max<std::uint64_t>(1, limits_.qps_scale * 1000ULL / qps) : 1000;
    scale_permille_.store(static_cast<std::uint32_t>(scale), std::memory_order_relaxed);
}

Decision RateLimiter::check(const dns::IpAddress& client, const ResponseKey& key, std::uint32_t now,
                            unsigned thread) {
    std::uint32_t scale = 1000;
    const std::uint64_t block = block_hash(client);
    if (limits_.qps_scale != 0) {
        count_response(now, thread);
        scale = scale_permille();
        if (scale < 1000 && recently_tcp(block, now)) scale = 1000;
    }
    auto scaled = [&](std::uint32_t rate) {
        return scale >= 1000 || rate == 0 ? rate : std::max<std::uint32_t>(1, rate * scale / 1000);
    };
    Decision decision;
    if (const std::uint32_t rate = scaled(rate_of(key.kind)); rate != 0) {
        std::uint32_t slip = limits_.slip;
        if (slip > 2 && scale < 1000) slip = std::max<std::uint32_t>(2, slip * scale / 1000);
        std::uint64_t h = mix(block, (std::uint64_t{static_cast<std::uint8_t>(key.kind)} << 56) |
                                         (std::uint64_t{key.qtype} << 16) | key.qclass);
        h = finish(mix(h, key.name_hash));
        const Debit d = debit(h, rate, slip, now);
        decision.verdict = d.verdict;
        decision.started = d.started;
        decision.account = h;
        decision.rate = rate_of(key.kind);
        // BIND never slips an error: some (REFUSED, SERVFAIL) cannot be truncated into anything useful.
        if (key.kind == ResponseKind::error && decision.verdict == Verdict::slip)
            decision.verdict = Verdict::drop;
    }
    if (const std::uint32_t rate = scaled(limits_.all_per_second); rate != 0) {
        const std::uint64_t h = finish(mix(block, static_cast<std::uint64_t>(BlockAccount::all) << 56));
        const Debit d = debit(h, rate, 0, now);
        if (d.verdict != Verdict::send) {
            decision.verdict = d.verdict;
            decision.started = d.started;
            decision.by_all = true;
            decision.account = h;
            decision.rate = limits_.all_per_second;
        }
    }
    return decision;
}

void RateLimiter::note_tcp(const dns::IpAddress& client, std::uint32_t now, unsigned thread) {
    if (limits_.qps_scale == 0) return;
    count_response(now, thread);
    if (scale_permille() >= 1000) return;
    // Marked as an account that is always in credit; recently_tcp() reads its age.
    const std::uint64_t hash =
        finish(mix(block_hash(client), static_cast<std::uint64_t>(BlockAccount::tcp) << 56));
    debit(hash, kMaxRate, 0, now);
}

}  // namespace cairn::rrl
