// DNS messages for the parsers' tests: from dnspython's hex, or assembled record by record for the
// malformed cases.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/text.hpp"
#include "dns/wire.hpp"

namespace cairn::dns::test {

inline std::vector<std::uint8_t> from_hex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(decode_hex(hex, out)) << hex;
    return out;
}

struct Packet {
    static constexpr std::uint16_t kId = 0x4242;
    std::vector<std::uint8_t> bytes;
    WireWriter w{bytes};
    Packet(std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
        w.u16(kId);
        w.u16(flags);
        w.u16(qd);
        w.u16(an);
        w.u16(ns);
        w.u16(ar);
    }
    Packet& question(const char* name, std::uint16_t type = 1) {
        w.name(Name::from_text(name));
        w.u16(type);
        w.u16(1);
        return *this;
    }
    Packet& rr(const char* owner, std::uint16_t type, std::uint16_t rclass, std::uint32_t ttl,
               const std::vector<std::uint8_t>& rdata) {
        w.name(Name::from_text(owner));
        w.u16(type);
        w.u16(rclass);
        w.u32(ttl);
        w.u16(static_cast<std::uint16_t>(rdata.size()));
        w.bytes(rdata);
        return *this;
    }
    Packet& opt(std::uint16_t payload, std::uint32_t ttl, const std::vector<std::uint8_t>& options = {}) {
        return rr(".", 41, payload, ttl, options);
    }
};

}  // namespace cairn::dns::test
