// Response rate limiting (RRL) for one view, with BIND 9's semantics (lib/dns/rrl.c): each (client address
// block, response class) has an account that earns `rate` credits a second, up to `rate`; each response
// debits one; while the account is negative responses are dropped, every `slip`-th one going out truncated
// instead. The account floors at -window x rate, so a client that keeps flooding stays limited until it
// has been quiet for about `window` seconds. all-per-second adds a second account per block that counts
// every response; its limited responses are always dropped. qps-scale shrinks every rate (and slip) by
// qps-scale / current queries per second once the server's total rate exceeds it, except for blocks that
// recently used TCP. Only UDP responses are limited.
//
// Unlike BIND, whose table sits behind one mutex, the accounts are single 64-bit words in a fixed table
// updated with compare-and-swap, so the query path takes no lock and allocates nothing: a lookup reads one
// cache line (a group of 8 accounts). The table never grows; when a group is full the entry least worth
// keeping (idle longest, not currently limiting) is replaced, as BIND recycles its oldest entries. An
// account is identified by a 20-bit fingerprint of its key in its group (BIND keys on a hash of the name
// too): a collision merges two accounts, which is rare and benign.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "dns/ip_address.hpp"
#include "rrl/limits.hpp"
#include "rrl/response_key.hpp"

namespace cairn::rrl {

enum class Verdict : std::uint8_t { send, slip, drop };

struct Decision {
    Verdict verdict = Verdict::send;
    bool by_all = false;   // the all-per-second account limited it
    bool started = false;  // the account's first limited response since it was last in credit
};

class RateLimiter {
  public:
    explicit RateLimiter(const Limits& limits);
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    const Limits& limits() const { return limits_; }
    std::size_t table_slots() const { return mask_ + 1; }

    // A UDP response of class `key` about to go to `client`; `now` in seconds (any clock that ticks once
    // a second); `thread` spreads the qps-scale counting over cache lines. With log-only the verdict is
    // still given: the caller counts it and sends the response anyway.
    Decision check(const dns::IpAddress& client, const ResponseKey& key, std::uint32_t now, unsigned thread);

    // A response sent over TCP: counts toward qps-scale and, while rates are scaled down, keeps the
    // client's block at its full rates for `window` seconds (a client that can use TCP is no forger).
    void note_tcp(const dns::IpAddress& client, std::uint32_t now, unsigned thread);

    // Current scale of the rates in thousandths (1000: not scaled).
    std::uint32_t scale_permille() const { return scale_permille_.load(std::memory_order_relaxed); }

    // The client block as an address with the host bits cleared, and the prefix length used.
    dns::IpAddress block_of(const dns::IpAddress& client, unsigned& prefix_length) const;

  private:
    // Accounts kept per client block alone, beside the response kinds.
    enum class BlockAccount : std::uint8_t { all = kResponseKinds, tcp };
    struct Debit {
        Verdict verdict = Verdict::send;
        bool started = false;
    };

    std::uint64_t block_hash(const dns::IpAddress& client) const;
    std::uint32_t rate_of(ResponseKind kind) const;
    Debit debit(std::uint64_t hash, std::uint32_t rate, std::uint32_t slip, std::uint32_t now);
    bool recently_tcp(std::uint64_t block, std::uint32_t now) const;
    void count_response(std::uint32_t now, unsigned thread);

    Limits limits_;
    std::uint64_t seed_;
    std::array<std::uint8_t, 16> mask4_{}, mask6_{};
    std::size_t mask_ = 0;  // slots - 1
    std::unique_ptr<std::atomic<std::uint64_t>[]> slots_;

    // qps-scale: responses counted per thread (one cache line each), summed once a second.
    struct alignas(64) Counter {
        std::atomic<std::uint64_t> value{0};
    };
    static constexpr std::size_t kCounters = 32;
    std::unique_ptr<Counter[]> counters_;
    std::atomic<std::uint32_t> scale_second_{0};
    std::atomic<std::uint64_t> counted_before_{0};
    std::atomic<std::uint32_t> scale_permille_{1000};
};

}  // namespace cairn::rrl
