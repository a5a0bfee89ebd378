#include "server/transfer.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <vector>

#include "dns/types.hpp"
#include "server/counted_transfer.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "server/query_handler.hpp"
#include "xfr/outbound.hpp"
#include "xfr/refresh.hpp"
#include "xfr/request.hpp"
#include "zone/diff.hpp"

namespace cairn::server {

namespace {

// A reply of exactly one message.
class SingleMessage : public net::ResponseStream {
  public:
    explicit SingleMessage(std::vector<std::uint8_t> message) : message_(std::move(message)) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (sent_ || message_.empty() || message_.size() > out.size()) return 0;
        sent_ = true;
        std::memcpy(out.data(), message_.data(), message_.size());
        return message_.size();
    }

  private:
    std::vector<std::uint8_t> message_;
    bool sent_ = false;
};

// Streams a transfer for the connection, within BIND's max-transfer-time-out (the whole transfer) and
// max-transfer-idle-out (the longest the client may leave it waiting between two messages it takes; the
// connection's own idle timeout may end it sooner). A transfer past either ends where it is: the client sees
// it incomplete, and it counts as failed.
class TransferAdapter : public net::ResponseStream, public TransferOutcome {
  public:
    using Clock = std::chrono::steady_clock;
    TransferAdapter(std::unique_ptr<xfr::TransferStream> stream, std::shared_ptr<const dns::TsigKeyring> keys,
                    std::string label, std::chrono::seconds max_time, std::chrono::seconds max_idle)
        : keys_(std::move(keys)),
          stream_(std::move(stream)),
          label_(std::move(label)),
          started_(Clock::now()),
          last_(started_),
          max_time_(max_time),
          max_idle_(max_idle) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (failed_) return 0;
        const auto now = Clock::now();
        if (now - started_ > max_time_ || now - last_ > max_idle_) {
            failed_ = true;
            logs::xfr_out().error(
                "{}: transfer aborted after {} messages: {} exceeded", label_, stream_->messages_sent(),
                now - started_ > max_time_ ? "max-transfer-time-out" : "max-transfer-idle-out");
            return 0;
        }
        last_ = now;
        try {
            const std::size_t size = stream_->next(out);
            if (size == 0)
                logs::xfr_out().info("{}: transfer completed, {} messages", label_, stream_->messages_sent());
            return size;
        } catch (const std::exception& e) {
            failed_ = true;
            logs::xfr_out().error("{}: transfer aborted: {}", label_, e.what());
            return 0;
        }
    }
    bool failed() const override { return failed_; }

  private:
    std::shared_ptr<const dns::TsigKeyring> keys_;  // declared first: outlives the stream signing with it
    std::unique_ptr<xfr::TransferStream> stream_;
    std::string label_;
    Clock::time_point started_, last_;
    std::chrono::seconds max_time_, max_idle_;
    bool failed_ = false;
};

// One message; signed when the request was (RFC 8945 §5.3: every answer to a verified request).
std::unique_ptr<net::ResponseStream> single(std::span<const std::uint8_t> message,
                                            const dns::TsigVerification& verified) {
    std::vector<std::uint8_t> out(message.begin(), message.end());
    if (!out.empty() && verified.status == dns::TsigStatus::Ok) {
        try {
            dns::tsig_sign_response(out, verified, static_cast<std::uint64_t>(::time(nullptr)));
        } catch (const std::exception&) {
            out.clear();
        }
    }
    return std::make_unique<SingleMessage>(std::move(out));
}

std::unique_ptr<net::ResponseStream> refused(std::span<const std::uint8_t> query,
                                             const dns::TsigVerification& verified,
                                             dns::Rcode rcode = dns::Rcode::REFUSED) {
    std::vector<std::uint8_t> out(512);
    out.resize(write_refused(query, out, false, rcode));
    return single(out, verified);
}

}  // namespace

bool is_transfer_query(std::span<const std::uint8_t> query) {
    if (query.size() < 12 + 1 + 4) return false;
    if ((query[2] & 0xF8) != 0) return false;  // QR set, or an opcode other than QUERY
    if (query[4] != 0 || query[5] != 1) return false;
    std::size_t pos = 12;
    while (pos < query.size() && query[pos] != 0) {
        if (query[pos] > 63) return false;
        pos += 1 + query[pos];
    }
    if (pos + 5 > query.size()) return false;
    const unsigned type = (unsigned{query[pos + 1]} << 8) | query[pos + 2];
    return type == static_cast<unsigned>(dns::RRType::AXFR) ||
           type == static_cast<unsigned>(dns::RRType::IXFR);
}

std::unique_ptr<net::ResponseStream> open_transfer(const ServedView& view,
                                                   std::shared_ptr<const dns::TsigKeyring> keys,
                                                   const auth::Engine& engine,
                                                   std::span<const std::uint8_t> query,
                                                   const net::ClientInfo& client,
                                                   const dns::TsigVerification& verified, bool at_limit) {
    auth::ClientInfo info;
    info.address = client.source.address.bytes;
    info.address_size = client.source.address.is_v4() ? 4 : 16;
    info.transport = auth::Transport::tcp;
    info.now = static_cast<std::uint32_t>(::time(nullptr));
    std::vector<std::uint8_t> buffer(65535);
    const auth::Result result = engine.answer(view.zones, query, info, buffer);
    const std::span<const std::uint8_t> fallback(buffer.data(), result.size);
    if (result.action == auth::Action::drop) return nullptr;
    if (result.action != auth::Action::transfer || result.zone == nullptr) return single(fallback, verified);

    // TSIG first (RFC 8945 §5.2): an unverifiable request gets a NOTAUTH answer carrying the TSIG error.
    if (verified.status != dns::TsigStatus::NotSigned && verified.status != dns::TsigStatus::Ok) {
        if (verified.status == dns::TsigStatus::FormErr) return refused(query, verified, dns::Rcode::FORMERR);
        std::vector<std::uint8_t> answer(512);
        answer.resize(write_refused(query, answer, false));
        if (answer.empty()) return nullptr;
        try {
            dns::tsig_sign_response(answer, verified, info.now);
        } catch (const std::exception&) {
            return nullptr;
        }
        repeated(Repeated::tsig_failed)
            .warn("client {}: transfer request failed TSIG verification ({})", client.source.to_string(),
                  dns::tsig_status_to_text(verified.status));
        return std::make_unique<SingleMessage>(std::move(answer));
    }
    const dns::Name* key_name = verified.status == dns::TsigStatus::Ok ? &verified.key->name : nullptr;

    const std::string label =
        "client " + client.source.to_string() + ": zone " + result.zone->origin().to_text() + "/" + view.name;
    if (const ServedView::Unavailable* why = view.unavailable_for(result.zone)) {
        repeated(Repeated::transfer_refused).info("{}: transfer refused: {}", label, why->text);
        return refused(query, verified, dns::Rcode::SERVFAIL);
    }
    const AccessList* allowed = view.allow_transfer_for(result.zone);
    const QueryAccess* queryable = view.allow_query_for(result.zone);
    if (allowed == nullptr || !allowed->allows_source(client, key_name) ||
        (queryable != nullptr && !queryable->allows(client, key_name))) {
        repeated(Repeated::transfer_refused).error("{}: transfer denied (allow-transfer)", label);
        // REFUSED with EDE 18 (Prohibited) when the request has EDNS, as BIND answers it.
        std::vector<std::uint8_t> answer(512);
        answer.resize(xfr::write_refused(query, answer, 1232));
        if (answer.empty()) return nullptr;
        return single(answer, verified);
    }
    if (at_limit) {
        repeated(Repeated::transfer_refused).warn("{}: transfer refused: transfers-out limit reached", label);
        return refused(query, verified);
    }
    xfr::TransferRequest request;
    try {
        request = xfr::read_transfer_request(query);
    } catch (const std::exception& e) {
        repeated(Repeated::transfer_malformed).info("{}: malformed transfer request: {}", label, e.what());
        return single(fallback, verified);
    }
    std::shared_ptr<const zone::Zone> zone;
    for (const auto& candidate : view.zones.zones()) {
        if (candidate.get() == result.zone) zone = candidate;
    }
    if (zone == nullptr) return single(fallback, verified);
    xfr::OutboundOptions options;
    options.tcp = true;
    // EDNS EXPIRE (RFC 7314): a primary gives its SOA EXPIRE, a secondary the time its copy has left.
    if (const ServedView::Secondary* secondary = view.secondary_for(zone.get())) {
        const std::int64_t expire_at = secondary->expire_at ? secondary->expire_at->load() : 0;
        if (expire_at != 0)
            options.expire = static_cast<std::uint32_t>(std::max<std::int64_t>(0, expire_at - info.now));
    } else {
        options.expire = xfr::soa_timers(zone::soa_record(*zone).rdata).expire;
    }
    ServedView::TransferPolicy policy;
    if (const auto found = view.transfer_policies.find(zone.get()); found != view.transfer_policies.end())
        policy = found->second;
    const lifecycle::ServerRule* rule =
        lifecycle::server_rule_for(view.servers, client.source.address.unmapped());
    // provide-ixfr no (the zone's, or the client's server statement's): IXFR gets the whole zone.
    const bool provide_ixfr =
        rule != nullptr && rule->provide_ixfr ? *rule->provide_ixfr : policy.provide_ixfr;
    // transfer-format one-answer: one record per message, for very old clients.
    if (rule != nullptr && rule->one_answer) options.message_size = 1;
    if (key_name != nullptr) {
        options.tsig_key = verified.key;  // lives in `keys`, which the stream adapter keeps
        options.request_mac = verified.record.mac;
    }
    std::unique_ptr<xfr::TransferStream> stream;
    try {
        stream = xfr::open_transfer(zone, request, provide_ixfr ? view.journal_for(zone.get()) : nullptr,
                                    std::move(options));
    } catch (const std::exception& e) {
        logs::xfr_out().error("{}: cannot read the journal: {}", label, e.what());
        return single(fallback, verified);
    }
    const char* form = stream->form() == xfr::TransferForm::Incremental ? "incremental"
                       : stream->form() == xfr::TransferForm::UpToDate  ? "up to date"
                                                                        : "full";
    // Which key allowed it, as BIND's "AXFR started: TSIG name": the operator's check that a key is in use.
    const std::string signer = key_name != nullptr ? ", TSIG " + key_name->to_text() : std::string();
    logs::xfr_out().info("{}: {} started (serial {}, {}{})", label,
                         request.type == dns::RRType::AXFR ? "AXFR" : "IXFR", zone->serial(), form, signer);
    return std::make_unique<TransferAdapter>(
        std::move(stream), std::move(keys), label,
        std::chrono::seconds(std::max<std::uint32_t>(1, policy.max_time)),
        std::chrono::seconds(std::max<std::uint32_t>(1, policy.max_idle)));
}

}  // namespace cairn::server
