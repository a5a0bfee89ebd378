#include "server/view_resolver.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "net/fd.hpp"
#include "resolver/root_hints.hpp"
#include "resolver/trust_anchors.hpp"
#include "resolver/validator.hpp"
#include "server/log_setup.hpp"
#include "zonefile/record_file.hpp"

namespace cairn::server {

namespace {

std::uint64_t physical_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page_size = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page_size > 0
               ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size)
               : 0;
}

// max-cache-size in bytes; 0 is unlimited. BIND's default is 90% of physical memory.
std::uint64_t cache_bytes(const config::CacheSize& size) {
    switch (size.kind) {
        case config::CacheSize::Kind::Default:
            return physical_memory() / 100 * 90;
        case config::CacheSize::Kind::Unlimited:
            return 0;
        case config::CacheSize::Kind::Bytes:
            return size.value;
        case config::CacheSize::Kind::Percent:
            return physical_memory() / 100 * size.value;
    }
    return 0;
}

std::vector<resolver::RootHint> hints_from_file(const std::string& path, std::vector<std::string>& errors) {
    std::vector<dns::ResourceRecord> records;
    try {
        records = zonefile::read_record_file(path);
    } catch (const std::runtime_error& e) {
        errors.push_back(std::string("root hints: ") + e.what());
        return {};
    }
    auto hints = resolver::root_hints_from_records(records);
    if (hints.empty()) errors.push_back(path + ": root hints: no NS records for the root");
    return hints;
}

bool ipv6_sockets_work() {
    net::Fd probe(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    return static_cast<bool>(probe);
}

resolver::ServerAddress server_address(const config::Remote& remote) {
    return {remote.address, remote.port};
}

resolver::TrustAnchorConfig::Kind anchor_kind(config::TrustAnchor::Kind kind) {
    using K = resolver::TrustAnchorConfig::Kind;
    switch (kind) {
        case config::TrustAnchor::Kind::StaticKey:
            return K::static_key;
        case config::TrustAnchor::Kind::InitialKey:
            return K::initial_key;
        case config::TrustAnchor::Kind::StaticDs:
            return K::static_ds;
        case config::TrustAnchor::Kind::InitialDs:
            return K::initial_ds;
    }
    return K::static_key;
}

// dnssec-validation yes: the configured anchors; auto: the built-in root KSKs too, unless the configuration
// anchors the root itself; no: nothing validated.
resolver::ValidationSettings validation_settings(const config::ResolvedRecursion& r) {
    resolver::ValidationSettings v;
    v.enabled = r.dnssec_validation != "no";
    bool root_anchored = false;
    for (const config::TrustAnchor& anchor : r.trust_anchors) {
        resolver::TrustAnchorConfig a;
        a.zone = anchor.name;
        a.kind = anchor_kind(anchor.kind);
        a.rdata = anchor.rdata;
        root_anchored = root_anchored || anchor.name.is_root();
        v.anchors.push_back(std::move(a));
    }
    if (r.dnssec_validation == "auto" && !root_anchored) {
        for (auto& a : resolver::builtin_root_anchors())
            v.anchors.push_back(std::move(a));
    }
    v.validate_except = r.validate_except;
    v.nta_lifetime = r.nta_lifetime;
    v.nta_recheck = r.nta_recheck;
    v.synth_from_dnssec = r.synth_from_dnssec;
    return v;
}

}  // namespace

resolver::ResolverSettings resolver_settings(const RecursionSettings& recursion,
                                             std::vector<std::string>& errors) {
    const config::ResolvedRecursion& r = recursion.resolved;
    resolver::ResolverSettings s;
    if (!recursion.hint_file.empty()) s.root_hints = hints_from_file(recursion.hint_file, errors);
    for (const ForwardZoneSettings& forward : recursion.forward_zones) {
        resolver::ForwardZone zone;
        zone.zone = forward.zone;
        zone.policy = forward.mode == config::ForwardMode::Only ? resolver::ForwardPolicy::only
                                                                : resolver::ForwardPolicy::first;
        for (const auto& remote : forward.forwarders)
            zone.forwarders.push_back(server_address(remote));
        s.forward_zones.push_back(std::move(zone));
    }
    for (const StaticStubSettings& stub : recursion.static_stubs) {
        resolver::StaticStubZone zone;
        zone.zone = stub.zone;
        for (const auto& address : stub.servers)
            zone.servers.push_back({address, 53});
        s.static_stubs.push_back(std::move(zone));
    }
    s.cache.max_cache_size = cache_bytes(r.max_cache_size);
    s.cache.max_cache_ttl = r.max_cache_ttl;
    s.cache.min_cache_ttl = r.min_cache_ttl;
    s.cache.max_ncache_ttl = r.max_ncache_ttl;
    s.cache.min_ncache_ttl = r.min_ncache_ttl;
    s.cache.servfail_ttl = r.servfail_ttl;
    s.stale.answer_enable = r.stale_answer_enable;
    s.stale.cache_enable = r.stale_cache_enable;
    s.stale.answer_ttl = r.stale_answer_ttl;
    s.stale.max_stale_ttl = r.max_stale_ttl;
    s.stale.client_timeout_ms = r.stale_answer_client_timeout_ms;
    s.stale.refresh_time = r.stale_refresh_time;
    s.prefetch.trigger = r.prefetch_trigger;
    s.prefetch.eligible = r.prefetch_eligible;
    s.limits.max_recursion_depth = r.max_recursion_depth;
    s.limits.max_recursion_queries = r.max_recursion_queries;
    s.limits.fetches_per_zone = r.fetches_per_zone.limit;
    s.limits.fetches_per_server = r.fetches_per_server.limit;
    switch (r.qname_minimization) {
        case config::QnameMinimization::Strict:
            s.qname_minimization = resolver::QnameMinimization::strict;
            break;
        case config::QnameMinimization::Relaxed:
            s.qname_minimization = resolver::QnameMinimization::relaxed;
            break;
        case config::QnameMinimization::Disabled:
            s.qname_minimization = resolver::QnameMinimization::disabled;
            break;
        case config::QnameMinimization::Off:
            s.qname_minimization = resolver::QnameMinimization::off;
            break;
    }
    s.resolver_query_timeout_ms = r.resolver_query_timeout_ms;
    s.edns_udp_size = r.edns_udp_size;
    s.max_udp_size = r.max_udp_size;
    s.validation = validation_settings(r);
    static const bool ipv6 = ipv6_sockets_work();
    s.use_ipv6 = ipv6;
    return s;
}

std::string fingerprint(const resolver::ResolverSettings& s) {
    std::ostringstream out;
    out << "hints";
    for (const auto& hint : s.root_hints) {
        out << ' ' << hint.name.to_text();
        for (const auto& address : hint.addresses)
            out << ',' << address.to_string();
    }
    out << "\nforward";
    for (const auto& zone : s.forward_zones) {
        out << ' ' << zone.zone.to_text() << '/' << static_cast<int>(zone.policy);
        for (const auto& server : zone.forwarders)
            out << ',' << server.address.to_string() << '#' << server.port;
    }
    out << "\nstub";
    for (const auto& zone : s.static_stubs) {
        out << ' ' << zone.zone.to_text();
        for (const auto& server : zone.servers)
            out << ',' << server.address.to_string() << '#' << server.port;
    }
    const auto& c = s.cache;
    out << "\ncache " << c.max_cache_size << ' ' << c.max_cache_ttl << ' ' << c.min_cache_ttl << ' '
        << c.max_ncache_ttl << ' ' << c.min_ncache_ttl << ' ' << c.servfail_ttl;
    const auto& st = s.stale;
    out << "\nstale " << st.answer_enable << st.cache_enable << ' ' << st.answer_ttl << ' '
        << st.max_stale_ttl << ' '
        << (st.client_timeout_ms ? static_cast<std::int64_t>(*st.client_timeout_ms) : -1) << ' '
        << st.refresh_time;
    const auto& l = s.limits;
    out << "\nlimits " << s.prefetch.trigger << ' ' << s.prefetch.eligible << ' ' << l.max_recursion_depth
        << ' ' << l.max_recursion_queries << ' ' << l.max_query_count << ' ' << l.max_query_restarts << ' '
        << l.fetches_per_zone << ' ' << l.fetches_per_server << ' ' << static_cast<int>(s.qname_minimization)
        << ' ' << s.resolver_query_timeout_ms << ' ' << s.edns_udp_size << ' ' << s.max_udp_size << ' '
        << s.use_ipv4 << s.use_ipv6;
    const auto& v = s.validation;
    out << "\nvalidation " << v.enabled << v.synth_from_dnssec << ' ' << v.nta_lifetime << ' '
        << v.nta_recheck;
    for (const auto& a : v.anchors) {
        out << ' ' << a.zone.to_text() << '/' << static_cast<int>(a.kind) << '/';
        for (const auto octet : a.rdata)
            out << static_cast<int>(octet) << '.';
    }
    for (const auto& name : v.validate_except)
        out << " except " << name.to_text();
    return out.str();
}

std::shared_ptr<ViewResolver> ViewResolvers::for_view(const std::string& view,
                                                      resolver::ResolverSettings settings) {
    std::string print = fingerprint(settings);
    std::lock_guard lock(mutex_);
    const auto found = by_view_.find(view);
    if (found != by_view_.end() && found->second->fingerprint == print) return found->second;
    auto made = std::make_shared<ViewResolver>();
    made->view = view;
    made->fingerprint = std::move(print);
    made->context = std::make_unique<resolver::ResolverContext>(std::move(settings));
    if (found != by_view_.end()) found->second->files.save(*found->second->context);
    made->files.load(view, *made->context);
    by_view_[view] = made;
    return made;
}

void ViewResolvers::keep_only(const std::vector<std::string>& views) {
    std::lock_guard lock(mutex_);
    std::erase_if(by_view_, [&](const auto& entry) {
        return std::find(views.begin(), views.end(), entry.first) == views.end();
    });
}

void ViewResolvers::maintenance() {
    for (auto& resolver : all()) {
        // BIND's lines: nta.c's "deleting expired NTA at NAME" (an NTA whose lifetime ended, or that
        // nta-recheck found validating again) and the managed-keys zone's RFC 5011 transitions, prefixed
        // "managed-keys-zone: " (with "/VIEW" outside the default view).
        for (const auto& name : resolver->context->maintenance())
            logs::resolver().info("deleting expired NTA at {}", name.to_text_without_dot());
        const std::string zone =
            resolver->view == "_default" ? "managed-keys-zone" : "managed-keys-zone/" + resolver->view;
        for (const auto& event : resolver->context->dnssec().managed().take_events())
            logs::resolver().info("{}: {}", zone, event);
        resolver->files.save(*resolver->context);
    }
}

void ViewResolvers::save_validation_files() {
    for (auto& resolver : all())
        resolver->files.save(*resolver->context);
}

std::shared_ptr<ViewResolver> ViewResolvers::find(const std::string& view) const {
    std::lock_guard lock(mutex_);
    const auto found = by_view_.find(view);
    return found == by_view_.end() ? nullptr : found->second;
}

std::vector<std::shared_ptr<ViewResolver>> ViewResolvers::all() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<ViewResolver>> out;
    for (const auto& [name, resolver] : by_view_)
        out.push_back(resolver);
    return out;
}

}  // namespace cairn::server
