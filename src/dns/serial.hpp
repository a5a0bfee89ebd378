// RFC 1982 serial number arithmetic for 32-bit SOA serials (SERIAL_BITS = 32).
#pragma once

#include <cstdint>

namespace cairn::dns {

// Serials live on a circle of 2^32 values: the shorter way round decides the order, and two serials exactly
// 2^31 apart have no defined order (RFC 1982 §3.2).
enum class SerialOrder : std::uint8_t { Less, Equal, Greater, Undefined };

inline constexpr std::uint32_t kSerialHalf = 0x80000000u;          // 2^(SERIAL_BITS - 1)
inline constexpr std::uint32_t kSerialMaxIncrement = 0x7FFFFFFFu;  // largest addend RFC 1982 §3.1 allows

// Order of `a` relative to `b`: Greater means `a` is newer than `b`.
constexpr SerialOrder serial_compare(std::uint32_t a, std::uint32_t b) {
    if (a == b) return SerialOrder::Equal;
    const std::uint32_t forward = b - a;  // distance from a to b going up, modulo 2^32
    if (forward == kSerialHalf) return SerialOrder::Undefined;
    return forward < kSerialHalf ? SerialOrder::Less : SerialOrder::Greater;
}

// Strict comparisons; both are false when the order is undefined.
constexpr bool serial_less(std::uint32_t a, std::uint32_t b) {
    return serial_compare(a, b) == SerialOrder::Less;
}
constexpr bool serial_greater(std::uint32_t a, std::uint32_t b) {
    return serial_compare(a, b) == SerialOrder::Greater;
}

// RFC 1982 §3.1 addition: `increment` must be at most 2^31 - 1, otherwise the result would not compare as
// greater. Throws std::out_of_range for a larger increment.
std::uint32_t serial_add(std::uint32_t serial, std::uint64_t increment);

// The serial a zone edit should move to from `current` so that secondaries see an increase: `current + 1`,
// or `wanted` (e.g. a date-based serial) when it is greater than `current` in serial order.
std::uint32_t serial_next(std::uint32_t current, std::uint32_t wanted);

}  // namespace cairn::dns
