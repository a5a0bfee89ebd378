// Serves the control channels (`controls { inet ...; unix ...; };`) on one thread: accepts connections
// from allowed clients, reads length-prefixed frames of bounded size and runs them through a
// ControlSession. Not the query path. So that an operator can always get in: each channel holds at most
// kMaxConnectionsPerChannel connections, and at that limit a new one closes the channel's connection that
// has been idle longest (never one being answered); a frame must arrive whole within `request_timeout` of
// its first octet, and a connection that sends nothing for `timeout` is closed.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ctl/control_key.hpp"
#include "ctl/session.hpp"

namespace cairn::ctl {

struct ChannelOptions {
    enum class Kind { inet, unix_socket };
    Kind kind = Kind::inet;
    std::string address = "127.0.0.1";  // inet: numeric address
    std::uint16_t port = 953;
    std::string path;  // unix: socket path (replaced if it exists)
    std::uint32_t perm = 0600;
    std::optional<std::uint32_t> owner, group;  // unix: chown()ed to these when set
    std::vector<ControlKey> keys;
    std::function<bool(const sockaddr* peer)> allow;  // inet only; empty: everyone
    bool read_only = false;
};

struct ListenerLogs {
    SecurityLog refused;
    CommandLog accepted;
    std::function<void(const std::string&)> info;
    // Set: a channel that cannot be opened is reported here and skipped (as BIND does); unset: the
    // constructor throws. A socket whose owner cannot be set is reported here too and kept.
    std::function<void(const std::string&)> error;
};

class ControlListener {
  public:
    // Binds every channel; throws std::runtime_error naming the one that failed (see ListenerLogs::error).
    ControlListener(std::vector<ChannelOptions> channels, ControlTarget& target, ListenerLogs logs);
    ~ControlListener();
    ControlListener(const ControlListener&) = delete;
    ControlListener& operator=(const ControlListener&) = delete;

    void start();
    void stop();
    std::uint16_t port(std::size_t channel) const;  // the bound port of an inet channel
    std::size_t open_channels() const { return channels_.size(); }

    static constexpr std::size_t kMaxConnectionsPerChannel = 16;
    std::chrono::milliseconds timeout{30000};         // idle, between requests
    std::chrono::milliseconds request_timeout{5000};  // from a request's first octet to its last

  private:
    struct Channel;
    struct Connection;
    void run();
    void accept_on(std::size_t channel);
    // At the channel's limit: closes its idlest connection that is not being answered; false if none.
    bool make_room(std::size_t channel);
    bool serve(Connection& connection);  // true when finished

    std::vector<std::unique_ptr<Channel>> channels_;
    std::vector<std::unique_ptr<Connection>> connections_;
    ControlTarget& target_;
    ListenerLogs logs_;
    ReplayCache replay_;
    int wake_[2] = {-1, -1};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

std::string peer_to_string(const sockaddr* peer);

}  // namespace cairn::ctl
