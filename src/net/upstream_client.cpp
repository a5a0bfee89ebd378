#include "net/upstream_client.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "dns/message.hpp"
#include "dns/wire.hpp"
#include "net/fd.hpp"
#include "net/limits.hpp"

namespace cairn::net {

namespace {

constexpr int kPortAttempts = 8;  // random ports tried before letting the kernel pick one
constexpr std::uint16_t kTypeOpt = 41;

void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

std::uint16_t read16(const std::uint8_t* at) {
    return static_cast<std::uint16_t>((at[0] << 8) | at[1]);
}

// The system's ephemeral port range (ip_local_port_range), where random query ports are drawn from.
std::pair<std::uint16_t, std::uint16_t> ephemeral_range() {
    std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
    unsigned low = 0, high = 0;
    if (in >> low >> high && low >= 1024 && high <= 65535 && low < high)
        return {static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)};
    return {32768, 60999};  // Linux's default
}

struct QuestionKey {
    dns::Name name;
    std::uint16_t type = 0;
    std::uint16_t qclass = 0;
};

// The question of a message with exactly one; nullopt when it has none or cannot be read.
std::optional<QuestionKey> read_question(std::span<const std::uint8_t> message) {
    if (message.size() < dns::kHeaderSize || read16(message.data() + 4) != 1) return std::nullopt;
    try {
        dns::WireReader reader(message, dns::kHeaderSize);
        QuestionKey key;
        key.name = reader.name();
        key.type = reader.u16();
        key.qclass = reader.u16();
        return key;
    } catch (const dns::ParseError&) {
        return std::nullopt;
    }
}

// The client cookie (RFC 7873) of a message's COOKIE option; empty when it has none or cannot be read.
std::vector<std::uint8_t> client_cookie_of(std::span<const std::uint8_t> message) {
    try {
        const dns::Message m = dns::parse_message(message);
        const dns::EdnsOption* o = m.edns ? m.edns->find(dns::EdnsOptionCode::COOKIE) : nullptr;
        if (o == nullptr || o->data.size() < dns::kCookieClientSize) return {};
        return {o->data.begin(), o->data.begin() + dns::kCookieClientSize};
    } catch (const dns::ParseError&) {
        return {};
    }
}

}  // namespace

std::vector<std::uint8_t> make_upstream_query(const dns::Name& name, dns::RRType type, bool rd,
                                              std::uint16_t edns_udp_size, bool dnssec_ok, bool cd) {
    std::vector<std::uint8_t> out;
    out.reserve(dns::kHeaderSize + name.wire_size() + 4 + 11);
    put16(out, 0);                                                                  // ID: drawn when sent
    put16(out, static_cast<std::uint16_t>((rd ? 0x0100 : 0) | (cd ? 0x0010 : 0)));  // QUERY
    put16(out, 1);
    put16(out, 0);
    put16(out, 0);
    put16(out, edns_udp_size != 0 ? 1 : 0);
    out.insert(out.end(), name.wire().begin(), name.wire().end());
    put16(out, dns::code(type));
    put16(out, 1);  // IN
    if (edns_udp_size != 0) {
        out.push_back(0);  // root owner
        put16(out, kTypeOpt);
        put16(out, edns_udp_size);
        out.push_back(0);  // extended rcode
        out.push_back(0);  // version
        put16(out, dnssec_ok ? 0x8000 : 0);
        put16(out, 0);  // no options
    }
    return out;
}

// One query to one server: its UDP attempt, then possibly a TCP one.
class UpstreamClient::Query final : public EventLoop::Watcher {
  public:
    Query(UpstreamClient& client, QueryId id, UpstreamQuery query, QuestionKey question, Callback done)
        : client_(client),
          id_(id),
          query_(std::move(query)),
          question_(std::move(question)),
          done_(std::move(done)),
          client_cookie_(client_cookie_of(query_.message)) {}

    ~Query() { close_sockets(); }

    void start() {
        timer_ = client_.loop_.at(query_.deadline, [this] {
            timer_ = 0;
            fail(UpstreamStatus::timeout, ETIMEDOUT);
        });
        starting_ = true;
        if (query_.tcp) {
            start_tcp();
        } else {
            start_udp();
        }
        starting_ = false;
    }

    void on_ready(std::uint32_t events) override {
        if (finished_) return;
        if (udp_) {
            on_udp(events);
        } else if (tcp_) {
            on_tcp(events);
        }
    }

    void abandon() {
        finished_ = true;
        if (timer_ != 0) client_.loop_.cancel(timer_);
        timer_ = 0;
        close_sockets();
    }

  private:
    EventLoop& loop() { return client_.loop_; }

    void new_id() {
        reply_.id = client_.random_.next16();
        query_.message[0] = static_cast<std::uint8_t>(reply_.id >> 8);
        query_.message[1] = static_cast<std::uint8_t>(reply_.id);
    }

    // An open, bound, connected UDP socket on a random port; errno set and an empty Fd on failure.
    Fd open_udp() {
        const bool v6 = query_.server.address.is_v6();
        Fd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) return fd;
        Endpoint local{v6 ? client_.options_.source_v6 : client_.options_.source_v4, 0};
        sockaddr_storage addr;
        bool bound = false;
        for (int attempt = 0; attempt < kPortAttempts && !bound; ++attempt) {
            local.port = client_.random_port();
            const socklen_t len = local.to_sockaddr(addr);
            bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) == 0;
            if (!bound && errno != EADDRINUSE) break;
        }
        if (!bound) {
            local.port = 0;  // let the kernel choose (it also picks at random)
            const socklen_t len = local.to_sockaddr(addr);
            if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) return Fd();
        }
        const socklen_t len = query_.server.to_sockaddr(addr);
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) return Fd();
        return fd;
    }

    void start_udp() {
        new_id();
        Fd fd = open_udp();
        if (!fd) return fail(UpstreamStatus::network_error, errno);
        sockaddr_storage local{};
        socklen_t local_len = sizeof local;
        if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &local_len) == 0)
            reply_.source_port = Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&local)).port;
        sent_at_ = loop().now();
        client_.count(client_.counters_.udp_queries);
        if (::send(fd.get(), query_.message.data(), query_.message.size(), MSG_NOSIGNAL) < 0)
            return fail(UpstreamStatus::network_error, errno);
        udp_ = std::move(fd);
        loop().watch(udp_.get(), EPOLLIN, *this);
    }

    void on_udp(std::uint32_t events) {
        (void)events;
        auto& buffer = client_.receive_buffer_;
        for (;;) {
            sockaddr_storage from{};
            socklen_t from_len = sizeof from;
            const ssize_t n = ::recvfrom(udp_.get(), buffer.data(), buffer.size(), MSG_TRUNC,
                                         reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                // An ICMP error for the connected socket (port unreachable, host unreachable, ...).
                return fail(UpstreamStatus::network_error, errno);
            }
            const auto size = static_cast<std::size_t>(n);
            const Endpoint source = Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&from));
            if (!(source == query_.server) || size > buffer.size() || !acceptable({buffer.data(), size})) {
                ignore();
                continue;
            }
            reply_.rtt = loop().now() - sent_at_;
            if (buffer[2] & 0x02) {  // TC: the whole answer needs TCP
                reply_.truncated = true;
                client_.count(client_.counters_.truncated);
                loop().unwatch(udp_.get());
                udp_.reset();
                return start_tcp();
            }
            return succeed({buffer.data(), size});
        }
    }

    // A response to this query: QR set, our ID, opcode QUERY, our question (or, for FORMERR, none).
    bool acceptable(std::span<const std::uint8_t> message) const {
        if (message.size() < dns::kHeaderSize) return false;
        if (read16(message.data()) != reply_.id) return false;
        if (!(message[2] & 0x80) || ((message[2] >> 3) & 0xF) != 0) return false;
        const std::uint16_t qdcount = read16(message.data() + 4);
        // A server that does not understand the query (EDNS, say) may send FORMERR without the question.
        if (qdcount == 0) return (message[3] & 0x0F) == 1 && read16(message.data() + 6) == 0;
        const auto question = read_question(message);
        if (!question || question->type != question_.type || question->qclass != question_.qclass ||
            !(question->name == question_.name))
            return false;
        // RFC 7873 §5.3: a reply whose COOKIE does not echo the client cookie we sent is not the server's.
        if (client_cookie_.empty()) return true;
        const auto echoed = client_cookie_of(message);
        return echoed.empty() || echoed == client_cookie_;
    }

    void ignore() {
        ++reply_.ignored;
        client_.count(client_.counters_.ignored);
    }

    void start_tcp() {
        new_id();
        const bool v6 = query_.server.address.is_v6();
        Fd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) return fail(UpstreamStatus::network_error, errno);
        sockaddr_storage addr;
        const socklen_t len = query_.server.to_sockaddr(addr);
        client_.count(client_.counters_.tcp_queries);
        sent_at_ = loop().now();
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS)
            return fail(UpstreamStatus::network_error, errno);
        out_.clear();
        put16(out_, static_cast<std::uint16_t>(query_.message.size()));
        out_.insert(out_.end(), query_.message.begin(), query_.message.end());
        out_sent_ = 0;
        in_.clear();
        tcp_ = std::move(fd);
        loop().watch(tcp_.get(), EPOLLOUT, *this);
    }

    void on_tcp(std::uint32_t events) {
        if (out_sent_ < out_.size()) {
            int error = 0;
            socklen_t len = sizeof error;
            if ((events & EPOLLERR) || ::getsockopt(tcp_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 ||
                error != 0)
                return fail(UpstreamStatus::network_error, error != 0 ? error : ECONNREFUSED);
            while (out_sent_ < out_.size()) {
                const ssize_t n =
                    ::send(tcp_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
                if (n > 0) {
                    out_sent_ += static_cast<std::size_t>(n);
                } else if (n < 0 && errno == EINTR) {
                    continue;
                } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    return;
                } else {
                    return fail(UpstreamStatus::network_error, errno);
                }
            }
            loop().modify(tcp_.get(), EPOLLIN, *this);
            return;
        }
        std::uint8_t chunk[4096];
        for (;;) {
            const ssize_t n = ::recv(tcp_.get(), chunk, sizeof chunk, 0);
            if (n > 0) {
                in_.insert(in_.end(), chunk, chunk + n);
                if (take_tcp_messages()) return;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            // The server closed (or reset) the connection before answering.
            return fail(UpstreamStatus::network_error, n == 0 ? ECONNRESET : errno);
        }
    }

    // Takes the complete messages read so far; true once one answered the query (and the query finished).
    bool take_tcp_messages() {
        std::size_t at = 0;
        while (in_.size() - at >= 2) {
            const std::size_t length = read16(in_.data() + at);
            if (in_.size() - at - 2 < length) break;
            const std::span<const std::uint8_t> message(in_.data() + at + 2, length);
            if (acceptable(message)) {
                reply_.rtt = loop().now() - sent_at_;
                reply_.over_tcp = true;
                succeed(message);
                return true;
            }
            ignore();
            at += 2 + length;
        }
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(at));
        return false;
    }

    void succeed(std::span<const std::uint8_t> message) {
        reply_.status = UpstreamStatus::answer;
        reply_.message = message;
        client_.count(client_.counters_.answers);
        complete();
    }

    void fail(UpstreamStatus status, int error) {
        if (finished_) return;
        reply_.status = status;
        reply_.error = error;
        reply_.message = {};
        client_.count(status == UpstreamStatus::timeout ? client_.counters_.timeouts
                                                        : client_.counters_.network_errors);
        complete();
    }

    void complete() {
        finished_ = true;
        if (timer_ != 0) loop().cancel(timer_);
        timer_ = 0;
        if (starting_) {
            // Failed inside send(): the caller hears of it after send() has returned.
            loop().at_end_of_turn([client = &client_, id = id_] { client->finish_later(id); });
            return;
        }
        // The callback reads the message from the buffers; the sockets close after it.
        client_.finish(*this, reply_);
    }

    void close_sockets() {
        if (udp_) {
            loop().unwatch(udp_.get());
            udp_.reset();
        }
        if (tcp_) {
            loop().unwatch(tcp_.get());
            tcp_.reset();
        }
    }

  public:
    QueryId id() const { return id_; }
    Callback& done() { return done_; }
    const UpstreamReply& reply() const { return reply_; }

  private:
    UpstreamClient& client_;
    QueryId id_;
    UpstreamQuery query_;
    QuestionKey question_;
    Callback done_;
    std::vector<std::uint8_t> client_cookie_;  // of the COOKIE we sent (empty: none)
    UpstreamReply reply_;
    EventLoop::TimerId timer_ = 0;
    EventLoop::Clock::time_point sent_at_{};
    Fd udp_, tcp_;
    std::vector<std::uint8_t> out_, in_;
    std::size_t out_sent_ = 0;
    bool finished_ = false;
    bool starting_ = false;
};

UpstreamClient::UpstreamClient(EventLoop& loop, Options options)
    : loop_(loop), options_(options), receive_buffer_(options.max_udp_response) {
    if (options_.port_low == 0 || options_.port_high <= options_.port_low) {
        const auto [low, high] = ephemeral_range();
        options_.port_low = low;
        options_.port_high = high;
    }
}

UpstreamClient::~UpstreamClient() {
    for (auto& [id, query] : queries_)
        query->abandon();
}

std::uint16_t UpstreamClient::random_port() {
    const std::uint32_t span = std::uint32_t{options_.port_high} - options_.port_low + 1;
    return static_cast<std::uint16_t>(options_.port_low + random_.below(span));
}

UpstreamClient::QueryId UpstreamClient::send(UpstreamQuery query, Callback done) {
    const QueryId id = next_id_++;
    auto question = read_question(query.message);
    if (!question) {
        loop_.at_end_of_turn([done = std::move(done)] {
            UpstreamReply reply;
            reply.status = UpstreamStatus::malformed;
            done(reply);
        });
        return id;
    }
    auto owned = std::make_unique<Query>(*this, id, std::move(query), std::move(*question), std::move(done));
    Query& started = *owned;
    queries_.emplace(id, std::move(owned));
    started.start();
    return id;
}

void UpstreamClient::cancel(QueryId id) {
    const auto found = queries_.find(id);
    if (found == queries_.end()) return;
    found->second->abandon();
    // Events of this turn may still name it: freed once they are handled.
    loop_.at_end_of_turn([query = std::shared_ptr<Query>(std::move(found->second))] {});
    queries_.erase(found);
}

void UpstreamClient::finish(Query& query, const UpstreamReply& reply) {
    const auto found = queries_.find(query.id());
    if (found == queries_.end()) return;
    std::shared_ptr<Query> owned(std::move(found->second));
    queries_.erase(found);
    // Freed at the end of the turn: the reply's message points into its buffers, and events of this turn
    // may still name it.
    loop_.at_end_of_turn([owned] { owned->abandon(); });
    Callback done = std::move(owned->done());
    done(reply);
}

void UpstreamClient::finish_later(QueryId id) {
    const auto found = queries_.find(id);
    if (found != queries_.end()) finish(*found->second, found->second->reply());
}

UpstreamCounters UpstreamClient::counters() const {
    const auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    return {get(counters_.udp_queries), get(counters_.tcp_queries),    get(counters_.answers),
            get(counters_.timeouts),    get(counters_.network_errors), get(counters_.truncated),
            get(counters_.ignored)};
}

}  // namespace cairn::net
