#include "server/query_log.hpp"

#include <fmt/format.h>

#include <ctime>

#include "auth/cookie.hpp"
#include "dns/message.hpp"
#include "dns/message_query.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "server/log_setup.hpp"

namespace cairn::server {

namespace {

std::string without_final_dot(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

constexpr std::uint8_t kRcodeNotAuth = 9;

}  // namespace

std::string format_query_log(const QueryLogEntry& entry) {
    std::string line = fmt::format("client @{} {}", entry.client_id, entry.client);
    if (!entry.key.empty()) line += "/key " + without_final_dot(entry.key);
    const std::string qname = without_final_dot(entry.qname);
    line += " (" + qname + "): ";
    if (!entry.view.empty() && entry.view != "_default") line += "view " + entry.view + ": ";
    line += fmt::format("query: {} {} {} {}", qname, entry.qclass, entry.qtype,
                        entry.recursion_desired ? '+' : '-');
    if (!entry.key.empty()) line += 'S';
    if (entry.edns_version) line += fmt::format("E({})", *entry.edns_version);
    if (entry.tcp) line += 'T';
    if (entry.dnssec_ok) line += 'D';
    if (entry.checking_disabled) line += 'C';
    if (entry.valid_server_cookie) {
        line += 'V';
    } else if (entry.cookie) {
        line += 'K';
    }
    line += " (" + entry.destination + ")";
    line += entry.note;
    return line;
}

void log_query(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response,
               const net::ClientInfo& client, std::string_view view,
               const std::array<std::uint8_t, 16>& cookie_secret, std::string_view note) {
    if (!logs::queries().should_log(spdlog::level::info)) return;  // the queries category goes to null
    dns::ParsedQuery parsed;
    if (dns::parse_query(query, parsed) == dns::QueryStatus::Drop || !parsed.has_question) return;
    QueryLogEntry entry;
    if (parsed.has_tsig) {
        // A signature that failed gets NOTAUTH (logged in the security category), not a query.
        if (response.size() >= dns::kHeaderSize && (response[3] & 0x0F) == kRcodeNotAuth) return;
        std::size_t offset = parsed.tsig_offset;
        try {
            entry.key = dns::Name::from_wire(query, offset).to_text();
        } catch (const std::exception&) {
            return;
        }
    }
    entry.client_id = &client;
    entry.client = client.source.to_string();
    entry.view = std::string(view);
    entry.qname = dns::Name::from_validated_wire(parsed.qname).to_text();  // parse_query validated it
    entry.qclass = dns::class_to_text(parsed.qclass);
    entry.qtype = dns::type_to_text(parsed.qtype);
    entry.recursion_desired = parsed.header.rd;
    entry.checking_disabled = parsed.header.cd;
    entry.tcp = client.transport == net::Transport::tcp;
    if (parsed.edns.present) {
        entry.edns_version = parsed.edns.version;
        entry.dnssec_ok = parsed.edns.dnssec_ok;
        entry.cookie = parsed.edns.cookie_size != 0;
        if (parsed.edns.cookie_size > dns::kCookieClientSize) {
            const auto& address = client.source.address;
            entry.valid_server_cookie = auth::server_cookie_valid(
                cookie_secret, parsed.edns.client_cookie().first<dns::kCookieClientSize>(),
                parsed.edns.server_cookie(), std::span(address.bytes.data(), address.is_v4() ? 4 : 16),
                static_cast<std::uint32_t>(::time(nullptr)));
        }
    }
    entry.destination = client.destination.address.to_string();
    entry.note = note;
    logs::queries().info("{}", format_query_log(entry));
}

}  // namespace cairn::server
