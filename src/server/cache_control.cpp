#include "server/cache_control.hpp"

#include <ctime>

#include "dns/text.hpp"
#include "dns/types.hpp"
#include "resolver/nta.hpp"
#include "resolver/trust_anchors.hpp"
#include "resolver/validator.hpp"
#include "server/atomic_file.hpp"
#include "server/log_setup.hpp"

namespace cairn::server {

namespace {

// The operator's name for a view: BIND leaves the default one out.
std::string label(const ViewResolver& resolver, bool several) {
    if (!several && resolver.view == kDefaultViewName) return "";
    return "view " + resolver.view + ": ";
}

std::optional<dns::Name> parse_name(const std::string& text, ctl::CommandResult& error) {
    try {
        return dns::Name::from_text(text, dns::Name());
    } catch (const dns::ParseError& e) {
        error = ctl::CommandResult::failure("bad name '" + text + "': " + e.what(), "bad dotted quad");
        return std::nullopt;
    }
}

}  // namespace

void CacheControl::set_secroots_file(std::string path) {
    std::lock_guard lock(mutex_);
    secroots_file_ = std::move(path);
}

std::vector<std::shared_ptr<ViewResolver>> CacheControl::selected(const std::optional<std::string>& view,
                                                                  ctl::CommandResult& error) const {
    if (!view) {
        auto all = resolvers_.all();
        if (all.empty())
            error = ctl::CommandResult::failure("no view has a cache (recursion is off)", "not found",
                                                ctl::kResultNotFound);
        return all;
    }
    if (auto one = resolvers_.find(*view)) return {one};
    error = ctl::CommandResult::failure("view '" + *view + "' does not exist or has no cache", "not found",
                                        ctl::kResultNotFound);
    return {};
}

ctl::CommandResult CacheControl::each_view(const std::optional<std::string>& view, std::string_view separator,
                                           const std::function<std::string(ViewResolver&)>& one) const {
    ctl::CommandResult error;
    const auto chosen = selected(view, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        if (!text.empty()) text += separator;
        text += one(*resolver);
    }
    return ctl::CommandResult::success(text);
}

ctl::CommandResult CacheControl::flush(const std::optional<std::string>& view) {
    ctl::CommandResult error;
    const auto chosen = selected(view, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        const resolver::FlushCounts counts = resolver->context->flush();
        if (!text.empty()) text += '\n';
        text += label(*resolver, chosen.size() > 1) + "flushed the cache: " + resolver::to_text(counts) +
                ", " + std::to_string(counts.servers) + " servers forgotten";
        logs::general().info("{}flushed the cache: {}", label(*resolver, chosen.size() > 1),
                             resolver::to_text(counts));
    }
    return ctl::CommandResult::success(text);
}

ctl::CommandResult CacheControl::flush_name(const std::string& name_text, bool tree,
                                            const std::optional<std::string>& view) {
    ctl::CommandResult error;
    const auto name = parse_name(name_text, error);
    if (!name) return error;
    const auto chosen = selected(view, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        const resolver::FlushCounts counts =
            tree ? resolver->context->flush_tree(*name) : resolver->context->flush_name(*name);
        if (!text.empty()) text += '\n';
        text += label(*resolver, chosen.size() > 1) + (tree ? "flushed the tree " : "flushed ") +
                name->to_text() + ": " + resolver::to_text(counts);
        logs::general().info("{}flush{} {}: {}", label(*resolver, chosen.size() > 1), tree ? "tree" : "name",
                             name->to_text(), resolver::to_text(counts));
    }
    return ctl::CommandResult::success(text);
}

std::vector<std::shared_ptr<ViewResolver>> CacheControl::selected(const std::vector<std::string>& views,
                                                                  ctl::CommandResult& error) const {
    if (views.empty()) return selected(std::nullopt, error);
    std::vector<std::shared_ptr<ViewResolver>> chosen;
    for (const auto& name : views) {
        auto one = selected(name, error);
        if (one.empty()) return {};
        chosen.push_back(one.front());
    }
    return chosen;
}

std::optional<std::string> CacheControl::cache_dump(const std::string& view) {
    const auto resolver = resolvers_.find(view);
    if (!resolver) return std::nullopt;
    std::string text = ";\n; Cache dump of view '" + view + "' (cache " + view + ")\n;\n";
    text += resolver->context->dump_cache();
    if (text.back() != '\n') text += '\n';
    return text;
}

ctl::CommandResult CacheControl::serve_stale(const std::string& action,
                                             const std::optional<std::string>& view) {
    ctl::CommandResult error;
    const auto chosen = selected(view, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        if (action == "on") resolver->context->set_serve_stale(true);
        if (action == "off") resolver->context->set_serve_stale(false);
        if (action == "reset") resolver->context->set_serve_stale(std::nullopt);
        if (!text.empty()) text += '\n';
        text += resolver->view + ": " + resolver->context->serve_stale_status().to_text();
    }
    return ctl::CommandResult::success(text);
}

ctl::CommandResult CacheControl::inspect(const std::string& name_text,
                                         const std::optional<std::string>& type_text,
                                         const std::optional<std::string>& view) {
    ctl::CommandResult error;
    const auto name = parse_name(name_text, error);
    if (!name) return error;
    std::optional<dns::RRType> type;
    std::optional<std::string> view_name = view;
    if (type_text) {
        type = dns::type_from_text(*type_text);
        // `cache NAME VIEW` (no type) is read as such when the word is not a type.
        if (!type && !view_name) {
            view_name = type_text;
        } else if (!type) {
            return ctl::CommandResult::failure("unknown type '" + *type_text + "'", "bad type");
        }
    }
    const auto chosen = selected(view_name, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        if (!text.empty()) text += "\n\n";
        if (chosen.size() > 1) text += "view " + resolver->view + ":\n";
        text += resolver->context->inspect(*name, type).to_text();
    }
    return ctl::CommandResult::success(text);
}

// rndc nta: BIND answers "Negative trust anchor added: NAME/VIEW, expires DATE" (or "removed").
ctl::CommandResult CacheControl::nta(const std::string& name_text, std::optional<std::uint32_t> lifetime,
                                     bool force, bool remove, const std::optional<std::string>& view) {
    ctl::CommandResult error;
    const auto name = parse_name(name_text, error);
    if (!name) return error;
    const auto chosen = selected(view, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        if (!text.empty()) text += '\n';
        const std::string where = name->to_text_without_dot() + "/" + resolver->view;
        if (remove) {
            const bool removed = resolver->context->remove_nta(*name);
            text +=
                removed ? "Negative trust anchor removed: " + where : "No negative trust anchor for " + where;
            if (removed) logs::general().info("negative trust anchor removed: {}", where);
            continue;
        }
        const resolver::NegativeTrustAnchor a = resolver->context->add_nta(*name, lifetime, force);
        text += "Negative trust anchor added: " + where + ", expires " + resolver::bind_date_text(a.expiry);
        logs::general().info("negative trust anchor added: {}, expires {}", where,
                             resolver::bind_date_text(a.expiry));
    }
    for (const auto& resolver : chosen)
        resolver->files.save(*resolver->context);  // at once: a stop right after must not lose it
    return ctl::CommandResult::success(text);
}

ctl::CommandResult CacheControl::nta_dump() {
    ctl::CommandResult error;
    const auto chosen = selected(std::nullopt, error);
    if (chosen.empty()) return error;
    std::string text;
    for (const auto& resolver : chosen) {
        const auto& context = *resolver->context;
        const std::string one = context.dnssec().ntas().dump(std::time(nullptr), resolver->view);
        if (one.empty()) continue;
        if (!text.empty()) text += '\n';
        text += one;
    }
    return ctl::CommandResult::success(text.empty() ? "no negative trust anchors" : text);
}

// rndc secroots [-] [VIEW...]: BIND's "secure roots as of DATE:" and each view's anchors and NTAs, written
// to secroots-file (replaced whole, as BIND opens it "w") or, with -, answered.
ctl::CommandResult CacheControl::secroots(const std::vector<std::string>& views, bool print) {
    ctl::CommandResult error;
    const auto chosen = selected(views, error);
    if (chosen.empty()) return error;
    std::string text = "secure roots as of " + resolver::bind_date_text(std::time(nullptr)) + ":\n";
    for (const auto& resolver : chosen)
        text += resolver->context->dnssec().secroots(resolver->view);
    if (print) return ctl::CommandResult::success(text);
    std::string path;
    {
        std::lock_guard lock(mutex_);
        path = secroots_file_;
    }
    std::string why;
    if (!write_file_atomically(path, text + "\n", why)) return ctl::CommandResult::failure(why);
    return ctl::CommandResult::success("secure roots written to " + path);
}

// rndc validation on|off|status: as BIND, a change flushes the view's cache.
ctl::CommandResult CacheControl::validation(const std::string& action,
                                            const std::optional<std::string>& view) {
    return each_view(view, "\n", [&](ViewResolver& resolver) {
        auto& context = *resolver.context;
        if (action != "status" && context.set_validating(action == "on"))
            logs::general().info("view {}: validation turned {}", resolver.view, action);
        return "DNSSEC validation is " + std::string(context.validating() ? "enabled" : "disabled") +
               " (view " + resolver.view + ")";
    });
}

namespace {

// One view's `rndc managed-keys status`, BIND 9.18's layout (server.c mkey_status / mkey_dumpzone):
//
//   view: _default
//   next scheduled event: Mon, 07 Dec 2026 23:40:00 GMT
//
//   name: example
//   keyid: 12345
//   	algorithm: ECDSAP256SHA256
//   	flags: SEP
//   	next refresh: Mon, 07 Dec 2026 23:40:00 GMT
//   	trusted since: Mon, 07 Dec 2026 23:10:00 GMT
//
// with "trust pending: T" for a key in its add hold-down and "remove at: T" then "trust revoked" for a
// revoked one; a zone still initializing lists its configured anchors with "no trust" (BIND's KEYDATA of an
// initial key not yet verified).
std::string managed_keys_status(const std::string& view, const resolver::ManagedKeys& managed) {
    const auto zones = managed.zones();
    std::int64_t next = 0;
    for (const auto& z : zones) {
        if (next == 0 || (z.next_refresh != 0 && z.next_refresh < next)) next = z.next_refresh;
    }
    std::string out =
        "view: " + view + "\nnext scheduled event: " + (next == 0 ? "never" : ctl::format_rfc1123(next));
    if (zones.empty()) return out + "\n\nno managed keys";
    for (const auto& z : zones) {
        out += "\n\nname: " + z.zone.to_text_without_dot();
        const std::string refresh = z.next_refresh == 0 ? "now" : ctl::format_rfc1123(z.next_refresh);
        auto key_lines = [&](std::uint16_t tag, std::uint8_t algorithm, bool revoked) {
            out += "\nkeyid: " + std::to_string(tag) +
                   "\n\talgorithm: " + std::string(dns::dnssec_algorithm_mnemonic(algorithm)) +
                   "\n\tflags:" + (revoked ? " REVOKE" : "") + " SEP\n\tnext refresh: " + refresh;
        };
        if (!z.initialised) {
            for (const auto& a : z.initial) {
                const auto id = resolver::anchor_id(a);
                if (!id) continue;
                key_lines(id->tag, id->algorithm, false);
                out += "\n\tno trust";
            }
            continue;
        }
        for (const auto& k : z.keys) {
            const bool revoked = k.state == resolver::ManagedKeyState::revoked;
            key_lines(k.tag, k.algorithm, revoked);
            if (revoked) {
                out += "\n\tremove at: " + ctl::format_rfc1123(k.remove_at) + "\n\ttrust revoked";
            } else if (k.state == resolver::ManagedKeyState::add_pending) {
                out += "\n\ttrust pending: " + ctl::format_rfc1123(k.trust_at);
            } else {
                out +=
                    "\n\ttrusted since: " + ctl::format_rfc1123(k.trust_at != 0 ? k.trust_at : k.first_seen);
            }
        }
    }
    return out;
}

}  // namespace

// rndc managed-keys status|refresh|sync [class [view]] (BIND 9.18): the RFC 5011 state, a refresh of every
// managed zone now (the housekeeping asks within a second), the state file written now.
ctl::CommandResult CacheControl::managed_keys(const std::string& action,
                                              const std::optional<std::string>& view) {
    return each_view(view, action == "status" ? "\n\n" : "\n", [&](ViewResolver& resolver) {
        auto& managed = resolver.context->dnssec().managed();
        if (action == "status") return managed_keys_status(resolver.view, managed);
        if (action == "refresh") {
            managed.refresh_now();
            return "refreshing managed keys for '" + resolver.view + "'";
        }
        managed.mark_dirty();
        resolver.files.save(*resolver.context);
        return "managed keys of view '" + resolver.view + "' written to " +
               resolver.files.managed_keys_path();
    });
}

}  // namespace cairn::server
