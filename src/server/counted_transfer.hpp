// Counts an outgoing zone transfer in the statistics: a success when the stream ran to its end with a
// NOERROR first message, a failure when it was refused (another rcode) or cut off before the end.
#pragma once

#include <memory>

#include "net/handler.hpp"
#include "stats/counters.hpp"

namespace cairn::server {

class CountedTransfer : public net::ResponseStream {
  public:
    CountedTransfer(std::unique_ptr<net::ResponseStream> inner, stats::Statistics& stats)
        : inner_(std::move(inner)), stats_(stats) {}
    ~CountedTransfer() override {
        if (!counted_) stats_.count(stats::TransferEvent::out_failure);
    }

    std::size_t next(std::span<std::uint8_t> out) override {
        const std::size_t size = inner_->next(out);
        if (counted_) return size;
        if (first_) {
            first_ = false;
            refused_ = size < 4 || (out[3] & 0x0F) != 0;
        }
        if (size == 0) {
            stats_.count(refused_ ? stats::TransferEvent::out_failure : stats::TransferEvent::out_success);
            counted_ = true;
        }
        return size;
    }

  private:
    std::unique_ptr<net::ResponseStream> inner_;
    stats::Statistics& stats_;
    bool first_ = true;
    bool refused_ = false;
    bool counted_ = false;
};

}  // namespace cairn::server
