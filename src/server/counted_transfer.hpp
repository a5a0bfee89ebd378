// Counts an outgoing zone transfer in the statistics: a success when the stream ran to its end with a
// NOERROR first message, a failure when it was refused (another rcode) or cut off before the end.
#pragma once

#include <atomic>
#include <memory>

#include "net/handler.hpp"
#include "stats/counters.hpp"

namespace cairn::server {

// A stream that may end early on purpose (a time limit): it then counts as a failed transfer.
class TransferOutcome {
  public:
    virtual ~TransferOutcome() = default;
    virtual bool failed() const = 0;
};

class CountedTransfer : public net::ResponseStream {
  public:
    // `running`: the count of transfers in progress (transfers-out) this one belongs to, or nullptr for a
    // single-message answer.
    CountedTransfer(std::unique_ptr<net::ResponseStream> inner, stats::Statistics& stats,
                    std::atomic<unsigned>* running = nullptr)
        : inner_(std::move(inner)), stats_(stats), running_(running) {
        if (running_ != nullptr) running_->fetch_add(1);
    }
    ~CountedTransfer() override {
        if (!counted_) stats_.count(stats::TransferEvent::out_failure);
        if (running_ != nullptr) running_->fetch_sub(1);
    }

    std::size_t next(std::span<std::uint8_t> out) override {
        const std::size_t size = inner_->next(out);
        if (counted_) return size;
        if (first_) {
            first_ = false;
            refused_ = size < 4 || (out[3] & 0x0F) != 0;
        }
        if (size == 0) {
            const auto* outcome = dynamic_cast<const TransferOutcome*>(inner_.get());
            const bool failed = refused_ || (outcome != nullptr && outcome->failed());
            stats_.count(failed ? stats::TransferEvent::out_failure : stats::TransferEvent::out_success);
            counted_ = true;
        }
        return size;
    }

  private:
    std::unique_ptr<net::ResponseStream> inner_;
    stats::Statistics& stats_;
    std::atomic<unsigned>* running_;
    bool first_ = true;
    bool refused_ = false;
    bool counted_ = false;
};

}  // namespace cairn::server
