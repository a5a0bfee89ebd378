// Failures to set up sockets, with the address and the system's reason in the message.
#pragma once

#include <stdexcept>
#include <string>

namespace cairn::net {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "what: strerror(err)" for an errno value.
std::string system_message(const std::string& what, int err);

}  // namespace cairn::net
