// Synthetic probes (cairn's own `probe` statement): what passes and what fails, and why, from scripted
// answers; and a probe of a server that never answers, run for real on loopback, failing with the reason.
#include "server/synthetic_probes.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "dns/rdata.hpp"

namespace cairn::server {
namespace {

using namespace std::chrono_literals;

ProbeSettings probe(std::vector<std::string> expect = {}) {
    ProbeSettings p;
    p.label = "www.example.com";
    p.name = dns::Name::from_text("www.example.com.");
    p.type = dns::RRType::A;
    p.expect = std::move(expect);
    return p;
}

doctor::QueryResult answer(dns::Rcode rcode, std::vector<std::string> addresses, std::uint16_t ede = 0xFFFF) {
    doctor::QueryResult r;
    r.outcome = doctor::QueryResult::Outcome::answer;
    r.rtt_ms = 3.5;
    dns::Message m;
    m.header.rcode = static_cast<std::uint8_t>(rcode);
    m.edns = dns::Edns{};
    if (ede != 0xFFFF)
        m.edns->options.push_back({static_cast<std::uint16_t>(dns::EdnsOptionCode::EDE),
                                   {static_cast<std::uint8_t>(ede >> 8), static_cast<std::uint8_t>(ede)}});
    for (const std::string& address : addresses)
        m.answer.push_back({dns::Name::from_text("www.example.com."), dns::RRType::A, dns::RRClass::IN, 60,
                            dns::rdata_from_text(dns::RRType::A, address, dns::Name())});
    r.message = std::move(m);
    return r;
}

TEST(ProbeCheck, PassesAndFailsWithTheReason) {
    const ProbeCheck ok =
        check_probe_answer(probe(), answer(dns::Rcode::NOERROR, {"192.0.2.7", "192.0.2.8"}));
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(ok.rcode, "NOERROR");
    EXPECT_EQ(ok.answer, (std::vector<std::string>{"192.0.2.7", "192.0.2.8"}));

    EXPECT_TRUE(
        check_probe_answer(probe({"192.0.2.8"}), answer(dns::Rcode::NOERROR, {"192.0.2.7", "192.0.2.8"})).ok);
    const ProbeCheck lacks =
        check_probe_answer(probe({"192.0.2.9"}), answer(dns::Rcode::NOERROR, {"192.0.2.7"}));
    EXPECT_FALSE(lacks.ok);
    EXPECT_EQ(lacks.problem, "the answer lacks 192.0.2.9");

    const ProbeCheck nodata = check_probe_answer(probe(), answer(dns::Rcode::NOERROR, {}));
    EXPECT_FALSE(nodata.ok);
    EXPECT_EQ(nodata.problem, "no A record in the answer (NODATA)");

    const ProbeCheck servfail = check_probe_answer(probe(), answer(dns::Rcode::SERVFAIL, {}, 22));
    EXPECT_FALSE(servfail.ok);
    EXPECT_EQ(servfail.rcode, "SERVFAIL");
    EXPECT_EQ(servfail.problem, "SERVFAIL (EDE 22 No Reachable Authority)");

    doctor::QueryResult silent;
    silent.outcome = doctor::QueryResult::Outcome::timeout;
    const ProbeCheck none = check_probe_answer(probe(), silent);
    EXPECT_FALSE(none.ok);
    EXPECT_EQ(none.rcode, "");
    EXPECT_EQ(none.problem, "no answer: timeout");
}

TEST(SyntheticProbes, ASilentServerFailsAndIsCounted) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
    socklen_t size = sizeof at;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&at), &size);
    const net::Endpoint silent{dns::IpAddress::v4(0x7F000001u), ntohs(at.sin_port)};

    SyntheticProbes probes;
    ProbeSettings p = probe();
    p.every = 1s;
    p.timeout = 1s;
    p.servers = {silent};
    probes.configure({p}, {});
    std::vector<stats::ProbeGauge> gauge;
    for (int i = 0; i < 100; ++i) {  // the first run is due at once and ends within its timeout
        gauge = probes.gauge();
        if (!gauge.empty() && gauge[0].ran) break;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_EQ(gauge.size(), 1u);
    EXPECT_TRUE(gauge[0].ran);
    EXPECT_FALSE(gauge[0].ok);
    EXPECT_EQ(gauge[0].server, silent.to_string());
    EXPECT_EQ(gauge[0].type, "A");
    EXPECT_EQ(gauge[0].problem, "no answer: timeout");
    EXPECT_EQ(gauge[0].failures, gauge[0].runs);
    EXPECT_TRUE(gauge[0].failing_since.has_value());
    EXPECT_FALSE(gauge[0].rtt_ms.has_value());
    // The same probe configured again keeps its counters.
    const std::uint64_t runs = gauge[0].runs;
    probes.configure({p}, {});
    EXPECT_GE(probes.gauge()[0].runs, runs);
    probes.stop();
    ::close(fd);
}

}  // namespace
}  // namespace cairn::server
