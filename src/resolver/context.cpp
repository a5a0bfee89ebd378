#include "resolver/context.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <utility>

#include "dns/rdata.hpp"
#include "resolver/cache.hpp"
#include "resolver/cache_answer.hpp"
#include "resolver/cached_response.hpp"
#include "resolver/entry_text.hpp"
#include "resolver/infra_cache.hpp"
#include "resolver/read_section.hpp"
#include "resolver/root_hints.hpp"
#include "resolver/validator.hpp"

namespace cairn::resolver {

ResolverContext::ResolverContext(ResolverSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
    if (settings_.root_hints.empty()) settings_.root_hints = builtin_root_hints();
    std::uint64_t seed = settings_.random_seed;
    if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    rng_state_.store(seed);
    cache_ = std::make_unique<Cache>(settings_.cache, settings_.stale, stats_, random());
    infra_ = std::make_unique<InfraCache>(settings_);
    fetch_limiter_ = std::make_unique<FetchLimiter>(settings_.limits);
    dnssec_ = std::make_unique<DnssecValidator>(settings_.validation, clock_);
    validator_ = dnssec_.get();
    validating_.store(settings_.validation.enabled);
}

void ResolverContext::set_validator(Validator* validator) {
    validator_ = validator;
    validating_.store(validator != nullptr);
}

bool ResolverContext::set_validating(bool on) {
    if (validating_.exchange(on) == on) return false;
    flush();
    return true;
}

NegativeTrustAnchor ResolverContext::add_nta(const dns::Name& name, std::optional<std::uint32_t> lifetime,
                                             bool forced) {
    const NegativeTrustAnchor a = dnssec_->ntas().add(
        name, clock_.wall_seconds(), lifetime.value_or(settings_.validation.nta_lifetime), forced);
    flush_tree(name);
    return a;
}

bool ResolverContext::remove_nta(const dns::Name& name) {
    const bool removed = dnssec_->ntas().remove(name);
    flush_tree(name);
    return removed;
}

ResolverContext::~ResolverContext() = default;

std::uint64_t ResolverContext::random() {
    // splitmix64 over an atomic counter: thread-safe, and reproducible from a fixed seed.
    std::uint64_t z =
        rng_state_.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

CacheAnswer ResolverContext::answer_from_cache(const dns::ParsedQuery& query, std::span<std::uint8_t> out,
                                               bool tcp) const {
    ReadSection section;
    if (!resolvable(query))
        return {write_rejection(*this, query, out, tcp), CacheAnswer::Kind::rejected, false};
    const std::uint32_t now = clock_.now_seconds();

    CachedAnswerOptions fresh;
    CachedAnswerResult r = write_cached_answer(*this, query, out, tcp, now, fresh);
    // Serve-stale (RFC 8767): at once when stale-answer-client-timeout is 0 or within stale-refresh-time
    // of a failed refresh; a cached failure gives way to stale data too.
    if ((r.kind == CacheAnswer::Kind::miss || r.kind == CacheAnswer::Kind::failure) && serve_stale()) {
        const auto qname = query.qname_lower();
        const CacheEntry* hold =
            cache_->find(qname, cache_->name_hash(qname), stale_hold_key(dns::code(query.qtype)));
        const bool held = hold != nullptr && hold->fresh(now);
        const auto& timeout = settings_.stale.client_timeout_ms;
        if (held || r.kind == CacheAnswer::Kind::failure || (timeout && *timeout == 0)) {
            CachedAnswerOptions stale;
            stale.allow_stale = true;
            stale.failures = false;
            const CachedAnswerResult s = write_cached_answer(*this, query, out, tcp, now, stale);
            if (s.kind != CacheAnswer::Kind::miss) {
                stats_.add(Counter::cache_hits);
                if (s.stale) stats_.add(Counter::stale_answers);
                return {s.size, s.kind, s.stale && !held};
            }
            if (r.kind == CacheAnswer::Kind::failure)
                r = write_cached_answer(*this, query, out, tcp, now, fresh);
        }
    }
    if (r.kind == CacheAnswer::Kind::miss && !query.header.rd) {
        CachedAnswerOptions referral;
        referral.referral_on_miss = true;
        r = write_cached_answer(*this, query, out, tcp, now, referral);
    }
    if (r.kind == CacheAnswer::Kind::miss) {
        stats_.add(Counter::cache_misses);
        return {};
    }
    stats_.add(Counter::cache_hits);
    if (r.prefetch) stats_.add(Counter::prefetches);
    if (r.kind == CacheAnswer::Kind::failure) {
        const bool dnssec = dnssec_ede(r.failure_ede);
        stats_.servfail(dnssec ? r.failure_ede : static_cast<std::uint16_t>(dns::EdeCode::CachedError));
        if (dnssec && validating())
            stats_.validation(
                static_cast<std::uint8_t>(r.failure_ede == 5 ? Security::indeterminate : Security::bogus),
                r.failure_ede);
    } else if (validating() &&
               (r.kind == CacheAnswer::Kind::answer || r.kind == CacheAnswer::Kind::negative)) {
        stats_.validation(static_cast<std::uint8_t>(r.security), 0);
    }
    return {r.size, r.kind, r.prefetch};
}

CacheAnswer ResolverContext::answer_from_cache(std::span<const std::uint8_t> wire,
                                               std::span<std::uint8_t> out, bool tcp) const {
    dns::ParsedQuery query;
    switch (dns::parse_query(wire, query)) {
        case dns::QueryStatus::Ok:
            return answer_from_cache(query, out, tcp);
        case dns::QueryStatus::Drop:
            return {0, CacheAnswer::Kind::rejected, false};
        case dns::QueryStatus::FormErr:
            break;
    }
    // The header was readable: FORMERR, without the question (it may be what was malformed).
    query.has_question = false;
    query.edns.present = false;
    CachedResponseWriter w(out, query, tcp, settings_.max_udp_size);
    w.set_rcode(dns::Rcode::FORMERR);
    return {w.finish(), CacheAnswer::Kind::rejected, false};
}

void ResolverContext::prefetch(std::span<const std::span<const std::uint8_t>> queries) const {
    ReadSection section;
    std::array<std::uint64_t, kPrefetchBatch> hashes;
    std::array<std::uint16_t, kPrefetchBatch> types;
    std::size_t n = 0;
    for (const auto& query : queries.first(std::min(queries.size(), kPrefetchBatch))) {
        std::uint8_t lowered[dns::kMaxNameLength];
        const std::size_t size = dns::peek_qname(query, lowered);
        if (size == 0) continue;
        hashes[n] = cache_->name_hash({lowered, size});
        types[n] = static_cast<std::uint16_t>((query[12 + size] << 8) | query[13 + size]);
        cache_->prefetch_slot(hashes[n], types[n]);
        ++n;
    }
    for (std::size_t i = 0; i < n; ++i)
        cache_->prefetch_entry(hashes[i], types[i]);
}

FlushCounts ResolverContext::flush() {
    FlushCounts counts = cache_->clear();
    counts.servers = infra_->flush();
    if (validator_ != nullptr) validator_->flushed(nullptr);
    reclaim_retired();
    return counts;
}

FlushCounts ResolverContext::flush_name(const dns::Name& name) {
    if (validator_ != nullptr) validator_->flushed(&name);  // keys learnt there (and below) are relearnt
    return cache_->remove_name(name);
}

FlushCounts ResolverContext::flush_tree(const dns::Name& name) {
    if (validator_ != nullptr) validator_->flushed(&name);
    return cache_->remove_tree(name);
}

std::string ResolverContext::dump_cache() const {
    const std::uint32_t now = clock_.now_seconds();
    std::vector<std::pair<dns::Name, std::string>> blocks;
    cache_->for_each([&](const CacheEntry& e) {
        const CacheReportEntry r = describe_entry(e, now);
        std::string text;
        const std::string state = r.ttl_left > 0 ? "" : (r.stale ? "; stale" : "; expired");
        const std::string from = r.source ? "; from " + r.source->to_string() : "";
        switch (r.kind) {
            case CacheReportEntry::Kind::rrset:
                text = "; " + r.rank + from + state + "\n";
                for (const auto& line : r.records)
                    text += line + "\n";
                break;
            case CacheReportEntry::Kind::nxdomain:
            case CacheReportEntry::Kind::nodata:
                text = "; " +
                       std::string(r.kind == CacheReportEntry::Kind::nxdomain ? "NXDOMAIN" : "NODATA") + " " +
                       r.owner.to_text() + " " + dns::type_to_text(r.type) + " ttl " +
                       std::to_string(std::max<std::int64_t>(r.ttl_left, 0)) + from + state + "\n;   " +
                       r.soa + "\n";
                break;
            case CacheReportEntry::Kind::failure:
            case CacheReportEntry::Kind::stale_hold:
                text = "; " +
                       std::string(r.kind == CacheReportEntry::Kind::failure ? "failure "
                                                                             : "stale-refresh hold ") +
                       r.owner.to_text() + " " + dns::type_to_text(r.type) + " ttl " +
                       std::to_string(std::max<std::int64_t>(r.ttl_left, 0)) + ": " + r.cause + "\n";
                break;
        }
        blocks.emplace_back(std::move(r.owner), std::move(text));
    });
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out = ";\n; Cache dump (cairn resolver)\n; " + std::to_string(blocks.size()) + " entries, " +
                      std::to_string(cache_->bytes()) + " bytes\n;\n";
    for (const auto& [name, text] : blocks)
        out += text;
    out += ";\n; Servers (infrastructure cache)\n;\n";
    for (const auto& line : infra_->describe(clock_.now()))
        out += "; " + line + "\n";
    return out;
}

CacheReport ResolverContext::inspect(const dns::Name& name, std::optional<dns::RRType> type) const {
    const std::uint32_t now = clock_.now_seconds();
    CacheReport report;
    report.name = name;
    cache_->for_each_owned(name, [&](const CacheEntry& e) {
        if (type && e.type != dns::code(*type) && e.kind != EntryKind::nxdomain &&
            e.type != dns::code(dns::RRType::CNAME))
            return;
        report.entries.push_back(describe_entry(e, now));
    });
    std::sort(report.entries.begin(), report.entries.end(), [](const auto& a, const auto& b) {
        return std::pair(static_cast<int>(a.kind), dns::code(a.type)) <
               std::pair(static_cast<int>(b.kind), dns::code(b.type));
    });
    return report;
}

StatsSnapshot ResolverContext::stats() const {
    StatsSnapshot s = stats_.snapshot();
    s.cache_entries = cache_->entries();
    s.cache_bytes = cache_->bytes();
    s.cache_max_bytes = cache_->max_bytes();
    s.infra_servers = infra_->size();
    return s;
}

void ResolverContext::set_serve_stale(std::optional<bool> enabled) {
    serve_stale_override_.store(enabled ? (*enabled ? 1 : 0) : -1);
}

ServeStaleStatus ResolverContext::serve_stale_status() const {
    ServeStaleStatus s;
    s.configured = settings_.stale.answer_enable;
    const auto o = serve_stale_override_.load();
    if (o >= 0) s.override_ = o == 1;
    s.cache_enabled = settings_.stale.cache_enable;
    return s;
}

bool ResolverContext::serve_stale() const {
    const auto o = serve_stale_override_.load(std::memory_order_relaxed);
    return o >= 0 ? o == 1 : settings_.stale.answer_enable;
}

std::string ServeStaleStatus::to_text() const {
    // BIND: "_default: stale cache enabled; stale answers enabled (stale-answer-ttl=30 max-stale-ttl=...)".
    std::string out = cache_enabled ? "stale cache enabled; " : "stale cache disabled; ";
    out += effective() ? "stale answers enabled" : "stale answers disabled";
    if (override_)
        out += " (rndc serve-stale " + std::string(*override_ ? "on" : "off") + ")";
    else
        out += " (from the configuration)";
    return out;
}

std::vector<dns::Name> ResolverContext::maintenance() {
    cache_->sweep(clock_.now_seconds());
    infra_->expire(clock_.now());
    std::vector<dns::Name> ended = dnssec_->ntas().expire(clock_.wall_seconds());
    for (const auto& name : ended)
        flush_tree(name);
    if (validator_ != nullptr) validator_->maintenance();
    reclaim_retired();
    return ended;
}

}  // namespace cairn::resolver
