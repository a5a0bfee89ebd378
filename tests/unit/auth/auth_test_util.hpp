// Shared fixtures for the answer engine tests: zones from text lines, queries built octet by octet, and
// responses decoded with the full message parser so every test also checks that responses parse.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/engine.hpp"
#include "dns/message.hpp"
#include "dns/rdata.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"
#include "zone_lines.hpp"

namespace cairn::auth::testing {

struct QueryOptions {
    std::uint16_t id = 0x1234;
    bool rd = true;
    bool cd = false;
    bool ad = false;
    std::uint8_t opcode = 0;
    bool qr = false;
    bool edns = true;
    std::uint16_t udp_payload = 1232;
    std::uint8_t edns_version = 0;
    bool dnssec_ok = false;
    std::vector<std::uint8_t> cookie;  // COOKIE option payload when not empty
    bool nsid = false;
    bool tcp_keepalive = false;
    bool question = true;
    std::uint16_t qclass = 1;
};

inline QueryOptions without_edns() {
    QueryOptions o;
    o.edns = false;
    return o;
}

inline std::vector<std::uint8_t> make_query(const std::string& qname, dns::RRType qtype,
                                            const QueryOptions& o = {}) {
    std::vector<std::uint8_t> q;
    auto u16 = [&](unsigned v) {
        q.push_back(static_cast<std::uint8_t>(v >> 8));
        q.push_back(static_cast<std::uint8_t>(v));
    };
    u16(o.id);
    u16((o.qr ? 0x8000 : 0) | (o.opcode << 11) | (o.rd ? 0x0100 : 0) | (o.ad ? 0x0020 : 0) |
        (o.cd ? 0x0010 : 0));
    u16(o.question ? 1 : 0);
    u16(0);
    u16(0);
    u16(o.edns ? 1 : 0);
    if (o.question) {
        const auto n = dns::Name::from_text(qname);
        q.insert(q.end(), n.wire().begin(), n.wire().end());
        u16(static_cast<unsigned>(qtype));
        u16(o.qclass);
    }
    if (o.edns) {
        q.push_back(0);
        u16(41);
        u16(o.udp_payload);
        q.push_back(0);
        q.push_back(o.edns_version);
        u16(o.dnssec_ok ? 0x8000 : 0);
        std::vector<std::uint8_t> options;
        if (!o.cookie.empty()) {
            options.insert(options.end(), {0, 10, 0, static_cast<std::uint8_t>(o.cookie.size())});
            options.insert(options.end(), o.cookie.begin(), o.cookie.end());
        }
        if (o.nsid) options.insert(options.end(), {0, 3, 0, 0});
        if (o.tcp_keepalive) options.insert(options.end(), {0, 11, 0, 0});
        u16(static_cast<unsigned>(options.size()));
        q.insert(q.end(), options.begin(), options.end());
    }
    return q;
}

struct Exchange {
    Result result;
    std::vector<std::uint8_t> wire;
    dns::Message message;

    std::size_t count(dns::Section s) const { return message.section(s).size(); }
    // "owner TTL TYPE rdata" lines of a section, as to_text prints them (owner in its received case).
    std::vector<std::string> lines(dns::Section s) const {
        std::vector<std::string> out;
        for (const auto& rr : message.section(s)) {
            out.push_back(rr.owner.to_text() + " " + std::to_string(rr.ttl) + " " +
                          dns::type_to_text(rr.type) + " " + dns::rdata_to_text(rr.type, rr.rdata));
        }
        return out;
    }
    const dns::EdnsOption* option(dns::EdnsOptionCode code) const {
        return message.edns ? message.edns->find(code) : nullptr;
    }
};

inline Exchange exchange(const Engine& engine, const zone::ZoneTable& zones,
                         const std::vector<std::uint8_t>& query, Transport transport = Transport::udp,
                         std::size_t buffer = 65535, std::uint32_t now = 1700000000,
                         std::array<std::uint8_t, 16> address = {127, 0, 0, 1}) {
    ClientInfo client;
    client.address = address;
    client.address_size = 4;
    client.transport = transport;
    client.now = now;
    Exchange e;
    std::vector<std::uint8_t> out(buffer);
    e.result = engine.answer(zones, query, client, out);
    EXPECT_LE(e.result.size, buffer);
    out.resize(e.result.size);
    e.wire = out;
    if (e.result.size > 0) {
        try {
            e.message = dns::parse_message(e.wire);
        } catch (const std::exception& ex) {
            ADD_FAILURE() << "response does not parse: " << ex.what();
        }
    }
    return e;
}

}  // namespace cairn::auth::testing
