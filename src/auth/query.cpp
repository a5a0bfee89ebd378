#include "auth/query.hpp"

#include "dns/name.hpp"

namespace cairn::auth {
namespace {

constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kTypeTsig = 250;
constexpr std::uint16_t kOptionNsid = 3;
constexpr std::uint16_t kOptionCookie = 10;

std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Skips a possibly compressed name; false when it is malformed or runs past the end.
bool skip_name(std::span<const std::uint8_t> p, std::size_t& pos) {
    std::size_t total = 0;
    while (pos < p.size()) {
        const std::uint8_t len = p[pos];
        if ((len & 0xC0) == 0xC0) {
            if (pos + 2 > p.size()) return false;
            pos += 2;
            return true;
        }
        if (len > 63) return false;
        pos += 1 + len;
        total += 1 + len;
        if (total > 255) return false;
        if (len == 0) return pos <= p.size();
    }
    return false;
}

bool parse_opt(std::span<const std::uint8_t> p, std::size_t rr, ParsedQuery& q) {
    // rr points at the type field; the owner was checked to be the root.
    q.udp_size = get16(&p[rr + 2]);
    if (q.udp_size < 512) q.udp_size = 512;
    q.edns_version = p[rr + 5];
    q.dnssec_ok = (p[rr + 6] & 0x80) != 0;
    const std::size_t rdlen = get16(&p[rr + 8]);
    std::size_t pos = rr + 10;
    const std::size_t end = pos + rdlen;
    while (pos < end) {
        if (end - pos < 4) return false;
        const std::uint16_t code = get16(&p[pos]);
        const std::size_t len = get16(&p[pos + 2]);
        pos += 4;
        if (end - pos < len) return false;
        if (code == kOptionCookie) {
            // RFC 7873 §5.2.2: a client cookie alone (8) or with a server cookie of 8 to 32 octets.
            if (q.cookie || (len != 8 && (len < 16 || len > 40))) return false;
            q.cookie = true;
            for (std::size_t i = 0; i < 8; ++i)
                q.client_cookie[i] = p[pos + i];
            q.server_cookie_size = len - 8;
            for (std::size_t i = 8; i < len; ++i)
                q.server_cookie[i - 8] = p[pos + i];
        } else if (code == kOptionNsid) {
            q.nsid = true;
        }
        pos += len;
    }
    return true;
}

}  // namespace

ParseOutcome parse_query(std::span<const std::uint8_t> p, ParsedQuery& q) {
    if (p.size() < 12) return ParseOutcome::drop;
    q.id = get16(&p[0]);
    q.flags = get16(&p[2]);
    if (q.flags & 0x8000) return ParseOutcome::drop;
    q.opcode = static_cast<std::uint8_t>((q.flags >> 11) & 0xF);
    q.qdcount = get16(&p[4]);
    q.ancount = get16(&p[6]);
    q.nscount = get16(&p[8]);
    q.arcount = get16(&p[10]);
    std::size_t pos = 12;

    if (q.qdcount > 1) return ParseOutcome::formerr;  // RFC 9619
    if (q.qdcount == 1) {
        std::size_t size = 0;
        while (true) {
            if (pos >= p.size()) return ParseOutcome::formerr;
            const std::uint8_t len = p[pos];
            if (len > 63) return ParseOutcome::formerr;  // compression or extended labels: not in a question
            if (size + 1 + len > 255 || pos + 1 + len > p.size()) return ParseOutcome::formerr;
            q.qname[size++] = len;
            for (std::size_t i = 1; i <= len; ++i)
                q.qname[size++] = dns::lower_ascii(p[pos + i]);
            pos += 1 + len;
            if (len == 0) break;
        }
        if (p.size() - pos < 4) return ParseOutcome::formerr;
        q.qname_size = size;
        q.qtype = get16(&p[pos]);
        q.qclass = get16(&p[pos + 2]);
        pos += 4;
        q.question_end = pos;
        q.has_question = true;
    }

    const std::size_t records = std::size_t{q.ancount} + q.nscount + q.arcount;
    bool opt_seen = false;
    for (std::size_t i = 0; i < records; ++i) {
        const std::size_t owner = pos;
        if (!skip_name(p, pos) || p.size() - pos < 10) return ParseOutcome::formerr;
        const std::uint16_t type = get16(&p[pos]);
        const std::size_t rdlen = get16(&p[pos + 8]);
        if (p.size() - pos - 10 < rdlen) return ParseOutcome::formerr;
        const bool additional = i >= std::size_t{q.ancount} + q.nscount;
        if (type == kTypeOpt) {
            // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
            if (!additional || opt_seen || p[owner] != 0) return ParseOutcome::formerr;
            opt_seen = true;
            if (!parse_opt(p, pos, q)) return ParseOutcome::formerr;
            q.edns = true;
        } else if (type == kTypeTsig) {
            // RFC 8945 §5.1: the last record of the additional section.
            if (!additional || i + 1 != records) return ParseOutcome::formerr;
            q.has_tsig = true;
            q.tsig_offset = owner;
        }
        pos += 10 + rdlen;
    }
    if (pos != p.size()) return ParseOutcome::formerr;  // trailing octets
    return ParseOutcome::ok;
}

}  // namespace cairn::auth
