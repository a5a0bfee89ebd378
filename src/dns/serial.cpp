#include "dns/serial.hpp"

#include <stdexcept>
#include <string>

namespace cairn::dns {

std::uint32_t serial_add(std::uint32_t serial, std::uint64_t increment) {
    if (increment > kSerialMaxIncrement) {
        throw std::out_of_range("serial increment " + std::to_string(increment) +
                                " exceeds 2^31 - 1 (RFC 1982 §3.1)");
    }
    return static_cast<std::uint32_t>(serial + increment);  // wraps modulo 2^32 by design
}

std::uint32_t serial_next(std::uint32_t current, std::uint32_t wanted) {
    return serial_greater(wanted, current) ? wanted : current + 1;
}

}  // namespace cairn::dns
