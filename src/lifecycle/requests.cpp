#include "lifecycle/requests.hpp"

#include "dns/types.hpp"
#include "xfr/notify.hpp"

namespace cairn::lifecycle {

Peer peer_of(const xfr::Primary& remote, const std::optional<config::SocketAddress>& source_v4,
             const std::optional<config::SocketAddress>& source_v6) {
    Peer peer;
    peer.address = dns::IpAddress::parse(remote.address).value_or(dns::IpAddress{});
    peer.port = remote.port;
    peer.source = peer.address.is_v6() ? source_v6 : source_v4;
    return peer;
}

// ---------------------------------------------------------------- SOA

SoaCheck::SoaCheck(Reactor& reactor, xfr::Primary primary, Peer peer, dns::Name zone, Options options,
                   Done done)
    : reactor_(reactor),
      primary_(std::move(primary)),
      peer_(std::move(peer)),
      zone_(std::move(zone)),
      options_(std::move(options)),
      done_(std::move(done)) {
    query_ = xfr::make_signed_query(primary_, zone_, dns::RRType::SOA, nullptr, options_.client);
    udp_ = std::make_unique<UdpExchange>(
        reactor_, peer_, query_.wire, options_.udp,
        [this](std::optional<std::vector<std::uint8_t>> answer, std::optional<Failure> failure) {
            if (!answer) {
                udp_failure_ = failure ? failure->what : "no answer";
                if (!options_.try_tcp) {
                    finish(std::nullopt, Failure{xfr::FailureKind::Network, udp_failure_});
                    return;
                }
                over_tcp(false);
                return;
            }
            if (answer->size() > 2 && ((*answer)[2] & 0x02) != 0) {
                over_tcp(true);
                return;
            }
            try {
                finish(xfr::read_soa_answer(primary_, zone_, query_, *answer, options_.client, false),
                       std::nullopt);
            } catch (const xfr::TransferError& e) {
                finish(std::nullopt, Failure{e.kind(), e.what()});
            }
        });
}

void SoaCheck::over_tcp(bool truncated) {
    query_ = xfr::make_signed_query(primary_, zone_, dns::RRType::SOA, nullptr, options_.client);
    TcpExchange::Options tcp;
    tcp.connect_timeout = tcp.idle_timeout = tcp.first_message_timeout = tcp.total_timeout =
        options_.tcp_timeout;
    tcp_ = std::make_unique<TcpExchange>(
        reactor_, peer_, query_.wire, tcp,
        [this](std::span<const std::uint8_t> wire) {
            if (wire.size() < 2 || wire[0] != query_.wire[0] || wire[1] != query_.wire[1])
                throw xfr::TransferError(xfr::FailureKind::Malformed,
                                         primary_.to_text() + ": wrong answer ID");
            tcp_answer_ = xfr::read_soa_answer(primary_, zone_, query_, wire, options_.client, true);
            return true;
        },
        [this, truncated](TcpExchange::End end, std::optional<Failure> failure) {
            if (end == TcpExchange::End::complete) {
                finish(std::move(tcp_answer_), std::nullopt);
                return;
            }
            std::string why =
                failure ? failure->what : primary_.to_text() + ": connection closed before the answer";
            if (!truncated) why = udp_failure_ + "; over TCP: " + why;
            finish(std::nullopt, Failure{failure ? failure->kind : xfr::FailureKind::Network, why});
        });
}

void SoaCheck::finish(std::optional<xfr::SoaAnswer> answer, std::optional<Failure> failure) {
    Done done = std::move(done_);
    // The exchanges are not destroyed here: one of them is still on the stack. The owner destroys this.
    done(std::move(answer), std::move(failure));
}

// ---------------------------------------------------------------- AXFR / IXFR

TransferIn::TransferIn(Reactor& reactor, xfr::Primary primary, Peer peer, dns::Name zone,
                       std::optional<zone::Record> our_soa, Options options, Done done)
    : incremental_(our_soa.has_value()) {
    const dns::RRType type = our_soa ? dns::RRType::IXFR : dns::RRType::AXFR;
    const xfr::SignedQuery query =
        xfr::make_signed_query(primary, zone, type, our_soa ? &*our_soa : nullptr, options.client);
    xfr::InboundOptions inbound;
    inbound.zone = zone;
    inbound.type = type;
    inbound.query_id = query.id;
    if (our_soa) inbound.our_serial = zone::soa_serial(our_soa->rdata);
    inbound.tsig_key = primary.key;
    inbound.request_mac = query.mac;
    inbound.clock = options.client.clock;
    inbound.max_records = options.max_records;
    parser_ = std::make_unique<xfr::InboundParser>(std::move(inbound));
    const std::string peer_text = primary.to_text() + ": ";
    const std::string what = peer_text + dns::type_to_text(type) + " ";
    tcp_ = std::make_unique<TcpExchange>(
        reactor, std::move(peer), query.wire, options.tcp,
        [this](std::span<const std::uint8_t> wire) { return parser_->feed(wire); },
        [this, what, peer_text, done = std::move(done)](TcpExchange::End end,
                                                        std::optional<Failure> failure) {
            if (end == TcpExchange::End::failed) {
                Failure f = std::move(*failure);
                if (f.what.rfind(peer_text, 0) != 0) f.what = what + f.what;  // the parser's: which request
                done(std::nullopt, std::move(f));
                return;
            }
            try {
                done(parser_->finish(), std::nullopt);
            } catch (const xfr::TransferError& e) {
                done(std::nullopt, Failure{e.kind(), what + e.what()});
            }
        });
}

// ---------------------------------------------------------------- NOTIFY

NotifyOut::NotifyOut(Reactor& reactor, xfr::Primary target, Peer peer, const dns::Name& zone,
                     const zone::Record& soa, UdpExchange::Options udp, Done done)
    : target_(std::move(target)), query_(xfr::make_notify(target_, zone, &soa)) {
    udp_ = std::make_unique<UdpExchange>(
        reactor, std::move(peer), query_.wire, udp,
        [this, done = std::move(done)](std::optional<std::vector<std::uint8_t>> answer,
                                       std::optional<Failure> failure) {
            Outcome outcome;
            if (!answer) {
                outcome.error = "no answer to NOTIFY";
                (void)failure;  // the exchange's own text repeats the address the caller logs
            } else {
                try {
                    outcome.rcode = xfr::read_notify_answer(target_, query_, *answer);
                } catch (const xfr::TransferError& e) {
                    outcome.error = e.what();
                }
            }
            done(std::move(outcome));
        });
}

}  // namespace cairn::lifecycle
