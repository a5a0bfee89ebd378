#include "server/query_handler.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "server/counted_transfer.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "server/query_log.hpp"
#include "server/recursive_view.hpp"
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

std::string_view view_name(const ServedView* view) {
    return view != nullptr ? std::string_view(view->name) : std::string_view();
}

}  // namespace

QueryHandler::QueryHandler(Published<ServingState>& state, auth::Settings engine_settings)
    : state_(state), engine_(std::move(engine_settings)) {}

std::size_t QueryHandler::handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                 const net::ClientInfo& client) {
    const ServedView* view = nullptr;
    std::size_t view_index = stats::kMaxViews - 1;
    RecursiveAnswer recursive = RecursiveAnswer::none;
    const std::size_t size = answer(query, response, client, view, view_index, recursive);
    if (view != nullptr && view->recursion != nullptr && view->recursion->resolver != nullptr &&
        view->recursion->may_recurse(client))
        set_recursion_available(response, size);
    const bool log_it = querylog_ != nullptr && querylog_->load(std::memory_order_relaxed);
    if (size == net::kReplyLater) {  // counted when the reply leaves (resolution_driver.hpp)
        if (log_it)
            log_query(query, {}, client, view_name(view), engine_.settings().cookie_secret,
                      log_note(recursive));
        return size;
    }
    if (stats_ != nullptr) {
        stats_->record(client.worker, response.first(size),
                       client.transport == net::Transport::tcp ? stats::Protocol::tcp : stats::Protocol::udp,
                       view_index);
    }
    if (log_it)
        log_query(query, response.first(size), client, view_name(view), engine_.settings().cookie_secret,
                  log_note(recursive));
    return size;
}

void QueryHandler::prefetch(std::span<const std::span<const std::uint8_t>> queries, unsigned /*worker*/) {
    const ServingState* state = state_.get();
    if (state->views.size() == 1) engine_.prefetch(state->views[0].zones, queries);
}

std::size_t QueryHandler::answer(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                 const net::ClientInfo& client, const ServedView*& view,
                                 std::size_t& view_index, RecursiveAnswer& recursive) {
    const ServingState* state = state_.get();
    const bool udp = client.transport == net::Transport::udp;
    if (state->has_blackhole && state->blackhole.allows_source(client)) return 0;
    view = state->view_for(client);
    if (view == nullptr) {
        // A signed request may match a view by its key (rare: the walk over its records is affordable).
        if (dns::tsig_present(query)) return answer_signed(query, response, client, view, view_index);
        return write_refused(query, response, udp);
    }
    view_index = static_cast<std::size_t>(view - state->views.data());
    if (view->recursion != nullptr) {
        const std::size_t size = answer_recursively(*view->recursion, view->zones, query, response, client,
                                                    driver_, view_index, recursive, engine_.settings());
        if (size != kAnswerLocally)
            return rate_limited_recursive(*view, view_index, query, response, size, recursive, client);
    }

    const auth::ClientInfo facts = engine_client(client);
    const auth::Result result = engine_.answer(view->zones, query, facts, response);
    // Unsigned queries pay this one test: the engine's parser saw the TSIG record anyway.
    if (result.tsig) return answer_signed(query, response, client, view, view_index);
    if (result.tcp_keepalive) client.tcp_keepalive = true;  // read by TCP connections only
    if (result.action == auth::Action::drop) return 0;
    std::size_t size = result.size;
    dns::Rcode rcode = result.rcode;  // what goes out, for rate limiting: the engine's, or a refusal
    if (result.action == auth::Action::notify && notify_receiver_) {
        return notify_receiver_(query, response, client, *view, result.zone, nullptr);
    } else if (const ServedView::Unavailable* why = view->unavailable_for(result.zone)) {
        rcode = dns::Rcode::SERVFAIL;
        size = write_refused(query, response, udp, rcode, why);
    } else if (view->restricts_queries && result.zone != nullptr) {
        const QueryAccess* allowed = view->allow_query_for(result.zone);
        if (allowed != nullptr && !allowed->allows(client)) {
            rcode = dns::Rcode::REFUSED;
            size = write_refused(query, response, udp);
        }
    }
    const bool engine_reply = size == result.size && rcode == result.rcode;  // not replaced by a refusal
    if (view->recursion != nullptr && result.zone != nullptr && engine_reply && is_referral(response, size)) {
        const std::size_t resolved = resolve_past_referral(*view->recursion, query, response, client, driver_,
                                                           view_index, recursive, engine_.settings());
        if (resolved != kAnswerLocally)
            return rate_limited_recursive(*view, view_index, query, response, resolved, recursive, client);
    }
    // NOTIFY (and a transfer asked over UDP) get the fallback reply the engine wrote.
    if (view->rate_limit == nullptr || result.action != auth::Action::send) return size;
    return rate_limited(*view->rate_limit, view_index, query, response, size, result, rcode, client,
                        facts.now);
}

std::size_t QueryHandler::rate_limited(RateLimit& limit, std::size_t view_index,
                                       std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                       std::size_t size, const auth::Result& result, dns::Rcode rcode,
                                       const net::ClientInfo& client, std::uint32_t now) {
    if (client.transport == net::Transport::tcp) {
        limit.note_tcp(client, now);
        return size;
    }
    auth::Result sent = result;
    sent.rcode = rcode;
    RateLimit::Outcome outcome = RateLimit::Outcome::sent;
    size = limit.apply(query, response, size, sent, client, engine_.settings(), now, outcome);
    if (outcome != RateLimit::Outcome::sent && stats_ != nullptr) {
        const auto action = outcome == RateLimit::Outcome::slipped   ? stats::RateLimitAction::slipped
                            : outcome == RateLimit::Outcome::dropped ? stats::RateLimitAction::dropped
                                                                     : stats::RateLimitAction::logged;
        stats_->record_rate_limit(client.worker, view_index, action);
    }
    return size;
}

std::size_t QueryHandler::rate_limited_recursive(const ServedView& view, std::size_t view_index,
                                                 std::span<const std::uint8_t> query,
                                                 std::span<std::uint8_t> response, std::size_t size,
                                                 RecursiveAnswer how, const net::ClientInfo& client) {
    if (view.rate_limit == nullptr || size < 12 || size == net::kReplyLater) return size;
    if (how != RecursiveAnswer::cache && how != RecursiveAnswer::refused) return size;
    return rate_limit_deferred(*view.rate_limit, view_index, query, response, size, client);
}

std::size_t QueryHandler::rate_limit_deferred(RateLimit& limit, std::size_t view_index,
                                              std::span<const std::uint8_t> query,
                                              std::span<std::uint8_t> response, std::size_t size,
                                              const net::ClientInfo& client) {
    if (size < dns::kHeaderSize) return size;
    const std::uint32_t now = static_cast<std::uint32_t>(::time(nullptr));
    auth::Result facts;
    facts.action = auth::Action::send;
    facts.size = size;
    facts.rcode = static_cast<dns::Rcode>(response[3] & 0x0F);
    facts.cookie_valid = has_valid_server_cookie(query, client, engine_.settings(), now);
    return rate_limited(limit, view_index, query, response, size, facts, facts.rcode, client, now);
}

namespace {

const dns::TsigKeyring kNoKeys;

// The TSIG check of a signed request against the configured keys (none configured: BADKEY).
dns::TsigVerification verify_request(const ServingState& state, std::span<const std::uint8_t> query,
                                     std::uint64_t now) {
    return dns::tsig_verify_request(query, state.keys != nullptr ? *state.keys : kNoKeys, now);
}

// Signs the `size` octets of `response` as the answer to `request`; 0 when the signed answer does not fit.
std::size_t sign_answer(std::span<std::uint8_t> response, std::size_t size,
                        const dns::TsigVerification& request, std::uint64_t now) {
    if (size == 0) return 0;
    std::vector<std::uint8_t> message(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(size));
    dns::tsig_sign_response(message, request, now);
    if (message.size() > response.size()) return 0;
    std::copy(message.begin(), message.end(), response.begin());
    return message.size();
}

// The most the answer to `query` may take: the client's UDP limit as the engine applies it, or the buffer.
std::size_t answer_limit(std::span<const std::uint8_t> query, std::size_t buffer, bool udp,
                         std::uint16_t max_udp_payload) {
    if (!udp) return buffer;
    dns::ParsedQuery parsed;
    if (dns::parse_query(query, parsed) == dns::QueryStatus::Drop) return buffer;
    const std::size_t payload =
        parsed.edns.present ? std::min<std::size_t>(parsed.edns.effective_udp_payload(), max_udp_payload)
                            : 512;
    return std::min(buffer, std::max<std::size_t>(payload, 512));
}

}  // namespace

std::size_t QueryHandler::answer_signed(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                                        const net::ClientInfo& client, const ServedView*& view,
                                        std::size_t& view_index) {
    const ServingState* state = state_.get();
    const bool udp = client.transport == net::Transport::udp;
    const std::uint64_t now = static_cast<std::uint64_t>(::time(nullptr));
    const dns::TsigVerification verified = verify_request(*state, query, now);
    if (verified.status == dns::TsigStatus::FormErr || verified.status == dns::TsigStatus::NotSigned)
        return write_refused(query, response, udp, dns::Rcode::FORMERR);  // RFC 8945 §5.2: unsigned FORMERR
    if (verified.status != dns::TsigStatus::Ok) {
        // BADKEY and BADSIG go back unsigned, BADTIME and BADTRUNC signed; all with rcode NOTAUTH.
        repeated(Repeated::tsig_failed)
            .warn("client {}: request with TSIG key {} failed verification ({})", client.source.to_string(),
                  verified.record.key_name.to_text(), dns::tsig_status_to_text(verified.status));
        return sign_answer(response, write_refused(query, response, udp), verified, now);
    }
    const dns::Name* key = &verified.key->name;
    logs::security().debug("client {}: request signed with TSIG key {} ({}) verified",
                           client.source.to_string(), key->to_text(),
                           dns::tsig_algorithm_config_name(verified.key->algorithm));
    view = state->view_for(client, key);
    if (view == nullptr) return sign_answer(response, write_refused(query, response, udp), verified, now);
    view_index = static_cast<std::size_t>(view - state->views.data());

    // The engine answers into what is left once the signature has its room.
    const std::size_t limit = answer_limit(query, response.size(), udp, engine_.settings().max_udp_payload);
    const std::size_t reserve = dns::tsig_response_reserve(verified);
    if (limit < reserve + 12) return 0;
    const auth::Result result =
        engine_.answer(view->zones, query, engine_client(client), response.first(limit - reserve));
    if (result.tcp_keepalive) client.tcp_keepalive = true;
    if (result.action == auth::Action::drop) return 0;
    std::size_t size = result.size;
    if (result.action == auth::Action::notify && notify_receiver_) {
        size = notify_receiver_(query, response.first(limit - reserve), client, *view, result.zone, key);
    } else if (const ServedView::Unavailable* why = view->unavailable_for(result.zone)) {
        size = write_refused(query, response, udp, dns::Rcode::SERVFAIL, why);
    } else if (view->restricts_queries && result.zone != nullptr) {
        const QueryAccess* allowed = view->allow_query_for(result.zone);
        if (allowed != nullptr && !allowed->allows(client, key)) size = write_refused(query, response, udp);
    }
    return sign_answer(response, size, verified, now);
}

std::unique_ptr<net::ResponseStream> QueryHandler::open_stream(std::span<const std::uint8_t> query,
                                                               const net::ClientInfo& client) {
    if (!is_transfer_query(query)) return nullptr;
    const ServingState* state = state_.get();
    if (state->has_blackhole && state->blackhole.allows_source(client)) return nullptr;  // handle() drops it
    dns::TsigVerification verified;
    if (dns::tsig_present(query))
        verified = verify_request(*state, query, static_cast<std::uint64_t>(::time(nullptr)));
    const dns::Name* key = verified.status == dns::TsigStatus::Ok ? &verified.key->name : nullptr;
    const ServedView* view = state->view_for(client, key);
    if (view == nullptr) return nullptr;  // handle() refuses it
    auto stream = open_transfer(*view, state->keys, engine_, query, client, verified,
                                transfers_running_.load() >= transfers_out_.load());
    if (stream == nullptr || stats_ == nullptr) return stream;
    const bool transfer = dynamic_cast<const TransferOutcome*>(stream.get()) != nullptr;
    return std::make_unique<CountedTransfer>(std::move(stream), *stats_,
                                             transfer ? &transfers_running_ : nullptr);
}

std::size_t write_refused(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, bool udp,
                          dns::Rcode rcode, const ServedView::Unavailable* why) {
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
    if (why != nullptr && parsed.edns.present) builder.add_ede(why->code, why->text);
    if (status == dns::QueryStatus::Ok && parsed.has_question) {
        builder.add_question(parsed.qname, parsed.qtype, parsed.qclass);
    }
    return builder.finish().size();
}

}  // namespace cairn::server
