// A handler for the net layer's tests: echoes each query with QR set and records what it saw. A payload
// starting with 'D' is dropped; 'S' followed by a count is answered with that many messages as a stream;
// 'G' holds its worker until open_gate() (or two seconds), so that a test can queue queries behind it; 'K'
// marks the client as using edns-tcp-keepalive, as the server's handler does for RFC 7828 queries.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

#include "net/handler.hpp"

namespace cairn::net::test {

class CountingStream : public ResponseStream {
  public:
    CountingStream(std::uint16_t id, std::size_t count, std::size_t size)
        : id_(id), left_(count), size_(size) {}
    std::size_t next(std::span<std::uint8_t> out) override {
        if (left_ == 0) return 0;
        --left_;
        std::memset(out.data(), 0, size_);
        out[0] = static_cast<std::uint8_t>(id_ >> 8);
        out[1] = static_cast<std::uint8_t>(id_);
        out[2] = 0x80;
        out[4] = static_cast<std::uint8_t>(left_ >> 8);  // messages still to come
        out[5] = static_cast<std::uint8_t>(left_);
        return size_;
    }

  private:
    std::uint16_t id_;
    std::size_t left_;
    std::size_t size_;
};

class EchoHandler : public PacketHandler {
  public:
    std::size_t handle(std::span<const std::uint8_t> query, std::span<std::uint8_t> response,
                       const ClientInfo& client) override {
        if (!in_batch_[client.worker % kWorkers].load()) outside_batch_.fetch_add(1);
        {
            std::lock_guard lock(mutex_);
            seen_.push_back(client);
            if (query.size() >= 2 && prefetched_.count(id_of(query)) != 0) ++handled_after_prefetch_;
        }
        if (query.size() < 12 || (query.size() > 12 && query[12] == 'D')) return 0;
        if (query.size() > 12 && query[12] == 'X') throw std::runtime_error("handler failure");
        if (query.size() > 12 && query[12] == 'K') client.tcp_keepalive = true;
        if (query.size() > 12 && query[12] == 'G') {
            std::unique_lock lock(mutex_);
            gate_changed_.wait_for(lock, std::chrono::seconds(2), [&] { return gate_open_; });
        }
        std::memcpy(response.data(), query.data(), query.size());
        response[2] |= 0x80;
        return query.size();
    }

    std::unique_ptr<ResponseStream> open_stream(std::span<const std::uint8_t> query,
                                                const ClientInfo&) override {
        if (query.size() < 15 || query[12] != 'S') return nullptr;
        const std::uint16_t id = static_cast<std::uint16_t>((query[0] << 8) | query[1]);
        return std::make_unique<CountingStream>(id, (std::size_t{query[13]} << 8) | query[14], 1000);
    }

    void prefetch(std::span<const std::span<const std::uint8_t>> queries, unsigned worker) override {
        if (!in_batch_[worker % kWorkers].load()) outside_batch_.fetch_add(1);
        std::lock_guard lock(mutex_);
        for (const auto query : queries) {
            if (query.size() >= 2) prefetched_.insert(id_of(query));
        }
    }

    void begin_batch(unsigned worker) override { in_batch_[worker % kWorkers] = true; }
    void end_batch(unsigned worker) override { in_batch_[worker % kWorkers] = false; }

    std::vector<ClientInfo> seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    int outside_batch() const { return outside_batch_.load(); }
    void open_gate() {
        {
            std::lock_guard lock(mutex_);
            gate_open_ = true;
        }
        gate_changed_.notify_all();
    }
    // Ids passed to prefetch(), and how many handled queries had been prefetched before.
    std::set<std::uint16_t> prefetched() {
        std::lock_guard lock(mutex_);
        return prefetched_;
    }
    std::size_t handled_after_prefetch() {
        std::lock_guard lock(mutex_);
        return handled_after_prefetch_;
    }

  private:
    static std::uint16_t id_of(std::span<const std::uint8_t> query) {
        return static_cast<std::uint16_t>((query[0] << 8) | query[1]);
    }
    static constexpr unsigned kWorkers = 16;
    std::atomic<bool> in_batch_[kWorkers] = {};
    std::atomic<int> outside_batch_{0};
    std::mutex mutex_;
    std::vector<ClientInfo> seen_;
    std::set<std::uint16_t> prefetched_;
    std::size_t handled_after_prefetch_ = 0;
    std::condition_variable gate_changed_;
    bool gate_open_ = false;
};

}  // namespace cairn::net::test
