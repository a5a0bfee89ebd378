#include "doctor/probe.hpp"

#include <algorithm>

#include "dns/message.hpp"

namespace cairn::doctor {

std::vector<std::uint8_t> make_query(const dns::Name& name, dns::RRType type, const QueryFlags& flags) {
    if (!flags.expire) return net::make_upstream_query(name, type, flags.rd, 1232, flags.dnssec_ok, flags.cd);
    dns::Message m;
    m.header.rd = flags.rd;
    m.header.cd = flags.cd;
    m.questions.push_back({name, type, dns::RRClass::IN});
    dns::Edns edns;
    edns.udp_payload = 1232;
    edns.dnssec_ok = flags.dnssec_ok;
    edns.options.push_back({static_cast<std::uint16_t>(dns::EdnsOptionCode::EXPIRE), {}});
    m.edns = edns;
    return dns::to_wire(m);
}

Prober::Prober(Clock::time_point run_deadline, Clock::duration per_query)
    : run_deadline_(run_deadline), per_query_(per_query) {}

Prober::~Prober() = default;

net::UpstreamClient& Prober::client_for(const std::optional<dns::IpAddress>& source) {
    const std::string key = source ? source->to_string() : "";
    auto& client = clients_[key];
    if (!client) {
        net::UpstreamClient::Options options;
        if (source && source->is_v4()) options.source_v4 = *source;
        if (source && source->is_v6()) options.source_v6 = *source;
        client = std::make_unique<net::UpstreamClient>(loop_, options);
    }
    return *client;
}

std::vector<QueryResult> Prober::run(const std::vector<Request>& requests) {
    std::vector<QueryResult> results(requests.size());
    const auto now = Clock::now();
    if (now >= run_deadline_) return results;  // all not_sent
    const auto deadline = std::min(now + per_query_, run_deadline_);
    std::size_t pending = 0;
    std::vector<bool> done(requests.size(), false);
    std::vector<std::pair<net::UpstreamClient*, net::UpstreamClient::QueryId>> sent;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const Request& r = requests[i];
        net::UpstreamQuery query;
        query.server = r.server;
        query.message = make_query(r.name, r.type, r.flags);
        query.deadline = deadline;
        query.tcp = r.flags.tcp;
        ++pending;
        net::UpstreamClient& client = client_for(r.source);
        const auto id =
            client.send(std::move(query), [&results, &pending, &done, i](const net::UpstreamReply& reply) {
                QueryResult& result = results[i];
                --pending;
                done[i] = true;
                result.rtt_ms = std::chrono::duration<double, std::milli>(reply.rtt).count();
                result.over_tcp = reply.over_tcp;
                switch (reply.status) {
                    case net::UpstreamStatus::answer:
                        try {
                            result.message = dns::parse_message(reply.message);
                            result.outcome = QueryResult::Outcome::answer;
                        } catch (const std::exception&) {
                            result.outcome = QueryResult::Outcome::malformed;
                        }
                        break;
                    case net::UpstreamStatus::timeout:
                        result.outcome = QueryResult::Outcome::timeout;
                        break;
                    case net::UpstreamStatus::network_error:
                        result.outcome = QueryResult::Outcome::unreachable;
                        result.error = reply.error;
                        break;
                    case net::UpstreamStatus::malformed:
                        result.outcome = QueryResult::Outcome::malformed;
                        break;
                }
            });
        sent.emplace_back(&client, id);
    }
    // The client's deadlines end every query; the loop's own bound is a safety net past them.
    const auto give_up = deadline + std::chrono::seconds(1);
    while (pending > 0 && Clock::now() < give_up)
        loop_.run_once(std::chrono::milliseconds(50));
    for (std::size_t i = 0; i < sent.size(); ++i) {
        if (done[i]) continue;
        sent[i].first->cancel(sent[i].second);
        results[i].outcome = QueryResult::Outcome::timeout;
    }
    return results;
}

}  // namespace cairn::doctor
