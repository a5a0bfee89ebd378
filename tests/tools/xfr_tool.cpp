// Exposes the xfr module to tests/system/test_xfr_*.py: pulls zones from real servers (BIND, Knot) the way
// a cairn secondary does, and serves zones the way a cairn primary does, so both directions can be checked
// against independent implementations. KEY is ALGORITHM:NAME:BASE64SECRET (as dig -y).
//
//   xfr_tool print ZONE FILE                          canonical records of a zone file
//   xfr_tool soa SERVER PORT ZONE [KEY]               "serial N expire E|-"
//   xfr_tool axfr SERVER PORT ZONE [KEY]              canonical records of the transferred zone
//   xfr_tool ixfr SERVER PORT ZONE OLDFILE [KEY]      canonical records after IXFR from OLDFILE's serial
//   xfr_tool refresh SERVER PORT ZONE OLDFILE|- [KEY] what a secondary's refresh does (SOA, IXFR/AXFR)
//   xfr_tool notify SERVER PORT ZONE FILE [KEY]       sends NOTIFY with FILE's SOA; prints the answer's rcode
//   xfr_tool produce ZONE FILE [MESSAGE_SIZE]        times producing a full AXFR (no I/O): "rrs= messages=
//                                                     bytes= ms="
//   xfr_tool serve PORT ZONE FILE [OLDFILE...] [--key KEY] [--seconds S] [--message-size N]
//                                                     answers SOA (UDP, TCP), AXFR and IXFR on
//                                                     127.0.0.1:PORT; OLDFILEs are older versions, oldest
//                                                     first, journaled
//
// Canonical records: one line per RR, "owner ttl class type rdata" with the owner lowercased, sorted. A
// summary line goes to standard error: "kind=full|incremental|uptodate serial=N messages=M diffs=D". Failures
// exit 1 with "error kind=KIND: MESSAGE" on standard error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "dns/message_builder.hpp"
#include "dns/message_query.hpp"
#include "dns/rdata.hpp"
#include "dns/tsig.hpp"
#include "store/journal.hpp"
#include "xfr/client.hpp"
#include "xfr/notify.hpp"
#include "xfr/outbound.hpp"
#include "xfr/refresh.hpp"
#include "xfr/request.hpp"
#include "zone/diff.hpp"
#include "zonefile/zone_file.hpp"

using namespace cairn;

namespace {

volatile sig_atomic_t g_stop = 0;

dns::TsigKey key_arg(const std::string& spec) {
    const auto first = spec.find(':');
    const auto second = spec.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos)
        throw dns::ParseError("KEY is ALG:NAME:SECRET");
    return dns::TsigKey::from_config(spec.substr(first + 1, second - first - 1), spec.substr(0, first),
                                     spec.substr(second + 1));
}

std::shared_ptr<const zone::Zone> load(const dns::Name& origin, const std::string& path) {
    zonefile::LoadOptions o;
    o.parse.origin = origin;
    auto loaded = zonefile::load_zone_file(path, o);
    if (!loaded.ok) throw std::runtime_error(path + ": " + loaded.zone.diagnostics.first_error());
    return zone::Zone::build(origin, loaded.zone.to_records());
}

void print_zone(const zone::Zone& z) {
    std::vector<std::string> lines;
    z.for_each_rr([&](std::span<const std::uint8_t> owner, dns::RRType type, dns::RRClass cls,
                      std::uint32_t ttl, std::span<const std::uint8_t> rdata) {
        lines.push_back(dns::Name::from_validated_wire(owner).lowercased().to_text() + " " +
                        std::to_string(ttl) + " " + dns::class_to_text(cls) + " " + dns::type_to_text(type) +
                        " " + dns::rdata_to_text(type, rdata));
    });
    std::sort(lines.begin(), lines.end());
    for (const std::string& l : lines)
        std::cout << l << "\n";
}

const char* kind_name(xfr::InboundKind k) {
    switch (k) {
        case xfr::InboundKind::Full:
            return "full";
        case xfr::InboundKind::Incremental:
            return "incremental";
        case xfr::InboundKind::UpToDate:
            return "uptodate";
    }
    return "?";
}

// ---- serve

struct Served {
    std::shared_ptr<const zone::Zone> zone;
    store::Journal* journal = nullptr;
    const dns::TsigKey* key = nullptr;
    dns::TsigKeyring keyring;
    std::size_t message_size = xfr::kDefaultMessageSize;
};

int listen_socket(int type, std::uint16_t port) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
    if (type == SOCK_STREAM) ::listen(fd, 16);
    return fd;
}

// The answer to an SOA query (or a REFUSED/NOTAUTH one); signs when the request was signed.
std::vector<std::uint8_t> soa_answer(const Served& s, std::span<const std::uint8_t> query, bool tcp) {
    dns::ParsedQuery q;
    if (dns::parse_query(query, q) != dns::QueryStatus::Ok) return {};
    std::vector<std::uint8_t> out(65535);
    dns::MessageBuilder b(out);
    b.reset();
    b.start_response(q, 1232, tcp);
    const zone::Record soa = zone::soa_record(*s.zone);
    if (q.qtype != dns::RRType::SOA || !(dns::Name::from_validated_wire(q.qname) == s.zone->origin())) {
        b.set_rcode(dns::Rcode::REFUSED);
    } else {
        b.header().aa = true;
        b.start_section(dns::Section::Answer);
        b.add_rr(soa.owner, soa.type, soa.rclass, soa.ttl, soa.rdata);
        if (q.edns.expire) b.add_expire(xfr::soa_timers(soa.rdata).expire);
    }
    const auto w = b.finish();
    std::vector<std::uint8_t> msg(w.begin(), w.end());
    if (q.has_tsig && s.key != nullptr) {
        const auto v =
            dns::tsig_verify_request(query, s.keyring, static_cast<std::uint64_t>(std::time(nullptr)));
        dns::tsig_sign_response(msg, v, static_cast<std::uint64_t>(std::time(nullptr)));
    }
    return msg;
}

bool write_framed(int fd, std::span<const std::uint8_t> msg) {
    if (msg.size() > 65535) return false;
    std::vector<std::uint8_t> frame{static_cast<std::uint8_t>(msg.size() >> 8),
                                    static_cast<std::uint8_t>(msg.size())};
    frame.insert(frame.end(), msg.begin(), msg.end());
    std::size_t done = 0;
    while (done < frame.size()) {
        const ssize_t n = ::send(fd, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool read_exact(int fd, std::uint8_t* p, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 5000) <= 0) return false;
        const ssize_t r = ::recv(fd, p + done, n - done, 0);
        if (r <= 0) return false;
        done += static_cast<std::size_t>(r);
    }
    return true;
}

void serve_tcp(const Served& s, int fd) {
    for (;;) {
        std::uint8_t len[2];
        if (!read_exact(fd, len, 2)) return;
        std::vector<std::uint8_t> query((std::size_t{len[0]} << 8) | len[1]);
        if (!read_exact(fd, query.data(), query.size())) return;
        xfr::TransferRequest request;
        try {
            request = xfr::read_transfer_request(query);
        } catch (const dns::ParseError&) {
            const auto answer = soa_answer(s, query, true);
            if (answer.empty() || !write_framed(fd, answer)) return;
            continue;
        }
        xfr::OutboundOptions o;
        o.message_size = s.message_size;
        o.expire = xfr::soa_timers(zone::soa_record(*s.zone).rdata).expire;
        if (request.tsig && s.key != nullptr) {
            const auto v =
                dns::tsig_verify_request(query, s.keyring, static_cast<std::uint64_t>(std::time(nullptr)));
            if (v.status != dns::TsigStatus::Ok) return;
            o.tsig_key = s.key;
            o.request_mac = v.record.mac;
        }
        if (!(request.zone == s.zone->origin())) {
            std::vector<std::uint8_t> out(512);
            const std::size_t n = xfr::write_refused(query, out);
            if (n == 0 || !write_framed(fd, std::span(out).first(n))) return;
            continue;
        }
        auto stream = xfr::open_transfer(s.zone, request, s.journal, o);
        std::vector<std::uint8_t> buffer(65535);
        while (const std::size_t n = stream->next(buffer)) {
            if (!write_framed(fd, std::span(buffer).first(n))) return;
        }
        std::cerr << "served " << dns::type_to_text(request.type) << " form="
                  << (stream->form() == xfr::TransferForm::Incremental ? "incremental"
                      : stream->form() == xfr::TransferForm::Axfr      ? "axfr"
                                                                       : "soa")
                  << " messages=" << stream->messages_sent() << std::endl;
    }
}

int serve(const std::vector<std::string>& args) {
    // serve PORT ZONE FILE [OLDFILE...] [--key KEY] [--seconds S] [--message-size N]
    std::vector<std::string> positional;
    std::optional<dns::TsigKey> key;
    int seconds = 60;
    Served s;
    for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--key" && i + 1 < args.size()) {
            key = key_arg(args[++i]);
        } else if (args[i] == "--seconds" && i + 1 < args.size()) {
            seconds = std::stoi(args[++i]);
        } else if (args[i] == "--message-size" && i + 1 < args.size()) {
            s.message_size = std::stoul(args[++i]);
        } else {
            positional.push_back(args[i]);
        }
    }
    if (positional.size() < 3) throw std::runtime_error("serve PORT ZONE FILE [OLDFILE...]");
    const auto port = static_cast<std::uint16_t>(std::stoi(positional[0]));
    const dns::Name origin = dns::Name::from_text(positional[1]);
    s.zone = load(origin, positional[2]);
    if (key) {
        s.keyring.add(*key);
        s.key = s.keyring.find(key->name);
    }
    std::string dir = (std::filesystem::temp_directory_path() / "xfr-tool-journal-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    int rc = 0;
    {
        store::Environment env(dir, {.map_size = 64 << 20, .sync = false, .grown = nullptr});
        store::Journal journal(env, origin);
        std::shared_ptr<const zone::Zone> previous;
        for (std::size_t i = 3; i < positional.size(); ++i) {
            auto older = load(origin, positional[i]);
            if (previous) journal.append(zone::diff_zones(*previous, *older));
            previous = older;
        }
        if (previous) journal.append(zone::diff_zones(*previous, *s.zone));
        s.journal = &journal;

        const int udp = listen_socket(SOCK_DGRAM, port), tcp = listen_socket(SOCK_STREAM, port);
        std::cerr << "serving " << origin.to_text() << " serial " << s.zone->serial() << " on 127.0.0.1#"
                  << port << std::endl;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        std::vector<std::uint8_t> buffer(65535);
        while (!g_stop && std::chrono::steady_clock::now() < end) {
            pollfd fds[2] = {{udp, POLLIN, 0}, {tcp, POLLIN, 0}};
            if (::poll(fds, 2, 200) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                sockaddr_storage from{};
                socklen_t from_len = sizeof from;
                const ssize_t n = ::recvfrom(udp, buffer.data(), buffer.size(), 0,
                                             reinterpret_cast<sockaddr*>(&from), &from_len);
                if (n > 0) {
                    const auto answer =
                        soa_answer(s, std::span(buffer).first(static_cast<std::size_t>(n)), false);
                    if (!answer.empty())
                        ::sendto(udp, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from),
                                 from_len);
                }
            }
            if (fds[1].revents & POLLIN) {
                const int conn = ::accept4(tcp, nullptr, nullptr, SOCK_CLOEXEC);
                if (conn >= 0) {
                    serve_tcp(s, conn);
                    ::close(conn);
                }
            }
        }
        ::close(udp);
        ::close(tcp);
    }
    std::filesystem::remove_all(dir);
    return rc;
}

// ---- client commands

xfr::Primary primary_arg(const std::vector<std::string>& args, std::size_t at,
                         std::optional<dns::TsigKey>& key, std::size_t key_at) {
    xfr::Primary p;
    p.address = args.at(at);
    p.port = static_cast<std::uint16_t>(std::stoi(args.at(at + 1)));
    if (args.size() > key_at) {
        key = key_arg(args[key_at]);
        p.key = &*key;
    }
    return p;
}

void summary(const char* kind, std::uint32_t serial, std::size_t messages, std::size_t diffs) {
    std::cerr << "kind=" << kind << " serial=" << serial << " messages=" << messages << " diffs=" << diffs
              << std::endl;
}

int run(const std::vector<std::string>& args) {
    const std::string& cmd = args.at(1);
    std::optional<dns::TsigKey> key;
    xfr::ClientOptions options;
    options.io_timeout = std::chrono::milliseconds(5000);
    if (cmd == "print") {
        print_zone(*load(dns::Name::from_text(args.at(2)), args.at(3)));
        return 0;
    }
    if (cmd == "serve") return serve(args);
    if (cmd == "produce") {
        const auto z = load(dns::Name::from_text(args.at(2)), args.at(3));
        xfr::TransferRequest request;
        request.zone = z->origin();
        xfr::OutboundOptions o;
        if (args.size() > 4) o.message_size = std::stoul(args[4]);
        auto stream = xfr::TransferStream::full(z, request, o);
        std::vector<std::uint8_t> buffer(65535);
        std::size_t bytes = 0;
        const auto t0 = std::chrono::steady_clock::now();
        while (const std::size_t n = stream->next(buffer))
            bytes += n;
        const auto ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::cout << "rrs=" << z->rr_count() << " messages=" << stream->messages_sent() << " bytes=" << bytes
                  << " ms=" << ms << "\n";
        return 0;
    }
    if (cmd == "soa") {
        const xfr::Primary p = primary_arg(args, 2, key, 5);
        const auto a = xfr::query_soa(p, dns::Name::from_text(args.at(4)), options);
        std::cout << "serial " << a.serial() << " expire " << (a.expire ? std::to_string(*a.expire) : "-")
                  << "\n";
        return 0;
    }
    if (cmd == "axfr") {
        const xfr::Primary p = primary_arg(args, 2, key, 5);
        const dns::Name origin = dns::Name::from_text(args.at(4));
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = xfr::fetch(p, origin, nullptr, options);
        const auto t1 = std::chrono::steady_clock::now();
        const auto z = xfr::build_zone(r, nullptr);
        const auto t2 = std::chrono::steady_clock::now();
        summary(kind_name(r.kind), r.serial(), r.messages, 0);
        std::cerr << "fetch_ms=" << std::chrono::duration<double, std::milli>(t1 - t0).count()
                  << " build_ms=" << std::chrono::duration<double, std::milli>(t2 - t1).count() << std::endl;
        print_zone(*z);
        return 0;
    }
    if (cmd == "ixfr") {
        const xfr::Primary p = primary_arg(args, 2, key, 6);
        const dns::Name origin = dns::Name::from_text(args.at(4));
        const auto old = load(origin, args.at(5));
        const zone::Record ours = zone::soa_record(*old);
        const auto r = xfr::fetch(p, origin, &ours, options);
        summary(kind_name(r.kind), r.serial(), r.messages, r.diffs.size());
        const auto z = xfr::build_zone(r, old.get());
        print_zone(z ? *z : *old);
        return 0;
    }
    if (cmd == "notify") {
        const xfr::Primary p = primary_arg(args, 2, key, 6);
        const dns::Name origin = dns::Name::from_text(args.at(4));
        const zone::Record soa = zone::soa_record(*load(origin, args.at(5)));
        std::cout << dns::rcode_to_text(xfr::send_notify(p, origin, &soa, std::chrono::milliseconds(3000)))
                  << "\n";
        return 0;
    }
    if (cmd == "refresh") {
        const xfr::Primary p = primary_arg(args, 2, key, 6);
        const dns::Name origin = dns::Name::from_text(args.at(4));
        std::shared_ptr<const zone::Zone> old;
        if (args.at(5) != "-") old = load(origin, args.at(5));
        const auto r = xfr::refresh_zone({p}, origin, old, options);
        summary(kind_name(r.kind), r.serial, r.messages, 0);
        print_zone(r.zone ? *r.zone : *old);
        return 0;
    }
    throw std::runtime_error("unknown command " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGTERM, [](int) { g_stop = 1; });
    ::signal(SIGINT, [](int) { g_stop = 1; });
    const std::vector<std::string> args(argv, argv + argc);
    if (args.size() < 2) {
        std::cerr << "usage: xfr_tool print|soa|axfr|ixfr|refresh|serve ...\n";
        return 2;
    }
    try {
        return run(args);
    } catch (const xfr::TransferError& e) {
        std::cerr << "error kind=" << xfr::failure_kind_name(e.kind()) << ": " << e.what() << std::endl;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error kind=other: " << e.what() << std::endl;
        return 1;
    }
}
