// The server side of one control connection, as BIND's named runs it: every message must be signed with
// one of the channel's keys, carry a `_tim` within 60 seconds of our clock, an `_exp` not yet passed and a
// (serial, time) pair not seen before; the first message only establishes a random nonce, and every later
// one must echo it. A message that fails any check is logged and the connection is closed without reply.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "ctl/control_key.hpp"
#include "ctl/target.hpp"

namespace cairn::ctl {

inline constexpr std::int64_t kClockSkew = 60;  // seconds, as BIND
inline constexpr std::int64_t kReplyLifetime = 60;

// (key, serial, time) of messages accepted recently, shared by every connection of a server, so that a
// captured message cannot be played again while its time stamp is still acceptable.
class ReplayCache {
  public:
    // False when the triple was seen within the last 2 * kClockSkew seconds.
    bool first_time(const std::string& key, std::uint32_t serial, std::uint32_t sent, std::int64_t now);

  private:
    std::mutex mutex_;
    std::map<std::tuple<std::string, std::uint32_t, std::uint32_t>, std::int64_t> seen_;  // -> forget after
};

// Logs a refused message: `peer` is the client address, `reason` why.
using SecurityLog = std::function<void(const std::string& peer, const std::string& reason)>;
// Logs an accepted command.
using CommandLog = std::function<void(const std::string& peer, const std::string& command)>;

struct SessionContext {
    const std::vector<ControlKey>* keys = nullptr;  // the channel's keys
    ReplayCache* replay = nullptr;
    ControlTarget* target = nullptr;
    bool read_only = false;
    SecurityLog refused;
    CommandLog accepted;
};

class ControlSession {
  public:
    ControlSession(const SessionContext& context, std::string peer)
        : context_(context), peer_(std::move(peer)) {}

    // One whole frame in; the reply frame out, or nullopt when the connection must be closed.
    std::optional<std::string> handle(std::span<const std::uint8_t> frame, std::int64_t now);

  private:
    std::optional<std::string> refuse(const std::string& reason);

    const SessionContext& context_;
    std::string peer_;
    std::uint32_t nonce_ = 0;
};

}  // namespace cairn::ctl
