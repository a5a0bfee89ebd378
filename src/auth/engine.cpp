#include "auth/engine.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "auth/cookie.hpp"
#include "auth/response_writer.hpp"
#include "auth/zone_lookup.hpp"
#include "dns/edns.hpp"
#include "dns/message_query.hpp"

namespace cairn::auth {
namespace {

using dns::ParsedQuery;
using dns::Rcode;

std::uint16_t qtype_of(const ParsedQuery& q) {
    return static_cast<std::uint16_t>(q.qtype);
}
std::uint16_t qclass_of(const ParsedQuery& q) {
    return static_cast<std::uint16_t>(q.qclass);
}
std::uint8_t opcode_of(const ParsedQuery& q) {
    return static_cast<std::uint8_t>(q.header.opcode) & 0xF;
}

constexpr std::uint16_t kFlagQr = 0x8000;
constexpr std::uint16_t kFlagAa = 0x0400;
constexpr std::uint16_t kFlagTc = 0x0200;
constexpr std::uint16_t kFlagRd = 0x0100;
constexpr std::uint16_t kFlagCd = 0x0010;

constexpr std::uint16_t kTypeOpt = dns::code(dns::RRType::OPT);
constexpr auto kOptionNsid = static_cast<std::uint16_t>(dns::EdnsOptionCode::NSID);
constexpr auto kOptionCookie = static_cast<std::uint16_t>(dns::EdnsOptionCode::COOKIE);
constexpr auto kOptionEde = static_cast<std::uint16_t>(dns::EdnsOptionCode::EDE);
constexpr auto kOptionKeepalive = static_cast<std::uint16_t>(dns::EdnsOptionCode::TCP_KEEPALIVE);
constexpr std::size_t kKeepaliveSize = 6;
constexpr auto kEdeNotAuthoritative = static_cast<std::uint16_t>(dns::EdeCode::NotAuthoritative);
using dns::kOptFixedSize;
constexpr std::size_t kEdeSize = 6;

enum class CookieState : std::uint8_t { none, client_only, valid, invalid };

// One response under construction: header fields, the writer and the EDNS extras.
class Response {
  public:
    Response(const Settings& settings, const ParsedQuery& q, const ClientInfo& client,
             std::span<std::uint8_t> out)
        : settings_(settings), q_(q), client_(client), out_(out), writer_(out.data(), 12, 12) {}

    // Sizes the message: the client's UDP limit, our own, the buffer; space for OPT is held back.
    bool begin(bool with_question) {
        std::size_t max = std::min<std::size_t>(out_.size(), 65535);
        if (client_.transport == Transport::udp) {
            const std::size_t udp = q_.edns.present ? std::min<std::size_t>(q_.edns.effective_udp_payload(),
                                                                            settings_.max_udp_payload)
                                                    : 512;
            max = std::min(max, std::max<std::size_t>(udp, 512));
        }
        opt_reserve_ = 0;
        if (q_.edns.present) {
            opt_reserve_ = kOptFixedSize + kEdeSize;
            if (q_.edns.cookie_size != 0 && settings_.cookies)
                opt_reserve_ += 4 + kClientCookieSize + kServerCookieSize;
            if (q_.edns.nsid && !settings_.nsid.empty()) opt_reserve_ += 4 + settings_.nsid.size();
            if (announces_keepalive()) opt_reserve_ += kKeepaliveSize;
        }
        const bool question = with_question && q_.has_question;
        const std::size_t start = question ? q_.question_end : 12;
        if (max < start + opt_reserve_) return false;
        question_ = question;
        // The question goes in first: later names point into it and DNAME synthesis copies from it.
        if (question_) std::memcpy(out_.data() + 12, q_.qname.data(), q_.question_end - 12);
        max_ = max;
        writer_ = ResponseWriter(out_.data(), start, max - opt_reserve_);
        return true;
    }

    ResponseWriter& writer() { return writer_; }
    void set_rcode(Rcode r) { rcode_ = r; }
    Rcode rcode() const { return rcode_; }
    void set_aa(bool aa) { aa_ = aa; }
    void set_tc() { tc_ = true; }
    void set_ede(std::uint16_t code) { ede_ = code; }
    void set_cookie_state(CookieState s) { cookie_ = s; }
    bool cookie_valid() const { return cookie_ == CookieState::valid; }

    std::size_t finish() {
        std::uint8_t* b = out_.data();
        writer_.set_limit(max_);
        std::uint16_t arcount = writer_.count(kAdditional);
        if (q_.edns.present) {
            write_opt();
            ++arcount;
        }
        store16(b, q_.header.id);
        std::uint16_t flags = kFlagQr | static_cast<std::uint16_t>(opcode_of(q_) << 11) |
                              (q_.header.rd ? kFlagRd : 0) | (q_.header.cd ? kFlagCd : 0) |
                              static_cast<std::uint16_t>(static_cast<std::uint16_t>(rcode_) & 0xF);
        if (aa_) flags |= kFlagAa;
        if (tc_) flags |= kFlagTc;
        store16(b + 2, flags);
        store16(b + 4, question_ ? 1 : 0);
        store16(b + 6, writer_.count(kAnswer));
        store16(b + 8, writer_.count(kAuthority));
        store16(b + 10, arcount);
        return writer_.size();
    }

  private:
    // RFC 7828 §3.3.2: only over TCP, and only to a client that sent the option.
    bool announces_keepalive() const { return q_.edns.tcp_keepalive && client_.transport == Transport::tcp; }

    void write_opt() {
        std::uint8_t* p = writer_.data() + writer_.size();
        const std::size_t start = writer_.size();
        p[0] = 0;
        store16(p + 1, kTypeOpt);
        store16(p + 3, settings_.max_udp_payload);
        p[5] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(rcode_) >> 4);
        p[6] = 0;  // version
        store16(p + 7, q_.edns.dnssec_ok ? 0x8000 : 0);
        std::size_t at = kOptFixedSize;
        if (q_.edns.cookie_size != 0 && settings_.cookies && cookie_ != CookieState::none) {
            store16(p + at, kOptionCookie);
            store16(p + at + 2, kClientCookieSize + kServerCookieSize);
            std::memcpy(p + at + 4, q_.edns.cookie.data(), kClientCookieSize);
            std::uint8_t* server = p + at + 4 + kClientCookieSize;
            if (cookie_ == CookieState::valid && fresh_enough()) {
                std::memcpy(server, q_.edns.cookie.data() + kClientCookieSize, kServerCookieSize);
            } else {
                make_server_cookie(settings_.cookie_secret,
                                   std::span<const std::uint8_t, 8>(q_.edns.cookie.data(), 8),
                                   {client_.address.data(), client_.address_size}, client_.now, server);
            }
            at += 4 + kClientCookieSize + kServerCookieSize;
        }
        if (q_.edns.nsid && !settings_.nsid.empty()) {
            store16(p + at, kOptionNsid);
            store16(p + at + 2, static_cast<std::uint16_t>(settings_.nsid.size()));
            std::memcpy(p + at + 4, settings_.nsid.data(), settings_.nsid.size());
            at += 4 + settings_.nsid.size();
        }
        if (announces_keepalive()) {
            store16(p + at, kOptionKeepalive);
            store16(p + at + 2, 2);
            store16(p + at + 4, settings_.tcp_advertised_timeout);
            at += kKeepaliveSize;
        }
        if (ede_ != 0xFFFF) {
            store16(p + at, kOptionEde);
            store16(p + at + 2, 2);
            store16(p + at + 4, ede_);
            at += kEdeSize;
        }
        store16(p + 9, static_cast<std::uint16_t>(at - kOptFixedSize));
        writer_.advance(at);
        (void)start;
    }

    // RFC 9018 §4.3: a valid cookie younger than half an hour may be echoed instead of re-minted.
    bool fresh_enough() const {
        const std::uint32_t stamp = (std::uint32_t{q_.edns.cookie[12]} << 24) |
                                    (std::uint32_t{q_.edns.cookie[13]} << 16) |
                                    (std::uint32_t{q_.edns.cookie[14]} << 8) | q_.edns.cookie[15];
        const auto age = static_cast<std::int32_t>(client_.now - stamp);
        return age >= 0 && age < 1800;
    }

    const Settings& settings_;
    const ParsedQuery& q_;
    const ClientInfo& client_;
    std::span<std::uint8_t> out_;
    ResponseWriter writer_;
    std::size_t max_ = 0;
    std::size_t opt_reserve_ = 0;
    bool question_ = false;
    bool aa_ = false;
    bool tc_ = false;
    Rcode rcode_ = Rcode::NOERROR;
    std::uint16_t ede_ = 0xFFFF;
    CookieState cookie_ = CookieState::none;
};

Result done(Response& r, Action action = Action::send, const zone::Zone* zone = nullptr,
            bool wildcard = false) {
    Result result;
    result.size = r.finish();
    result.action = action;
    result.rcode = r.rcode();
    result.zone = zone;
    result.cookie_valid = r.cookie_valid();
    result.wildcard = wildcard;
    return result;
}

Result error(Response& r, Rcode rcode, Action action = Action::send) {
    if (!r.begin(true) && !r.begin(false)) return {};
    r.set_rcode(rcode);
    return done(r, action);
}

// CH-class TXT version.bind / id.server (and their aliases), as BIND answers them.
Result chaos(Response& r, const Settings& s, const ParsedQuery& q) {
    auto is = [&](const char* text) {
        const std::size_t n = std::strlen(text) + 1;  // with the root label
        return q.qname.size() == n && std::memcmp(q.qname_lower().data(), text, n) == 0;
    };
    const std::string* value = nullptr;
    if (is("\7version\4bind") || is("\7version\6server")) value = &s.version_bind;
    if (is("\2id\6server") || is("\10hostname\4bind")) value = &s.id_server;
    if (value == nullptr || value->empty()) {
        r.set_rcode(Rcode::REFUSED);
        return done(r);
    }
    r.set_aa(true);
    constexpr std::uint16_t kTxt = dns::code(dns::RRType::TXT), kAny = dns::code(dns::RRType::ANY),
                            kCh = dns::code(dns::RRClass::CH);
    if (qtype_of(q) == kTxt || qtype_of(q) == kAny) {
        const std::size_t strings = value->size() / 255 + 1;
        const std::size_t rdlength = value->size() + strings;
        ResponseWriter& w = r.writer();
        const std::size_t at = w.put_rr_header({12, q.qname_lower()}, kTxt, kCh, 0, rdlength, kAnswer);
        if (at == ResponseWriter::kFailed) {
            r.set_tc();
        } else {
            std::uint8_t* p = w.data() + at;
            for (std::size_t i = 0; i < value->size() || i == 0; i += 255) {
                const std::size_t len = std::min<std::size_t>(255, value->size() - i);
                *p++ = static_cast<std::uint8_t>(len);
                std::memcpy(p, value->data() + i, len);
                p += len;
                if (len < 255) break;
            }
            w.advance(rdlength);
        }
    }
    return done(r);
}

}  // namespace

Engine::Engine(Settings settings) : settings_(std::move(settings)) {
    if (settings_.max_udp_payload < 512) settings_.max_udp_payload = 512;
    if (settings_.nsid.size() > 512) throw std::invalid_argument("NSID longer than 512 octets");
}

void Engine::prefetch(const zone::ZoneTable& zones,
                      std::span<const std::span<const std::uint8_t>> queries) const {
    struct Pending {
        const zone::Zone* zone;
        std::uint64_t hash;
        dns::RRType qtype;
    };
    std::array<Pending, kPrefetchBatch> pending;
    std::size_t count = 0;
    for (const auto query : queries.first(std::min(queries.size(), kPrefetchBatch))) {
        std::uint8_t lowered[dns::kMaxNameLength];
        const std::size_t size = dns::peek_qname(query, lowered);
        zone::LookupName name;
        if (size == 0 || !name.assign({lowered, size})) continue;
        const zone::Zone* zone = zones.find(name);
        if (zone == nullptr) continue;
        const auto qtype = static_cast<dns::RRType>((query[12 + size] << 8) | query[13 + size]);
        pending[count++] = {zone, name.suffix_hash(0), qtype};
        zone->prefetch_slot(name.suffix_hash(0));
    }
    // The slots are on their way; what they point at can be asked for now.
    for (std::size_t i = 0; i < count; ++i)
        pending[i].zone->prefetch_node(pending[i].hash);
    // Then the wire of the RRset each query asks for, which the answer copies.
    for (std::size_t i = 0; i < count; ++i)
        pending[i].zone->prefetch_rrset(pending[i].hash, pending[i].qtype);
}

Result Engine::answer(const zone::ZoneTable& zones, std::span<const std::uint8_t> query,
                      const ClientInfo& client, std::span<std::uint8_t> out) const {
    ParsedQuery q;
    const dns::QueryStatus outcome = dns::parse_query(query, q);
    Result result = answer_parsed(zones, q, outcome, client, out);
    result.tsig = q.has_tsig;
    result.tcp_keepalive = q.edns.tcp_keepalive;
    return result;
}

Result Engine::answer_parsed(const zone::ZoneTable& zones, const ParsedQuery& q, dns::QueryStatus outcome,
                             const ClientInfo& client, std::span<std::uint8_t> out) const {
    if (outcome == dns::QueryStatus::Drop || out.size() < 12) return {};
    Response r(settings_, q, client, out);
    if (outcome == dns::QueryStatus::FormErr) return error(r, Rcode::FORMERR);

    constexpr std::uint8_t kOpcodeQuery = dns::code(dns::Opcode::QUERY),
                           kOpcodeNotify = dns::code(dns::Opcode::NOTIFY);
    if (opcode_of(q) == kOpcodeNotify) return error(r, Rcode::NOTIMP, Action::notify);
    if (opcode_of(q) != kOpcodeQuery) return error(r, Rcode::NOTIMP);
    if (q.edns.present && q.edns.version > 0) return error(r, Rcode::BADVERS);

    CookieState cookie = CookieState::none;
    if (q.edns.cookie_size != 0 && settings_.cookies) {
        const auto server = q.edns.server_cookie();
        if (server.empty()) {
            cookie = CookieState::client_only;
        } else {
            cookie = server_cookie_valid(settings_.cookie_secret,
                                         std::span<const std::uint8_t, 8>(q.edns.cookie.data(), 8), server,
                                         {client.address.data(), client.address_size}, client.now)
                         ? CookieState::valid
                         : CookieState::invalid;
        }
    }
    r.set_cookie_state(cookie);
    if (!q.has_question) {
        // RFC 7873 §5.4: a query with only a COOKIE learns a server cookie.
        if (cookie == CookieState::none) return error(r, Rcode::FORMERR);
        return error(r, cookie == CookieState::invalid ? Rcode::BADCOOKIE : Rcode::NOERROR);
    }
    if (settings_.require_cookie_udp && client.transport == Transport::udp && cookie != CookieState::none &&
        cookie != CookieState::valid) {
        return error(r, Rcode::BADCOOKIE);
    }
    constexpr std::uint16_t kTkey = dns::code(dns::RRType::TKEY), kTsig = dns::code(dns::RRType::TSIG),
                            kIxfr = dns::code(dns::RRType::IXFR), kAxfr = dns::code(dns::RRType::AXFR),
                            kMailb = dns::code(dns::RRType::MAILB), kMaila = dns::code(dns::RRType::MAILA);
    // An IXFR request carries the client's SOA in authority (RFC 1995 §3); other queries carry nothing there.
    const std::uint16_t authority_allowed = qtype_of(q) == kIxfr ? 1 : 0;
    if (q.header.ancount != 0 || q.header.nscount > authority_allowed) return error(r, Rcode::FORMERR);

    if (qtype_of(q) == kTypeOpt || qtype_of(q) == kTsig || qtype_of(q) == kTkey)
        return error(r, Rcode::FORMERR);
    if (qtype_of(q) == kMailb || qtype_of(q) == kMaila) return error(r, Rcode::NOTIMP);

    if (!r.begin(true)) return {};
    constexpr std::uint16_t kClassCh = dns::code(dns::RRClass::CH), kClassAny = dns::code(dns::RRClass::ANY);
    if (qclass_of(q) == kClassCh) return chaos(r, settings_, q);

    zone::LookupName name;
    if (!name.assign(q.qname_lower())) return error(r, Rcode::FORMERR);
    const zone::Zone* z = zones.find(name);
    if (z != nullptr && qtype_of(q) == static_cast<std::uint16_t>(dns::RRType::DS) &&
        name.labels() == z->node(zone::Zone::apex()).labels && name.labels() > 0) {
        // DS lives in the parent zone: answer from it when we serve it (as BIND does).
        if (const zone::Zone* parent = zones.find(name, 1)) z = parent;
    }
    if (z == nullptr ||
        (qclass_of(q) != static_cast<std::uint16_t>(z->rclass()) && qclass_of(q) != kClassAny)) {
        r.set_rcode(Rcode::REFUSED);
        r.set_ede(kEdeNotAuthoritative);
        return done(r);
    }

    if (qtype_of(q) == kAxfr && client.transport == Transport::udp) {
        r.set_rcode(Rcode::NOTIMP);  // as Knot and NSD: AXFR is a TCP-only exchange
        return done(r, Action::send, z);
    }
    if (qtype_of(q) == kAxfr || qtype_of(q) == kIxfr) {
        // Transfers, and IXFR over UDP (RFC 1995 §2: the SOA alone when allowed), are the transfer module's
        // work, behind its ACL; this REFUSED is what goes out when none is wired up (as BIND and NSD).
        r.set_rcode(Rcode::REFUSED);
        return done(r, Action::transfer, z);
    }

    const Outcome o = lookup_in_zone(*z, r.writer(), qtype_of(q),
                                     client.transport == Transport::udp && settings_.minimal_any,
                                     q.edns.dnssec_ok, name, q.qname_lower());
    r.set_rcode(o.rcode);
    r.set_aa(o.authoritative);
    if (o.truncated) r.set_tc();
    return done(r, Action::send, z, o.wildcard);
}

}  // namespace cairn::auth
