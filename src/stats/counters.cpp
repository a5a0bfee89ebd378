#include "stats/counters.hpp"

#include <algorithm>

namespace cairn::stats {

Statistics::Statistics(unsigned workers)
    : workers_(std::make_unique<WorkerCounters[]>(std::max(1u, workers))),
      worker_count_(std::max(1u, workers)) {}

ReplySummary summarize_reply(std::span<const std::uint8_t> reply) {
    ReplySummary summary;
    if (reply.size() < 12) return summary;
    summary.rcode = reply[3] & 0x0F;
    summary.opcode = (reply[2] >> 3) & 0x0F;
    summary.authoritative = (reply[2] & 0x04) != 0;
    summary.truncated = (reply[2] & 0x02) != 0;
    const unsigned ancount = (reply[6] << 8) | reply[7];
    const unsigned nscount = (reply[8] << 8) | reply[9];
    switch (summary.rcode) {
        case 0:
            summary.result = ancount != 0                             ? QueryResult::success
                             : !summary.authoritative && nscount != 0 ? QueryResult::referral
                                                                      : QueryResult::nxrrset;
            break;
        case 1:
            summary.result = QueryResult::formerr;
            break;
        case 2:
            summary.result = QueryResult::servfail;
            break;
        case 3:
            summary.result = QueryResult::nxdomain;
            break;
        default:
            summary.result = QueryResult::failure;
            break;
    }
    const unsigned qdcount = (reply[4] << 8) | reply[5];
    if (qdcount == 0) return summary;
    std::size_t at = 12;
    // The question name is never compressed in a reply we wrote; a pointer ends it all the same.
    while (at < reply.size()) {
        const std::uint8_t length = reply[at];
        if (length == 0) {
            ++at;
            break;
        }
        if ((length & 0xC0) != 0) {
            at += 2;
            break;
        }
        at += 1 + length;
    }
    if (at + 2 <= reply.size()) summary.qtype = static_cast<std::uint16_t>((reply[at] << 8) | reply[at + 1]);
    return summary;
}

void Statistics::record(unsigned worker, std::span<const std::uint8_t> response, Protocol protocol,
                        std::size_t view_index) {
    WorkerCounters& block = workers_[worker < worker_count_ ? worker : worker_count_ - 1];
    bump(block.protocol[static_cast<std::size_t>(protocol)]);
    bump(block.view[std::min(view_index, kMaxViews - 1)]);
    if (response.empty()) {
        bump(block.dropped);
        return;
    }
    const ReplySummary summary = summarize_reply(response);
    if (summary.qtype < 256) {
        bump(block.qtype[summary.qtype]);
    } else {
        bump(block.qtype_other);
    }
    bump(block.rcode[std::min<std::size_t>(summary.rcode, kRcodeSlots - 1)]);
    bump(block.opcode[summary.opcode]);
    if (summary.opcode == 0) bump(block.result[static_cast<std::size_t>(summary.result)]);
    if (summary.authoritative) bump(block.authoritative);
    if (summary.truncated) bump(block.truncated);
    std::size_t bucket = 0;
    while (bucket < kSizeBuckets.size() && response.size() > kSizeBuckets[bucket])
        ++bucket;
    bump(block.size_bucket[bucket]);
    bump(block.size_sum, response.size());
}

void Statistics::count(TransferEvent event) {
    transfers_[static_cast<std::size_t>(event)].fetch_add(1, std::memory_order_relaxed);
}

void Statistics::set_view_names(std::vector<std::string> names) {
    std::lock_guard lock(names_mutex_);
    view_names_ = std::move(names);
}

QuerySnapshot Statistics::queries() const {
    QuerySnapshot out;
    std::array<std::uint64_t, kMaxViews> views{};
    std::array<std::array<std::uint64_t, kRateLimitActions>, kMaxViews> limited{};
    for (unsigned w = 0; w < worker_count_; ++w) {
        const WorkerCounters& block = workers_[w];
        const auto read = [](const std::atomic<std::uint64_t>& c) {
            return c.load(std::memory_order_relaxed);
        };
        for (std::size_t i = 0; i < out.qtype.size(); ++i)
            out.qtype[i] += read(block.qtype[i]);
        out.qtype_other += read(block.qtype_other);
        for (std::size_t i = 0; i < out.rcode.size(); ++i)
            out.rcode[i] += read(block.rcode[i]);
        for (std::size_t i = 0; i < out.protocol.size(); ++i)
            out.protocol[i] += read(block.protocol[i]);
        for (std::size_t i = 0; i < views.size(); ++i) {
            views[i] += read(block.view[i]);
            for (std::size_t a = 0; a < kRateLimitActions; ++a)
                limited[i][a] += read(block.rate_limited[i][a]);
        }
        for (std::size_t i = 0; i < out.size_bucket.size(); ++i)
            out.size_bucket[i] += read(block.size_bucket[i]);
        out.size_sum += read(block.size_sum);
        out.dropped += read(block.dropped);
        for (std::size_t i = 0; i < out.opcode.size(); ++i)
            out.opcode[i] += read(block.opcode[i]);
        for (std::size_t i = 0; i < out.result.size(); ++i)
            out.result[i] += read(block.result[i]);
        out.authoritative += read(block.authoritative);
        out.truncated += read(block.truncated);
    }
    for (const std::uint64_t n : out.size_bucket)
        out.responses += n;
    std::lock_guard lock(names_mutex_);
    for (std::size_t i = 0; i < view_names_.size() && i < kMaxViews; ++i) {
        out.views.emplace_back(view_names_[i], views[i]);
        out.rate_limited.emplace_back(view_names_[i], limited[i]);
    }
    return out;
}

TransferSnapshot Statistics::transfers() const {
    const auto read = [&](TransferEvent e) {
        return transfers_[static_cast<std::size_t>(e)].load(std::memory_order_relaxed);
    };
    TransferSnapshot out;
    out.in_success = read(TransferEvent::in_success);
    out.in_failure = read(TransferEvent::in_failure);
    out.out_success = read(TransferEvent::out_success);
    out.out_failure = read(TransferEvent::out_failure);
    out.notifies_sent = read(TransferEvent::notify_sent);
    out.notifies_failed = read(TransferEvent::notify_failed);
    return out;
}

}  // namespace cairn::stats
