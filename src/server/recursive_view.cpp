#include "server/recursive_view.hpp"

#include "dns/message_builder.hpp"
#include "zone/lookup_name.hpp"

namespace cairn::server {

namespace {

constexpr std::uint16_t kClassIn = dns::code(dns::RRClass::IN);
constexpr std::uint16_t kClassAny = dns::code(dns::RRClass::ANY);

// Whether the resolver (rather than the engine) answers: a plain QUERY of class IN for a name no zone of the
// view holds. Everything else (CHAOS version.bind, NOTIFY, TSIG, malformed queries, transfers of our zones)
// stays with the engine, which knows how to refuse or answer it.
bool for_the_resolver(const dns::ParsedQuery& q, const zone::ZoneTable& zones) {
    if (!q.has_question || q.has_tsig || q.header.opcode != dns::Opcode::QUERY) return false;
    const auto qclass = dns::code(q.qclass);
    if (qclass != kClassIn && qclass != kClassAny) return false;
    zone::LookupName name;
    if (!name.assign(q.qname_lower())) return false;
    return zones.find(name) == nullptr;
}

}  // namespace

std::size_t answer_recursively(const ViewRecursion& recursion, const zone::ZoneTable& zones,
                               std::span<const std::uint8_t> query, dns::ParsedQuery& parsed,
                               std::span<std::uint8_t> response, const net::ClientInfo& client) {
    if (dns::parse_query(query, parsed) != dns::QueryStatus::Ok || !for_the_resolver(parsed, zones))
        return kAnswerLocally;
    const bool udp = client.transport == net::Transport::udp;
    const bool recurse = parsed.header.rd && recursion.may_recurse(client);
    if (!recurse && !recursion.may_read_cache(client)) return write_prohibited(parsed, response, udp);
    // The resolver is not wired in yet: what the engine says (REFUSED, not authoritative).
    return kAnswerLocally;
}

std::size_t write_prohibited(const dns::ParsedQuery& parsed, std::span<std::uint8_t> out, bool udp) {
    dns::MessageBuilder builder(out);
    builder.reset();
    builder.header() = parsed.header;
    builder.header().qr = true;
    builder.header().aa = false;
    builder.header().ra = false;
    builder.header().ad = false;
    builder.header().tc = false;
    builder.set_limit(udp && parsed.edns.present ? parsed.edns.effective_udp_payload()
                      : udp                      ? 512
                                                 : out.size());
    if (parsed.edns.present) {
        builder.set_edns(1232, parsed.edns.dnssec_ok);
        builder.add_ede(dns::EdeCode::Prohibited, "recursion not allowed");
    }
    builder.set_rcode(dns::Rcode::REFUSED);
    if (parsed.has_question && !builder.add_question(parsed.qname, parsed.qtype, parsed.qclass)) return 0;
    return builder.finish().size();
}

}  // namespace cairn::server
