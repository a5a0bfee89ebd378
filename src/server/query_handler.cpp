#include "server/query_handler.hpp"

#include <ctime>

#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "server/counted_transfer.hpp"
#include "server/log_setup.hpp"
#include "server/settings.hpp"
#include "server/transfer.hpp"

namespace cairn::server {

namespace {

auth::ClientInfo engine_client(const net::ClientInfo& client) {
    auth::ClientInfo info;
    info.address = client.source.address.bytes;
    info.address_size = client.source.address.is_v4() ? 4 : 16;
    info.transport = client.transport == net::Transport::tcp ? auth::Transport::tcp : auth::Transport::udp;
    info.now = static_cast<std::uint32_t>(::time(nullptr));
    return info;
}

}  // namespace

QueryHandler::QueryHandler(Published<ServingState>& state, auth::Settings engine_settings)
    : state_(state), engine_(std::move(engine_settings)) {}

namespace {

// BIND's query log line, shortened: client, view (as BIND, only for a named view), query name, class, type,
// recursion flag, local address.
void log_query(std::span<const std::uint8_t> query, const net::ClientInfo& client, const ServedView* view) {
    if (!logs::queries().should_log(spdlog::level::info)) return;  // the queries category goes to null
    dns::ParsedQuery parsed;
    if (dns::parse_query(query, parsed) == dns::QueryStatus::Drop || !parsed.has_question) return;
    const dns::Name name = dns::Name::from_validated_wire(parsed.qname);  // parse_query validated it
    const bool named_view = view != nullptr && view->name != kDefaultViewName;
    logs::queries().info("client {}: {}{}{}query: {} {} {} {}{}{} ({})", client.source.to_string(),
                         named_view ? "view " : "", named_view ? view->name : "", named_view ? ": " : "",
                         name.to_text(), dns::class_to_text(parsed.qclass), dns::type_to_text(parsed.qtype),
                         parsed.header.rd ? "+" : "-", parsed.edns.present ? "E" : "",
                         client.transport == net::Transport::tcp ? "T" : "",
                         client.destination.address.to_string());
}

}  // namespace

std::size_t QueryHandler::handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                 const net::ClientInfo& client) {
    const ServedView* view = nullptr;
    std::size_t view_index = stats::kMaxViews - 1;
    const std::size_t size = answer(query, response, client, view, view_index);
    if (stats_ != nullptr) {
        stats_->record(client.worker, response.first(size),
                       client.transport == net::Transport::tcp ? stats::Protocol::tcp : stats::Protocol::udp,
                       view_index);
    }
    if (querylog_ != nullptr && querylog_->load(std::memory_order_relaxed)) log_query(query, client, view);
    return size;
}

std::size_t QueryHandler::answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                 const net::ClientInfo& client, const ServedView*& view,
                                 std::size_t& view_index) {
    const ServingState* state = state_.get();
    const bool udp = client.transport == net::Transport::udp;
    view = state->view_for(client);
    if (view == nullptr) return write_refused(query, response, udp);
    view_index = static_cast<std::size_t>(view - state->views.data());

    const auth::Result result = engine_.answer(view->zones, query, engine_client(client), response);
    if (result.action == auth::Action::drop) return 0;
    if (view->has_expired && result.zone != nullptr && view->expired.count(result.zone) != 0)
        return write_refused(query, response, udp, dns::Rcode::SERVFAIL);
    if (result.action == auth::Action::notify && notify_receiver_)
        return notify_receiver_(query, response, client, view->name);
    if (view->restricts_queries && result.zone != nullptr) {
        const QueryAccess* allowed = view->allow_query_for(result.zone);
        if (allowed != nullptr && !allowed->allows(client)) return write_refused(query, response, udp);
    }
    // NOTIFY (and a transfer asked over UDP) get the fallback reply the engine wrote.
    return result.size;
}

std::unique_ptr<net::ResponseStream> QueryHandler::open_stream(std::span<const std::uint8_t> query,
                                                               const net::ClientInfo& client) {
    if (!is_transfer_query(query)) return nullptr;
    const ServedView* view = state_.get()->view_for(client);
    if (view == nullptr) return nullptr;  // handle() refuses it
    auto stream = open_transfer(*view, state_.get()->keys, engine_, query, client);
    if (stream != nullptr && stats_ != nullptr)
        return std::make_unique<CountedTransfer>(std::move(stream), *stats_);
    return stream;
}

std::size_t write_refused(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, bool udp,
                          dns::Rcode rcode) {
    dns::ParsedQuery parsed;
    const dns::QueryStatus status = dns::parse_query(query, parsed);
    if (status == dns::QueryStatus::Drop) return 0;
    dns::MessageBuilder builder(out);
    builder.reset();
    builder.header() = parsed.header;
    builder.header().qr = true;
    builder.header().aa = false;
    builder.header().ra = false;
    builder.header().ad = false;
    builder.set_limit(udp ? parsed.edns.effective_udp_payload() : out.size());
    if (parsed.edns.present) builder.set_edns(1232, parsed.edns.dnssec_ok);
    builder.set_rcode(status == dns::QueryStatus::FormErr ? dns::Rcode::FORMERR : rcode);
    // An expired secondary zone: no primary could be reached for EXPIRE seconds.
    if (rcode == dns::Rcode::SERVFAIL && parsed.edns.present)
        builder.add_ede(dns::EdeCode::NoReachableAuthority, "zone expired");
    if (status == dns::QueryStatus::Ok && parsed.has_question) {
        builder.add_question(parsed.qname, parsed.qtype, parsed.qclass);
    }
    return builder.finish().size();
}

}  // namespace cairn::server
