// Query bytes in, response out, on a fixed zone set that exercises every answer path (CNAME chains and
// loops, DNAME, wildcards, delegations with glue, ENTs). The first input octet picks transport, buffer size
// and settings; the rest is the query (prefetched first, as the UDP server does). Every response must fit its
// buffer and parse with the full message parser, with the question echoed and the id kept.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "../unit/auth/zone_lines.hpp"
#include "auth/engine.hpp"
#include "dns/message.hpp"
#include "dns/rdata.hpp"
#include "fuzz_check.hpp"
#include "zone/zone.hpp"
#include "zone/zone_table.hpp"

using namespace cairn;

namespace {

using cairn::fuzz::check;

const zone::ZoneTable& zones() {
    static const zone::ZoneTable table({
        auth::testing::zone_from("example.", {"@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300",
                                              "@ 3600 NS ns1",
                                              "@ 3600 NS ns2.example.net.",
                                              "@ 3600 MX 10 mail",
                                              "ns1 3600 A 192.0.2.1",
                                              "ns1 3600 AAAA 2001:db8::1",
                                              "mail 3600 A 192.0.2.2",
                                              "www 300 A 192.0.2.3",
                                              "www 300 TXT \"hello\"",
                                              "cname 300 CNAME www",
                                              "loop1 300 CNAME loop2",
                                              "loop2 300 CNAME loop1",
                                              "dangling 300 CNAME nothere",
                                              "*.wild 300 A 192.0.2.4",
                                              "*.wild 300 CNAME www",
                                              "a.b.ent 300 A 192.0.2.6",
                                              "sub 3600 NS ns.sub",
                                              "sub 3600 NS ns.sub2",
                                              "ns.sub 3600 A 192.0.2.7",
                                              "sub2 3600 NS ns.sub2",
                                              "ns.sub2 3600 A 192.0.2.8",
                                              "d 600 DNAME target.example.net.",
                                              "dn 600 DNAME dtarget",
                                              "host.dtarget 300 A 192.0.2.9",
                                              "self 600 DNAME example.",
                                              "_sip._tcp 300 SRV 0 5 5060 sip",
                                              "sip 300 AAAA 2001:db8::2"}),
        auth::testing::zone_from("sub.example.",
                                 {"@ 60 SOA ns h 1 2 3 4 5", "@ 60 NS ns", "ns 60 A 192.0.2.99"}),
        auth::testing::zone_from(
            ".", {". 60 SOA a.root. h. 1 2 3 4 5", ". 60 NS a.root.", "example. 60 NS ns1.example."}),
    });
    return table;
}

const auth::Engine& engine(int variant) {
    static const auth::Engine plain{auth::Settings{}};
    static const auth::Engine strict = [] {
        auth::Settings s;
        s.require_cookie_udp = true;
        s.nsid = {'f', 'u', 'z', 'z'};
        s.version_bind = "fuzz";
        s.max_udp_payload = 4096;
        s.minimal_any = false;
        return auth::Engine(s);
    }();
    return variant ? strict : plain;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t control = data[0];
    const std::span<const std::uint8_t> query(data + 1, size - 1);
    static const std::size_t kBuffers[4] = {65535, 512, 1232, 100};
    const std::size_t buffer_size = kBuffers[control & 3];
    std::vector<std::uint8_t> out(buffer_size + 16, 0xAB);  // guard octets past the buffer
    auth::ClientInfo client;
    client.transport = (control & 4) ? auth::Transport::tcp : auth::Transport::udp;
    client.address = {127, 0, 0, 1};
    client.now = 1700000000;
    // The UDP server warms the caches for each batch first: that read of the query must be as safe.
    const std::span<const std::uint8_t> batch[] = {query, query};
    engine((control >> 3) & 1).prefetch(zones(), batch);
    const auth::Result r =
        engine((control >> 3) & 1).answer(zones(), query, client, std::span(out.data(), buffer_size));
    check(r.size <= buffer_size, "response fits the buffer");
    for (std::size_t i = buffer_size; i < out.size(); ++i)
        check(out[i] == 0xAB, "nothing written past the buffer");
    if (client.transport == auth::Transport::udp) check(r.size <= 4096, "UDP limit");
    if (r.size == 0) {
        check(r.action == auth::Action::drop, "empty response means drop");
        return 0;
    }
    dns::Message m;
    try {
        m = dns::parse_message(std::span(out.data(), r.size));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "response does not parse: %s\n", e.what());
        std::abort();
    }
    check(m.header.qr, "QR set");
    check(m.header.id == ((query[0] << 8) | query[1]), "id echoed");
    check(!m.header.ra, "RA clear");
    check(m.questions.size() <= 1, "at most one question");
    return 0;
}
