#include "resolver/cache_answer.hpp"

#include <array>
#include <cstring>

#include "resolver/cache.hpp"
#include "resolver/cached_response.hpp"

namespace cairn::resolver {
namespace {

struct Lookup {
    const Cache& cache;
    std::uint32_t now;
    bool allow_stale;
    bool checking_disabled;
    bool validating;
    bool stale_used = false;
    bool all_secure = true;                     // every entry used so far validated as secure (the AD bit)
    bool any_failed = false;                    // bogus data went to a CD client
    std::uint16_t insecure_ede = 0;             // an entry used is insecure for a reason (EDE 1, 2, 27)
    std::array<const CacheEntry*, 8> proofs{};  // entries whose proof block DO clients get
    std::size_t proof_count = 0;

    // Fresh, or kept for serve-stale when that is allowed; never glue or referral data. Data that failed
    // validation only for clients that asked not to check (CD); while validating, data never validated
    // (learnt only to find servers) for them too.
    const CacheEntry* usable(const CacheEntry* e) {
        if (e == nullptr || !answerable(e->rank)) return nullptr;
        if (!checking_disabled &&
            (failed_validation(e->security) || (validating && e->security == Security::unchecked)))
            return nullptr;
        if (e->fresh(now)) return e;
        if (allow_stale && e->kept(now)) {
            stale_used = true;
            return e;
        }
        return nullptr;
    }
    // Notes what an entry that goes into the answer means for AD, EDE and the authority section.
    void used(const CacheEntry* e) {
        all_secure = all_secure && e->security == Security::secure;
        any_failed = any_failed || failed_validation(e->security);
        if (e->security == Security::insecure && e->ede_code != 0) insecure_ede = e->ede_code;
        if (e->proof_size != 0 && proof_count < proofs.size()) proofs[proof_count++] = e;
    }
    std::uint32_t ttl(const CacheEntry& e, std::uint32_t stale_ttl) const {
        return e.fresh(now) ? e.ttl_left(now) : stale_ttl;
    }
};

// The SOA of a negative entry: owner (lowercased wire) then one rendered record.
void split_negative(const CacheEntry& e, std::span<const std::uint8_t>& owner,
                    std::span<const std::uint8_t>& rr) {
    const auto extra = e.extra();
    std::size_t pos = 0;
    while (pos < extra.size() && extra[pos] != 0)
        pos += std::size_t{extra[pos]} + 1;
    owner = extra.subspan(0, pos + 1);
    rr = extra.subspan(pos + 1);
}

bool write_negative_soa(CachedResponseWriter& w, const CacheEntry& e, const NameInMessage& near,
                        std::uint32_t ttl) {
    std::span<const std::uint8_t> owner, rr;
    split_negative(e, owner, rr);
    w.next_section();
    return w.add_records(rr, 1, near, owner, ttl);
}

std::uint32_t stale_ttl(const ResolverContext& ctx) {
    return ctx.settings().stale.answer_ttl;
}

}  // namespace

bool resolvable(const dns::ParsedQuery& q) {
    return q.header.opcode == dns::Opcode::QUERY && q.has_question &&
           (!q.edns.present || q.edns.version == 0) && q.qclass == dns::RRClass::IN &&
           (!dns::is_meta_type(q.qtype) || q.qtype == dns::RRType::ANY);
}

std::size_t write_rejection(const ResolverContext& ctx, const dns::ParsedQuery& q,
                            std::span<std::uint8_t> out, bool tcp) {
    CachedResponseWriter w(out, q, tcp, ctx.settings().max_udp_size);
    if (q.header.opcode != dns::Opcode::QUERY)
        w.set_rcode(dns::Rcode::NOTIMP);
    else if (q.edns.present && q.edns.version != 0)
        w.set_rcode(dns::Rcode::BADVERS);
    else if (!q.has_question)
        w.set_rcode(dns::Rcode::NOERROR);  // a COOKIE-only query (RFC 7873 §5.4)
    else if (q.qclass != dns::RRClass::IN || q.qtype == dns::RRType::AXFR || q.qtype == dns::RRType::IXFR)
        w.set_rcode(dns::Rcode::REFUSED);
    else
        w.set_rcode(dns::Rcode::NOTIMP);
    return w.finish();
}

CachedAnswerResult write_cached_answer(const ResolverContext& ctx, const dns::ParsedQuery& q,
                                       std::span<std::uint8_t> out, bool tcp, std::uint32_t now,
                                       const CachedAnswerOptions& options) {
    CachedAnswerResult result;
    const Cache& cache = ctx.cache();
    const ResolverSettings& settings = ctx.settings();
    CachedResponseWriter w(out, q, tcp, settings.max_udp_size);
    w.set_cookie(options.cookie);
    Lookup look{cache, now, options.allow_stale, q.header.cd, ctx.validating()};
    const bool with_sigs = q.edns.dnssec_ok;
    const std::uint16_t qtype = dns::code(q.qtype);
    const std::uint32_t stale = stale_ttl(ctx);

    NameInMessage current = w.question_name();
    std::uint32_t restarts = 0;
    // Stale answers carry EDE 3, or 19 for a stale NXDOMAIN (RFC 8914 §4.4, §4.20).
    // DNSSEC: AD when everything answered validated as secure and the client asked for DNSSEC (DO or AD,
    // RFC 6840 §5.7); DO clients get the proofs (SOA RRSIGs, NSEC/NSEC3) in the authority section.
    auto done = [&](CacheAnswer::Kind kind, dns::EdeCode stale_code = dns::EdeCode::StaleAnswer) {
        result.kind = kind;
        result.stale = look.stale_used;
        if (with_sigs && look.proof_count != 0) {
            w.authority_section();
            for (std::size_t i = 0; i < look.proof_count; ++i) {
                const CacheEntry* e = look.proofs[i];
                if (!w.add_owned_records(e->proof(), w.question_name(), look.ttl(*e, stale))) break;
            }
        }
        w.set_ad(look.all_secure && look.validating && (with_sigs || q.header.ad));
        result.security = look.all_secure   ? Security::secure
                          : look.any_failed ? Security::bogus
                                            : Security::insecure;
        if (look.stale_used) {
            result.kind = CacheAnswer::Kind::stale;
            w.set_ede(stale_code, {});
        } else if (look.insecure_ede != 0) {
            w.set_ede(static_cast<dns::EdeCode>(look.insecure_ede), {});
        }
        result.size = w.finish();
        return result;
    };

    while (true) {
        const std::span<const std::uint8_t> name = current.wire();
        const std::uint64_t hash = cache.name_hash(name);

        if (q.qtype != dns::RRType::ANY && q.qtype != dns::RRType::RRSIG) {
            if (const CacheEntry* e = look.usable(cache.find(name, hash, qtype))) {
                e->touch();
                look.used(e);
                const std::uint32_t ttl = look.ttl(*e, stale);
                if (e->kind == EntryKind::rrset) {
                    if (!w.add_records(e->records(), e->rr_count, current, name, ttl))
                        return done(CacheAnswer::Kind::answer);
                    if (with_sigs && e->sig_count != 0)
                        w.add_records(e->sigs(), e->sig_count, current, name, ttl);
                    const auto& pf = settings.prefetch;
                    if (pf.trigger != 0 && e->fresh(now) && e->original_ttl >= pf.eligible &&
                        e->ttl_left(now) <= pf.trigger && e->claim_prefetch())
                        result.prefetch = true;
                    return done(CacheAnswer::Kind::answer);
                }
                if (e->kind == EntryKind::nodata) {
                    write_negative_soa(w, *e, current, ttl);
                    return done(CacheAnswer::Kind::negative);
                }
            }
        }
        if (q.qtype != dns::RRType::CNAME) {
            const CacheEntry* c = look.usable(cache.find(name, hash, dns::code(dns::RRType::CNAME)));
            if (c != nullptr && c->kind == EntryKind::rrset && c->rr_count == 1) {
                if (++restarts > settings.limits.max_query_restarts) return {};
                c->touch();
                look.used(c);
                if (c->extra_size != 0) {  // synthesised from a DNAME: the DNAME goes first
                    const auto dname_owner = c->extra();
                    const CacheEntry* d = look.usable(
                        cache.find(dname_owner, cache.name_hash(dname_owner), dns::code(dns::RRType::DNAME)));
                    if (d == nullptr || d->kind != EntryKind::rrset) return {};
                    d->touch();
                    look.used(d);
                    if (!w.add_records(d->records(), d->rr_count, current, dname_owner, look.ttl(*d, stale)))
                        return done(CacheAnswer::Kind::answer);
                }
                std::size_t target_at = 0;
                if (!w.add_records(c->records(), 1, current, name, look.ttl(*c, stale), &target_at))
                    return done(CacheAnswer::Kind::answer);
                if (with_sigs && c->sig_count != 0)
                    w.add_records(c->sigs(), c->sig_count, current, name, look.ttl(*c, stale));
                // The target is the CNAME's rdata, uncompressed, right where it was written.
                const auto record = c->records();
                const std::size_t rdlength = (std::size_t{record[10]} << 8) | record[11];
                name_at(current, target_at, record.subspan(kRenderedRrHeader, rdlength));
                continue;
            }
        }
        if (const CacheEntry* nx = look.usable(cache.find(name, hash, kNxdomainKey))) {
            nx->touch();
            look.used(nx);
            w.set_rcode(dns::Rcode::NXDOMAIN);
            write_negative_soa(w, *nx, current, look.ttl(*nx, stale));
            return done(CacheAnswer::Kind::negative, dns::EdeCode::StaleNxdomainAnswer);
        }
        if (options.failures && restarts == 0) {
            const CacheEntry* f = cache.find(name, hash, failure_key(qtype));
            if (f != nullptr && f->fresh(now)) {
                w.set_rcode(dns::Rcode::SERVFAIL);
                const auto cause = f->extra();
                w.set_ede(dnssec_ede(f->ede_code) ? static_cast<dns::EdeCode>(f->ede_code)
                                                  : dns::EdeCode::CachedError,
                          {reinterpret_cast<const char*>(cause.data()), cause.size()});
                result.kind = CacheAnswer::Kind::failure;
                result.failure_ede = f->ede_code;
                result.size = w.finish();
                return result;
            }
        }
        break;
    }

    if (!options.referral_on_miss || restarts != 0) return {};
    // RD=0 and nothing to answer: the closest delegation the cache knows (BIND answers non-recursive
    // queries from the cache the same way).
    const NameInMessage& qname = w.question_name();
    std::size_t pos = 0;
    while (true) {
        const auto suffix = qname.wire().subspan(pos);
        const CacheEntry* ns = cache.find(suffix, cache.name_hash(suffix), dns::code(dns::RRType::NS));
        if (ns != nullptr && ns->kind == EntryKind::rrset && ns->fresh(now) && ns->rank >= Rank::referral) {
            w.next_section();
            w.add_records(ns->records(), ns->rr_count, qname, suffix, ns->ttl_left(now));
            break;
        }
        if (suffix.size() <= 1) break;
        pos += std::size_t{qname.lower[pos]} + 1;
    }
    result.kind = CacheAnswer::Kind::referral;
    result.size = w.finish();
    return result;
}

}  // namespace cairn::resolver
