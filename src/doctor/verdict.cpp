#include "doctor/verdict.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "dns/rdata.hpp"
#include "dns/serial.hpp"
#include "zone/diff.hpp"

namespace cairn::doctor {

namespace {

std::string ms(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f ms", value);
    return buffer;
}

std::string seconds(std::uint64_t s) {
    return std::to_string(s) + " s";
}

bool is_negative(const dns::Message& m) {
    return m.rcode() == dns::Rcode::NXDOMAIN || (m.rcode() == dns::Rcode::NOERROR && m.answer.empty());
}

bool has_data(const dns::Message& m) {
    return m.rcode() == dns::Rcode::NOERROR && !m.answer.empty();
}

// The records of the answer section, RRSIGs left out: "A 192.0.2.1, A 192.0.2.2".
std::string answer_text(const dns::Message& m) {
    std::vector<std::string> parts;
    for (const auto& rr : m.answer) {
        if (rr.type == dns::RRType::RRSIG) continue;
        parts.push_back(dns::type_to_text(rr.type) + " " + dns::rdata_to_text(rr.type, rr.rdata));
    }
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

// "NOERROR: A 192.0.2.1" / "NXDOMAIN" / "NOERROR (no data)".
std::string result_text(const QueryResult& r) {
    if (!r.answered()) return r.describe();
    const dns::Message& m = *r.message;
    std::string text = dns::rcode_to_text(m.rcode());
    if (has_data(m)) return text + ": " + answer_text(m);
    if (m.rcode() == dns::Rcode::NOERROR) text += " (no data)";
    return text;
}

std::optional<std::uint32_t> min_answer_ttl(const dns::Message& m) {
    std::optional<std::uint32_t> ttl;
    for (const auto& rr : m.answer)
        if (rr.type != dns::RRType::RRSIG) ttl = std::min(ttl.value_or(rr.ttl), rr.ttl);
    return ttl;
}

// A negative answer's SOA TTL: what a resolver has left of its negative cache entry (RFC 2308 §5).
std::optional<std::uint32_t> negative_ttl(const dns::Message& m) {
    for (const auto& rr : m.authority)
        if (rr.type == dns::RRType::SOA) return rr.ttl;
    return std::nullopt;
}

std::optional<std::uint32_t> expire_option(const dns::Message& m) {
    if (!m.edns) return std::nullopt;
    const auto* option = m.edns->find(dns::EdnsOptionCode::EXPIRE);
    if (option == nullptr) return std::nullopt;
    return dns::parse_expire(option->data);
}

std::optional<std::uint32_t> soa_serial_of(const dns::Message& m, const dns::Name& zone) {
    for (const auto& rr : m.answer)
        if (rr.type == dns::RRType::SOA && rr.owner == zone) return zone::soa_serial(rr.rdata);
    return std::nullopt;
}

std::string authority_label(const AuthorityObservation& a) {
    return a.name.to_text() + " at " + a.address.to_string();
}

bool resolver_down(const ResolverObservation& r) {
    return !r.udp.answered() && !r.tcp.answered();
}

struct Checker {
    const Observations& o;
    Diagnosis& d;

    Finding& finding(Failure f) {
        for (auto& existing : d.findings)
            if (existing.failure == f) return existing;
        d.findings.push_back(Finding{f, {}, {}});
        return d.findings.back();
    }

    // Step 1 of the article's triage, "which resolver the host is actually using".
    void resolv_conf() {
        Step step{"resolv.conf", StepStatus::ok, {}};
        if (!o.resolv_conf) {
            step.status = o.resolv_conf_error.empty() ? StepStatus::skipped : StepStatus::warning;
            step.lines.push_back(o.resolv_conf_error.empty() ? "not read (resolvers given with --resolver)"
                                                             : o.resolv_conf_error);
            d.steps.push_back(std::move(step));
            return;
        }
        const ResolvConf& c = *o.resolv_conf;
        std::string servers;
        for (const auto& a : c.nameservers)
            servers += (servers.empty() ? "" : ", ") + a.to_string();
        step.lines.push_back(o.resolv_conf_path + ": nameservers " + servers);
        std::string search;
        for (const auto& s : c.search)
            search += " " + s;
        step.lines.push_back("options timeout:" + std::to_string(c.timeout) +
                             " attempts:" + std::to_string(c.attempts) + (c.rotate ? " rotate" : "") +
                             " ndots:" + std::to_string(c.ndots) +
                             (search.empty() ? "" : "; search" + search));
        step.lines.push_back("a silent first resolver costs every lookup " + seconds(failover_seconds(c)) +
                             " before the next is asked" +
                             (c.rotate ? " (with rotate: the lookups that start with it)" : "") +
                             "; with all silent a lookup fails after " + seconds(all_silent_seconds(c)));
        const std::string typed = o.name.to_text();  // absolute: its last dot is not one the user typed
        const auto dots = static_cast<std::size_t>(std::count(typed.begin(), typed.end() - 1, '.'));
        if (!c.search.empty() && dots < c.ndots)
            step.lines.push_back("a short name (fewer than ndots:" + std::to_string(c.ndots) +
                                 " dots) tries " + std::to_string(c.search.size()) +
                                 " search domain(s) first: each try pays that delay again");
        for (const auto& line : c.ignored)
            step.lines.push_back("ignored as glibc ignores it: " + line);
        d.steps.push_back(std::move(step));
    }

    // Step 2: each resolver on port 53, UDP and TCP, with its latency.
    void resolvers() {
        Step step{"resolvers", StepStatus::ok, {}};
        if (o.resolvers.empty()) {
            step.status = StepStatus::skipped;
            step.lines.push_back("no resolver to check");
        }
        std::size_t down = 0;
        for (const auto& r : o.resolvers) {
            step.lines.push_back(
                r.server.to_string() +
                (r.from_resolv_conf ? " (resolv.conf #" + std::to_string(r.position + 1) + ")" : "") +
                ": UDP " + result_text(r.udp) + (r.udp.answered() ? " in " + ms(r.udp.rtt_ms) : "") +
                "; TCP " +
                (r.tcp.answered() ? dns::rcode_to_text(r.tcp.rcode()) + " in " + ms(r.tcp.rtt_ms)
                                  : r.tcp.describe()));
            if (resolver_down(r)) ++down;
            if (r.udp.answered() && !r.tcp.answered()) {
                // Not a failure of this name yet, but every answer too large for UDP will be one.
                step.status = StepStatus::warning;
                step.lines.push_back(r.server.to_string() +
                                     " does not answer over TCP: answers that come back truncated will fail");
            }
        }
        if (down == 0) {
            d.steps.push_back(std::move(step));
            return;
        }
        step.status = StepStatus::failed;
        Finding& f = finding(Failure::resolver_down);
        const bool all_down = down == o.resolvers.size();
        for (const auto& r : o.resolvers) {
            if (!resolver_down(r)) continue;
            std::string line =
                "resolver " + r.server.to_string() +
                (r.from_resolv_conf ? " (nameserver #" + std::to_string(r.position + 1) + " in resolv.conf)"
                                    : "") +
                " does not answer: UDP " + r.udp.describe() + ", TCP " + r.tcp.describe();
            f.evidence.push_back(line);
            if (r.from_resolv_conf && o.resolv_conf && !all_down) {
                const ResolvConf& c = *o.resolv_conf;
                const bool silent = r.udp.outcome == QueryResult::Outcome::timeout;
                const std::string who = r.position == 0 ? "every lookup" : "every lookup that reaches it";
                if (silent)
                    f.blast_radius.push_back(who + (c.rotate ? " that starts with it" : "") + " waits " +
                                             seconds(failover_seconds(c)) +
                                             " (timeout:" + std::to_string(c.timeout) +
                                             ") before glibc asks the next resolver");
                else
                    f.blast_radius.push_back(
                        who + " is refused by " + r.server.address.to_string() +
                        " and fails over at once; were the host silent instead, each would "
                        "wait " +
                        seconds(failover_seconds(c)) + " (timeout:" + std::to_string(c.timeout) + ")");
            }
        }
        for (const auto& r : o.resolvers)
            if (!resolver_down(r))
                f.evidence.push_back("resolver " + r.server.to_string() + " answers: " + result_text(r.udp));
        if (all_down)
            f.blast_radius.push_back("every lookup fails" +
                                     (o.resolv_conf
                                          ? " after " + seconds(all_silent_seconds(*o.resolv_conf)) +
                                                " when the resolvers are silent"
                                          : std::string()) +
                                     ": nothing resolves for the clients of these resolvers");
        d.steps.push_back(std::move(step));
    }

    // Step 4 (the article's "identify authoritative nameservers"), found from the root hints.
    void delegation() {
        Step step{"delegation", StepStatus::ok, o.delegation.trail};
        if (!o.delegation.found()) {
            step.status = StepStatus::failed;
            step.lines.push_back("the walk from the root hints stopped: " + o.delegation.error);
            if (!o.delegation.error.empty() && o.authorities.empty()) {
                Finding& f = finding(Failure::authoritative_down);
                f.evidence.push_back("the walk from the root hints got no answer: " + o.delegation.error);
            }
        } else {
            std::string servers;
            for (const auto& n : o.delegation.servers)
                servers += " " + n.to_text();
            step.lines.push_back("zone " + o.delegation.zone.to_text() + ": NS" + servers + " (TTL " +
                                 std::to_string(o.delegation.ns_ttl) + ")");
        }
        d.steps.push_back(std::move(step));
    }

    // Step 4 continued: every name server at every address, directly.
    void authorities() {
        Step step{"authorities", StepStatus::ok, {}};
        if (o.authorities.empty()) {
            step.status = StepStatus::skipped;
            step.lines.push_back("no name server address to ask");
            d.steps.push_back(std::move(step));
            return;
        }
        std::vector<const AuthorityObservation*> down, expired, lame, serving;
        for (const auto& a : o.authorities) {
            std::string line = authority_label(a) + ": SOA " + a.soa.describe();
            if (!a.soa.answered()) {
                down.push_back(&a);
            } else {
                const dns::Message& m = *a.soa.message;
                const auto rcode = m.rcode();
                line += " " + dns::rcode_to_text(rcode) + (m.header.aa ? " aa" : "");
                if (rcode == dns::Rcode::SERVFAIL) {
                    expired.push_back(&a);
                } else if (rcode == dns::Rcode::REFUSED || rcode == dns::Rcode::NOTAUTH || !m.header.aa) {
                    lame.push_back(&a);
                } else {
                    serving.push_back(&a);
                    if (const auto serial = soa_serial_of(m, o.delegation.zone))
                        line += ", serial " + std::to_string(*serial);
                    if (const auto expire = expire_option(m)) line += ", EDNS EXPIRE " + seconds(*expire);
                }
            }
            line += "; " + o.name.to_text() + " " + dns::type_to_text(o.type) + ": " + result_text(a.answer);
            step.lines.push_back(line);
        }
        if (!down.empty()) {
            Finding& f = finding(Failure::authoritative_down);
            for (const auto* a : down)
                f.evidence.push_back("name server " + authority_label(*a) +
                                     " does not answer: " + a->soa.describe());
            if (down.size() == o.authorities.size()) {
                f.evidence.push_back("none of the " + std::to_string(o.authorities.size()) +
                                     " addresses of " + o.delegation.zone.to_text() +
                                     "'s name servers answers");
                cached_answers_blast(f);
            } else {
                f.blast_radius.push_back(
                    std::to_string(down.size()) + " of " + std::to_string(o.authorities.size()) +
                    " name server addresses do not answer: resolvers that pick them wait and "
                    "retry the others (slower answers, SERVFAIL when the rest fail too)");
            }
        }
        if (!expired.empty()) {
            Finding& f = finding(Failure::zone_expired);
            for (const auto* a : expired)
                f.evidence.push_back("name server " + authority_label(*a) + " answers SERVFAIL for " +
                                     o.delegation.zone.to_text() +
                                     " SOA: it no longer serves the zone (a secondary past its SOA expire)");
            for (const auto* a : serving) {
                std::string line = "name server " + authority_label(*a) + " still serves it";
                if (const auto serial = soa_serial_of(*a->soa.message, o.delegation.zone))
                    line += " (serial " + std::to_string(*serial) + ")";
                f.evidence.push_back(line);
            }
            f.blast_radius.push_back(
                "resolvers that pick " + std::to_string(expired.size()) + " of " +
                std::to_string(o.authorities.size()) +
                " name server addresses get SERVFAIL for every name of the zone" +
                (serving.empty() ? "; no server serves it, so every lookup fails once cached answers expire"
                                 : " and must retry another"));
        }
        if (!lame.empty()) {
            Finding& f = finding(Failure::lame_delegation);
            for (const auto* a : lame)
                f.evidence.push_back("name server " + authority_label(*a) + " is delegated " +
                                     o.delegation.zone.to_text() + " but answers " +
                                     dns::rcode_to_text(a->soa.message->rcode()) +
                                     (a->soa.message->header.aa ? "" : " without AA") + " for its SOA");
            f.blast_radius.push_back(
                "resolvers that pick it get no usable answer and retry another server; "
                "all lame means SERVFAIL");
        }
        if (!down.empty() || !expired.empty() || !lame.empty())
            step.status = serving.empty() ? StepStatus::failed : StepStatus::warning;
        d.steps.push_back(std::move(step));
    }

    // What the resolvers have cached decides when an authoritative outage reaches each client (type 2).
    void cached_answers_blast(Finding& f) {
        std::optional<std::uint32_t> shortest;
        for (const auto& r : o.resolvers) {
            if (!r.udp.answered()) continue;
            const dns::Message& m = *r.udp.message;
            if (has_data(m)) {
                const auto ttl = min_answer_ttl(m).value_or(0);
                shortest = std::min(shortest.value_or(ttl), ttl);
                f.blast_radius.push_back("resolver " + r.server.to_string() + " serves its cached " +
                                         answer_text(m) + " for " + seconds(ttl) + " more, then SERVFAIL");
            } else if (m.rcode() == dns::Rcode::SERVFAIL) {
                f.blast_radius.push_back("resolver " + r.server.to_string() + " already answers SERVFAIL");
            }
        }
        f.blast_radius.push_back("every name of " + o.delegation.zone.to_text() +
                                 " not in a resolver's cache fails now");
        if (shortest)
            f.evidence.push_back("the shortest TTL left in the resolvers' caches: " + seconds(*shortest));
    }

    // Step 6: SOA serial consistency across the name servers (RFC 1982), and EDNS EXPIRE.
    void serials() {
        Step step{"serials", StepStatus::ok, {}};
        std::vector<std::pair<const AuthorityObservation*, std::uint32_t>> serials;
        for (const auto& a : o.authorities)
            if (a.soa.answered() && a.soa.message->header.aa)
                if (const auto s = soa_serial_of(*a.soa.message, o.delegation.zone))
                    serials.emplace_back(&a, *s);
        if (serials.empty()) {
            step.status = StepStatus::skipped;
            step.lines.push_back("no name server gave the zone's SOA");
            d.steps.push_back(std::move(step));
            return;
        }
        std::uint32_t newest = serials.front().second;
        for (const auto& [a, s] : serials)
            if (dns::serial_greater(s, newest)) newest = s;
        std::vector<std::string> behind;
        for (const auto& [a, s] : serials) {
            const auto order = dns::serial_compare(s, newest);
            if (order == dns::SerialOrder::Equal) continue;
            behind.push_back("name server " + authority_label(*a) + " serves serial " + std::to_string(s) +
                             (order == dns::SerialOrder::Undefined ? ", whose order against " : ", behind ") +
                             std::to_string(newest) + " (RFC 1982)");
        }
        step.lines.push_back(behind.empty() ? "every name server serves serial " + std::to_string(newest)
                                            : "newest serial " + std::to_string(newest));
        for (const auto& a : o.authorities)
            if (a.soa.answered())
                if (const auto expire = expire_option(*a.soa.message))
                    step.lines.push_back(authority_label(a) + ": EDNS EXPIRE " + seconds(*expire) +
                                         (*expire == 0 ? " (expired)" : " left"));
        if (!behind.empty()) {
            step.status = StepStatus::warning;
            Finding& f = finding(Failure::serial_mismatch);
            f.evidence = behind;
            f.blast_radius.push_back(
                "resolvers that pick a server behind get the older version of the zone; "
                "it expires there if transfers keep failing");
            for (const auto& line : behind)
                step.lines.push_back(line);
        }
        d.steps.push_back(std::move(step));
    }

    // Step 5: the chain of trust, and the resolvers' answers with and without CD.
    void dnssec() {
        Step step{"dnssec", StepStatus::ok, o.dnssec.lines};
        std::vector<std::string> validation_failures;
        for (const auto& r : o.resolvers) {
            if (!r.udp.answered() || !r.checking_disabled.answered()) continue;
            const auto plain = r.udp.message->rcode();
            const auto cd = r.checking_disabled.message->rcode();
            step.lines.push_back("resolver " + r.server.to_string() + ": " + dns::rcode_to_text(plain) +
                                 (r.udp.message->header.ad ? " ad" : "") +
                                 "; with CD: " + dns::rcode_to_text(cd));
            if (plain == dns::Rcode::SERVFAIL && cd != dns::Rcode::SERVFAIL)
                validation_failures.push_back(
                    "resolver " + r.server.to_string() + " answers SERVFAIL, but " + dns::rcode_to_text(cd) +
                    " with CD (checking disabled): its validation rejects the answer");
        }
        switch (o.dnssec.status) {
            case DnssecFindings::Status::not_checked:
                step.status = StepStatus::skipped;
                if (o.dnssec.lines.empty()) step.lines.push_back("chain not checked");
                break;
            case DnssecFindings::Status::insecure:
                step.lines.push_back("insecure: nothing to validate below the last DS");
                break;
            case DnssecFindings::Status::secure:
                step.lines.push_back("chain of trust secure from the anchor");
                break;
            case DnssecFindings::Status::bogus:
                step.status = StepStatus::failed;
                break;
        }
        if (o.dnssec.earliest_expiration) {
            const std::int64_t left = static_cast<std::int64_t>(*o.dnssec.earliest_expiration) - o.now;
            if (left > 0 && left < 7 * 86400) {
                step.lines.push_back("a signature expires in " + seconds(static_cast<std::uint64_t>(left)) +
                                     " (less than the article's seven-day warning)");
                if (step.status == StepStatus::ok) step.status = StepStatus::warning;
            }
        }
        if (o.dnssec.status == DnssecFindings::Status::bogus || !validation_failures.empty()) {
            step.status = StepStatus::failed;
            Finding& f = finding(Failure::dnssec);
            f.evidence = o.dnssec.problems;
            for (const auto& line : validation_failures)
                f.evidence.push_back(line);
            bool authorities_answer = false;
            for (const auto& a : o.authorities)
                authorities_answer =
                    authorities_answer || (a.answer.answered() && a.answer.message->header.aa);
            if (authorities_answer)
                f.evidence.push_back(
                    "the name servers answer normally when asked directly: the data is there, "
                    "its signatures are not valid");
            f.blast_radius.push_back(
                "every validating resolver answers SERVFAIL for " + o.name.to_text() +
                " (and for every name the broken link covers); non-validating ones still "
                "answer");
            // A validating resolver that validated before the break serves its cache until the TTL runs out.
            for (const auto& r : o.resolvers)
                if (r.udp.answered() && has_data(*r.udp.message))
                    f.blast_radius.push_back("resolver " + r.server.to_string() + " still answers " +
                                             answer_text(*r.udp.message) +
                                             (r.udp.message->header.ad ? " (ad)" : "") + " for " +
                                             seconds(min_answer_ttl(*r.udp.message).value_or(0)) +
                                             " more; a validating one fails once it must fetch it again");
        }
        d.steps.push_back(std::move(step));
    }

    // What the authorities say now, from their answers to NAME TYPE.
    const AuthorityObservation* authoritative_data() const {
        for (const auto& a : o.authorities)
            if (a.answer.answered() && a.answer.message->header.aa && has_data(*a.answer.message)) return &a;
        return nullptr;
    }

    // Type 5: a resolver's NXDOMAIN or NODATA against the data the authorities serve now.
    void negative_answers() {
        Step step{"negative answers", StepStatus::ok, {}};
        const AuthorityObservation* source = authoritative_data();
        for (const auto& r : o.resolvers) {
            if (!r.udp.answered() || !is_negative(*r.udp.message)) continue;
            const auto ttl = negative_ttl(*r.udp.message);
            step.lines.push_back("resolver " + r.server.to_string() + ": " + result_text(r.udp) +
                                 (ttl ? ", negative TTL left " + seconds(*ttl) : ""));
            if (source == nullptr) continue;
            step.status = StepStatus::failed;
            Finding& f = finding(Failure::negative_cache);
            f.evidence.push_back("resolver " + r.server.to_string() + " answers " + result_text(r.udp) +
                                 (ttl ? " with " + seconds(*ttl) + " of negative TTL left" : ""));
            f.blast_radius.push_back("clients of " + r.server.to_string() + " get " +
                                     dns::rcode_to_text(r.udp.message->rcode()) + " for " + o.name.to_text() +
                                     (ttl ? " for " + seconds(*ttl) + " more" : " until the entry expires") +
                                     ", then the new data");
        }
        if (source != nullptr && step.status == StepStatus::failed) {
            Finding& f = finding(Failure::negative_cache);
            f.evidence.push_back("the authorities answer now: " + result_text(source->answer) + " (" +
                                 authority_label(*source) + ")");
        }
        if (step.lines.empty()) step.lines.push_back("no resolver holds a negative answer");
        d.steps.push_back(std::move(step));
    }

    // Type 6: the same question from different source addresses (--from).
    void sources() {
        Step step{"source addresses", StepStatus::ok, {}};
        if (o.sources.empty()) {
            step.status = StepStatus::skipped;
            step.lines.push_back("no --from address given");
            d.steps.push_back(std::move(step));
            return;
        }
        std::map<std::string, std::vector<const SourceObservation*>> by_server;
        for (const auto& s : o.sources)
            by_server[s.server].push_back(&s);
        for (const auto& [server, observed] : by_server) {
            std::map<std::string, std::vector<std::string>> by_answer;  // answer -> sources
            for (const auto* s : observed) {
                const std::string text = result_text(s->result);
                step.lines.push_back("from " + s->source.to_string() + " to " + server + ": " + text);
                if (s->result.answered())
                    by_answer[answer_signature(*s->result.message)].push_back(s->source.to_string());
            }
            if (by_answer.size() < 2) continue;
            step.status = StepStatus::failed;
            Finding& f = finding(Failure::split_horizon);
            for (const auto* s : observed)
                f.evidence.push_back(server + " answers " + s->source.to_string() + ": " +
                                     result_text(s->result));
            for (const auto& [answer, from] : by_answer) {
                std::string list;
                for (const auto& a : from)
                    list += (list.empty() ? "" : ", ") + a;
                f.blast_radius.push_back("clients like " + list + " get " + answer);
            }
        }
        d.steps.push_back(std::move(step));
    }
};

std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : separator) + p;
    return out;
}

}  // namespace

std::string QueryResult::describe() const {
    switch (outcome) {
        case Outcome::not_sent:
            return "not asked (out of time)";
        case Outcome::answer:
            return std::string("answer in ") + ms(rtt_ms) + (over_tcp ? " over TCP" : "");
        case Outcome::timeout:
            return "timeout";
        case Outcome::unreachable:
            return std::string("unreachable (") + std::strerror(error) + ")";
        case Outcome::malformed:
            return "malformed reply";
    }
    return "?";
}

const char* failure_name(Failure f) {
    switch (f) {
        case Failure::resolver_down:
            return "resolver-down";
        case Failure::authoritative_down:
            return "authoritative-down";
        case Failure::zone_expired:
            return "zone-expired";
        case Failure::dnssec:
            return "dnssec";
        case Failure::negative_cache:
            return "negative-cache";
        case Failure::split_horizon:
            return "split-horizon";
        case Failure::lame_delegation:
            return "lame-delegation";
        case Failure::serial_mismatch:
            return "serial-mismatch";
    }
    return "?";
}

std::optional<int> article_type(Failure f) {
    switch (f) {
        case Failure::resolver_down:
            return 1;
        case Failure::authoritative_down:
            return 2;
        case Failure::zone_expired:
            return 3;
        case Failure::dnssec:
            return 4;
        case Failure::negative_cache:
            return 5;
        case Failure::split_horizon:
            return 6;
        default:
            return std::nullopt;
    }
}

std::string recovery_step(Failure f, const Observations& o) {
    const std::string zone = o.delegation.zone.to_text();
    const std::string name = o.name.to_text();
    switch (f) {
        case Failure::resolver_down: {
            std::string working;
            for (const auto& r : o.resolvers)
                if (!resolver_down(r) && working.empty()) working = r.server.address.to_string();
            return "Promote " + (working.empty() ? std::string("a working resolver") : working) +
                   " to the first nameserver line of resolv.conf on the affected hosts now (fleet-wide "
                   "through "
                   "configuration management) without waiting for the dead one; investigate it separately.";
        }
        case Failure::authoritative_down:
            return "Confirm a surviving name server still serves valid data (query it directly, compare its "
                   "serial); restore authoritative service or change the delegation before the shortest "
                   "cached "
                   "TTL runs out; if that takes longer, raise the TTLs of critical records from a surviving "
                   "server to buy time.";
        case Failure::zone_expired:
            return "Restore the primary-secondary connectivity, then `rndc retransfer " + zone +
                   "` on the secondary and check `rndc zonestatus " + zone +
                   "`; if the primary is lost, promote the secondary to primary and update the NS and glue "
                   "at "
                   "the registrar.";
        case Failure::dnssec:
            return "Re-sign the zone: `rndc sign " + zone + "` and `rndc loadkeys " + zone +
                   "`, then check that new RRSIGs with a future expiry are served (`dig @NS " + zone +
                   " RRSIG +dnssec`); if the key is lost or the DS names no key, roll the key and have the "
                   "parent's DS updated (validators fail until it propagates).";
        case Failure::negative_cache:
            return "Flush the name from the resolvers that cached the negative answer: `rndc flushname " +
                   name + "` (`rndc flush` for the whole cache), or wait out the negative TTL.";
        case Failure::split_horizon:
            return "Add the subnets that get the wrong answer to the match-clients ACL of the view they "
                   "belong "
                   "to, then `rndc reconfig`; check again from each source address.";
        case Failure::lame_delegation:
            return "Make every name server in the NS set (and the parent's delegation) serve " + zone +
                   ", or remove the ones that do not from both.";
        case Failure::serial_mismatch:
            return "Find why the servers behind do not transfer (`rndc zonestatus " + zone +
                   "` there; allow-transfer, NOTIFY and TSIG on the primary), then `rndc retransfer " + zone +
                   "`.";
    }
    return "";
}

const char* to_text(StepStatus s) {
    switch (s) {
        case StepStatus::ok:
            return "ok";
        case StepStatus::warning:
            return "warning";
        case StepStatus::failed:
            return "failed";
        case StepStatus::skipped:
            return "skipped";
    }
    return "?";
}

std::string answer_signature(const dns::Message& m) {
    std::string text = dns::rcode_to_text(m.rcode());
    const std::string records = answer_text(m);
    return records.empty() ? text : text + ": " + records;
}

Diagnosis diagnose(const Observations& o) {
    Diagnosis d;
    d.name = o.name.to_text();
    d.type = dns::type_to_text(o.type);
    d.out_of_time = o.out_of_time;
    Checker c{o, d};
    c.resolv_conf();
    c.resolvers();
    c.delegation();
    c.authorities();
    c.serials();
    c.dnssec();
    c.negative_answers();
    c.sources();
    if (d.findings.empty()) {
        d.verdict = "healthy";
        d.fix = "";
    } else if (d.findings.size() == 1) {
        d.verdict = failure_name(d.findings.front().failure);
        d.failure_type = article_type(d.findings.front().failure);
        d.fix = recovery_step(d.findings.front().failure, o);
    } else {
        d.verdict = "partial";
        std::vector<std::string> fixes;
        for (const auto& f : d.findings)
            fixes.push_back(std::string(failure_name(f.failure)) + ": " + recovery_step(f.failure, o));
        d.fix = join(fixes, " ");
    }
    for (const auto& f : d.findings) {
        const std::string prefix = d.findings.size() > 1 ? std::string(failure_name(f.failure)) + ": " : "";
        for (const auto& e : f.evidence)
            d.evidence.push_back(prefix + e);
        for (const auto& b : f.blast_radius)
            d.blast_radius.push_back(prefix + b);
    }
    if (o.out_of_time) d.evidence.push_back("the run reached its --timeout: steps not finished say so");
    return d;
}

}  // namespace cairn::doctor
