// Clause handlers of DNSSEC validation: trust-anchors (and the older managed-keys and trusted-keys),
// validate-except, nta-lifetime, nta-recheck and synth-from-dnssec. Keys and digests are checked here, as
// named-checkconf does, so that a bad anchor fails the configuration instead of leaving a zone unvalidated.
#include <array>

#include "config/handlers.hpp"
#include "dns/rdata.hpp"

namespace cairn::config::handlers {

namespace {

TrustAnchor::Kind anchor_kind(ClauseParser& p, std::string_view statement) {
    // trusted-keys entries name no kind: they are static keys.
    if (statement == "trusted-keys") return TrustAnchor::Kind::StaticKey;
    static constexpr std::array<std::string_view, 4> kKinds = {"static-key", "initial-key", "static-ds",
                                                               "initial-ds"};
    const std::string kind = p.enum_value(kKinds);
    if (kind == "static-key") return TrustAnchor::Kind::StaticKey;
    if (kind == "initial-key") return TrustAnchor::Kind::InitialKey;
    if (kind == "static-ds") return TrustAnchor::Kind::StaticDs;
    return TrustAnchor::Kind::InitialDs;
}

}  // namespace

void trust_anchors(ClauseParser& p, Scope& s) {
    std::vector<TrustAnchor>& into = s.view != nullptr ? s.view->trust_anchors : s.config->trust_anchors;
    p.expect('{');
    while (!p.accept('}')) {
        TrustAnchor anchor;
        const Token name = p.next();
        if (!name.is_string()) p.fail(name, "expected a domain name");
        anchor.where = name.where;
        try {
            anchor.name = dns::Name::from_text(name.text, dns::Name());
        } catch (const dns::ParseError& e) {
            fail_at(name.where, "bad trust anchor name '" + name.text + "': " + e.what());
        }
        anchor.kind = anchor_kind(p, s.keyword);
        const bool ds =
            anchor.kind == TrustAnchor::Kind::StaticDs || anchor.kind == TrustAnchor::Kind::InitialDs;
        std::string text;
        for (int i = 0; i < 3; ++i)
            text += std::to_string(p.number(i == 0 ? 65535 : 255)) + " ";  // flags or key tag, then octets
        text += p.qstring();
        try {
            anchor.rdata =
                dns::rdata_from_text(ds ? dns::RRType::DS : dns::RRType::DNSKEY, text, anchor.name);
        } catch (const dns::ParseError& e) {
            fail_at(anchor.where, "bad " + std::string(ds ? "DS" : "DNSKEY") + " trust anchor for '" +
                                      name.text + "': " + e.what());
        }
        p.expect(';');
        into.push_back(std::move(anchor));
    }
}

void validate_except(ClauseParser& p, Scope& s) {
    p.expect('{');
    while (!p.accept('}')) {
        const Token token = p.peek();
        const std::string text = p.astring("domain name");
        try {
            s.view_settings->validate_except.push_back(dns::Name::from_text(text, dns::Name()));
        } catch (const dns::ParseError& e) {
            fail_at(token.where, "validate-except '" + text + "': " + e.what());
        }
        p.expect(';');
    }
}

void validation_duration(ClauseParser& p, Scope& s) {
    const std::uint32_t value = p.duration_value();
    if (s.keyword == "nta-lifetime") s.view_settings->nta_lifetime = value;
    if (s.keyword == "nta-recheck") s.view_settings->nta_recheck = value;
}

void synth_from_dnssec(ClauseParser& p, Scope& s) {
    s.view_settings->synth_from_dnssec = p.boolean();
}

}  // namespace cairn::config::handlers
