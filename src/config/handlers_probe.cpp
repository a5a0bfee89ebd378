// Clause handlers of cairn's own `probe "NAME" { ... };` statement (issue 17's synthetic probes; BIND has no
// such statement, so named-checkconf refuses a configuration that has one). The values are checked here:
// a name, a known type, every 1..86400 s, a timeout 1..60 s not above `every`, addresses with optional
// ports, and expected rdata as quoted or bare strings.
#include "config/handlers.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace cairn::config::handlers {

void probe_statement(ClauseParser& p, Scope& s) {
    Probe probe;
    probe.where = s.where;
    const Token name = p.next();
    if (!name.is_string()) p.fail(name, "expected string");
    probe.name_text = name.text;
    try {
        probe.name = dns::Name::from_text(name.text, dns::Name());
    } catch (const dns::ParseError& e) {
        fail_at(name.where, "probe '" + name.text + "': invalid name: " + e.what());
    }
    Scope inner;
    inner.config = s.config;
    inner.probe = &probe;
    p.parse_block(kProbe, inner);
    if (probe.timeout > probe.every)
        fail_at(probe.where, "probe '" + probe.name_text + "': timeout " + std::to_string(probe.timeout) +
                                 " is longer than every " + std::to_string(probe.every));
    for (const Probe& other : s.config->probes) {
        if (other.name == probe.name && other.type == probe.type)
            fail_at(probe.where, "probe '" + probe.name_text + "' type " + dns::type_to_text(probe.type) +
                                     " is already defined");
    }
    s.config->probes.push_back(std::move(probe));
}

void probe_type(ClauseParser& p, Scope& s) {
    const Token token = p.next();
    const std::optional<dns::RRType> type =
        token.is_string() ? dns::type_from_text(token.text) : std::nullopt;
    if (!type) p.fail(token, "expected a record type");
    s.probe->type = *type;
}

void probe_seconds(ClauseParser& p, Scope& s) {
    const Token at = p.peek();
    if (s.keyword == "every") {
        s.probe->every = static_cast<std::uint32_t>(p.number(86400));
        if (s.probe->every == 0) p.fail(at, "every must be at least 1 second");
    } else {
        s.probe->timeout = static_cast<std::uint32_t>(p.number(60));
        if (s.probe->timeout == 0) p.fail(at, "timeout must be at least 1 second");
    }
}

// servers { ADDRESS [port N]; ... };
void probe_servers(ClauseParser& p, Scope& s) {
    p.expect('{');
    while (!p.accept('}')) {
        SocketAddress server{p.ip_address(), std::nullopt};
        if (p.accept_keyword("port")) server.port = p.port();
        p.expect(';');
        s.probe->servers.push_back(server);
    }
}

// expect { "RDATA"; ... };
void probe_expect(ClauseParser& p, Scope& s) {
    p.expect('{');
    while (!p.accept('}')) {
        s.probe->expect.push_back(p.astring("rdata"));
        p.expect(';');
    }
}

}  // namespace cairn::config::handlers
