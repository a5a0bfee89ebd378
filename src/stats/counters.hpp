// Query and transfer counters. The query path writes only to its own worker's block (one writer per
// block, relaxed loads and stores, no read-modify-write and no shared cache line); readers sum the blocks.
// A sum read while workers count may lag by the increments in flight, never more.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace cairn::stats {

enum class Protocol : std::uint8_t { udp = 0, tcp = 1 };

// What response rate limiting did to a UDP response (BIND's RateSlipped and RateDropped; `logged`: log-only
// would have slipped or dropped it).
enum class RateLimitAction : std::uint8_t { slipped = 0, dropped = 1, logged = 2 };
inline constexpr std::size_t kRateLimitActions = 3;

inline constexpr std::size_t kMaxViews = 16;    // views beyond this are counted as the last one
inline constexpr std::size_t kRcodeSlots = 24;  // 0..23 (extended rcodes included); others in the last
// Upper bounds (octets) of the response size histogram; the last bucket (+Inf) is implicit.
inline constexpr std::array<std::uint32_t, 11> kSizeBuckets = {64,   128,  256,  512,   768,  1024,
                                                               1232, 1500, 4096, 16384, 65535};

// What became of a query (opcode QUERY), in the classes BIND's name server statistics count.
enum class QueryResult : std::uint8_t {
    success,   // NOERROR with answer records (QrySuccess)
    referral,  // NOERROR without answers, not authoritative, with authority records (QryReferral)
    nxrrset,   // NOERROR without answers otherwise (QryNxrrset)
    nxdomain,  // QryNXDOMAIN
    servfail,  // QrySERVFAIL
    formerr,   // QryFORMERR
    failure,   // any other rcode: REFUSED, NOTIMP, NOTAUTH, ... (QryFailure)
};
inline constexpr std::size_t kQueryResults = 7;

// One worker's counters. Only the owning worker writes; anyone reads.
struct alignas(64) WorkerCounters {
    std::array<std::atomic<std::uint64_t>, 256> qtype{};  // qtype >= 256 counted in qtype_other
    std::atomic<std::uint64_t> qtype_other{};
    std::array<std::atomic<std::uint64_t>, kRcodeSlots> rcode{};
    std::array<std::atomic<std::uint64_t>, 2> protocol{};
    std::array<std::atomic<std::uint64_t>, kMaxViews> view{};
    std::array<std::atomic<std::uint64_t>, kSizeBuckets.size() + 1> size_bucket{};
    std::atomic<std::uint64_t> size_sum{};
    std::atomic<std::uint64_t> dropped{};  // queries answered with nothing
    std::array<std::atomic<std::uint64_t>, 16> opcode{};
    std::array<std::atomic<std::uint64_t>, kQueryResults> result{};  // opcode QUERY only
    std::atomic<std::uint64_t> authoritative{};                      // replies with AA set
    std::atomic<std::uint64_t> truncated{};                          // replies with TC set
    std::array<std::array<std::atomic<std::uint64_t>, kRateLimitActions>, kMaxViews> rate_limited{};
};

// What a reader sees: every counter summed over the workers.
struct QuerySnapshot {
    std::array<std::uint64_t, 256> qtype{};
    std::uint64_t qtype_other = 0;
    std::array<std::uint64_t, kRcodeSlots> rcode{};
    std::array<std::uint64_t, 2> protocol{};
    std::vector<std::pair<std::string, std::uint64_t>> views;          // by view name, configuration order
    std::array<std::uint64_t, kSizeBuckets.size() + 1> size_bucket{};  // not cumulative
    std::uint64_t size_sum = 0;
    std::uint64_t responses = 0;  // sum of the size buckets
    std::uint64_t dropped = 0;
    std::array<std::uint64_t, 16> opcode{};
    std::array<std::uint64_t, kQueryResults> result{};
    std::uint64_t authoritative = 0, truncated = 0;
    // By view name (configuration order), then by RateLimitAction.
    std::vector<std::pair<std::string, std::array<std::uint64_t, kRateLimitActions>>> rate_limited;
    std::uint64_t queries() const { return protocol[0] + protocol[1]; }
};

struct TransferSnapshot {
    std::uint64_t in_success = 0, in_failure = 0, out_success = 0, out_failure = 0;
    std::uint64_t notifies_sent = 0, notifies_failed = 0;
};

enum class TransferEvent { in_success, in_failure, out_success, out_failure, notify_sent, notify_failed };

class Statistics {
  public:
    explicit Statistics(unsigned workers);

    // Hot path, from worker `worker`'s thread only. `response` is the reply as sent (empty when dropped):
    // its question gives the type and its header the rcode.
    void record(unsigned worker, std::span<const std::uint8_t> response, Protocol protocol,
                std::size_t view_index);

    // Response rate limiting slipped, dropped or (log-only) would have limited a response; worker's thread.
    void record_rate_limit(unsigned worker, std::size_t view_index, RateLimitAction action) {
        WorkerCounters& block = workers_[worker < worker_count_ ? worker : worker_count_ - 1];
        bump(block.rate_limited[std::min(view_index, kMaxViews - 1)][static_cast<std::size_t>(action)]);
    }

    // Rare events (transfers, notifies): any thread.
    void count(TransferEvent event);

    // The view names, in the order the query path numbers them (replaced on reconfiguration).
    void set_view_names(std::vector<std::string> names);

    QuerySnapshot queries() const;
    TransferSnapshot transfers() const;
    unsigned worker_count() const { return worker_count_; }

  private:
    static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
        counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }

    std::unique_ptr<WorkerCounters[]> workers_;
    unsigned worker_count_;
    std::array<std::atomic<std::uint64_t>, 6> transfers_{};
    mutable std::mutex names_mutex_;
    std::vector<std::string> view_names_;
};

// The qtype and rcode of a reply: the type of its first question (0 when it has none or is malformed) and
// the header's rcode (the OPT record's extended bits are not looked at).
struct ReplySummary {
    std::uint16_t qtype = 0;
    std::uint8_t rcode = 0;
    std::uint8_t opcode = 0;
    bool authoritative = false, truncated = false;
    QueryResult result = QueryResult::failure;
};
ReplySummary summarize_reply(std::span<const std::uint8_t> reply);

}  // namespace cairn::stats
