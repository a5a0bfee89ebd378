// Response rate limiting (RRL) for one view, with BIND 9's semantics (lib/dns/rrl.c): each (client address
// block, response class) has an account that earns `rate` credits a second, up to `rate`; each response
// debits one; while the account is negative responses are dropped, every `slip`-th one going out truncated
// instead. The account floors at -window x rate, so a client that keeps flooding stays limited until it
// has been quiet for about `window` seconds. all-per-second adds a second account per block that counts
// every response; its limited responses are always dropped. qps-scale shrinks every rate (and slip) by
// qps-scale / current queries per second once the server's total rate exceeds it, except for blocks that
// recently used TCP. Only UDP responses are limited.
//
// Unlike BIND, whose table sits behind one mutex, the accounts are single 64-bit words updated with
// compare-and-swap, so the query path takes no lock and allocates nothing: a lookup reads one cache line
// (a group of 8 accounts). When a group is full the entry least worth keeping (idle longest, not currently
// limiting) is replaced, as BIND recycles its oldest entries. An account is identified by a 20-bit
// fingerprint of its key in its group (BIND keys on a hash of the name too): a collision merges two
// accounts, which is rare and benign.
//
// The table starts at min-table-size entries and doubles, up to max-table-size, when a new account finds
// every entry of its group in use within the last second or limiting (BIND grows its table when no entry
// can be recycled). Room for max-table-size is reserved up front but untouched (zero pages) until the table
// grows into it. After a growth an account is looked for where the new size puts it, then where the size
// before put it (it stays there until replaced); an account two growths old is not found and starts afresh,
// which lets at most one response more through.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>

#include "dns/ip_address.hpp"
#include "rrl/limits.hpp"
#include "rrl/response_key.hpp"

namespace cairn::rrl {

enum class Verdict : std::uint8_t { send, slip, drop };

struct Decision {
    Verdict verdict = Verdict::send;
    bool by_all = false;   // the all-per-second account limited it
    bool started = false;  // the account's first limited response since it was last in credit
    // The account that limited it and its rate (for standing(): when to say it stopped).
    std::uint64_t account = 0;
    std::uint32_t rate = 0;
};

// Where a limited account stands, for BIND's "stop limiting" line.
enum class Standing : std::uint8_t {
    limiting,   // still in debt, or used within the last kStopLogSeconds
    recovered,  // quiet for kStopLogSeconds and back in credit
    gone,       // no longer in the table (replaced): BIND's early ("*") stop
};
inline constexpr std::uint32_t kStopLogSeconds = 60;  // BIND's DNS_RRL_STOP_LOG_SECS

// A growth of the table, in entries.
struct Growth {
    std::size_t from = 0;
    std::size_t to = 0;
};

class RateLimiter {
  public:
    explicit RateLimiter(const Limits& limits);
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    const Limits& limits() const { return limits_; }
    // Entries in use now, and the most the table may grow to (max-table-size rounded up to a power of 2).
    std::size_t table_slots() const { return active_mask_.load(std::memory_order_relaxed) + 1; }
    std::size_t table_capacity() const { return capacity_; }

    // A UDP response of class `key` about to go to `client`; `now` in seconds (any clock that ticks once
    // a second); `thread` spreads the qps-scale counting over cache lines. With log-only the verdict is
    // still given: the caller counts it and sends the response anyway.
    Decision check(const dns::IpAddress& client, const ResponseKey& key, std::uint32_t now, unsigned thread);

    // A response sent over TCP: counts toward qps-scale and, while rates are scaled down, keeps the
    // client's block at its full rates for `window` seconds (a client that can use TCP is no forger).
    void note_tcp(const dns::IpAddress& client, std::uint32_t now, unsigned thread);

    // How the account a Decision named stands at `now`.
    Standing standing(std::uint64_t account, std::uint32_t rate, std::uint32_t now) const;

    // The last growth of the table not yet reported, once (any thread; a plain load while there is none).
    std::optional<Growth> take_growth();

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

    struct Found {
        std::atomic<std::uint64_t>* group = nullptr;  // where the account is (or would be created)
        std::size_t index = 0;                        // kGroup: not there
    };
    struct FreeSlots {
        void operator()(std::atomic<std::uint64_t>* slots) const { std::free(slots); }
    };

    std::uint64_t block_hash(const dns::IpAddress& client) const;
    std::uint32_t rate_of(ResponseKind kind) const;
    Found find(std::uint64_t hash, std::size_t mask, std::uint64_t* words) const;
    bool grow(std::size_t mask);
    Debit debit(std::uint64_t hash, std::uint32_t rate, std::uint32_t slip, std::uint32_t now);
    bool recently_tcp(std::uint64_t block, std::uint32_t now) const;
    void count_response(std::uint32_t now, unsigned thread);

    Limits limits_;
    std::uint64_t seed_;
    std::array<std::uint8_t, 16> mask4_{}, mask6_{};
    std::size_t capacity_ = 0;                 // slots reserved (max-table-size)
    std::size_t initial_mask_ = 0;             // min-table-size slots - 1
    std::atomic<std::size_t> active_mask_{0};  // slots in use - 1
    std::atomic<std::uint64_t> growth_{0};     // unreported growth: from << 32 | to
    std::unique_ptr<std::atomic<std::uint64_t>[], FreeSlots> slots_;

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
