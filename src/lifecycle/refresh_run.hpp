// One refresh of a secondary zone (the refresh event, events/refresh.cpp), as a state machine on the
// reactor thread: for each primary in order, an SOA check (skipped when the zone has no copy, or for a
// retransfer), then, when the primary is newer, a transfer: IXFR when we hold a copy (and request-ixfr
// allows), falling back at once to AXFR when the IXFR is refused or does not fit our copy (as BIND does),
// AXFR otherwise. Waits on BIND's limits (serial-query-rate, transfers-in, transfers-per-ns) without
// blocking. The first primary that works wins; when none does, the refresh failed with every reason.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "lifecycle/request_gate.hpp"
#include "lifecycle/requests.hpp"
#include "lifecycle/zone.hpp"

namespace cairn::lifecycle {

class Runtime;

class RefreshRun {
  public:
    RefreshRun(Runtime& rt, ZonePtr zone);
    ~RefreshRun();
    void start();

  private:
    void next_primary();
    void ask_soa();
    void on_soa(std::optional<xfr::SoaAnswer> answer, std::optional<Failure> failure);
    void want_transfer(bool incremental);
    void start_transfer(bool incremental);
    void on_transfer(bool incremental, std::optional<xfr::InboundResult> result,
                     std::optional<Failure> failure);
    void built(bool incremental, std::shared_ptr<const zone::Zone> fresh, xfr::InboundResult result,
               std::optional<Failure> failure);
    void primary_failed(const Failure& failure);
    void up_to_date(std::optional<std::uint32_t> expire);
    void transferred(std::shared_ptr<const zone::Zone> fresh, const xfr::InboundResult& result);
    void serve_transferred(std::shared_ptr<const zone::Zone> fresh, std::optional<std::uint32_t> expire,
                           const std::string& detail);
    void all_failed();
    void finish();
    void release_slot();

    Runtime& rt_;
    ZonePtr zone_;
    // What the primaries' keys point into, kept for the whole refresh (a reload may replace it meanwhile).
    std::shared_ptr<const dns::TsigKeyring> keys_;
    std::shared_ptr<const zone::Zone> before_;  // the copy at the start (nullptr: none, or a retransfer)
    bool full_ = false;
    bool urgent_ = false;
    std::size_t index_ = 0;
    xfr::Primary primary_;
    Peer peer_;
    std::optional<ServerRule> rule_;  // a copy: a reload may replace the configuration meanwhile
    std::string failures_;
    RequestGate::Ticket ticket_ = 0;
    std::string slot_;  // the primary whose transfer slot is held
    std::unique_ptr<SoaCheck> soa_;
    std::unique_ptr<TransferIn> transfer_;
    std::optional<std::uint32_t> soa_expire_;
    bool building_ = false;
};

}  // namespace cairn::lifecycle
