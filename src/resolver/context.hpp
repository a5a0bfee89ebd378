// A view's recursive resolver: its settings, its cache, its infrastructure cache (what it learnt about
// servers) and its counters, shared by every Resolution of the view and by the query workers' cache-hit
// path. Thread-safe: any thread may call anything here at any time.
//
// The cache-hit path, answer_from_cache(), writes a whole response (RA set, AA never) from the cache or
// says "miss"; it allocates nothing and takes no lock (readers never lock: read_section.hpp). A miss is the
// driver's cue to begin (or join) a Resolution (resolution.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/message_query.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "resolver/clock.hpp"
#include "resolver/infra_cache.hpp"
#include "resolver/introspection.hpp"
#include "resolver/log_sink.hpp"
#include "resolver/nta.hpp"
#include "resolver/settings.hpp"
#include "resolver/stats.hpp"

namespace cairn::resolver {

class Cache;
class FetchLimiter;
class Validator;
class DnssecValidator;

// What answer_from_cache() did.
struct CacheAnswer {
    enum class Kind : std::uint8_t {
        miss,      // nothing written (size 0): resolve
        answer,    // positive answer (a CNAME/DNAME chain that ends in data included)
        negative,  // NXDOMAIN or NODATA with the SOA in the authority section
        failure,   // a cached failure (servfail-ttl): SERVFAIL with EDE 13 saying when and why
        stale,     // stale data (EDE 3 or 19): stale-answer-client-timeout 0 or within stale-refresh-time
        referral,  // RD=0 query that the cache cannot answer: the closest known delegation
        rejected,  // not a question for a resolver: REFUSED (class not IN), NOTIMP (opcode), BADVERS,
                   // FORMERR (qtype AXFR/IXFR/OPT...); written, nothing to resolve
    };
    std::size_t size = 0;
    Kind kind = Kind::miss;
    // The driver should begin a background Resolution (no client) for the question: a prefetch (the hit
    // was close to expiring) or a stale answer that needs refreshing. Coalesce it like any other.
    bool refresh = false;
};

// rndc serve-stale status.
struct ServeStaleStatus {
    bool configured = false;        // stale-answer-enable in named.conf
    std::optional<bool> override_;  // rndc serve-stale on|off (reset: nullopt)
    bool cache_enabled = false;     // stale-cache-enable
    bool effective() const { return override_.value_or(configured); }
    std::string to_text() const;  // as BIND's "stale cache enabled; stale answers enabled (...)"
};

class ResolverContext {
  public:
    // `clock` must outlive the context (SystemClock::instance() by default).
    explicit ResolverContext(ResolverSettings settings, const Clock& clock = SystemClock::instance());
    ~ResolverContext();
    ResolverContext(const ResolverContext&) = delete;
    ResolverContext& operator=(const ResolverContext&) = delete;

    const ResolverSettings& settings() const { return settings_; }
    const Clock& clock() const { return clock_; }

    // ---- The cache-hit path (query workers) ----
    // Writes the response to `query` (a request parse_query accepted as Ok) into `out` from the cache. Over
    // UDP the response fits min(client's EDNS payload, max-udp-size) (512 without EDNS), with TC set and
    // the records dropped when it does not; over TCP `out` should hold 65535 octets. RD=0 queries are
    // answered from the cache alone (a referral to the closest known delegation when it has no answer).
    // `cookie`: the COOKIE option to give the client (its cookie and our server cookie), or empty.
    CacheAnswer answer_from_cache(const dns::ParsedQuery& query, std::span<std::uint8_t> out, bool tcp,
                                  std::span<const std::uint8_t> cookie = {}) const;
    // The same from the query's wire (parsed here); FORMERR queries are written as rejected.
    CacheAnswer answer_from_cache(std::span<const std::uint8_t> query, std::span<std::uint8_t> out,
                                  bool tcp) const;
    // A hint for a batch of queries about to be answered (PacketHandler::prefetch): fetches their cache
    // slots and entries from memory all at once. At most kPrefetchBatch queries are looked at.
    static constexpr std::size_t kPrefetchBatch = 64;
    void prefetch(std::span<const std::span<const std::uint8_t>> queries) const;

    // ---- Control (any thread; may lock writers, never readers) ----
    FlushCounts flush();  // the whole cache and the infrastructure cache (rndc flush)
    FlushCounts flush_name(const dns::Name& name);  // every entry owned by `name` (rndc flushname)
    FlushCounts flush_tree(const dns::Name& name);  // `name` and everything below (rndc flushtree)
    std::string dump_cache() const;                 // rndc dumpdb -cache: master-file text with comments
    CacheReport inspect(const dns::Name& name, std::optional<dns::RRType> type = std::nullopt) const;
    StatsSnapshot stats() const;
    // The upstream servers sent the most queries, with their RTT estimate and counters (a copy taken now:
    // the statistics channel's per-server families; kUpstreamServersShown of them there).
    std::vector<ServerUsage> busiest_servers(std::size_t limit) const;

    void set_serve_stale(std::optional<bool> enabled);  // rndc serve-stale on (true) | off | reset (nullopt)
    ServeStaleStatus serve_stale_status() const;
    bool serve_stale() const;  // answering stale data now

    // Housekeeping, every second or so from any one thread: drops entries past their stale window, frees
    // retired entries, forgets old infrastructure entries, ends NTAs whose lifetime is over (flushing what
    // was cached under them) and sweeps the validator's key cache. Returns the NTAs that ended (the caller
    // logs them, as BIND's "deleting expired NTA at NAME").
    std::vector<dns::Name> maintenance();

    // Where the resolver's log lines go (log_sink.hpp); set before any Resolution begins.
    void set_log_sink(LogSink sink);

    // ---- For Resolutions (and tests) ----
    Cache& cache() { return *cache_; }
    const Cache& cache() const { return *cache_; }
    InfraCache& infra() { return *infra_; }
    FetchLimiter& fetch_limiter() { return *fetch_limiter_; }
    Stats& counters() const { return stats_; }
    std::uint64_t random();  // thread-safe, seeded from settings.random_seed (or the system)
    const std::vector<RootHint>& root_hints() const { return settings_.root_hints; }

    // ---- DNSSEC validation (validation.hpp, validator.hpp) ----
    // The view's validator, built from settings().validation (always, so that `rndc validation on` can
    // start it); tests may plug in another before any Resolution begins (nullptr: none).
    void set_validator(Validator* validator);
    Validator* validator() const { return validator_; }
    DnssecValidator& dnssec() { return *dnssec_; }
    const DnssecValidator& dnssec() const { return *dnssec_; }
    // Whether answers are validated now: dnssec-validation yes/auto, `rndc validation on|off`.
    bool validating() const { return validator_ != nullptr && validating_.load(std::memory_order_relaxed); }
    // rndc validation on|off: the cache is flushed when it changes (as BIND: what was cached under the
    // other state must not be answered). Returns whether it changed.
    bool set_validating(bool on);
    // rndc nta NAME / nta -remove NAME: the cache below NAME is flushed either way (BIND flushes too), so
    // that insecure answers do not outlive the NTA and bogus ones do not outlive its start.
    NegativeTrustAnchor add_nta(const dns::Name& name, std::optional<std::uint32_t> lifetime, bool forced);
    bool remove_nta(const dns::Name& name);

  private:
    ResolverSettings settings_;
    const Clock& clock_;
    std::unique_ptr<Cache> cache_;
    std::unique_ptr<InfraCache> infra_;
    LogSink log_sink_;
    std::unique_ptr<FetchLimiter> fetch_limiter_;
    mutable Stats stats_;
    std::atomic<std::int8_t> serve_stale_override_{-1};  // -1 reset, 0 off, 1 on
    std::atomic<std::uint64_t> rng_state_;
    std::unique_ptr<DnssecValidator> dnssec_;
    Validator* validator_ = nullptr;
    std::atomic<bool> validating_{false};
};

}  // namespace cairn::resolver
