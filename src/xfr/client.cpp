#include "xfr/client.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>

#include "dns/ip_address.hpp"
#include "dns/message.hpp"
#include "dns/serial.hpp"
#include "xfr/activity.hpp"
#include "xfr/request.hpp"

namespace cairn::xfr {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t system_seconds() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket& operator=(Socket&&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

struct Address {
    sockaddr_storage storage{};
    socklen_t size = 0;
};

[[noreturn]] void network_error(const Primary& p, const std::string& what) {
    throw TransferError(FailureKind::Network, p.to_text() + ": " + what);
}

Address resolve(const Primary& p) {
    const auto address = dns::IpAddress::parse(p.address);
    if (!address) throw TransferError(FailureKind::Network, "not an IP address: " + p.address);
    Address a;
    a.size = address->to_sockaddr(p.port, a.storage);
    return a;
}

// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd pfd{fd, events, 0};
        const int rc = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 60000)));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) return false;
    }
}

Socket open_socket(const Primary& p, const Address& a, int type) {
    Socket s(::socket(a.storage.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (s.fd() < 0) network_error(p, std::string("socket: ") + std::strerror(errno));
    return s;
}

void connect_with_timeout(const Primary& p, const Socket& s, const Address& a, Clock::time_point deadline) {
    if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.size) == 0) return;
    if (errno != EINPROGRESS) network_error(p, std::string("connect: ") + std::strerror(errno));
    if (!wait_for(s.fd(), POLLOUT, deadline)) network_error(p, "connect timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) network_error(p, std::string("connect: ") + std::strerror(err));
}

void send_all(const Primary& p, const Socket& s, std::span<const std::uint8_t> data,
              Clock::time_point deadline) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(s.fd(), data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(s.fd(), POLLOUT, deadline)) network_error(p, "send timed out");
            continue;
        }
        network_error(p, std::string("send: ") + std::strerror(errno));
    }
}

// Reads exactly `out.size()` octets; false when the peer closed the connection before the first octet.
bool recv_exact(const Primary& p, const Socket& s, std::span<std::uint8_t> out, Clock::time_point deadline,
                std::size_t messages) {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::recv(s.fd(), out.data() + done, out.size() - done, 0);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) {
            if (done == 0) return false;
            network_error(p, "connection closed in the middle of message " + std::to_string(messages + 1));
        }
        if (errno == EAGAIN || errno == EINTR) {
            if (!wait_for(s.fd(), POLLIN, deadline))
                network_error(p, "timed out waiting for message " + std::to_string(messages + 1));
            continue;
        }
        network_error(p, std::string("recv: ") + std::strerror(errno));
    }
    return true;
}

std::uint16_t random_id() {
    static thread_local std::mt19937 rng{std::random_device{}()};
    return static_cast<std::uint16_t>(rng());
}

std::vector<std::uint8_t> tcp_frame(std::span<const std::uint8_t> message) {
    std::vector<std::uint8_t> out(2 + message.size());
    out[0] = static_cast<std::uint8_t>(message.size() >> 8);
    out[1] = static_cast<std::uint8_t>(message.size());
    std::memcpy(out.data() + 2, message.data(), message.size());
    return out;
}

bool matches(std::span<const std::uint8_t> wire, std::uint16_t id) {
    return wire.size() >= dns::kHeaderSize && ((wire[0] << 8) | wire[1]) == id && (wire[2] & 0x80) != 0;
}

// One framed TCP exchange: sends `q` and feeds every received message to `on_message` until it returns
// true (complete) or the peer closes.
template <typename OnMessage>
void tcp_exchange(const Primary& p, const SignedQuery& q, const ClientOptions& o, Clock::time_point deadline,
                  OnMessage&& on_message) {
    const Address a = resolve(p);
    Socket s = open_socket(p, a, SOCK_STREAM);
    const auto io = [&] { return std::min(deadline, Clock::now() + o.io_timeout); };
    connect_with_timeout(p, s, a, io());
    send_all(p, s, tcp_frame(q.wire), io());
    std::vector<std::uint8_t> buffer(65535);
    std::size_t messages = 0;
    for (;;) {
        std::uint8_t len[2];
        if (!recv_exact(p, s, len, io(), messages)) return;  // closed between messages
        const std::size_t n = (std::size_t{len[0]} << 8) | len[1];
        if (n > o.max_message_bytes) network_error(p, "message larger than allowed");
        recv_exact(p, s, std::span(buffer).first(n), io(), messages);
        if (on_message(std::span<const std::uint8_t>(buffer.data(), n))) return;
        ++messages;
        if (Clock::now() >= deadline) network_error(p, "transfer took longer than allowed");
    }
}

}  // namespace

SignedQuery make_signed_query(const Primary& p, const dns::Name& zone, dns::RRType type,
                              const zone::Record* our_soa, const ClientOptions& o) {
    SignedQuery q;
    q.id = random_id();
    QueryOptions qo;
    qo.id = q.id;
    qo.edns = o.edns;
    qo.expire = o.request_expire;
    qo.udp_payload = o.edns_udp_size;
    q.wire = build_query(zone, type, our_soa, qo);
    if (p.key != nullptr) {
        dns::TsigSignOptions so;
        so.time_signed = o.clock ? o.clock() : system_seconds();
        q.mac = dns::tsig_sign(q.wire, *p.key, so);
    }
    return q;
}

SoaAnswer read_soa_answer(const Primary& p, const dns::Name& zone, const SignedQuery& q,
                          std::span<const std::uint8_t> wire, const ClientOptions& o, bool tcp) {
    if (p.key != nullptr) {
        const auto v = dns::tsig_verify_response(wire, *p.key, q.mac, o.clock ? o.clock() : system_seconds());
        if (v.status != dns::TsigStatus::Ok || v.record.error != 0)
            throw TransferError(FailureKind::Tsig, p.to_text() + ": SOA answer TSIG " +
                                                       std::string(dns::tsig_status_to_text(v.status)));
    }
    dns::Message m;
    try {
        m = dns::parse_message(wire);
    } catch (const dns::ParseError& e) {
        throw TransferError(FailureKind::Malformed, p.to_text() + ": SOA answer does not parse: " + e.what());
    }
    if (m.rcode() != dns::Rcode::NOERROR)
        throw TransferError(FailureKind::Refused,
                            p.to_text() + ": SOA query answered " + dns::rcode_to_text(m.rcode()));
    if (!m.header.aa)
        throw TransferError(FailureKind::Refused, p.to_text() + ": not authoritative for " + zone.to_text());
    SoaAnswer a;
    a.tcp = tcp;
    bool found = false;
    for (const dns::ResourceRecord& rr : m.answer) {
        if (rr.type == dns::RRType::SOA && rr.owner == zone && rr.rdata.size() >= 20) {
            a.soa = zone::Record{rr.owner, rr.type, rr.rclass, rr.ttl, rr.rdata};
            found = true;
            break;
        }
    }
    if (!found)
        throw TransferError(FailureKind::Malformed, p.to_text() + ": SOA answer without the zone's SOA");
    if (m.edns) {
        if (const dns::EdnsOption* e = m.edns->find(dns::EdnsOptionCode::EXPIRE))
            a.expire = dns::parse_expire(e->data);
    }
    return a;
}

std::optional<std::vector<std::uint8_t>> udp_exchange(const Primary& p, std::span<const std::uint8_t> query,
                                                      std::chrono::milliseconds timeout) {
    if (query.size() < dns::kHeaderSize)
        throw TransferError(FailureKind::Malformed, "query shorter than a header");
    const auto id = static_cast<std::uint16_t>((query[0] << 8) | query[1]);
    const Address a = resolve(p);
    Socket s = open_socket(p, a, SOCK_DGRAM);
    if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.size) != 0)
        network_error(p, std::string("connect: ") + std::strerror(errno));
    if (::send(s.fd(), query.data(), query.size(), 0) < 0)
        network_error(p, std::string("send: ") + std::strerror(errno));
    const auto deadline = Clock::now() + timeout;
    std::vector<std::uint8_t> buffer(65535);
    while (wait_for(s.fd(), POLLIN, deadline)) {
        const ssize_t n = ::recv(s.fd(), buffer.data(), buffer.size(), 0);
        if (n <= 0) return std::nullopt;  // ICMP port unreachable and the like
        buffer.resize(static_cast<std::size_t>(n));
        if (matches(buffer, id)) return buffer;
        buffer.resize(65535);
    }
    return std::nullopt;
}

std::string Primary::to_text() const {
    return address + "#" + std::to_string(port);
}

TransferActivity& transfer_activity() {
    static TransferActivity activity;
    return activity;
}

SoaAnswer query_soa(const Primary& p, const dns::Name& zone, const ClientOptions& o) {
    const InProgress counted(transfer_activity().soa_queries);
    const SignedQuery q = make_signed_query(p, zone, dns::RRType::SOA, nullptr, o);
    const Address a = resolve(p);
    std::vector<std::uint8_t> buffer(65535);
    bool truncated = false;
    for (int attempt = 0; attempt < std::max(1, o.udp_attempts) && !truncated; ++attempt) {
        Socket s = open_socket(p, a, SOCK_DGRAM);
        if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&a.storage), a.size) != 0)
            network_error(p, std::string("connect: ") + std::strerror(errno));
        const auto deadline = Clock::now() + o.io_timeout;
        if (::send(s.fd(), q.wire.data(), q.wire.size(), 0) < 0) continue;
        while (wait_for(s.fd(), POLLIN, deadline)) {
            const ssize_t n = ::recv(s.fd(), buffer.data(), buffer.size(), 0);
            if (n <= 0) break;  // ICMP unreachable surfaces here as an error: try again / give up
            const auto wire = std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n));
            if (!matches(wire, q.id)) continue;  // a stray or late answer
            if ((wire[2] & 0x02) != 0) {
                truncated = true;
                break;
            }
            return read_soa_answer(p, zone, q, wire, o, false);
        }
    }
    // Truncated, or no UDP answer: ask over TCP (a primary that only speaks TCP still works).
    const SignedQuery tq = make_signed_query(p, zone, dns::RRType::SOA, nullptr, o);
    std::optional<SoaAnswer> answer;
    tcp_exchange(p, tq, o, Clock::now() + o.io_timeout, [&](std::span<const std::uint8_t> wire) {
        if (!matches(wire, tq.id))
            throw TransferError(FailureKind::Malformed, p.to_text() + ": wrong answer ID");
        answer = read_soa_answer(p, zone, tq, wire, o, true);
        return true;
    });
    if (!answer)
        network_error(p,
                      truncated ? "connection closed before the SOA answer" : "no answer to the SOA query");
    return *answer;
}

InboundResult fetch(const Primary& p, const dns::Name& zone, const zone::Record* our_soa,
                    const ClientOptions& o) {
    const InProgress counted(transfer_activity().transfers);
    const dns::RRType type = our_soa != nullptr ? dns::RRType::IXFR : dns::RRType::AXFR;
    const SignedQuery q = make_signed_query(p, zone, type, our_soa, o);
    InboundOptions io;
    io.zone = zone;
    io.type = type;
    io.query_id = q.id;
    if (our_soa != nullptr) io.our_serial = zone::soa_serial(our_soa->rdata);
    io.tsig_key = p.key;
    io.request_mac = q.mac;
    io.clock = o.clock;
    InboundParser parser(std::move(io));
    try {
        tcp_exchange(p, q, o, Clock::now() + o.transfer_timeout,
                     [&](std::span<const std::uint8_t> wire) { return parser.feed(wire); });
        return parser.finish();
    } catch (const TransferError& e) {
        const std::string what = e.what();
        if (what.rfind(p.to_text(), 0) == 0) throw;
        throw TransferError(e.kind(), p.to_text() + ": " + dns::type_to_text(type) + " " + what);
    }
}

RefreshResult refresh_zone(const std::vector<Primary>& primaries, const dns::Name& zone,
                           std::shared_ptr<const zone::Zone> current, const ClientOptions& o) {
    std::string failures;
    FailureKind last_kind = FailureKind::Network;
    for (const Primary& p : primaries) {
        try {
            const SoaAnswer soa = query_soa(p, zone, o);
            RefreshResult r;
            r.primary = p.to_text();
            r.serial = soa.serial();
            r.expire = soa.expire;
            if (current && !dns::serial_greater(soa.serial(), current->serial())) return r;  // UpToDate
            InboundResult got;
            if (current) {
                const zone::Record ours = zone::soa_record(*current);
                try {
                    got = fetch(p, zone, &ours, o);
                } catch (const TransferError& e) {
                    // A primary without IXFR answers NOTIMP, FORMERR or REFUSED: fall back to AXFR.
                    if (e.kind() != FailureKind::Refused) throw;
                    got = fetch(p, zone, nullptr, o);
                }
            } else {
                got = fetch(p, zone, nullptr, o);
            }
            r.kind = got.kind;
            r.serial = got.serial();
            r.messages = got.messages;
            r.bytes = got.bytes;
            if (got.expire) r.expire = got.expire;
            if (got.kind == InboundKind::UpToDate) return r;
            r.zone = build_zone(got, current.get());
            r.outcome = RefreshResult::Outcome::Transferred;
            r.diffs = std::move(got.diffs);
            return r;
        } catch (const TransferError& e) {
            if (!failures.empty()) failures += "; ";
            failures += e.what();
            last_kind = e.kind();
        }
    }
    if (primaries.empty()) failures = "no primaries configured";
    throw TransferError(last_kind, "refresh of " + zone.to_text() + " failed: " + failures);
}

}  // namespace cairn::xfr
