#include "server/recursive_view.hpp"

#include <ctime>

#include "dns/message.hpp"
#include "dns/message_builder.hpp"
#include "server/resolution_driver.hpp"
#include "server/view_resolver.hpp"
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

ClientCookie client_cookie(const dns::ParsedQuery& query, const net::ClientInfo& client,
                           const auth::Settings& engine) {
    ClientCookie out;
    if (!engine.cookies || !query.edns.present || query.edns.cookie_size == 0) return out;
    const auto& address = client.source.address;
    auth::make_cookie_option(engine.cookie_secret,
                             std::span<const std::uint8_t, 8>(query.edns.cookie.data(), 8),
                             {address.bytes.data(), address.is_v4() ? 4u : 16u},
                             static_cast<std::uint32_t>(::time(nullptr)), out.value.data());
    out.size = static_cast<std::uint8_t>(auth::kCookieOptionSize);
    return out;
}

std::string_view log_note(RecursiveAnswer answer) {
    switch (answer) {
        case RecursiveAnswer::cache:
            return " [cache]";
        case RecursiveAnswer::resolving:
            return " [resolving]";
        case RecursiveAnswer::refused:
            return " [recursion refused]";
        case RecursiveAnswer::dropped:
            return " [dropped: recursive-clients]";
        case RecursiveAnswer::none:
            break;
    }
    return "";
}

std::size_t answer_recursively(const ViewRecursion& recursion, const zone::ZoneTable& zones,
                               std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                               const net::ClientInfo& client, ResolutionDriver* driver,
                               std::size_t view_index, RecursiveAnswer& how, const auth::Settings& engine) {
    dns::ParsedQuery parsed;
    if (dns::parse_query(query, parsed) != dns::QueryStatus::Ok || !for_the_resolver(parsed, zones))
        return kAnswerLocally;
    return resolve(recursion, parsed, query, response, client, driver, view_index, how, engine);
}

bool is_referral(std::span<const std::uint8_t> response, std::size_t size) {
    if (size < dns::kHeaderSize || size == net::kReplyLater) return false;
    const dns::Header header = dns::Header::read(response.data());
    return !header.aa && header.rcode == 0 && header.ancount == 0 && header.nscount > 0;
}

std::size_t resolve_past_referral(const ViewRecursion& recursion, std::span<const std::uint8_t> query,
                                  std::span<std::uint8_t> response, const net::ClientInfo& client,
                                  ResolutionDriver* driver, std::size_t view_index, RecursiveAnswer& how,
                                  const auth::Settings& engine) {
    dns::ParsedQuery parsed;
    if (dns::parse_query(query, parsed) != dns::QueryStatus::Ok || !parsed.header.rd ||
        recursion.resolver == nullptr || !recursion.may_recurse(client))
        return kAnswerLocally;
    return resolve(recursion, parsed, query, response, client, driver, view_index, how, engine);
}

std::size_t resolve(const ViewRecursion& recursion, const dns::ParsedQuery& parsed,
                    std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                    const net::ClientInfo& client, ResolutionDriver* driver, std::size_t view_index,
                    RecursiveAnswer& how, const auth::Settings& engine) {
    const bool udp = client.transport == net::Transport::udp;
    const bool recurse = parsed.header.rd && recursion.may_recurse(client);
    const bool read_cache = recurse || recursion.may_read_cache(client);
    if (!read_cache || recursion.resolver == nullptr) {
        if (recursion.resolver == nullptr && read_cache) return kAnswerLocally;  // no resolver (unit tests)
        how = RecursiveAnswer::refused;
        return write_prohibited(parsed, response, udp);
    }
    const resolver::ResolverContext& context = *recursion.resolver->context;
    const ClientCookie cookie = client_cookie(parsed, client, engine);
    const resolver::CacheAnswer cached = context.answer_from_cache(parsed, response, !udp, cookie.span());
    if (cached.kind != resolver::CacheAnswer::Kind::miss) {
        if (cached.refresh && driver != nullptr) driver->refresh(recursion.resolver, parsed);
        how = RecursiveAnswer::cache;
        if (!recurse && cached.size >= 4) response[3] &= 0x7F;  // RA: not for this client
        return cached.size;
    }
    if (!recurse) {  // may read the cache, not recurse: nothing cached to give
        how = RecursiveAnswer::refused;
        return write_prohibited(parsed, response, udp);
    }
    if (driver == nullptr || !driver->resolve(recursion.resolver, query, parsed, client, view_index,
                                              recursion.rate_limit, cookie)) {
        how = RecursiveAnswer::dropped;
        return 0;
    }
    how = RecursiveAnswer::resolving;
    return net::kReplyLater;
}

std::size_t write_refusal(const dns::ParsedQuery& parsed, std::span<std::uint8_t> out, bool udp,
                          dns::Rcode rcode, dns::EdeCode code, std::string_view text) {
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
        builder.add_ede(code, text);
    }
    builder.set_rcode(rcode);
    if (parsed.has_question && !builder.add_question(parsed.qname, parsed.qtype, parsed.qclass)) return 0;
    return builder.finish().size();
}

}  // namespace cairn::server
