// The client side of the control channel (what `cairn ctl` and BIND's rndc do): connect, get a nonce with
// a `null` message, send the command with it, and check the signed answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ctl/control_key.hpp"
#include "ctl/target.hpp"

namespace cairn::ctl {

// Connection failures and answers that do not authenticate.
class ClientError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ClientOptions {
    std::string server = "127.0.0.1";  // numeric address, host name, or a unix socket path (starts with '/')
    std::uint16_t port = 953;
    std::chrono::milliseconds timeout{10000};
};

// The server's answer to `command`; throws ClientError when the exchange fails.
CommandResult run_command(const ClientOptions& options, const ControlKey& key, const std::string& command);

}  // namespace cairn::ctl
