#include "server/rate_limit.hpp"

#include <fmt/format.h>

#include <cstring>

#include "auth/cookie.hpp"
#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "server/log_throttle.hpp"

namespace cairn::server {

namespace {

std::string_view kind_text(rrl::ResponseKind kind) {
    switch (kind) {
        case rrl::ResponseKind::answer:
            return "";
        case rrl::ResponseKind::referral:
            return "referral ";
        case rrl::ResponseKind::nodata:
            return "NODATA ";
        case rrl::ResponseKind::nxdomain:
            return "NXDOMAIN ";
        case rrl::ResponseKind::error:
            return "error ";
    }
    return "";
}

// " for example.test IN A  (1a2b3c4d)": the name the response is counted under, as BIND's make_log_buf
// writes it (no final dot; the class but for NXDOMAIN, the type for answers; the name's hash).
std::string counted_name_text(std::span<const std::uint8_t> response, const rrl::ResponseKey& key) {
    std::string text = " for ";
    try {
        std::size_t at = rrl::counted_name_offset(response, key.kind);
        if (at == 0) at = 12;  // an NXDOMAIN without its SOA: the question's name
        text += dns::Name::from_wire(response, at).to_text_without_dot();
    } catch (const std::exception&) {
        text += "(?)";
    }
    if (key.kind != rrl::ResponseKind::nxdomain)
        text += " " + dns::class_to_text(static_cast<dns::RRClass>(key.qclass));
    if (key.kind == rrl::ResponseKind::answer)
        text += " " + dns::type_to_text(static_cast<dns::RRType>(key.qtype));
    return text + fmt::format("  ({:08x})", static_cast<std::uint32_t>(key.name_hash));
}

}  // namespace

std::size_t RateLimit::apply(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                             std::size_t size, const auth::Result& result, const net::ClientInfo& client,
                             const auth::Settings& engine, std::uint32_t now, Outcome& outcome) {
    outcome = Outcome::sent;
    if (size < 12 || result.cookie_valid || (exempt_ && exempt_->allows_source(client))) return size;
    if (checked_second_.load(std::memory_order_relaxed) != now) log_changes(now);
    rrl::ResponseFacts facts;
    facts.rcode = result.rcode;
    facts.wildcard = result.wildcard;
    if (result.zone != nullptr) facts.zone = result.zone->origin().wire();
    const auto answer = response.first(size);
    const rrl::ResponseKey key = rrl::describe_response(answer, facts);
    const rrl::Decision decision = limiter_.check(client.source.address, key, now, client.worker);
    if (decision.verdict == rrl::Verdict::send) return size;
    if (decision.started) log_start(answer, key, decision, client, now);
    if (limits().log_only) {
        outcome = Outcome::logged;
        return size;
    }
    if (decision.verdict == rrl::Verdict::drop) {
        outcome = Outcome::dropped;
        return 0;
    }
    outcome = Outcome::slipped;
    const bool aa = (response[2] & 0x04) != 0;
    return write_slipped(query, response, key.kind == rrl::ResponseKind::nxdomain, aa, engine, client, now);
}

RateLimit::~RateLimit() {
    try {
        for (const Limited& limited : limited_)
            log_stop(limited, true);
    } catch (const std::exception&) {  // a destructor: nothing to do about a failed log line
    }
}

void RateLimit::log_changes(std::uint32_t now) {
    std::uint32_t last = checked_second_.load(std::memory_order_relaxed);
    if (last == now || !checked_second_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
    if (const auto growth = limiter_.take_growth())
        logs::rate_limit().info("increase from {} to {} RRL entries with {} bins", growth->from, growth->to,
                                growth->to / 8);
    if (limited_count_.load(std::memory_order_relaxed) == 0) return;
    std::unique_lock lock(limited_mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return;
    int lines = 0;
    for (auto it = limited_.begin(); it != limited_.end() && lines < kStopLinesPerSecond;) {
        const rrl::Standing standing = limiter_.standing(it->account, it->rate, now);
        if (standing == rrl::Standing::limiting) {
            // BIND repeats the line for an account that keeps being limited (DNS_RRL_MAX_LOG_SECS).
            if (now - it->logged_at >= kContinueLogSeconds) {
                logs::rate_limit().info("{}continue limiting {}", limits().log_only ? "would " : "",
                                        it->what);
                it->logged_at = now;
                ++lines;
            }
            ++it;
            continue;
        }
        log_stop(*it, standing == rrl::Standing::gone);
        ++lines;
        it = limited_.erase(it);
    }
    limited_count_.store(limited_.size(), std::memory_order_relaxed);
}

void RateLimit::log_stop(const Limited& limited, bool early) const {
    logs::rate_limit().info("{}{}stop limiting {}", early ? "*" : "", limits().log_only ? "would " : "",
                            limited.what);
}

void RateLimit::log_start(std::span<const std::uint8_t> response, const rrl::ResponseKey& key,
                          const rrl::Decision& decision, const net::ClientInfo& client, std::uint32_t now) {
    LogThrottle& throttle = repeated(Repeated::rate_limited);
    if (!throttle.admit(spdlog::level::info)) return;  // before any formatting: this is the query path
    unsigned prefix = 0;
    const dns::IpAddress block = limiter_.block_of(client.source.address, prefix);
    std::string limited = fmt::format("{}responses to {}/{}", decision.by_all ? "all " : kind_text(key.kind),
                                      block.to_string(), prefix);
    if (!decision.by_all && key.kind != rrl::ResponseKind::error) limited += counted_name_text(response, key);
    logs::rate_limit().info("{}limit {}", limits().log_only ? "would " : "", limited);
    // Remembered for its "stop limiting" line (this runs for an account's first limited response only).
    std::unique_lock lock(limited_mutex_, std::try_to_lock);
    if (!lock.owns_lock() || limited_.size() >= kMaxLimited) return;
    for (const Limited& known : limited_)
        if (known.account == decision.account) return;
    limited_.push_back({decision.account, decision.rate, now, std::move(limited)});
    limited_count_.store(limited_.size(), std::memory_order_relaxed);
}

bool has_valid_server_cookie(std::span<const std::uint8_t> query, const net::ClientInfo& client,
                             const auth::Settings& engine, std::uint32_t now) {
    dns::ParsedQuery q;
    if (!engine.cookies || dns::parse_query(query, q) != dns::QueryStatus::Ok || q.edns.cookie_size == 0)
        return false;
    const auto server = q.edns.server_cookie();
    const auto& address = client.source.address;
    return !server.empty() &&
           auth::server_cookie_valid(engine.cookie_secret,
                                     std::span<const std::uint8_t, 8>(q.edns.cookie.data(), 8), server,
                                     {address.bytes.data(), address.is_v4() ? 4u : 16u}, now);
}

std::size_t write_slipped(std::span<const std::uint8_t> query, std::span<std::uint8_t> out, bool nxdomain,
                          bool aa, const auth::Settings& engine, const net::ClientInfo& client,
                          std::uint32_t now) {
    dns::ParsedQuery q;
    if (dns::parse_query(query, q) != dns::QueryStatus::Ok) return 0;
    dns::MessageBuilder builder(out);
    builder.reset();
    builder.header() = q.header;
    builder.header().qr = true;
    builder.header().aa = aa;
    builder.header().ra = false;
    builder.header().ad = false;
    builder.set_limit(std::min<std::size_t>(out.size(), q.edns.effective_udp_payload()));
    const bool cookie = q.edns.present && q.edns.cookie_size != 0 && engine.cookies;
    if (q.edns.present) builder.set_edns(engine.max_udp_payload, q.edns.dnssec_ok);
    if (cookie) {
        // BIND: a client that sent a cookie learns ours and comes back with it, exempt from the limits.
        std::uint8_t value[auth::kCookieOptionSize];
        const auto address = client.source.address;
        auth::make_cookie_option(engine.cookie_secret,
                                 std::span<const std::uint8_t, 8>(q.edns.cookie.data(), 8),
                                 {address.bytes.data(), address.is_v4() ? 4u : 16u}, now, value);
        builder.add_cookie(value);
        builder.header().aa = false;
        builder.set_rcode(dns::Rcode::BADCOOKIE);
    } else {
        builder.header().tc = true;
        builder.set_rcode(nxdomain ? dns::Rcode::NXDOMAIN : dns::Rcode::NOERROR);
    }
    if (q.has_question) builder.add_question(q.qname, q.qtype, q.qclass);
    return builder.finish().size();
}

std::shared_ptr<RateLimit> make_rate_limit(const config::RateLimit* block, const config::Config& config,
                                           const config::HostNetworks& host) {
    if (block == nullptr) return nullptr;
    rrl::Limits limits;
    limits.responses_per_second = block->responses_per_second.value_or(0);
    const std::uint32_t responses = limits.responses_per_second;
    limits.referrals_per_second = block->referrals_per_second.value_or(responses);
    limits.nodata_per_second = block->nodata_per_second.value_or(responses);
    limits.nxdomains_per_second = block->nxdomains_per_second.value_or(responses);
    limits.errors_per_second = block->errors_per_second.value_or(responses);
    limits.all_per_second = block->all_per_second.value_or(0);
    limits.window = block->window.value_or(15);
    limits.slip = block->slip.value_or(2);
    limits.ipv4_prefix_length = static_cast<std::uint8_t>(block->ipv4_prefix_length.value_or(24));
    limits.ipv6_prefix_length = static_cast<std::uint8_t>(block->ipv6_prefix_length.value_or(56));
    limits.log_only = block->log_only.value_or(false);
    limits.max_table_size = block->max_table_size.value_or(20000);
    limits.min_table_size = block->min_table_size.value_or(500);
    limits.qps_scale = block->qps_scale.value_or(0);
    std::optional<AccessList> exempt;
    if (block->exempt_clients) exempt = AccessList::from(*block->exempt_clients, config, host);
    return std::make_shared<RateLimit>(limits, std::move(exempt));
}

}  // namespace cairn::server
