// The lifecycle's three outgoing requests, on the Reactor: an SOA check of one primary (UDP, then TCP when
// the answer is truncated or, with try-tcp-refresh, when UDP got no answer), one AXFR or IXFR parsed as it
// arrives (xfr::InboundParser), and one NOTIFY. Each reports once through its callback on the reactor
// thread; destroying one abandons it. SOA checks and transfers count themselves in xfr::transfer_activity()
// while they exist (`rndc status`: "soa queries in progress", "xfers running").
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "lifecycle/exchange.hpp"
#include "xfr/activity.hpp"
#include "xfr/client.hpp"
#include "xfr/inbound.hpp"

namespace cairn::lifecycle {

class SoaCheck {
  public:
    struct Options {
        xfr::ClientOptions client;
        UdpExchange::Options udp{std::chrono::milliseconds(2000), 2};
        std::chrono::milliseconds tcp_timeout{5000};
        bool try_tcp = true;  // BIND's try-tcp-refresh: ask over TCP when UDP gets no answer
    };
    using Done = std::function<void(std::optional<xfr::SoaAnswer>, std::optional<Failure>)>;

    // `primary.key` must outlive the check.
    SoaCheck(Reactor& reactor, xfr::Primary primary, Peer peer, dns::Name zone, Options options, Done done);

  private:
    void over_tcp(bool truncated);
    void finish(std::optional<xfr::SoaAnswer> answer, std::optional<Failure> failure);

    xfr::InProgress counted_{xfr::transfer_activity().soa_queries};
    Reactor& reactor_;
    xfr::Primary primary_;
    Peer peer_;
    dns::Name zone_;
    Options options_;
    Done done_;
    xfr::SignedQuery query_;
    std::unique_ptr<UdpExchange> udp_;
    std::unique_ptr<TcpExchange> tcp_;
    std::optional<xfr::SoaAnswer> tcp_answer_;
    std::string udp_failure_;
};

class TransferIn {
  public:
    struct Options {
        xfr::ClientOptions client;
        TcpExchange::Options tcp;
        std::uint64_t max_records = 0;  // 0: no limit
    };
    using Done = std::function<void(std::optional<xfr::InboundResult>, std::optional<Failure>)>;

    // IXFR from `our_soa` when given, else AXFR. `primary.key` must outlive the transfer.
    TransferIn(Reactor& reactor, xfr::Primary primary, Peer peer, dns::Name zone,
               std::optional<zone::Record> our_soa, Options options, Done done);

    bool incremental() const { return incremental_; }

  private:
    xfr::InProgress counted_{xfr::transfer_activity().transfers};
    std::unique_ptr<xfr::InboundParser> parser_;
    std::unique_ptr<TcpExchange> tcp_;
    bool incremental_ = false;
};

class NotifyOut {
  public:
    struct Outcome {
        std::optional<dns::Rcode> rcode;  // unset: no (usable) answer
        std::string error;
    };
    using Done = std::function<void(Outcome)>;

    // `target.key` must outlive the NOTIFY.
    NotifyOut(Reactor& reactor, xfr::Primary target, Peer peer, const dns::Name& zone,
              const zone::Record& soa, UdpExchange::Options udp, Done done);

  private:
    xfr::Primary target_;
    xfr::SignedQuery query_;
    std::unique_ptr<UdpExchange> udp_;
};

// The Peer for a remote, with the source address for its family (the IPv4 or IPv6 one given).
Peer peer_of(const xfr::Primary& remote, const std::optional<config::SocketAddress>& source_v4,
             const std::optional<config::SocketAddress>& source_v6);

}  // namespace cairn::lifecycle
